"""Bureau services: the tree, supervised cases (挂牌督办), the upward roll-up."""

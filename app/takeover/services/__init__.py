"""Domain functions of taking work over."""

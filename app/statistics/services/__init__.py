"""Statistics services: facts kept beside each case, the board, the figures, charts and reports."""

"""Supervision at a glance: the year's inspection board, statistics with charts, the yearly reports."""

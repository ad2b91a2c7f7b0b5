"""Bureaus (档案局) as a tree: city → counties/districts; every bureau-owned row is scoped to the current bureau."""

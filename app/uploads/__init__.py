"""Resumable uploads of recordings of any size (tus 1.0: core, creation, termination), streamed to storage."""

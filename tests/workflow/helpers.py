"""Loading test diagrams from tests/data/<case>/ into real definition versions."""

from __future__ import annotations

from pathlib import Path

from app.workflow.services import definitions

DATA = Path(__file__).resolve().parents[1] / "data"


def load_process(folder: str, actor=None, publish: bool = True):
    """Load every diagram and form of tests/data/<folder>/ (forms in its forms/ subfolder); return the versions."""
    base = DATA / folder
    return definitions.load_folder(actor, base, base / "forms", publish=publish)

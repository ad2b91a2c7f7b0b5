"""Running tools/verify_draw.py as an outsider would: a fresh interpreter in isolated mode (-I), the base Python
rather than the project's virtualenv (where the project is installed), from a directory outside the project."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

VERIFIER = Path(__file__).resolve().parents[2] / "tools" / "verify_draw.py"
PYTHON = getattr(sys, "_base_executable", None) or sys.executable


def run_verifier(packages: list[dict[str, Any]]) -> subprocess.CompletedProcess[str]:
    """Write the packages to files and run the stand-alone verifier on all of them at once."""
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for index, package in enumerate(packages):
            path = Path(folder) / f"package-{index}.json"
            path.write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
            paths.append(str(path))
        return subprocess.run([PYTHON, "-I", str(VERIFIER), *paths], cwd=folder, capture_output=True, text=True,
                              timeout=120, env={"PATH": "/usr/bin:/bin"})

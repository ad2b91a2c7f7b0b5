"""The ZIP's manifest: `MANIFEST.sha256` in `sha256sum` format, one line per file, and its verification."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = "MANIFEST.sha256"


def manifest_text(files: dict[str, bytes]) -> str:
    """`<sha256>  <path>` per file, sorted by path (checkable with `sha256sum -c` after unzipping)."""
    return "".join(f"{hashlib.sha256(files[name]).hexdigest()}  {name}\n" for name in sorted(files))


def write_zip(target: Path, files: dict[str, bytes]) -> str:
    """A ZIP of the files plus their manifest; returns the ZIP's SHA-256."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            archive.writestr(name, files[name])
        archive.writestr(MANIFEST, manifest_text(files))
    return hashlib.sha256(target.read_bytes()).hexdigest()


@dataclass
class Verdict:
    """What checking a case-file ZIP found."""

    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every file matches the manifest and nothing is missing or extra."""
        return not self.problems


def verify_zip(path: Path) -> Verdict:
    """Recompute every file's SHA-256 and compare with the manifest; name each file that does not match."""
    verdict = Verdict()
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        return Verdict(problems=[f"not a readable ZIP: {exc}"])
    with archive:
        names = set(archive.namelist())
        if MANIFEST not in names:
            return Verdict(problems=[f"{MANIFEST} is missing"])
        listed: dict[str, str] = {}
        for line in archive.read(MANIFEST).decode("utf-8").splitlines():
            digest, _sep, name = line.partition("  ")
            if len(digest) != 64 or not name:
                verdict.problems.append(f"manifest line not understood: {line[:80]}")
                continue
            listed[name] = digest
        for name, digest in sorted(listed.items()):
            if name not in names:
                verdict.problems.append(f"missing: {name}")
                continue
            try:
                actual = hashlib.sha256(archive.read(name)).hexdigest()
            except (zipfile.BadZipFile, OSError) as exc:  # a damaged member fails its CRC check
                verdict.problems.append(f"unreadable: {name} ({exc})")
                continue
            if actual != digest:
                verdict.problems.append(f"changed: {name}")
            else:
                verdict.checked += 1
        for name in sorted(names - set(listed) - {MANIFEST}):
            verdict.problems.append(f"not in the manifest: {name}")
    return verdict

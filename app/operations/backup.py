"""Backups that restore: the database (pg_dump, or SQLite's online backup API), the files, and a manifest of hashes.

A backup is one uncompressed tar file `archives-backup-<UTC time>.tar` holding

    manifest.json            what is inside: every member's size and SHA-256, the schema revision, counts
    database.pgdump          PostgreSQL: `pg_dump --format=custom` (restored with pg_restore)
    database.sqlite          SQLite: a consistent copy taken with the online backup API (no need to stop the app)
    files/attachments/…      uploaded evidence and recordings (content-addressed by SHA-256)
    files/uploads/…          finished resumable uploads, when any

Documents (.docx) live in the database with their SHA-256, so they travel with the dump. Restoring refuses an
installation that is not empty and an archive whose members do not match the manifest.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

FILE_FOLDERS = ("attachments", "uploads")
CHUNK = 1024 * 1024
FORMAT_VERSION = 1


class BackupError(RuntimeError):
    """The backup or restore cannot go on; the message says why."""


@dataclass
class Manifest:
    """What a backup holds."""

    created_at: str
    database: str  # postgresql | sqlite
    revision: str | None
    members: dict[str, dict[str, Any]] = field(default_factory=dict)  # path → {size, sha256}
    counts: dict[str, int] = field(default_factory=dict)
    format: int = FORMAT_VERSION


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _kind(database_url: str) -> str:
    backend = make_url(database_url).get_backend_name()
    if backend not in ("postgresql", "sqlite"):
        raise BackupError(f"unsupported database {backend}")
    return backend


def _libpq_url(database_url: str) -> str:
    """The URL as pg_dump/pg_restore read it (no SQLAlchemy driver suffix)."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian package postgresql-client)")
    return path


def _dump_database(database_url: str, target_dir: Path) -> Path:
    if _kind(database_url) == "sqlite":
        source_path = make_url(database_url).database
        target = target_dir / "database.sqlite"
        source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # a consistent snapshot while the app keeps running
        finally:
            copy.close()
            source.close()
        return target
    target = target_dir / "database.pgdump"
    result = subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",  # noqa: S603
                             "--file", str(target), _libpq_url(database_url)], capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()[:2000]}")
    return target


def _facts(database_url: str) -> tuple[str | None, dict[str, int]]:
    """The schema revision and a few row counts, for the manifest and the restore report."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar() \
                if "alembic_version" in tables else None
            counts = {name: int(connection.execute(text(f"SELECT count(*) FROM {name}")).scalar() or 0)  # noqa: S608
                      for name in ("audit_event", "document", "attachment", "draw", "workflow_case") if name in tables}
    finally:
        engine.dispose()
    return revision, counts


def create_backup(database_url: str, files_dir: Path, output_dir: Path, now: datetime | None = None) -> Path:
    """Write one backup archive into `output_dir` and return its path."""
    now = now or datetime.now(UTC)
    output_dir.mkdir(parents=True, exist_ok=True)
    name = f"archives-backup-{now:%Y%m%d-%H%M%S}"
    revision, counts = _facts(database_url)
    manifest = Manifest(created_at=now.isoformat(timespec="seconds"), database=_kind(database_url),
                        revision=revision, counts=counts)
    partial = output_dir / f"{name}.tar.partial"
    with tempfile.TemporaryDirectory(dir=output_dir) as staging:
        dump = _dump_database(database_url, Path(staging))
        with tarfile.open(partial, "w") as archive:
            manifest.members[dump.name] = {"size": dump.stat().st_size, "sha256": _sha256(dump)}
            archive.add(dump, arcname=dump.name)
            for folder in FILE_FOLDERS:
                base = files_dir / folder
                if not base.is_dir():
                    continue
                for path in sorted(p for p in base.rglob("*") if p.is_file() and not p.name.startswith(".")):
                    if path.suffix in (".part", ".tmp") or path.name.startswith("tmp"):
                        continue  # unfinished uploads and temporary files are not evidence
                    member = f"files/{folder}/{path.relative_to(base).as_posix()}"
                    manifest.members[member] = {"size": path.stat().st_size, "sha256": _sha256(path)}
                    archive.add(path, arcname=member)
            blob = json.dumps(manifest.__dict__, ensure_ascii=False, indent=2).encode("utf-8")
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(blob), int(now.timestamp())
            archive.addfile(info, io.BytesIO(blob))
    final = output_dir / f"{name}.tar"
    partial.rename(final)
    return final


def read_manifest(archive_path: Path) -> Manifest:
    """The manifest of an archive."""
    with tarfile.open(archive_path, "r") as archive:
        member = archive.extractfile("manifest.json")
        if member is None:
            raise BackupError("the archive has no manifest.json")
        return Manifest(**json.loads(member.read()))


def _database_is_empty(database_url: str) -> bool:
    if _kind(database_url) == "sqlite":
        path = Path(make_url(database_url).database or "")
        if not path.exists() or path.stat().st_size == 0:
            return True
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return not inspect(connection).get_table_names()
    finally:
        engine.dispose()


def restore_backup(archive_path: Path, database_url: str, files_dir: Path) -> Manifest:
    """Restore an archive into an empty installation (empty database, no files); verify every hash first."""
    manifest = read_manifest(archive_path)
    kind = _kind(database_url)
    if manifest.database != kind:
        raise BackupError(f"the backup holds a {manifest.database} database; this installation uses {kind}")
    if not _database_is_empty(database_url):
        raise BackupError("the target database is not empty: restore only into a new, empty database")
    for folder in FILE_FOLDERS:
        if (files_dir / folder).is_dir() and any((files_dir / folder).iterdir()):
            raise BackupError(f"{files_dir / folder} is not empty: restore only into an empty installation")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        with tarfile.open(archive_path, "r") as archive:
            archive.extractall(root, filter="data")  # refuses absolute paths, .. and links out of the folder
        expected = set(manifest.members)
        found = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} - {"manifest.json"}
        if found != expected:
            raise BackupError(f"the archive's members differ from its manifest: {sorted(found ^ expected)[:5]}")
        for member, facts in manifest.members.items():
            if _sha256(root / member) != facts["sha256"]:
                raise BackupError(f"{member}: SHA-256 differs from the manifest (damaged or altered)")
        if kind == "sqlite":
            target = Path(make_url(database_url).database or "")
            target.parent.mkdir(parents=True, exist_ok=True)
            source = sqlite3.connect(root / "database.sqlite")
            copy = sqlite3.connect(target)
            try:
                source.backup(copy)
            finally:
                copy.close()
                source.close()
        else:
            result = subprocess.run([_pg_tool("pg_restore"), "--no-owner",  # noqa: S603 - no shell, our arguments "--no-privileges", "--exit-on-error",
                                     "--dbname", _libpq_url(database_url), str(root / "database.pgdump")],
                                    capture_output=True, text=True)
            if result.returncode != 0:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()[:2000]}")
        for folder in FILE_FOLDERS:
            source_dir = root / "files" / folder
            if source_dir.is_dir():
                shutil.copytree(source_dir, files_dir / folder, dirs_exist_ok=True)
    return manifest

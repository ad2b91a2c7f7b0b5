"""A backup restores into an empty installation and everything verifies: audit chain, draw, every document and file.

Real processes and real databases: a SQLite file, or scratch PostgreSQL databases (pg_dump / pg_restore) when
TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from tests.conftest import _scratch_postgres

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.fixture
def installations(tmp_path: Path) -> Iterator[tuple[dict[str, str], dict[str, str]]]:
    """(source, target): two installations, each with its own database and files folder."""
    pg = os.environ.get("TEST_DATABASE_URL")
    made: list[tuple[str, str]] = []
    envs = []
    for name in ("source", "target"):
        if pg:
            url, admin = _scratch_postgres(pg)
            made.append((url, admin))
        else:
            url = f"sqlite:///{tmp_path / name}.db"
        (tmp_path / name).mkdir()
        envs.append({**os.environ, "FLASK_APP": "app", "APP_ENV": "testing", "DATABASE_URL": url,
                     "FILES_DIR": str(tmp_path / name)})
    yield envs[0], envs[1]
    for url, admin in made:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}" WITH (FORCE)')


def flask(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Run a `flask` command of that installation."""
    return subprocess.run([BIN / "flask", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_backup_restores_into_an_empty_installation_and_verifies(installations, tmp_path: Path) -> None:
    source, target = installations
    assert flask(source, "db", "upgrade").returncode == 0
    made = subprocess.run([sys.executable, ROOT / "tests/operations/backup_scenario.py"], env=source, cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=True)
    draw_id = made.stdout.strip().splitlines()[-1]
    created = flask(source, "backup", "create", "--output", str(tmp_path / "backups"))
    assert created.returncode == 0, created.stderr
    [archive] = (tmp_path / "backups").glob("archives-backup-*.tar")
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and any(n.startswith("files/attachments/") for n in names)
    assert ("database.pgdump" if "postgresql" in source["DATABASE_URL"] else "database.sqlite") in names

    restored = flask(target, "backup", "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "every SHA-256 matches" in restored.stdout
    audit = flask(target, "audit", "verify")
    assert audit.returncode == 0 and "audit chain intact" in audit.stdout, audit.stderr
    draw = flask(target, "draw", "verify", draw_id)
    assert draw.returncode == 0 and "reproduces exactly" in draw.stdout, draw.stderr
    check = flask(target, "backup", "check")
    assert check.returncode == 0 and "every SHA-256 matches" in check.stdout
    # The restored installation's data is the source's (same audit head, same files).
    assert sorted(p.name for p in Path(target["FILES_DIR"]).rglob("*") if p.is_file()) == \
        sorted(p.name for p in Path(source["FILES_DIR"]).rglob("*") if p.is_file())

    again = flask(target, "backup", "restore", str(archive))
    assert again.returncode != 0 and "not empty" in again.stderr


def test_a_damaged_archive_is_refused_naming_the_member(installations, tmp_path: Path) -> None:
    source, target = installations
    assert flask(source, "db", "upgrade").returncode == 0
    attachment = Path(source["FILES_DIR"]) / "attachments" / "ab" / ("ab" + "0" * 62)
    attachment.parent.mkdir(parents=True)
    attachment.write_bytes(b"evidence")
    assert flask(source, "backup", "create", "--output", str(tmp_path / "b")).returncode == 0
    [archive] = (tmp_path / "b").glob("*.tar")
    data = archive.read_bytes()
    archive.write_bytes(data.replace(b"evidence", b"EVIDENCE", 1))
    refused = flask(target, "backup", "restore", str(archive))
    assert refused.returncode != 0 and "files/attachments/ab/" in refused.stderr and "SHA-256" in refused.stderr

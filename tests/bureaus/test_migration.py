"""Migration 0015 moves an existing single-bureau database into bureau 1 with no loss (and back)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _flask(url: str, *args: str, **env: str) -> None:
    environment = {**os.environ, "DATABASE_URL": url, "APP_ENV": "testing", "SECRET_KEY": "x" * 40, **env}
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=environment, check=True,
                   capture_output=True)


def test_existing_data_moves_into_the_first_bureau(tmp_path):
    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    _flask(url, "db", "upgrade", "0009")
    db = sqlite3.connect(path)
    db.execute("INSERT INTO user_account (id, username, full_name, password_hash, active, legal_qualified,"
               " failed_logins, created_at) VALUES (7, 'old.user', '老用户', 'x', 1, 0, 0, '2026-01-01')")
    db.execute("INSERT INTO inspection_object (id, name, credit_code, unit_type, district, address, contact_person,"
               " contact_phone, archives_staff, active, created_at, updated_at) VALUES (3, '老单位',"
               " '123456789012345678', 'agency', '', '', '', '', '', 1, '2026-01-01', '2026-01-01')")
    db.execute("INSERT INTO document_counter (doc_type, year, last_seq) VALUES ('penalty_decision', 2026, 41)")
    db.execute("INSERT INTO calendar_override (day, is_workday, note, created_at) VALUES ('2031-10-08', 1, '调休',"
               " '2026-01-01')")
    db.execute("INSERT INTO audit_event (occurred_at, action, object_type, details, prev_hash, hash)"
               " VALUES ('2026-01-01', 'old.event', 'x', '{}', 'p', 'h')")
    db.commit()
    db.close()

    _flask(url, "db", "upgrade", AGENCY_NAME="六盘水市档案局", AGENCY_SHORT_NAME="六档")
    db = sqlite3.connect(path)
    assert db.execute("SELECT id, name, short_name, level, parent_id FROM bureau").fetchall() == [
        (1, "六盘水市档案局", "六档", "city", None)]
    assert db.execute("SELECT username, bureau_id FROM user_account").fetchall() == [("old.user", 1)]
    assert db.execute("SELECT name, bureau_id FROM inspection_object").fetchall() == [("老单位", 1)]
    assert db.execute("SELECT bureau_id, doc_type, year, last_seq FROM document_counter").fetchall() == [
        (1, "penalty_decision", 2026, 41)]
    assert db.execute("SELECT day, bureau_id FROM calendar_override").fetchall() == [("2031-10-08", 1)]
    assert db.execute("SELECT COUNT(*), MIN(bureau_id IS NULL) FROM tier").fetchone() == (3, 0)
    assert db.execute("SELECT action, bureau_id FROM audit_event").fetchall() == [("old.event", None)]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    # the audit table kept its append-only triggers (not rebuilt)
    triggers = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert any("audit" in name for name in triggers)
    db.close()

    _flask(url, "db", "downgrade", "0009")
    db = sqlite3.connect(path)
    assert db.execute("SELECT doc_type, year, last_seq FROM document_counter").fetchall() == [
        ("penalty_decision", 2026, 41)]
    assert db.execute("SELECT name FROM inspection_object").fetchall() == [("老单位",)]
    db.close()

"""Import preview and commit: every problem (row, column, reason) before anything is written; upsert by natural key."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.audit.services import record_event, record_events
from app.auth.models import User
from app.clock import utcnow
from app.directories.services import records
from app.directories.services.reader import ImportRejected, Table
from app.directories.services.specs import ListSpec
from app.directories.services.validation import Lookups, natural_key, parse_row
from app.errors import N_
from app.extensions import db


@dataclass
class RowResult:
    """One data row: its values, problems and what importing it would do."""

    row: int
    values: dict[str, Any]
    problems: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # (header, msgid, params)
    action: str = "error"  # create | update | unchanged | error
    changes: dict[str, Any] = field(default_factory=dict)
    cells: list[str] = field(default_factory=list)  # as typed in the file, for the preview
    kept: list[str] = field(default_factory=list)  # headers of blank cells that keep the stored value


@dataclass
class Preview:
    """What an import would do."""

    spec_kind: str
    rows: list[RowResult]
    unknown_headers: list[str]
    blank_clears: bool = False

    @property
    def kept_blanks(self) -> int:
        """Blank cells that leave a stored value as it is (unless the importer asks to clear them)."""
        return sum(len(r.kept) for r in self.rows)

    def count(self, action: str) -> int:
        """Rows with this action."""
        return sum(1 for r in self.rows if r.action == action)

    @property
    def problems(self) -> list[tuple[int, str, str, dict[str, Any]]]:
        """(row, column header, reason msgid, params) for every problem, in file order."""
        return [(r.row, header, reason, params) for r in self.rows for header, reason, params in r.problems]

    @property
    def has_errors(self) -> bool:
        """Whether any row cannot be imported."""
        return any(r.action == "error" for r in self.rows)


def _map_headers(spec: ListSpec, table: Table) -> tuple[dict[int, str], list[str]]:
    """Column index → column key; refuse missing required headers and duplicate headers."""
    by_header = {c.header: c for c in spec.columns}
    mapping: dict[int, str] = {}
    unknown = []
    seen = set()
    for index, header in enumerate(table.headers):
        if header in seen:
            raise ImportRejected(N_("表头“%(header)s”出现了两次。"), header=header)
        seen.add(header)
        if header in by_header:
            mapping[index] = by_header[header].key
        else:
            unknown.append(header)
    missing = [c.header for c in spec.columns if c.required and c.header not in seen]
    if missing:
        raise ImportRejected(N_("缺少必需的列：%(columns)s（请下载模板对照表头）。"), columns="、".join(missing))
    return mapping, unknown


def preview(spec: ListSpec, table: Table, *, blank_clears: bool = False) -> Preview:
    """Validate every row and compare with what is stored; writes nothing.

    A blank cell never erases a stored value unless `blank_clears` (asked explicitly in the preview).
    """
    mapping, unknown = _map_headers(spec, table)
    raw_rows = [{mapping[i]: cell for i, cell in enumerate(cells) if i in mapping} for _row, cells in table.rows]
    lookups = Lookups.for_values(spec, raw_rows)
    today = utcnow().date()
    headers = {c.key: c.header for c in spec.columns}
    results: list[RowResult] = []
    first_row_of_key: dict[tuple[Any, ...], int] = {}
    for (row_number, cells), raw in zip(table.rows, raw_rows, strict=True):
        values, errors = parse_row(spec, raw, lookups, today)
        result = RowResult(row_number, values, [(headers[k], msg, {}) for k, msg in errors.items()], cells=cells)
        if not errors:
            key = natural_key(spec, values)
            if key in first_row_of_key:
                result.problems.append((headers[spec.natural_key[-1]], N_("与第 %(row)s 行重复。"),
                                        {"row": first_row_of_key[key]}))
            else:
                first_row_of_key[key] = row_number
        results.append(result)
    existing = records.existing_by_keys(spec, list(first_row_of_key))
    raw_by_row = {row_number: raw for (row_number, _cells), raw in zip(table.rows, raw_rows, strict=True)}
    for result in results:
        if result.problems:
            result.action = "error"
            continue
        record = existing.get(natural_key(spec, result.values))
        if record is None:
            result.action = "create"
            continue
        before = records.snapshot(spec, record)
        raw = raw_by_row[result.row]
        blanks = {k for k in result.values if not raw.get(k, "").strip()}
        result.kept = [headers[k] for k in sorted(blanks) if before[k] not in (None, "") and not blank_clears]
        changes = {k: {"old": before[k], "new": records.plain(v)} for k, v in result.values.items()
                   if before[k] != records.plain(v) and (blank_clears or k not in blanks)}
        if not record.active:
            changes["active"] = {"old": False, "new": True}
        result.action, result.changes = ("update", changes) if changes else ("unchanged", {})
    return Preview(spec.kind, results, unknown, blank_clears)


def commit(actor: User, spec: ListSpec, table: Table, *, only_valid_rows: bool, file_sha256: str,
           filename: str, blank_clears: bool = False) -> Preview:
    """Write the import (re-validated now); refuses while errors remain unless told to import only valid rows."""
    records.require_editor(actor, spec)
    result = preview(spec, table, blank_clears=blank_clears)
    if result.has_errors and not only_valid_rows:
        raise ImportRejected(N_("文件中还有 %(count)s 处错误：请改正后重新上传，或明确选择“只导入无误的行”。"),
                             count=len(result.problems))
    existing = records.existing_by_keys(spec, [natural_key(spec, r.values) for r in result.rows
                                               if r.action == "update"])
    created = []
    events: list[dict[str, Any]] = []
    for row in result.rows:
        if row.action == "create":
            record = spec.model(**row.values, active=True)
            db.session.add(record)
            created.append((row, record))
        elif row.action == "update":
            record = existing[natural_key(spec, row.values)]
            for key in row.changes:
                if key != "active":
                    setattr(record, key, row.values[key])
            record.active = True
            events.append({"action": "directory.updated", "object_type": spec.kind, "object_id": record.id,
                           "details": {"changes": row.changes, "import_row": row.row}})
    db.session.flush()
    events.extend({"action": "directory.created", "object_type": spec.kind, "object_id": record.id,
                   "details": {"values": records.snapshot(spec, record), "import_row": row.row}}
                  for row, record in created)
    record_events(events, actor=actor)
    record_event("directory.imported", actor=actor, object_type=spec.kind, details={
        "file": filename, "sha256": file_sha256, "created": result.count("create"),
        "updated": result.count("update"), "unchanged": result.count("unchanged"), "blank_clears": blank_clears,
        "skipped_with_errors": result.count("error")})
    return result


def remove_stale_previews(folder: Path, older_than_seconds: float = 86400) -> int:
    """Delete uploaded files of import previews never confirmed (the worker); returns how many."""
    if not folder.is_dir():
        return 0
    cutoff = time.time() - older_than_seconds
    removed = 0
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed

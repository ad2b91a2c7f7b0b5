"""Importing .bpmn / .dmn files drawn elsewhere (bpmn.io, Camunda Modeler) into a new draft version.

Every file is size-checked and parsed with the hardened parser; the bundle is then checked exactly like a draft
save (lint, decision tables). Any problem: nothing is written, and each problem names the file, line and element.
A diagram without layout is laid out on request (else a warning says it cannot be drawn).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.auth.models import User
from app.errors import N_, DomainError, ValidationFailed
from app.extensions import db
from app.modeler.services import drafts, layout
from app.workflow.models import ProcessDefinition
from app.workflow.services import lint
from app.workflow.services.xmlsafe import UnsafeXml, parse_xml


class ImportRefused(DomainError):
    """The upload cannot become a draft; `problems` say why (nothing was saved)."""

    def __init__(self, problems: list[lint.Problem], message: str = N_("未导入：上传的文件有 %(count)s 个问题。")
                 ) -> None:
        super().__init__(message, count=len(problems))
        self.problems = problems


@dataclass
class Upload:
    """One uploaded file as received."""

    name: str
    data: bytes


@dataclass
class ImportResult:
    """The new draft and what the importer did or warns about."""

    draft: ProcessDefinition
    laid_out: list[str] = field(default_factory=list)
    warnings: list[lint.Problem] = field(default_factory=list)


def _problem(file: str, code: str, line: int | None = None, element: str = "", **params: Any) -> lint.Problem:
    return lint.Problem(file, line, element, "", code, params)


def decode(uploads: list[Upload], max_bytes: int) -> tuple[dict[str, str], list[lint.Problem]]:
    """File name → text; problems for wrong types, sizes, encodings and unsafe or broken XML."""
    texts, problems = {}, []
    for upload in uploads:
        name = upload.name.replace("\\", "/").rsplit("/", 1)[-1].strip()
        if not drafts.FILE_NAME.match(name):
            problems.append(_problem(name or "?", "import_type"))
            continue
        if len(upload.data) > max_bytes:
            problems.append(_problem(name, "too_large", limit=max_bytes // 1024))
            continue
        try:
            text = upload.data.decode("utf-8-sig")
        except UnicodeDecodeError:
            problems.append(_problem(name, "import_encoding"))
            continue
        try:
            parse_xml(text)
        except UnsafeXml as exc:
            problems.append(_problem(name, "xml", exc.line, detail=str(exc)))
            continue
        texts[name] = text
    return texts, problems


def _main_process(texts: dict[str, str], chosen: str) -> tuple[str | None, list[lint.Problem]]:
    """The process the upload is a version of: the chosen one, or the only executable process nobody calls."""
    trees = {n: parse_xml(t) for n, t in texts.items() if n.endswith(".bpmn")}
    executable = lint.executable_process_ids(trees)
    called = {el.get("calledElement") for t in trees.values()
              for el in t.getroot().iter(f"{{{lint.BPMN_NS}}}callActivity")}
    candidates = sorted(p for p in executable if p not in called)
    if chosen:
        return chosen, []
    if not trees:
        return None, [_problem(next(iter(texts), "?"), "import_target")]
    if not executable:
        off = [(n, p.get("id")) for n, t in trees.items() for p in t.getroot().findall(f"{{{lint.BPMN_NS}}}process")]
        return None, [_problem(n, "import_not_executable", element=pid or "", process=pid) for n, pid in off] or \
            [_problem(next(iter(trees)), "no_process", process="")]
    if len(candidates) != 1:
        return None, [_problem(next(iter(trees)), "import_ambiguous", processes="、".join(candidates or executable))]
    return candidates[0], []


def _known_forms() -> dict[str, Any]:
    """Every form any version holds (the newest wins): a new process may use forms other processes have."""
    forms: dict[str, Any] = {}
    for definition in db.session.scalars(select(ProcessDefinition).order_by(ProcessDefinition.id)):
        forms.update(definition.forms)
    return forms


def import_files(actor: User, uploads: list[Upload], *, reason: str, target_process: str = "",
                 auto_layout: bool = True, max_bytes: int = 2 * 1024 * 1024) -> ImportResult:
    """A new draft from uploaded files: merged over the process's newest version, or a new process."""
    if not (reason or "").strip():
        raise ValidationFailed({"reason": [N_("请填写导入原因（记入审计日志）。")]})
    if not uploads:
        raise ImportRefused([_problem("?", "import_empty")])
    texts, problems = decode(uploads, max_bytes)
    if problems:
        raise ImportRefused(problems)
    process_id, problems = _main_process(texts, target_process)
    if problems or not process_id:
        raise ImportRefused(problems)
    laid_out = []
    if auto_layout:
        for name, text in list(texts.items()):
            if name.endswith(".bpmn") and layout.missing_layout(text):
                texts[name] = layout.apply_layout(text)
                laid_out.append(name)
    base = _newest_kept(process_id)
    files = {**(base.files if base else {}), **texts}
    forms = dict(base.forms) if base else {}
    known = _known_forms()
    for tree in (parse_xml(t) for n, t in files.items() if n.endswith(".bpmn")):
        for el in tree.getroot().iterfind(".//spiffworkflow:property[@name='form']", lint.NS):
            key = el.get("value")
            if key and key not in forms and key in known:
                forms[key] = known[key]
    problems, warnings = drafts.validate(process_id, files, forms, max_bytes)
    if problems:
        raise ImportRefused(problems)
    name = _process_name(files, process_id) or (base.name if base else process_id)
    if base is not None and base.status != "draft":
        draft = drafts.new_draft(actor, base, reason)
        result = drafts.save_draft(actor, draft, revision=draft.revision, reason=reason, files=texts,
                                   forms={k: v for k, v in forms.items() if k not in draft.forms},
                                   max_bytes=max_bytes)
        return ImportResult(result.definition, laid_out, result.warnings)
    if base is not None:
        raise drafts.DraftExists(base)
    draft = drafts.new_draft_from_files(actor, process_id, name, files, forms, reason)
    return ImportResult(draft, laid_out, warnings)


def _newest_kept(process_id: str) -> ProcessDefinition | None:
    """The newest version that was not discarded."""
    return db.session.scalar(select(ProcessDefinition).where(ProcessDefinition.process_id == process_id,
                                                             ProcessDefinition.status != "discarded")
                             .order_by(ProcessDefinition.version.desc()).limit(1))


def _process_name(files: dict[str, str], process_id: str) -> str:
    for name, text in files.items():
        if name.endswith(".bpmn"):
            process = parse_xml(text).getroot().find(f"{{{lint.BPMN_NS}}}process[@id='{process_id}']")
            if process is not None and process.get("name"):
                return process.get("name")[:200]
    return ""

"""Versioned process definitions: loading diagrams and forms, validating, publishing, caching parsed specs."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from sqlalchemy import func, select

from app.audit.services import record_event
from app.auth.models import User
from app.bureaus.context import current
from app.bureaus.services.tree import ancestor_ids
from app.clock import utcnow
from app.errors import N_, Conflict, DomainError, NotFound, PermissionDenied
from app.extensions import db
from app.workflow.models import ProcessDefinition
from app.workflow.services import lint
from app.workflow.services.forms import FormError, check_form_schema


class DefinitionInvalid(DomainError):
    """A bundle with problems: nothing was written."""

    def __init__(self, problems: list[lint.Problem]) -> None:
        super().__init__(N_("流程图未通过校验：共 %(count)s 个问题。"), count=len(problems))
        self.problems = problems


@dataclass(frozen=True)
class Bundle:
    """The files and forms that make one version of one process."""

    process_id: str
    name: str
    files: dict[str, str]
    forms: dict[str, Any]

    @property
    def content_hash(self) -> str:
        """SHA-256 over a canonical rendering of files and forms."""
        blob = json.dumps({"files": self.files, "forms": self.forms}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _references(tree: etree._ElementTree) -> tuple[set[str], set[str]]:
    root = tree.getroot()
    called = {el.get("calledElement") for el in root.iter(f"{{{lint.BPMN_NS}}}callActivity")}
    decisions = {(el.text or "").strip() for el in root.iter(f"{{{lint.SPIFF_NS}}}calledDecisionId")}
    return called, decisions


def _form_keys(tree: etree._ElementTree) -> set[str]:
    xpath = ".//spiffworkflow:property[@name='form']"
    return {el.get("value") for el in tree.getroot().iterfind(xpath, lint.NS) if el.get("value")}


def read_forms(folder: Path) -> tuple[dict[str, Any], list[lint.Problem]]:
    """Every forms/*.json; problems for unreadable or invalid ones."""
    forms, problems = {}, []
    for path in sorted(folder.glob("*.json")):
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
            check_form_schema(schema)
        except (json.JSONDecodeError, FormError) as exc:
            line = getattr(exc, "lineno", None)
            problems.append(lint.Problem(f"forms/{path.name}", line, path.stem, "", "structure", {"detail": str(exc)}))
            continue
        forms[path.stem] = schema
    return forms, problems


def bundles_from_files(files: dict[str, str], forms: dict[str, Any]) -> tuple[list[Bundle], list[lint.Problem]]:
    """One bundle per executable process: its file, the files it calls (transitively), DMN, and its forms."""
    trees, problems = lint.parse_files(files)
    if problems:
        return [], problems
    owners = lint.executable_process_ids(trees)
    decision_files = {name for name, tree in trees.items() if lint.is_dmn(tree)}
    bundles = []
    for process_id, file_name in sorted(owners.items()):
        needed, queue, decisions_needed = {file_name}, [file_name], set()
        while queue:
            current = queue.pop()
            called, decisions = _references(trees[current])
            decisions_needed |= decisions
            for target in called:
                target_file = owners.get(target)
                if target_file and target_file not in needed:
                    needed.add(target_file)
                    queue.append(target_file)
        needed |= {name for name in decision_files if lint.decision_ids({name: trees[name]}) & decisions_needed}
        form_keys = set().union(*(_form_keys(trees[name]) for name in needed if name not in decision_files))
        process = trees[file_name].getroot().find(f"{{{lint.BPMN_NS}}}process[@id='{process_id}']")
        name = process.get("name") or process_id if process is not None else process_id
        bundles.append(Bundle(process_id, name, {n: files[n] for n in sorted(needed)},
                              {k: forms[k] for k in sorted(form_keys) if k in forms}))
    return bundles, []


def read_folder(processes_dir: Path, forms_dir: Path) -> tuple[dict[str, str], dict[str, Any], list[lint.Problem]]:
    """The text of every BPMN/DMN file and every form."""
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(processes_dir.glob("*.bpmn"))}
    files.update({p.name: p.read_text(encoding="utf-8") for p in sorted(processes_dir.glob("*.dmn"))})
    forms, problems = read_forms(forms_dir)
    return files, forms, problems


def validate_bundle(bundle: Bundle, all_form_keys: set[str] | None = None) -> list[lint.Problem]:
    """All problems of one bundle (empty when it may be published)."""
    return lint.lint_bundle(bundle.files, set(bundle.forms) if all_form_keys is None else all_form_keys,
                            bundle.process_id)


def latest(process_id: str, bureau_id: int | None = None) -> ProcessDefinition | None:
    """The newest version of a process published by this bureau (None: the repository's standard procedures)."""
    owner = ProcessDefinition.bureau_id.is_(None) if bureau_id is None else ProcessDefinition.bureau_id == bureau_id
    return db.session.scalar(select(ProcessDefinition).where(ProcessDefinition.process_id == process_id, owner)
                             .order_by(ProcessDefinition.version.desc()).limit(1))


def _chain() -> list[int | None]:
    """Whose procedures the current bureau uses, nearest first: its own, its parent's, …, then the standard ones."""
    bureau_id = current().bureau_id
    return [*(ancestor_ids(bureau_id) if bureau_id is not None else []), None]


def published(process_id: str) -> ProcessDefinition:
    """The version new cases of the current bureau start on: its own published variant if it has one, else the
    nearest higher bureau's, else the standard one. Cases stay pinned to the version they started on."""
    rows = {d.bureau_id: d for d in db.session.scalars(select(ProcessDefinition).where(
        ProcessDefinition.process_id == process_id, ProcessDefinition.status == "published"))}
    for owner in _chain():
        if owner in rows:
            return rows[owner]
    raise NotFound(N_("流程“%(process)s”没有已发布的版本。"), process=process_id)


def in_use() -> list[ProcessDefinition]:
    """The published version each process has for the current bureau (see `published`)."""
    chain = _chain()
    best: dict[str, ProcessDefinition] = {}
    for d in db.session.scalars(select(ProcessDefinition).where(ProcessDefinition.status == "published")):
        if d.bureau_id not in chain:
            continue
        held = best.get(d.process_id)
        if held is None or chain.index(d.bureau_id) < chain.index(held.bureau_id):
            best[d.process_id] = d
    return sorted(best.values(), key=lambda d: d.process_id)


def owner_of_new_versions() -> int | None:
    """Who owns a version the current bureau creates: the top bureau keeps the standard line (None); any other
    bureau gets its own local variant."""
    bureau_id = current().bureau_id
    if bureau_id is None or ancestor_ids(bureau_id) == [bureau_id]:
        return None
    return bureau_id


def owned_here():  # type: ignore[no-untyped-def]
    """The condition selecting the versions the current bureau edits and publishes (see `owner_of_new_versions`)."""
    owner = owner_of_new_versions()
    return ProcessDefinition.bureau_id.is_(None) if owner is None else ProcessDefinition.bureau_id == owner


def may_read(definition: ProcessDefinition) -> bool:
    """Standard versions, the current bureau's own and its higher bureaus' (used or adoptable), and those of the
    bureaus it reads (a city reading a county's case sees the version it runs on)."""
    if definition.bureau_id is None or definition.bureau_id in _chain():
        return True
    visible = current().visible
    return visible is None or definition.bureau_id in visible


def may_publish(bureau_id: int, definition: ProcessDefinition) -> bool:
    """A bureau publishes its own versions; the standard ones are published by the top bureau."""
    if definition.bureau_id is None:
        return ancestor_ids(bureau_id) == [bureau_id]
    return definition.bureau_id == bureau_id


def adopt_as_local(actor: User, definition: ProcessDefinition) -> ProcessDefinition:
    """A bureau takes a higher bureau's (or the standard) version as a draft of its own local variant, to edit in
    the modeler and publish; audited. Running cases keep their versions."""
    bureau_id = current().bureau_id
    if bureau_id is None:
        raise PermissionDenied(N_("当前为只读范围，不能在此保存数据。"))
    if definition.bureau_id == owner_of_new_versions():
        raise Conflict(N_("这已是本局的版本。"))
    next_version = (db.session.scalar(select(func.max(ProcessDefinition.version))
                                      .where(ProcessDefinition.process_id == definition.process_id)
                                      .execution_options(bureau_unscoped=True)) or 0) + 1  # across bureaus
    copy = ProcessDefinition(process_id=definition.process_id, name=definition.name, version=next_version,
                             files=dict(definition.files), forms=dict(definition.forms),
                             content_hash=definition.content_hash, status="draft", bureau_id=owner_of_new_versions(),
                             created_by_id=actor.id)
    db.session.add(copy)
    db.session.flush()
    record_event("definition.adopted", actor=actor, object_type="process_definition", object_id=copy.id,
                 details={"process_id": copy.process_id, "version": next_version, "from_version": definition.version,
                          "from_bureau": definition.bureau_id, "hash": copy.content_hash})
    return copy


def add_version(actor: User | None, bundle: Bundle, *, publish: bool) -> ProcessDefinition | None:
    """Store a bundle as a new version unless the newest already has the same content; validated first."""
    problems = validate_bundle(bundle)
    if problems:
        raise DefinitionInvalid(problems)
    newest = latest(bundle.process_id)
    if newest is not None and newest.content_hash == bundle.content_hash:
        if publish and newest.status == "draft":
            publish_version(actor, newest)
        return None
    next_version = (db.session.scalar(select(func.max(ProcessDefinition.version))
                                      .where(ProcessDefinition.process_id == bundle.process_id)
                                      .execution_options(bureau_unscoped=True)) or 0) + 1  # across bureaus
    definition = ProcessDefinition(process_id=bundle.process_id, name=bundle.name, version=next_version,
                                   files=bundle.files, forms=bundle.forms, content_hash=bundle.content_hash,
                                   status="draft", created_by_id=actor.id if actor else None)
    db.session.add(definition)
    db.session.flush()
    record_event("definition.created", actor=actor, object_type="process_definition", object_id=definition.id,
                 details={"process_id": bundle.process_id, "version": next_version, "hash": bundle.content_hash,
                          "files": sorted(bundle.files), "forms": sorted(bundle.forms)})
    if publish:
        publish_version(actor, definition)
    return definition


def publish_version(actor: User | None, definition: ProcessDefinition, reason: str = "") -> None:
    """Make this version the one new cases start on; the previous published one is retired (running cases stay)."""
    if definition.status == "published":
        return
    if definition.status == "discarded":
        raise Conflict(N_("第 %(version)s 版草稿已放弃，不能发布。"), version=definition.version)
    owner = (ProcessDefinition.bureau_id.is_(None) if definition.bureau_id is None
             else ProcessDefinition.bureau_id == definition.bureau_id)
    previous = None
    for other in db.session.scalars(select(ProcessDefinition).where(  # only this bureau's earlier version retires
            ProcessDefinition.process_id == definition.process_id, ProcessDefinition.status == "published", owner)):
        other.status, previous = "retired", other
    definition.status = "published"
    definition.published_at = utcnow()
    definition.published_by_id = actor.id if actor else None
    db.session.flush()
    record_event("definition.published", actor=actor, object_type="process_definition", object_id=definition.id,
                 details={"process_id": definition.process_id, "version": definition.version,
                          "hash": definition.content_hash, "reason": reason, "bureau_id": definition.bureau_id,
                          "previous": {"version": previous.version, "hash": previous.content_hash}
                          if previous is not None else None})


def load_folder(actor: User | None, processes_dir: Path, forms_dir: Path, *, publish: bool = True
                ) -> list[ProcessDefinition]:
    """Load every process in the folder; idempotent. Any problem anywhere: nothing is written."""
    files, forms, problems = read_folder(processes_dir, forms_dir)
    if problems:
        raise DefinitionInvalid(problems)
    bundles, problems = bundles_from_files(files, forms)
    for bundle in bundles:
        problems.extend(validate_bundle(bundle, set(forms)))
    if problems:
        raise DefinitionInvalid(problems)
    created = []
    for bundle in bundles:
        definition = add_version(actor, bundle, publish=publish)
        if definition is not None:
            created.append(definition)
    return created


def startable(excluded: set[str]) -> list[ProcessDefinition]:
    """Published processes a person may start by hand: not called by another process, not in `excluded`
    (e.g. the inspection process, which only a confirmed draw starts)."""
    current = in_use()
    called = set()
    for definition in current:
        trees, _problems = lint.parse_files({k: v for k, v in definition.files.items() if k.endswith(".bpmn")})
        for tree in trees.values():
            called |= {el.get("calledElement") for el in tree.getroot().iter(f"{{{lint.BPMN_NS}}}callActivity")}
    return [d for d in current if d.process_id not in called | excluded]


def list_definitions() -> list[ProcessDefinition]:
    """Every version the current bureau may read (see `may_read`), grouped by process, newest first."""
    rows = db.session.scalars(select(ProcessDefinition)
                              .order_by(ProcessDefinition.process_id, ProcessDefinition.version.desc()))
    return [d for d in rows if may_read(d)]


# -- parsed specs, cached per version (a version never changes)
_SPEC_CACHE: dict[int, tuple[str, ParsedVersion]] = {}
_SPEC_LOCK = threading.Lock()


@dataclass(frozen=True)
class ParsedVersion:
    """A version's parsed spec, its called subprocess specs, and their serialized form as JSON text.

    JSON text rather than dicts: restoring a workflow consumes (pops from) the dicts it is given.
    """

    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    spec_json: str
    subprocess_json: str


def parsed(definition: ProcessDefinition, serializer: Any) -> ParsedVersion:
    """Parse once per version and keep it (the content of a version is immutable)."""
    cached = _SPEC_CACHE.get(definition.id)
    if cached is not None and cached[0] == definition.content_hash:
        return cached[1]
    trees, problems = lint.parse_files(definition.files)
    parser, more = lint.build_parser(trees)
    if problems or more:
        raise DefinitionInvalid(problems + more)
    spec = parser.get_spec(definition.process_id)
    subprocess_specs = parser.get_subprocess_specs(definition.process_id)
    registry = serializer.registry
    result = ParsedVersion(spec, subprocess_specs, json.dumps(registry.convert(spec)),
                           json.dumps({k: registry.convert(v) for k, v in subprocess_specs.items()}))
    with _SPEC_LOCK:
        _SPEC_CACHE[definition.id] = (definition.content_hash, result)
    return result

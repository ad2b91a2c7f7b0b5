"""The public disclosure portal (执法公示) under /public/: no login, server-rendered, every bureau's published data
read in the PUBLIC bureau scope (also for signed-in visitors), each item naming the bureau that published it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.access import public
from app.bureaus import context
from app.disclosure.services import portal
from app.disclosure.services.kinds import DECISIONS, KIND_LABELS, OUTCOME_LABELS, STATUS_LABELS
from app.draws.services.params import SCOPES
from app.errors import NotFound

F = TypeVar("F", bound=Callable[..., Any])

bp = Blueprint("portal", __name__, url_prefix="/public")

# (endpoint, label): the portal's tabs in the order people know from "双随机" pages, then the other lists.
TABS = (
    ("portal.inspection_items", _l("抽查事项清单")), ("portal.plans", _l("抽查计划")), ("portal.tasks", _l("抽查任务")),
    ("portal.results", _l("抽查结果")), ("portal.enforcement_items", _l("行政执法事项清单")),
    ("portal.subjects", _l("执法主体资格清单")), ("portal.officers", _l("执法人员资格清单")),
    ("portal.flowcharts", _l("执法流程图")), ("portal.decisions", _l("执法决定")),
)
# Pages other features add to the portal (by URL); each tab shows only when a route serves that URL.
OPTIONAL_TABS = (("/public/recording", _l("音像记录事项清单")),)


def in_public_scope(view: F) -> F:
    """Read as the public does: every bureau's published data, nothing written (signed-in visitors too)."""
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with context.use(context.PUBLIC):
            return view(*args, **kwargs)
    return wrapped  # type: ignore[return-value]


def portal_view(view: F) -> F:
    """A public page of the portal."""
    return public(in_public_scope(view))  # type: ignore[return-value]


def tabs() -> list[tuple[str, str]]:
    """The tabs to show: ours, and those of other features whose page exists in this installation."""
    served = {rule.rule.rstrip("/"): rule.endpoint for rule in current_app.url_map.iter_rules()
              if "GET" in (rule.methods or ()) and not rule.arguments}
    optional = [(served[url], label) for url, label in OPTIONAL_TABS if url in served
                and served[url] in current_app.view_functions]
    return [*TABS, *optional]


def _int_arg(name: str, low: int, high: int) -> int | None:
    value = request.args.get(name, type=int)
    return value if value is not None and low <= value <= high else None


def _filters(kinds: tuple[str, ...] = ()) -> portal.Filters:
    kind = request.args.get("kind", "")
    return portal.Filters(q=(request.args.get("q") or "").strip()[:portal.MAX_QUERY],
                          year=_int_arg("year", 1990, 2100), kind=kind if kind in kinds else "",
                          bureau_id=_int_arg("bureau", 1, 2**31 - 1), page=_int_arg("page", 1, 10**6) or 1)


def _render(template: str, **values: Any) -> str:
    return render_template(template, tabs=tabs(), bureaus=portal.bureaus(), kind_labels=KIND_LABELS,
                           status_labels=STATUS_LABELS, **values)


@bp.route("/")
@portal_view
def index() -> Any:
    """The portal's front page: its tabs and the latest decisions and results."""
    latest = portal.items("decisions", portal.Filters())
    results = portal.items("results", portal.Filters())
    return _render("disclosure/portal/index.html", latest=latest.rows[:5], results=results.rows[:5])


@bp.route("/inspection-items")
@portal_view
def inspection_items() -> Any:
    """随机抽查事项清单."""
    filters = _filters()
    return _render("disclosure/portal/inspection_items.html", page=portal.inspection_items(filters), filters=filters,
                   active="portal.inspection_items")


def _item_list(tab: str, heading: str, endpoint: str, kinds: tuple[str, ...]) -> str:
    filters = _filters(kinds)
    return _render("disclosure/portal/items.html", page=portal.items(tab, filters), filters=filters,
                   years=portal.years(tab), kinds=kinds, active=endpoint, heading=heading)


@bp.route("/plans")
@portal_view
def plans() -> Any:
    """抽查计划 and the implementation plan (实施方案): published plans, and each confirmed draw's plan."""
    filters = _filters(("annual_plan", "implementation_plan"))
    return _render("disclosure/portal/plans.html", page=portal.items("plans", filters), filters=filters,
                   years=sorted(set(portal.years("plans")) | set(portal.draw_years()), reverse=True),
                   kinds=("annual_plan", "implementation_plan"), active="portal.plans",
                   draws=portal.draws(filters.year, filters.bureau_id) if not filters.kind else [],
                   scopes=SCOPES, item_names=portal.inspection_item_names)


@bp.route("/tasks")
@portal_view
def tasks() -> Any:
    """抽查任务: the objects drawn and their inspection dates (no personal data)."""
    filters = _filters()
    return _render("disclosure/portal/tasks.html", draws=portal.draws(filters.year, filters.bureau_id),
                   years=portal.draw_years(), filters=filters, scopes=SCOPES, active="portal.tasks")


@bp.route("/results")
@portal_view
def results() -> Any:
    """抽查结果."""
    return _item_list("results", _("抽查结果"), "portal.results", ())


@bp.route("/decisions")
@portal_view
def decisions() -> Any:
    """执法决定: penalty decisions, not-penalised decisions, sanctions recommendations."""
    return _item_list("decisions", _("执法决定"), "portal.decisions", DECISIONS)


@bp.route("/enforcement-items")
@portal_view
def enforcement_items() -> Any:
    """行政执法事项清单, each with its 服务指南."""
    filters = _filters()
    return _render("disclosure/portal/enforcement_items.html", page=portal.enforcement_items(filters),
                   filters=filters, active="portal.enforcement_items")


@bp.route("/guides/<int:enforcement_item_id>")
@portal_view
def guide(enforcement_item_id: int) -> Any:
    """服务指南 of one enforcement item: basis, office, time limits, remedies, contact."""
    try:
        row = portal.enforcement_item(enforcement_item_id)
    except NotFound:
        abort(404)
    return _render("disclosure/portal/guide.html", row=row, settings=portal.settings_of(row.bureau_id),
                   bureau_name=portal.bureau_name(row.bureau_id), active="portal.enforcement_items")


@bp.route("/subjects")
@portal_view
def subjects() -> Any:
    """执法主体资格清单."""
    return _render("disclosure/portal/subjects.html", subjects=portal.subjects(), active="portal.subjects")


@bp.route("/officers")
@portal_view
def officers() -> Any:
    """执法人员资格清单 as each bureau last published it."""
    filters = _filters()
    return _render("disclosure/portal/officers.html", lists=portal.officer_lists(filters.bureau_id),
                   filters=filters, active="portal.officers")


@bp.route("/flowcharts")
@portal_view
def flowcharts() -> Any:
    """执法流程图: every published procedure."""
    return _render("disclosure/portal/flowcharts.html", definitions=portal.flowcharts(),
                   bureau_name=portal.bureau_name, active="portal.flowcharts")


def _steps(definition: Any) -> list[Any]:
    from app.modeler.services.elements import describe_files

    return describe_files(definition.files, definition.process_id)


@bp.route("/flowcharts/<int:definition_id>")
@portal_view
def flowchart(definition_id: int) -> Any:
    """One procedure: its diagram(s), drawn by the shared viewer, and its steps with time limits in words."""
    try:
        definition = portal.flowchart(definition_id)
    except NotFound:
        abort(404)
    return _render("disclosure/portal/flowchart.html", definition=definition, views=_steps(definition),
                   bureau_name=portal.bureau_name(definition.bureau_id), active="portal.flowcharts",
                   phrase=lambda p: _(p.msgid, **p.params) if p else "")


@bp.route("/flowcharts/<int:definition_id>/<file_name>")
@portal_view
def flowchart_file(definition_id: int, file_name: str) -> Any:
    """The BPMN XML of a published procedure (for the viewer)."""
    try:
        definition = portal.flowchart(definition_id)
    except NotFound:
        abort(404)
    if not file_name.endswith(".bpmn") or file_name not in definition.files:
        abort(404)
    return Response(definition.files[file_name], mimetype="application/xml")


@bp.route("/items/<public_id>")
@portal_view
def item(public_id: str) -> Any:
    """One item at its stable address: its text (unless withdrawn), who published it, published / updated /
    withdrawn on, and the SHA-256 of each published text. A taken-down item answers 410 with a notice."""
    try:
        row = portal.item(public_id)
    except NotFound:
        abort(404)
    body = _render("disclosure/portal/item.html", row=row, versions=portal.published_versions(row),
                   outcome_labels=OUTCOME_LABELS, active=_tab_of(row.tab))
    return (body, 410) if row.status == "taken_down" else body


def _tab_of(tab: str) -> str:
    return {"decisions": "portal.decisions", "results": "portal.results", "plans": "portal.plans",
            "lists": "portal.officers"}.get(tab, "portal.index")

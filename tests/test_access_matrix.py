"""Every registered route has an access rule, and the server enforces it for every role and for visitors.

Adding a route without adding it to EXPECTED fails `test_every_route_is_in_the_matrix`.
"""

from __future__ import annotations

import pytest

from app.auth.roles import Role
from tests.conftest import user_for

A = Role.ADMIN
AU = Role.AUDITOR
ALL = frozenset(Role)
DRAW_VIEWERS = {Role.SUPERVISION, Role.DISCIPLINE, Role.LEADER, Role.LEGAL, AU, A}
PUBLIC = "public"

# endpoint → (who may open it, method, how to build a URL)
EXPECTED: dict[str, tuple[object, str, object]] = {
    "home.index": (PUBLIC, "GET", "/"),
    "home.set_language": (PUBLIC, "POST", "/lang/en"),
    "auth.login": (PUBLIC, "GET", "/login"),
    "auth.logout": (ALL, "POST", "/logout"),
    "auth.change_password": (ALL, "GET", "/account/password"),
    "admin.users": ({A}, "GET", "/admin/users"),
    "admin.create_user": ({A}, "GET", "/admin/users/new"),
    "admin.edit_user": ({A}, "GET", lambda: f"/admin/users/{user_for(Role.EXPERT).id}"),
    "admin.reset_password": ({A}, "POST", lambda: f"/admin/users/{user_for(Role.EXPERT).id}/password"),
    "admin.set_active": ({A}, "POST", lambda: f"/admin/users/{user_for(Role.EXPERT).id}/active"),
    "admin.end_sessions": ({A}, "POST", lambda: f"/admin/users/{user_for(Role.EXPERT).id}/sessions"),
    "audit.events": ({A, AU}, "GET", "/audit/"),
    "audit.export": ({A, AU}, "GET", "/audit/export.xlsx"),
    "workflow.my_tasks": (ALL, "GET", "/tasks"),
    # signed_in at the route; the task's case is visible to oversight roles and to those involved only
    "workflow.task_page": ({Role.SUPERVISION, Role.LEGAL, Role.LEADER, AU, A}, "GET",
                           lambda: f"/tasks/{_sample_task_id()}"),
    "workflow.case_list": ({Role.SUPERVISION, Role.LEGAL, Role.LEADER, AU, A}, "GET", "/cases"),
    "workflow.case_page": ({Role.SUPERVISION, Role.LEGAL, Role.LEADER, AU, A}, "GET",
                           lambda: f"/cases/{_sample_case_id()}"),
    "caseview.step": ({Role.SUPERVISION, Role.LEGAL, Role.LEADER, AU, A}, "GET",
                      lambda: f"/cases/{_sample_case_id()}/steps/1"),
    "casefile.request_file": ({Role.SUPERVISION, Role.LEGAL, Role.LEADER, AU, A}, "POST",
                              lambda: f"/cases/{_sample_case_id()}/casefile"),
    "casefile.show": ({Role.SUPERVISION, Role.LEGAL, Role.LEADER, AU, A}, "GET",
                      lambda: f"/casefiles/{_sample_case_file_id()}"),
    "casefile.status": ({Role.SUPERVISION, Role.LEGAL, Role.LEADER, AU, A}, "GET",
                        lambda: f"/casefiles/{_sample_case_file_id()}/status"),
    "casefile.download": ({Role.SUPERVISION, Role.LEGAL, Role.LEADER, AU, A}, "GET",
                          lambda: f"/casefiles/{_sample_case_file_id()}/volume.pdf"),
    "workflow.start_case": ({Role.LEGAL, Role.SUPERVISION}, "GET", "/cases/new"),
    "workflow.download": ({Role.SUPERVISION, Role.LEGAL, Role.LEADER, AU, A}, "GET",
                          lambda: f"/attachments/{_sample_attachment_id()}"),
    "processes.index": ({Role.LEGAL, A, AU}, "GET", "/processes/"),
    "processes.show": ({Role.LEGAL, A, AU}, "GET", lambda: f"/processes/{_sample_case().definition_id}"),
    "processes.publish": ({Role.LEGAL}, "POST", lambda: f"/processes/{_sample_case().definition_id}/publish"),
    "processes.adopt": ({Role.LEGAL}, "POST", lambda: f"/processes/{_sample_case().definition_id}/adopt"),
    "versions.start_trial": ({Role.LEGAL}, "POST", lambda: f"/versions/{_sample_case().definition_id}/trial"),
    "versions.publish": ({Role.LEGAL}, "GET", lambda: f"/versions/{_sample_case().definition_id}/publish"),
    "versions.migrate": ({Role.LEGAL}, "GET", lambda: f"/versions/{_sample_case().definition_id}/migrate"),
    "editor.edit": ({Role.LEGAL}, "GET", lambda: f"/modeler/{_sample_case().definition_id}/edit"),
    "editor.check_script": ({Role.LEGAL}, "POST", "/modeler/check-script"),
    "modeler.download_file": ({Role.LEGAL, A, AU}, "GET",
                              lambda: f"/processes/{_sample_case().definition_id}/files/case_filing.bpmn"),
    "modeler.download_zip": ({Role.LEGAL, A, AU}, "GET",
                             lambda: f"/processes/{_sample_case().definition_id}/bundle.zip"),
    "drafts.create": ({Role.LEGAL}, "POST", lambda: f"/processes/{_sample_case().definition_id}/draft"),
    "drafts.state": ({Role.LEGAL}, "GET", lambda: f"/processes/{_sample_case().definition_id}/draft/state"),
    "drafts.save": ({Role.LEGAL}, "POST", lambda: f"/processes/{_sample_case().definition_id}/draft/save"),
    "drafts.check": ({Role.LEGAL}, "POST", lambda: f"/processes/{_sample_case().definition_id}/draft/lint"),
    "decisions.edit": ({Role.LEGAL}, "GET", lambda: f"/processes/{_sample_case().definition_id}/decisions/"
                                                    "major_decision.dmn/major_decision"),
    "form_editor.edit": ({Role.LEGAL}, "GET",
                         lambda: f"/processes/{_sample_case().definition_id}/forms/case_filing_request/edit"),
    "form_editor.create": ({Role.LEGAL}, "GET", lambda: f"/processes/{_sample_case().definition_id}/forms/new"),
    "form_editor.preview": ({Role.LEGAL}, "POST", lambda: f"/processes/{_sample_case().definition_id}/forms/preview"),
    "importing.upload": ({Role.LEGAL}, "GET", "/processes/import"),
    "drafts.discard": ({Role.LEGAL}, "POST", lambda: f"/processes/{_sample_case().definition_id}/draft/discard"),
    "calendar.overrides": ({A}, "GET", "/admin/calendar/"),
    "bureau.settings": ({A}, "GET", "/admin/bureau/"),
    "bureau.seal": ({A}, "GET", "/admin/bureau/seal.png"),  # 404 without a seal, 403 for others
    "auth.api_tokens": (ALL, "GET", "/account/tokens"),
    "directories.index": (ALL, "GET", "/directories/"),
    "directories.list_records": (ALL, "GET", "/directories/objects/"),
    "directories.create": ({Role.SUPERVISION}, "GET", "/directories/objects/new"),
    "directories.show": (ALL, "GET", lambda: f"/directories/tiers/{_first_tier_id()}"),
    "directories.set_active": ({Role.LEGAL}, "POST", lambda: f"/directories/tiers/{_first_tier_id()}/active"),
    "directories.import_file": ({Role.LEGAL}, "GET", "/directories/officers/import"),
    "directories.template": (ALL, "GET", "/directories/experts/template.xlsx"),
    "directories.export": (ALL, "GET", "/directories/tiers/export.xlsx"),
    "api-docs.openapi_json": (PUBLIC, "GET", "/api/v1/openapi.json"),
    "draws.index": (DRAW_VIEWERS, "GET", "/draws/"),
    "draws.prepare": ({Role.SUPERVISION}, "GET", "/draws/new"),
    "draws.show": (DRAW_VIEWERS, "GET", lambda: f"/draws/{_sample_draw_id()}"),
    "draws.perform": ({Role.DISCIPLINE}, "POST", lambda: f"/draws/{_sample_draw_id()}/perform"),
    "draws.confirm": ({Role.SUPERVISION}, "POST", lambda: f"/draws/{_sample_draw_id()}/confirm"),
    "draws.start_cases": ({Role.SUPERVISION}, "POST", lambda: f"/draws/{_sample_draw_id()}/start-cases"),
    "draws.request_redraw": ({Role.SUPERVISION}, "POST", lambda: f"/draws/{_sample_draw_id()}/redraw"),
    "draws.approve_redraw": ({Role.LEADER}, "POST", lambda: f"/draws/{_sample_draw_id()}/approve-redraw"),
    "draws.verify_draw": (DRAW_VIEWERS, "POST", lambda: f"/draws/{_sample_draw_id()}/verify"),
    "draws.results_report": ({Role.SUPERVISION}, "POST", lambda: f"/draws/{_sample_draw_id()}/results-report"),
    "draws.cancel": ({Role.SUPERVISION, Role.LEADER}, "POST", lambda: f"/draws/{_sample_draw_id()}/cancel"),
    "draws.allow_attempt": ({Role.LEADER}, "POST", lambda: f"/draws/{_sample_draw_id()}/allow-attempt"),
    "draws.verification_package": (DRAW_VIEWERS, "GET",
                                   lambda: f"/draws/{_sample_draw_id(performed=True)}/verification.json"),
    "public_draws.public_index": (PUBLIC, "GET", "/public/draws/"),
    "public_draws.public_package": (PUBLIC, "GET", lambda: f"/public/draws/{_sample_draw_id(confirmed=True)}"
                                                           "/verification.json"),
    "documents.download_draw_document": (DRAW_VIEWERS, "GET", lambda: "/documents/draws/1/999999"),
    "draws.record_docx": (DRAW_VIEWERS, "GET", lambda: f"/draws/{_sample_draw_id(performed=True)}/record.docx"),
    "draws.schedule": (DRAW_VIEWERS, "GET", lambda: f"/draws/{_sample_draw_id(performed=True)}/schedule.xlsx"),
    "api_v1.draws_collection": (DRAW_VIEWERS, "GET", "/api/v1/draws"),
    # documents follow their case's visibility (oversight roles here; team members for their own cases)
    "documents.download": ({Role.SUPERVISION, Role.LEGAL, Role.LEADER, AU, A}, "GET",
                           lambda: f"/documents/{_sample_document_id()}"),
    "documents.regenerate": ({Role.SUPERVISION, Role.LEGAL}, "POST",
                             lambda: f"/documents/{_sample_document_id()}/regenerate"),
    "api_v1.draws_item": (DRAW_VIEWERS, "GET", lambda: f"/api/v1/draws/{_sample_draw_id()}"),
    **{f"api_v1.{kind.replace('-', '_')}_collection": (ALL, "GET", f"/api/v1/{kind}")
       for kind in ("objects", "results", "tiers", "officers", "experts", "conflicts", "inspection-items",
                    "enforcement-items")},
    **{f"api_v1.{kind.replace('-', '_')}_item": (ALL, "GET", lambda kind=kind: f"/api/v1/tiers/{_first_tier_id()}"
                                                 if kind == "tiers" else f"/api/v1/{kind}/999999")
       for kind in ("objects", "results", "tiers", "officers", "experts", "conflicts", "inspection-items",
                    "enforcement-items")},
    "audit.verify": ({A, AU}, "POST", "/audit/verify"),
    "bureaus.index": ({A}, "GET", "/admin/bureaus/"),
    "bureaus.create": ({A}, "GET", "/admin/bureaus/new"),
    "bureaus.edit": ({A}, "GET", "/admin/bureaus/1"),
    "oversight.overview": ({Role.SUPERVISION, Role.LEADER, AU}, "GET", "/oversight/"),
    # a county's case, seen from the city (the city's supervision and leaders reach down on this page)
    "oversight.supervise": ({Role.SUPERVISION, Role.LEADER}, "GET",
                            lambda: f"/oversight/cases/{_county_case_id()}/supervise"),
    "oversight.lift": ({Role.LEADER}, "POST", lambda: f"/oversight/supervisions/{_sample_supervision()[0]}/lift"),
    "oversight.report": ({Role.LEGAL, Role.SUPERVISION, Role.LEADER, AU}, "GET",
                         lambda: f"/oversight/reports/{_sample_supervision()[1]}"),
    # operations: the health check is public (no personal data: database and worker status only)
    "operations.healthz": (PUBLIC, "GET", "/healthz"),
    "calendar.year_view": ({A}, "GET", "/admin/calendar/years/2027"),
    "calendar.import_year": ({A}, "POST", "/admin/calendar/import"),
    # tus endpoint: any signed-in user; each upload is checked against the task (may act) and its owner
    "uploads.collection": (ALL, "OPTIONS", "/uploads/"),
    "uploads.item": (ALL, "HEAD", "/uploads/0123456789abcdef0123456789abcdef"),
    "notifications.index": (ALL, "GET", "/notifications"),
    "notifications.open_one": (ALL, "GET", "/notifications/999999/open"),
    "notifications.read_all": (ALL, "POST", "/notifications/read-all"),
    "notifications.settings": (ALL, "GET", "/notifications/settings"),
    "takeover.manage_case": ({Role.LEADER, A}, "GET", lambda: f"/cases/{_sample_case_id()}/manage"),
    "takeover.delegation_list": ({Role.LEADER, A}, "GET", "/delegations"),
    "takeover.revoke_delegation": ({Role.LEADER, A}, "POST", "/delegations/999999/revoke"),
    # statistics (issue 14): the board for supervision, leaders, discipline and auditors; figures also for legal
    "statistics.dashboard": ({Role.SUPERVISION, Role.LEADER, Role.LEGAL, Role.DISCIPLINE, AU}, "GET", "/statistics/"),
    "statistics.export": ({Role.SUPERVISION, Role.LEADER, Role.LEGAL, Role.DISCIPLINE, AU}, "GET",
                          "/statistics/export.xlsx"),
    "statistics.board": ({Role.SUPERVISION, Role.LEADER, Role.DISCIPLINE, AU}, "GET", "/statistics/board"),
    "statistics.board_export": ({Role.SUPERVISION, Role.LEADER, Role.DISCIPLINE, AU}, "GET",
                                "/statistics/board.xlsx"),
    "statistics.annual_report": ({Role.SUPERVISION, Role.LEGAL, Role.LEADER}, "GET", "/statistics/report/2026"),
    "statistics.annual_report_download": ({Role.SUPERVISION, Role.LEGAL, Role.LEADER}, "GET",
                                          "/statistics/report/2026/download"),
    # the recording list: everyone signed in reads it, the legal section edits it; its public page is open
    "recording.index": (ALL, "GET", "/recording/"),
    "recording.new": ({Role.LEGAL}, "GET", "/recording/new"),
    "recording.edit": ({Role.LEGAL}, "GET", "/recording/999999/edit"),
    "recording.set_active": ({Role.LEGAL}, "POST", "/recording/999999/active"),
    "public_recording.public_list": (PUBLIC, "GET", "/public/recording/"),
    # disclosure: the public portal (no login) and the legal section's pages (its own bureau's items only)
    "portal.index": (PUBLIC, "GET", "/public/"),
    "portal.inspection_items": (PUBLIC, "GET", "/public/inspection-items"),
    "portal.plans": (PUBLIC, "GET", "/public/plans"),
    "portal.tasks": (PUBLIC, "GET", "/public/tasks"),
    "portal.results": (PUBLIC, "GET", "/public/results"),
    "portal.decisions": (PUBLIC, "GET", "/public/decisions?q=档案&year=2027&kind=penalty_decision&bureau=1"),
    "portal.enforcement_items": (PUBLIC, "GET", "/public/enforcement-items"),
    "portal.guide": (PUBLIC, "GET", lambda: f"/public/guides/{_sample_enforcement_item_id()}"),
    "portal.subjects": (PUBLIC, "GET", "/public/subjects"),
    "portal.officers": (PUBLIC, "GET", "/public/officers"),
    "portal.flowcharts": (PUBLIC, "GET", "/public/flowcharts"),
    "portal.flowchart": (PUBLIC, "GET", lambda: f"/public/flowcharts/{_sample_case().definition_id}"),
    "portal.flowchart_file": (PUBLIC, "GET",
                              lambda: f"/public/flowcharts/{_sample_case().definition_id}/case_filing.bpmn"),
    "portal.item": (PUBLIC, "GET", lambda: f"/public/items/{_sample_disclosure(publish=True).public_id}"),
    "disclosure.index": ({Role.LEGAL, Role.LEADER, AU, A}, "GET", "/disclosure/"),
    "disclosure.item": ({Role.LEGAL, Role.LEADER, AU, A}, "GET",
                        lambda: f"/disclosure/items/{_sample_disclosure().id}"),
    "disclosure.publish": ({Role.LEGAL}, "POST", lambda: f"/disclosure/items/{_sample_disclosure().id}/publish"),
    "disclosure.withdraw": ({Role.LEGAL}, "POST", lambda: f"/disclosure/items/{_sample_disclosure().id}/withdraw"),
    "disclosure.revoke": ({Role.LEGAL, Role.LEADER}, "POST",
                          lambda: f"/disclosure/items/{_sample_disclosure().id}/revoke"),
    "disclosure.create": ({Role.LEGAL}, "GET", "/disclosure/new"),
    "disclosure.periods": ({Role.LEGAL, A}, "GET", "/disclosure/settings"),
    # the push dashboard: the legal section publishes, the administrator runs the installation
    "outbox.index": ({Role.LEGAL, A}, "GET", "/outbox/"),
    "outbox.redeliver": ({Role.LEGAL, A}, "POST", "/outbox/999999/redeliver"),
    # public pull feeds of the disclosure changes (the payload is the published, masked text)
    "outbox_public.feed_json": (PUBLIC, "GET", "/public/feed.json"),
    "outbox_public.feed_atom": (PUBLIC, "GET", "/public/feed.atom"),
}


def _sample_enforcement_item_id():
    from sqlalchemy import select

    from app.directories.models import EnforcementItem
    from app.extensions import db

    return db.session.scalar(select(EnforcementItem.id).where(EnforcementItem.bureau_id == 1).limit(1))


def _sample_disclosure(publish=False):
    """The city's officer list (the demo's officers opened it as a draft); published when asked."""
    from sqlalchemy import select

    from app.disclosure.models import DisclosureItem
    from app.disclosure.services import publishing
    from app.extensions import db

    item = db.session.scalar(select(DisclosureItem).where(DisclosureItem.bureau_id == 1,
                                                          DisclosureItem.kind == "officer_list"))
    if publish and item.status == "draft":
        publishing.publish(user_for(Role.LEGAL), item, item.title, "")
        db.session.commit()
    return item


def _county_case_id():
    from sqlalchemy import select

    from app.bureaus import context
    from app.extensions import db
    from app.workflow.models import Case

    with context.use(context.SYSTEM):
        return db.session.scalar(select(Case.id).where(Case.bureau_id != 1).order_by(Case.id).limit(1))


def _sample_supervision():
    """A supervision by the city of a county case, and its first report: (supervision id, report id)."""
    from datetime import timedelta

    from app.bureaus import context
    from app.bureaus.services import supervision
    from app.bureaus.services.tree import descendant_ids
    from app.clock import local_today
    from app.extensions import db
    from app.workflow.services.cases import get_case

    with context.use(context.for_bureau(1, descendant_ids(1))):
        case = get_case(_county_case_id())
        row = supervision.active_for_case(case.id) or supervision.supervise(
            user_for(Role.SUPERVISION), case, reason="矩阵样本", deadline=local_today() + timedelta(days=60),
            report_every_days=5)
        report_id = supervision.reports(row)[0].id
        db.session.commit()
        return row.id, report_id


_APP: dict = {}


def _sample_draw_id(performed=False, confirmed=False):
    from sqlalchemy import select, update

    from app.clock import utcnow
    from app.directories.models import Tier
    from app.draws.models import Draw
    from app.draws.services import draws
    from app.extensions import db

    year = utcnow().year + 1
    # one draw per year: earlier samples give the year up (as if cancelled) so each call gets a fresh draw
    db.session.execute(update(Draw).where(Draw.year == year).values(slot=None, status="cancelled"))
    draw = draws.prepare(user_for(Role.SUPERVISION), {
        "year": year, "ratio": "0.2", "tier_ids": list(db.session.scalars(select(Tier.id))),
        "period_start": f"{year}-03-01", "period_end": f"{year}-10-31"})
    if performed or confirmed:
        draws.perform(user_for(Role.DISCIPLINE), draw, "123456")
    if confirmed:
        draws.confirm(user_for(Role.SUPERVISION), draw, "not_published")
    db.session.commit()
    return draw.id


def _sample_document_id():
    from app.documents.services.documents import generate
    from app.extensions import db

    case = _sample_case()
    document = generate(user_for(Role.LEGAL), "case_transfer",
                        {"object_name": "样本单位", "transfer_facts": "样本事实", "transfer_basis": "样本条款",
                         "officers": [{"code": "示档执2026001", "name": "执法人员01（演示）"},
                                      {"code": "示档执2026002", "name": "执法人员02（演示）"}]}, case_id=case.id)
    db.session.commit()
    return document.id


def _first_tier_id():
    from sqlalchemy import select

    from app.directories.models import Tier
    from app.extensions import db

    return db.session.scalar(select(Tier.id).order_by(Tier.id).limit(1))


def _sample_case():
    """A committed case of the repository's case-filing process (its first task belongs to the legal section)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.workflow.models import Case
    from app.workflow.services import cases, definitions

    case = db.session.scalar(select(Case).limit(1))
    if case is None:
        from pathlib import Path

        root = Path(__file__).resolve().parents[1]
        definitions.load_folder(None, root / "processes", root / "forms")
        case = cases.start_case(user_for(Role.LEGAL), "case_filing", "matrix sample")
        db.session.commit()
    return case


def _sample_case_file_id():
    """A queued case-file row of the sample case (its downloads answer 404 until built: access is checked first)."""
    from app.casefile.services.jobs import request_case_file
    from app.extensions import db

    record = request_case_file(user_for(Role.LEGAL), _sample_case())
    db.session.commit()
    return record.id


def _sample_case_id():
    return _sample_case().id


def _sample_task_id():
    from sqlalchemy import select

    from app.extensions import db
    from app.workflow.models import Task

    case_id = _sample_case_id()
    return db.session.scalar(select(Task.id).where(Task.case_id == case_id))


def _sample_attachment_id():
    import io
    from pathlib import Path

    from app.extensions import db
    from app.workflow.services import attachments

    case = _sample_case()
    record = attachments.store(Path(_APP["app"].instance_path) / "attachments", actor=user_for(Role.LEGAL),
                               case_id=case.id, task_id=None, field="evidence", filename="a.txt",
                               content_type="text/plain", stream=io.BytesIO(b"evidence"))
    db.session.commit()
    return record.id


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert endpoints - EXPECTED.keys() == set(), "routes without an entry in the access matrix"
    assert EXPECTED.keys() - endpoints == set(), "matrix entries for routes that no longer exist"


def test_every_view_declares_a_rule(app):
    missing = [name for name, view in app.view_functions.items()
               if name != "static" and not hasattr(view, "access_rule")
               and not hasattr(getattr(view, "view_class", None), "access_rule")]
    assert missing == []


def _url(spec):
    return spec() if callable(spec) else spec


@pytest.mark.parametrize("endpoint", sorted(EXPECTED))
@pytest.mark.parametrize("who", [None, *sorted(Role)], ids=lambda r: r or "anonymous")
def test_route_allows_exactly_the_expected_roles(app, as_role, endpoint, who):
    _APP["app"] = app
    allowed, method, url_spec = EXPECTED[endpoint]
    client = app.test_client() if who is None else as_role(who)
    url = _url(url_spec)
    response = client.open(url, method=method)
    if allowed == PUBLIC or (who is not None and who in allowed):
        assert response.status_code not in (401, 403, 500), f"{who} should open {endpoint}"
        assert "/login?next=" not in response.headers.get("Location", "")
    elif who is None and url.startswith("/api/"):
        assert response.status_code == 401
    elif who is None:
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == 403, f"{who} must not open {endpoint}"
        assert "无权访问" in response.get_data(as_text=True)


def test_a_view_without_rule_is_refused(app):
    """Fail closed: an endpoint registered without a rule is refused even to admins."""
    from flask import Flask

    from app.access import enforce_access

    probe = Flask("probe")
    probe.before_request(enforce_access)
    probe.add_url_rule("/naked", "naked", lambda: "reachable")
    with probe.test_client() as c:
        assert c.get("/naked").status_code == 403


def test_navigation_shows_only_what_each_role_may_open(as_role):
    admin_page = as_role(Role.ADMIN).get("/").get_data(as_text=True)
    inspector_page = as_role(Role.INSPECTOR).get("/").get_data(as_text=True)
    auditor_page = as_role(Role.AUDITOR).get("/").get_data(as_text=True)
    assert 'data-endpoint="admin.users"' in admin_page
    assert 'data-endpoint="admin.users"' not in inspector_page
    assert 'data-endpoint="audit.events"' in auditor_page
    assert 'data-endpoint="audit.events"' not in inspector_page

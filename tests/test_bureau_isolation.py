"""Isolation of sibling bureaus, generated from the URL map: a user of county A (every role) reaches nothing of
county B — no page, API call, id in a URL, attachment or document download shows or changes B's data.

Every route taking an id is called with the id of one of B's objects; every other route is read and searched for
B's names and links. A route added later is covered automatically (or fails here until an id is supplied for it).
"""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.auth.roles import Role
from app.bureaus import context
from app.bureaus.models import Bureau
from app.bureaus.services import supervision
from app.bureaus.services.tree import descendant_ids
from app.clock import local_today, utcnow
from app.demo.services import DEMO_COUNTIES
from app.directories.models import (
    Conflict,
    EnforcementItem,
    Expert,
    InspectionItem,
    InspectionObject,
    InspectionResult,
    Officer,
    Tier,
)
from app.extensions import db
from app.workflow.models import Case, Task
from tests.bureaus.samples import transfer_data
from tests.conftest import sign_in, user_for

DIRECTORY_MODELS = {"objects": InspectionObject, "results": InspectionResult, "tiers": Tier, "officers": Officer,
                    "experts": Expert, "conflicts": Conflict, "inspection-items": InspectionItem,
                    "enforcement-items": EnforcementItem}
SHARED = {"static", "processes.publish"}  # processes.publish only redirects to versions.publish (covered)
# The public portal shows every bureau's *published* data to anyone by design (its lists, guides, procedures and
# items, each naming its bureau): no marker check there. Its item page is still called with B's *draft*, which no
# one outside B may see (404, like to the public).
PORTAL_ID_CHECKED = {"portal.item"}
# URL parts that are not ids of a bureau's objects (the id beside them is B's)
PLAIN = {"fmt": "xlsx", "code": "en", "year": 2031, "index": 1, "name": "casefile.zip",
         "file_name": "case_filing.bpmn", "decision_id": "major_decision", "key": "case_filing_request"}


def _bureau(key: str) -> Bureau:
    name = next(c.name for c in DEMO_COUNTIES if c.key == key)
    return db.session.scalar(select(Bureau).where(Bureau.name == name))


def _user(key: str, role: Role) -> User:
    return db.session.scalar(select(User).where(User.username == f"demo.{key}.{role.value}"))


@pytest.fixture
def county_b(app):
    """Objects of every kind in county B (乙区), committed; returns ids by URL parameter and B's markers."""
    b = _bureau("yi")
    with context.use(context.for_bureau(b.id)):
        from app.documents.services.documents import generate
        from app.draws.services import draws
        from app.workflow.services import attachments

        case = db.session.scalar(select(Case).where(Case.bureau_id == b.id).order_by(Case.id))
        task = db.session.scalar(select(Task).where(Task.case_id == case.id))
        legal = _user("yi", Role.LEGAL)
        attachment = attachments.store(Path(app.instance_path) / "attachments", actor=legal, case_id=case.id,
                                       task_id=None, field="evidence", filename="乙区证据.txt",
                                       content_type="text/plain", stream=io.BytesIO(b"yi evidence"))
        document = generate(legal, "case_transfer", transfer_data("乙区样本单位"), case_id=case.id)
        year = utcnow().year + 1
        draw = draws.prepare(_user("yi", Role.SUPERVISION), {
            "year": year, "ratio": "0.2", "tier_ids": list(db.session.scalars(select(Tier.id))),
            "period_start": f"{year}-03-01", "period_end": f"{year}-10-31"})
        draws.perform(_user("yi", Role.DISCIPLINE), draw, "424242")
        obj = db.session.scalar(select(InspectionObject).order_by(InspectionObject.id))
        db.session.add(InspectionResult(object_id=obj.id, inspected_on=local_today(), outcome="problems",
                                        note="乙区结果"))
        db.session.flush()
        records = {kind: db.session.scalar(select(model.id).order_by(model.id)) for kind, model in
                   DIRECTORY_MODELS.items()}
        ids = {"case_id": case.id, "task_id": task.id, "attachment_id": attachment.id, "document_id": document.id,
               "draw_id": draw.id, "user_id": legal.id, "bureau_id": b.id}
        number = document.number
        from app.casefile.models import CaseFile
        from app.notifications.models import Notification
        from app.takeover.models import Delegation
        from app.uploads.models import Upload
        from app.workflow.services import definitions

        case_file = CaseFile(case_id=case.id, status="done", progress=100, stage="", folder="")
        delegation = Delegation(delegator_id=legal.id, delegate_id=_user("yi", Role.LEADER).id,
                                starts_on=local_today(), ends_on=local_today() + timedelta(days=3), reason="乙区出差",
                                created_by_id=legal.id)
        notification = Notification(user_id=legal.id, kind="task_arrived", key="yi-sample", params={}, link="/tasks")
        upload = Upload(id="yi" + "0" * 30, user_id=legal.id, task_id=task.id, field="evidence", filename="乙区.txt",
                        content_type="text/plain", length=10, offset=0, status="uploading")
        from app.recording.models import RecordingItem
        from app.statistics.models import AnnualReport

        item = RecordingItem(process_id="random_inspection", element_id="plan", step_name="乙区音像环节",
                             method="video", recorder="乙区记录人", note="", position=1,
                             active=False)  # an active entry is public (/public/recording) by design
        report = AnnualReport(year=PLAIN["year"], sections={"overview": "乙区年报正文"}, status="draft")
        db.session.add_all([case_file, delegation, notification, upload, item, report])
        db.session.flush()
        ids.update(case_file_id=case_file.id, delegation_id=delegation.id, notification_id=notification.id,
                   upload_id=upload.id, entry_id=item.id)
        from app.disclosure.services import drafts as disclosure_drafts

        disclosure = disclosure_drafts.create_manual(legal, "annual_plan", str(year), "乙区公示草稿",
                                                     "乙区年度抽查计划")
        ids.update(item_id=disclosure.id, public_id=disclosure.public_id,
                   enforcement_item_id=records["enforcement-items"])
        from app.outbox.services import enqueue

        event = enqueue("disclosure", "yi-decision:1", "published", {"title": "乙区公示"})
        event.status, event.attempts, event.last_error = "failed", 12, "乙区推送错误 HTTP 500"
        db.session.flush()
        ids["event_pk"] = event.id
        variant = definitions.adopt_as_local(legal, definitions.published("case_filing"))
        variant.name = "乙区本地立案流程"
        ids["definition_id"] = variant.id
    with context.use(context.for_bureau(1, descendant_ids(1))):
        row = supervision.supervise(user_for(Role.SUPERVISION), db.session.get(Case, case.id), reason="乙区督办",
                                    deadline=local_today() + timedelta(days=30), report_every_days=5)
        ids["supervision_id"] = row.id
        ids["report_id"] = supervision.reports(row)[0].id
    db.session.commit()
    markers = [case.subject, "乙区第", "乙区公示草稿",
               "乙区本地立案流程", "乙区执法人员", "乙区专家", "乙区法制", number, "乙区督办", "乙区推送错误",
               f'/cases/{case.id}"', f'/draws/{draw.id}"', f'/documents/{document.id}"',
               f'/attachments/{attachment.id}"', "乙区记录人", "乙区年报正文"]
    return {"bureau_id": b.id, "ids": ids, "records": records, "markers": markers}


def _fingerprint(bureau_id: int) -> tuple:
    """What a write into B would change: its audit events, case versions, task states, draw states."""
    from app.audit.models import AuditEvent
    from app.draws.models import Draw

    with context.use(context.SYSTEM):
        return (db.session.scalar(select(func.count()).where(AuditEvent.bureau_id == bureau_id)),
                tuple(db.session.execute(select(Case.id, Case.lock_version, Case.status)
                                         .where(Case.bureau_id == bureau_id).order_by(Case.id)).all()),
                tuple(db.session.execute(select(Task.id, Task.state).where(Task.bureau_id == bureau_id)
                                         .order_by(Task.id)).all()),
                tuple(db.session.execute(select(Draw.id, Draw.status).where(Draw.bureau_id == bureau_id)).all()),
                tuple(db.session.execute(select(InspectionObject.id, InspectionObject.active)
                                         .where(InspectionObject.bureau_id == bureau_id)).all()))


def _requests(app, county_b):
    """(endpoint, method, url) for every route: ids of B's objects substituted, every directory kind."""
    ids, records = county_b["ids"], county_b["records"]
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SHARED:
            continue
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        args = set(rule.arguments)
        kinds = list(DIRECTORY_MODELS) if "kind" in args else [None]
        for kind in kinds:
            values = {}
            if kind is not None:
                values["kind"] = kind
            if "record_id" in args:
                values["record_id"] = records[kind] if kind else None
                if rule.rule.startswith("/api/v1/"):
                    api_kind = rule.rule.split("/")[3]
                    values["record_id"] = records[api_kind]
            for name in args - {"kind", "record_id"}:
                if name in PLAIN:
                    values[name] = PLAIN[name]
                else:
                    assert name in ids, f"{rule.endpoint}: give the isolation matrix one of B's ids for <{name}>"
                    values[name] = ids[name]
            url = rule.build(values, append_unknown=False)[1]
            for method in methods:
                out.append((rule.endpoint, method, url, bool(rule.arguments - {"kind", *PLAIN})))
    return out


@pytest.mark.parametrize("role", sorted(Role))
def test_county_a_reaches_nothing_of_county_b(app, county_b, role):
    """Every route × this role of county A: B's ids answer 403/404 and change nothing; no page shows B's data."""
    client = sign_in(app.test_client(), _user("jia", role))
    before = _fingerprint(county_b["bureau_id"])
    leaks = []
    for endpoint, method, url, has_id in _requests(app, county_b):
        if endpoint in ("auth.logout", "home.set_language"):
            continue
        response = client.open(url, method=method, data={"active": "0", "entropy": "123456", "reason": "x",
                                                         "progress": "x", "lift_reason": "x", "name": "x",
                                                         "short_name": "x", "full_name": "x", "roles": "admin"})
        body = response.get_data()
        # a body may be refused before the id is looked at (nothing changed: see the fingerprint)
        refused = (403, 404) if method == "GET" else (403, 404, 400, 415, 422)
        if endpoint.startswith("portal.") and endpoint not in PORTAL_ID_CHECKED:
            continue
        if has_id and response.status_code not in refused:
            leaks.append(f"{method} {url} ({endpoint}) answered {response.status_code}")
        text = body.decode("utf-8", "replace")
        for marker in county_b["markers"]:
            if marker in text:
                leaks.append(f"{method} {url} ({endpoint}) shows {marker!r}")
    assert leaks == []
    assert _fingerprint(county_b["bureau_id"]) == before


def test_the_matrix_is_not_vacuous(app, county_b):
    """County B's own legal section does open what county A could not."""
    client = sign_in(app.test_client(), _user("yi", Role.LEGAL))
    ids = county_b["ids"]
    for url in (f"/cases/{ids['case_id']}", f"/documents/{ids['document_id']}", f"/attachments/{ids['attachment_id']}",
                f"/oversight/reports/{ids['report_id']}", f"/api/v1/objects/{county_b['records']['objects']}"):
        assert client.get(url).status_code == 200, url
    assert county_b["markers"][0] in client.get("/cases").get_data(as_text=True)


def test_a_county_does_not_see_its_city(app):
    """Reaching down never reaches up: a county leader does not see the city's cases."""
    client = sign_in(app.test_client(), _user("jia", Role.LEADER))
    with context.use(context.SYSTEM):
        city_case = db.session.scalar(select(Case).where(Case.bureau_id == 1).order_by(Case.id))
    assert client.get(f"/cases/{city_case.id}").status_code == 404
    assert city_case.subject not in client.get("/cases").get_data(as_text=True)

"""The push dashboard (legal section, administrators; counties read-only from the city) and the public feeds."""

from __future__ import annotations

from urllib.parse import urlsplit

from lxml import etree
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.auth.roles import Role
from app.bureaus import context
from app.bureaus.models import Bureau
from app.demo.services import DEMO_COUNTIES
from app.extensions import db
from app.outbox.models import OutboxEvent
from app.outbox.services import enqueue
from tests.conftest import sign_in, user_for

ATOM = "{http://www.w3.org/2005/Atom}"


def _failed(item: str, error: str = "HTTP 500 Internal Server Error: 平台维护") -> int:
    event = enqueue("disclosure", item, "published", {"title": f"公示 {item}"})
    event.status, event.attempts, event.last_error, event.last_status = "failed", 12, error, 500
    db.session.commit()
    return event.id


def _get(event_pk: int) -> OutboxEvent:
    with context.use(context.SYSTEM):
        return db.session.scalar(select(OutboxEvent).where(OutboxEvent.id == event_pk)
                                 .execution_options(populate_existing=True))


def _county(key: str) -> Bureau:
    name = next(c.name for c in DEMO_COUNTIES if c.key == key)
    return db.session.scalar(select(Bureau).where(Bureau.name == name))


def test_legal_section_sees_the_failure_and_redelivers_it_audited(client) -> None:
    event_pk = _failed("decision:web1")
    sign_in(client, user_for(Role.LEGAL))
    page = client.get("/outbox/").get_data(as_text=True)
    assert "推送监控" in page and "平台维护" in page and "公示 decision:web1" in page and "重新推送" in page
    response = client.post(f"/outbox/{event_pk}/redeliver")
    assert response.status_code == 302
    event = _get(event_pk)
    assert (event.status, event.attempts) == ("pending", 0) and "平台维护" in event.last_error  # error kept
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "outbox.redeliver")
                              .order_by(AuditEvent.id.desc()))
    assert audit.object_id == str(event.id) and audit.details["before"]["status"] == "failed"
    assert "已重新排入推送队列" in client.get("/outbox/").get_data(as_text=True)


def test_a_delivered_event_is_not_sent_again(client) -> None:
    event = enqueue("disclosure", "decision:web2", "published", {"title": "已送达"})
    event.status = "delivered"
    db.session.commit()
    event_pk = event.id
    sign_in(client, user_for(Role.LEGAL))
    response = client.post(f"/outbox/{event_pk}/redeliver", follow_redirects=True)
    assert "该事件已送达，不能重新推送" in response.get_data(as_text=True)
    assert _get(event_pk).status == "delivered"


def test_other_roles_are_refused(client) -> None:
    sign_in(client, user_for(Role.INSPECTOR))
    assert client.get("/outbox/").status_code == 403


def test_city_admin_reads_county_failures_but_cannot_redeliver_them(client) -> None:
    county = _county("jia")
    county_id, county_name = county.id, county.name
    with context.use(context.for_bureau(county_id)):
        event_pk = _failed("jia-decision:1", "甲县平台拒收")
    sign_in(client, user_for(Role.ADMIN))
    page = client.get("/outbox/").get_data(as_text=True)
    assert "甲县平台拒收" in page and county_name in page and "只读" in page
    assert client.post(f"/outbox/{event_pk}/redeliver").status_code == 404
    assert _get(event_pk).status == "failed"
    legal = sign_in(client.application.test_client(), user_for(Role.LEGAL))
    assert "甲县平台拒收" not in legal.get("/outbox/").get_data(as_text=True)  # the city's legal section: own only
    jia_legal = db.session.scalar(select(User).where(User.username == "demo.jia.legal"))
    county_client = sign_in(client.application.test_client(), jia_legal)
    assert "甲县平台拒收" in county_client.get("/outbox/").get_data(as_text=True)
    assert county_client.post(f"/outbox/{event_pk}/redeliver").status_code == 302
    assert _get(event_pk).status == "pending"


def _events(count: int) -> list[tuple[int, str]]:
    events = [enqueue("disclosure", f"decision:feed{i % 4}", "published" if i < 4 else "withdrawn",
                      {"title": f"公示事项 {i}", "summary": "当事人：张*（已脱敏）", "url": f"/public/items/{i}"})
              for i in range(count)]
    enqueue("internal", "x:1", "noise", {"title": "不应公开"})
    db.session.commit()
    return [(e.id, e.event_id) for e in events]


def test_json_feed_pages_newest_first_and_since_a_cursor(client) -> None:
    events = _events(7)
    first = client.get("/public/feed.json?limit=3").get_json()
    assert first["order"] == "newest_first"
    ids = [item["id"] for item in first["items"]]
    assert ids == [e[1] for e in reversed(events[-3:])]
    seen = list(ids)
    url = first["next"]
    while url:
        parts = urlsplit(url)
        page = client.get(f"{parts.path}?{parts.query}").get_json()
        seen += [item["id"] for item in page["items"] if item["topic"] == "disclosure"]
        url = page["next"]
    mine = {e[1] for e in events}
    assert [i for i in seen if i in mine] == [e[1] for e in reversed(events)]
    assert "不应公开" not in client.get("/public/feed.json?limit=200").get_data(as_text=True)
    since = client.get(f"/public/feed.json?since={events[2][0]}&limit=2").get_json()
    assert [i["id"] for i in since["items"]] == [events[3][1], events[4][1]]
    assert since["order"] == "oldest_first" and since["more"] is True
    item = since["items"][0]
    assert item["item_key"] == "decision:feed3" and item["seq"] >= 1 and item["payload"]["title"] == "公示事项 3"
    assert client.get("/public/feed.json?before=abc").status_code == 400
    assert "before" in client.get("/public/feed.json?before=abc").get_data(as_text=True)


def test_atom_feed_is_valid_atom_and_links_its_pages(client) -> None:
    events = _events(5)
    response = client.get("/public/feed.atom?limit=2")
    assert response.status_code == 200 and response.content_type.startswith("application/atom+xml")
    collected: list[str] = []
    body = response.data
    while True:
        feed = etree.fromstring(body)
        assert feed.tag == f"{ATOM}feed"
        for required in ("id", "title", "updated"):
            assert feed.find(f"{ATOM}{required}") is not None
        assert feed.find(f"{ATOM}author/{ATOM}name").text
        assert feed.find(f"{ATOM}link[@rel='self']") is not None
        for entry in feed.findall(f"{ATOM}entry"):
            for required in ("id", "title", "updated", "content"):
                assert entry.find(f"{ATOM}{required}") is not None
            collected.append(entry.find(f"{ATOM}id").text)
            assert entry.find(f"{ATOM}link[@rel='alternate']").get("href").startswith("http://localhost/public/items/")
        following = feed.find(f"{ATOM}link[@rel='next']")
        if following is None:
            break
        parts = urlsplit(following.get("href"))
        body = client.get(f"{parts.path}?{parts.query}").data
    mine = [f"urn:uuid:{e[1]}" for e in reversed(events)]
    assert [c for c in collected if c in mine] == mine
    assert len(collected) == len(set(collected))
    assert client.get("/public/feed.atom?since=1").status_code == 400


def test_feeds_need_no_login_and_show_every_bureau_public_changes(client) -> None:
    county = _county("yi")
    with context.use(context.for_bureau(county.id)):
        enqueue("disclosure", "yi-decision:feed", "published", {"title": "乙区公示事项"})
        db.session.commit()
    assert "乙区公示事项" in client.get("/public/feed.json").get_data(as_text=True)
    assert "乙区公示事项" in client.get("/public/feed.atom").get_data(as_text=True)

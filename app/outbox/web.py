"""The push dashboard (推送监控) for the legal section and administrators, and the public pull feeds."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from lxml import etree

from app.access import public, roles
from app.auth.forms import ConfirmForm
from app.auth.roles import Role
from app.bureaus.context import current
from app.bureaus.web import reaches_down
from app.errors import DomainError, NotFound
from app.extensions import db
from app.outbox.services import feeds, monitor
from app.web_helpers import translate

bp = Blueprint("outbox", __name__, url_prefix="/outbox")
public_bp = Blueprint("outbox_public", __name__, url_prefix="/public")

TOPIC = "disclosure"
FEED_TITLE = "行政执法公示 · 变更"


@bp.route("/")
@roles(Role.LEGAL, Role.ADMIN)
@reaches_down(Role.ADMIN)
def index() -> Any:
    """Counts, then the failed and waiting events of the readable bureaus with attempts, next try, last error."""
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows, more = monitor.undelivered(page)
    own = current().bureau_id
    return render_template("outbox/index.html", summary=monitor.summary(), rows=rows, more=more, page=page,
                           form=ConfirmForm(), own_bureau_id=own,
                           push_url=current_app.config["OUTBOX_URL"])


@bp.route("/<int:event_pk>/redeliver", methods=["POST"])
@roles(Role.LEGAL, Role.ADMIN)
def redeliver(event_pk: int) -> Any:
    """Queue one failed or waiting event of the user's own bureau to be sent again now (audited)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        event = monitor.redeliver(current_user, event_pk)
        db.session.commit()
    except NotFound:
        db.session.rollback()
        abort(404)
    except DomainError as exc:
        db.session.rollback()
        flash(translate(exc), "warning")
    else:
        flash(_("已重新排入推送队列：%(item)s 第 %(seq)s 条。", item=event.item_key, seq=event.seq), "success")
    return redirect(url_for("outbox.index"))


def _cursor(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 18:
        abort(Response(_("参数 %(name)s 应为正整数（上一页返回的游标）。", name=name), 400,
                       content_type="text/plain; charset=utf-8"))
    return int(raw)


def _page() -> feeds.FeedPage:
    limit = _cursor("limit") or feeds.DEFAULT_LIMIT
    before, since = _cursor("before"), _cursor("since")
    if before is not None and since is not None:
        abort(Response(_("参数 before 和 since 不能同时使用。"), 400, content_type="text/plain; charset=utf-8"))
    return feeds.page(TOPIC, limit, before=before, since=since)


def _cached(response: Response) -> Response:
    response.headers["Cache-Control"] = "public, max-age=30"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@public_bp.route("/feed.json")
@public
def feed_json() -> Any:
    """Changes of the public disclosure, newest first (`before=` pages back) or oldest first after `since=`."""
    result = _page()
    since_mode = request.args.get("since") not in (None, "")
    limit = request.args.get("limit")
    next_url = None
    if since_mode:
        next_url = url_for(".feed_json", since=result.next_since, limit=limit, _external=True)
    elif result.next_before is not None:
        next_url = url_for(".feed_json", before=result.next_before, limit=limit, _external=True)
    body = {"topic": TOPIC, "title": FEED_TITLE, "order": "oldest_first" if since_mode else "newest_first",
            "items": [feeds.as_json(e) for e in result.events], "more": result.more, "next": next_url,
            "poll": url_for(".feed_json", since=result.next_since or 0, _external=True)}
    return _cached(jsonify(body))


ATOM = "http://www.w3.org/2005/Atom"
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: object) -> str:
    """Text safe inside XML (control characters that XML 1.0 forbids are dropped)."""
    return _XML_UNSAFE.sub("", str(value))


def _child(parent: Any, tag: str, text: str | None = None, **attributes: str) -> Any:
    element = etree.SubElement(parent, f"{{{ATOM}}}{tag}", {k: _text(v) for k, v in attributes.items()})
    if text is not None:
        element.text = _text(text)
    return element


@public_bp.route("/feed.atom")
@public
def feed_atom() -> Any:
    """The same changes as Atom 1.0, newest first, pages linked by rel="next" (RFC 5005)."""
    if request.args.get("since"):
        abort(Response(_("Atom 订阅只按时间倒序分页，请使用 before 参数。"), 400,
                       content_type="text/plain; charset=utf-8"))
    result = _page()
    first = url_for(".feed_atom", _external=True)
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", "zh-CN")
    _child(feed, "id", first)
    _child(feed, "title", FEED_TITLE)
    _child(feed, "updated", feeds.timestamp(result.events[0]) if result.events else "1970-01-01T00:00:00Z")
    _child(_child(feed, "author"), "name", current_app.config["AGENCY_NAME"])
    _child(feed, "link", rel="self", type="application/atom+xml", href=request.url)
    _child(feed, "link", rel="first", type="application/atom+xml", href=first)
    _child(feed, "link", rel="alternate", type="application/json", href=url_for(".feed_json", _external=True))
    if result.next_before is not None:
        _child(feed, "link", rel="next", type="application/atom+xml",
               href=url_for(".feed_atom", before=result.next_before, limit=request.args.get("limit"),
                            _external=True))
    for event in result.events:
        _atom_entry(feed, event)
    xml = etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return _cached(Response(xml, content_type="application/atom+xml; charset=utf-8"))


def _atom_entry(feed: Any, event: Any) -> None:
    payload = event.payload or {}
    entry = _child(feed, "entry")
    _child(entry, "id", f"urn:uuid:{event.event_id}")
    _child(entry, "title", str(payload.get("title") or f"{event.item_key} · {event.event_type}"))
    _child(entry, "updated", feeds.timestamp(event))
    _child(entry, "published", feeds.timestamp(event))
    _child(entry, "category", term=event.event_type)
    link = str(payload.get("url") or "")
    if link.startswith(("http://", "https://")) or (link.startswith("/") and not link.startswith("//")):
        _child(entry, "link", rel="alternate", href=link if not link.startswith("/")
               else request.host_url.rstrip("/") + link)
    summary = payload.get("summary") or payload.get("text")
    if summary:
        _child(entry, "summary", str(summary))
    content = json.dumps({"item_key": event.item_key, "seq": event.seq, "type": event.event_type,
                          "payload": payload}, ensure_ascii=False, sort_keys=True)
    _child(entry, "content", content, type="text")

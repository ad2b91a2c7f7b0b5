"""The portal's search (indexes of migrations 0023 and 0025) finds exactly what a case-insensitive substring match
finds; a search counts at most portal.COUNT_LIMIT matches."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from itertools import count

import pytest
from sqlalchemy import event, insert, select

from app.auth.roles import Role
from app.bureaus import context
from app.demo.services import CITY_BUREAU_ID
from app.disclosure.models import DisclosureItem
from app.disclosure.services import portal, publishing
from app.extensions import db
from tests.bureaus.test_migration import _flask
from tests.conftest import APP_ROLE, user_for

_numbers = count(1)

TEXTS = [  # (title, doc_number)
    ("档案馆执法检查决定 ABC-Report", "示档罚〔2027〕701号"),
    ("关于档案的处罚决定：罚款 10% 以内", "示档罚〔2027〕702号"),
    ("a_b 项目检查结果", "示档检〔2027〕703号"),
    ("axb 项目检查结果 100 percent", "示档检〔2027〕704号"),
    ('引号 "quoted" 与反斜杠 C:\\dir', "SHI-DANG-705"),
    ("单字 馆", "abc-706"),
    ("行政处罚决定书（基准单位）", "示档罚〔2027〕707号"),
]

QUERIES = ["档", "档案", "档案馆", "行政处罚决定书", "示档罚〔2027〕70", "馆", "abc", "ABC", "report", "a", "Ab", "a_b",
           "10%", "%", "_", "0%", "\\", "\\dir", '"quoted"', '"', "t 1", "0 p", "Report 示", "不存在的文号", "xyz",
           # 1–2 characters (index of migration 0025): caseless, cased, spanning title and number, specials
           "案的", "罚款", "B", "c", "号", "10", "〔2", "C:", "-7", " ", "档A", "罚示", "\\d", "%2", "x"]


def _add(title: str, doc_number: str, tab: str = "decisions") -> DisclosureItem:
    n = next(_numbers)
    item = DisclosureItem(public_id=f"2027-search{n:08d}", kind="penalty_decision", year=2027, status="published",
                          tab=tab, on_portal=True, title=title, body="正文", doc_number=doc_number,
                          published_at=datetime(2027, 6, 1, 8, n % 60), version=1, bureau_id=CITY_BUREAU_ID)
    db.session.add(item)
    db.session.flush()
    return item


def _found(q: str, tab: str = "decisions") -> set[int]:
    """Every item the portal lists for this search, page by page."""
    found: set[int] = set()
    with context.use(context.PUBLIC):
        page = portal.items(tab, portal.Filters(q=q))
        for number in range(1, page.pages + 1):
            found |= {row.id for row in portal.items(tab, portal.Filters(q=q, page=number)).rows}
        assert len(found) == page.total
    return found


def _fold(text: str) -> str:
    return "".join(c.lower() if c.isascii() else c for c in text)


def _expected(q: str, tab: str = "decisions") -> set[int]:
    """The reference: on the portal, in the tab, title or document number contains q (ASCII letters in any case)."""
    rows = db.session.execute(select(DisclosureItem.id, DisclosureItem.title, DisclosureItem.doc_number)
                              .where(DisclosureItem.on_portal.is_(True), DisclosureItem.tab == tab)).all()
    return {i for i, title, number in rows if _fold(q) in _fold(title) or _fold(q) in _fold(number)}


@pytest.fixture
def items() -> list[DisclosureItem]:
    with context.use(context.SYSTEM):
        rows = [_add(title, number) for title, number in TEXTS]
        return rows + [_add("档案馆 另一栏目", "示档检〔2027〕799号", "results")]


@pytest.mark.parametrize("q", QUERIES)
def test_a_search_finds_exactly_the_substring_matches(items, q):
    assert _found(q) == _expected(q)


def test_the_searches_find_what_they_should(items):
    ids = [i.id for i in items]
    assert {ids[0], ids[1]} <= _found("档案")  # two characters: no trigram, still found
    assert ids[0] in _found("档案馆") and ids[5] not in _found("档案馆") and ids[7] not in _found("档案馆")
    assert ids[0] in _found("abc") and ids[0] in _found("report") and ids[5] in _found("ABC")
    assert ids[2] in _found("a_b") and ids[3] not in _found("a_b")  # _ is literal
    assert ids[1] in _found("10%") and ids[3] not in _found("10%")  # % is literal
    assert ids[4] in _found('"quoted"') and ids[4] in _found("\\dir")
    assert ids[0] not in _found("Report 示")  # would span title and number: they are matched one by one
    assert not _found("不存在的文号") & set(ids)


def test_an_updated_withdrawn_or_taken_down_item_changes_in_the_search(items):
    item = items[6]
    assert item.id in _found("基准单位")
    publishing.publish(user_for(Role.LEGAL), item, "行政处罚决定书（更正后的单位）", "更正后的正文")
    assert item.id not in _found("基准单位") and item.id in _found("更正后的单位") and item.id in _found("更正")
    item.doc_number = "示档罚〔2027〕900号"
    db.session.flush()
    assert item.id in _found("〔2027〕900") and item.id not in _found("〔2027〕707")
    publishing.withdraw(user_for(Role.LEGAL), item, "复议机关撤销原决定")
    assert item.id in _found("更正后的单位")  # withdrawn items stay listed (with their reason), as before
    publishing.take_down(None, item)
    assert item.id not in _found("更正后的单位") and item.id not in _found("更正")


def test_a_deleted_item_leaves_the_search(items):
    item = items[5]
    assert item.id in _found("abc-706")
    db.session.delete(item)
    db.session.flush()
    assert not _found("abc-706") and _found("abc") == _expected("abc")
    assert item.id not in _found("馆") and _found("馆") == _expected("馆")  # and leaves the short search's index


def _plan(q: str) -> str:
    """The database's plan of the portal's count statement for this search."""
    seen: list[tuple[str, object]] = []
    engine = db.session.get_bind()

    def capture(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with context.use(context.PUBLIC):
            portal.items("decisions", portal.Filters(q=q))
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    statement, parameters = [s for s in seen if "count(" in s[0].lower()][-1]  # the list's count (last)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        # 30,000 short rows still fit few pages: rule out the sequential scan, as 50,000 real ones do by cost
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters).all()
        connection.exec_driver_sql("SET LOCAL enable_seqscan = on")
        return "\n".join(r[0] for r in rows)
    return "\n".join(str(r[-1]) for r in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement,
                                                                     parameters).all())


def _many_items_analyzed() -> None:
    """30,000 published items and fresh statistics (as the owner: ANALYZE), so the planner sees a portal worth
    indexing; all rolled back with the test."""
    connection = db.session.connection()
    connection.exec_driver_sql("RESET ROLE")
    with context.use(context.SYSTEM):
        db.session.execute(insert(DisclosureItem), [
            {"public_id": f"2027-many{n:08d}", "kind": "penalty_decision", "tab": "decisions", "year": 2027,
             "status": "published", "on_portal": True, "title": f"行政处罚决定：单位{n}（示档罚〔2027〕{n}号）",
             "body": "", "payload": {}, "party": "", "natural_person": False, "doc_number": f"示档罚〔2027〕{n}号",
             "created_at": datetime(2027, 1, 1), "published_at": datetime(2027, 1, 1), "version": 1,
             "published_sha256": "", "withdraw_reason": "", "bureau_id": CITY_BUREAU_ID} for n in range(30_000)])
    connection.exec_driver_sql("ANALYZE disclosure_item")
    connection.exec_driver_sql(f"SET ROLE {APP_ROLE}")


def test_a_search_of_three_or_more_characters_reads_the_trigram_index(items):
    if db.session.get_bind().dialect.name == "postgresql":
        _many_items_analyzed()
        plan = _plan("档案馆")
        assert "ix_disclosure_item_title_trgm" in plan and "ix_disclosure_item_doc_number_trgm" in plan, plan
    else:
        plan = _plan("档案馆")
        assert "VIRTUAL TABLE INDEX" in plan and "disclosure_item_search" in plan, plan
        assert "VIRTUAL TABLE" not in _plan("档案")  # too short for a trigram: LIKE over the tab's rows


def test_a_search_of_one_or_two_characters_reads_the_index_of_characters_and_pairs(items, monkeypatch):
    if db.session.get_bind().dialect.name == "postgresql":
        _many_items_analyzed()
        for q in ("档案", "馆", "Ab"):
            plan = _plan(q)
            assert "ix_disclosure_item_grams" in plan and "Seq Scan" not in plan, plan
        assert "~~*" not in _plan("档案") and "~~*" in _plan("Ab")  # LIKE when nothing has case, else ILIKE
    else:
        for q in ("档案", "馆", "Ab"):
            plan = _plan(q)
            assert "LIST SUBQUERY" in plan and "disclosure_item_search_gram USING PRIMARY KEY" in plan, plan
        monkeypatch.setattr(portal, "COUNT_LIMIT", 2)  # now "档" is common: a look-up per row, newest first
        plan = _plan("档")
        assert "CORRELATED SCALAR SUBQUERY" in plan and "disclosure_item_search_gram USING PRIMARY KEY" in plan, plan
        with context.use(context.PUBLIC):
            page = portal.items("decisions", portal.Filters(q="档"))
        assert page.capped and {row.id for row in page.rows} == _expected("档")  # (fewer than a page)


def test_a_search_counts_at_most_the_limit(items, client, monkeypatch):
    monkeypatch.setattr(portal, "COUNT_LIMIT", 5)
    with context.use(context.SYSTEM):
        extra = [_add(f"计数测试 {n}", f"示档计〔2027〕{n}号") for n in range(7)]
    db.session.commit()  # (a savepoint, rolled back with the test) the requests below end their session
    with context.use(context.PUBLIC):
        capped = portal.items("decisions", portal.Filters(q="计数"))
        exact = portal.items("decisions", portal.Filters(q="计数测试 6"))
        unfiltered = portal.items("decisions", portal.Filters())
    assert capped.capped and capped.total == 6 and capped.pages == 1  # 5 counted and one more: "more than 5"
    assert [row.id for row in capped.rows] == [row.id for row in sorted(extra, key=lambda r: (r.published_at, r.id),
                                                                         reverse=True)]  # the page is complete
    assert not exact.capped and exact.total == 1 and exact.pages == 1
    assert not unfiltered.capped and unfiltered.total == len(_expected(""))  # a list without search counts all
    assert "共 5 条以上" in client.get("/public/decisions?q=计数").get_data(as_text=True)
    assert "共 1 条" in client.get("/public/decisions", query_string={"q": "计数测试 6"}).get_data(as_text=True)


def test_the_migration_indexes_existing_rows_and_downgrades(tmp_path):
    path = tmp_path / "search.db"
    url = f"sqlite:///{path}"
    _flask(url, "db", "upgrade", "0022")
    old = sqlite3.connect(path)
    old.execute("INSERT INTO disclosure_item (id, public_id, kind, year, status, tab, on_portal, title, body,"
                " payload, party, natural_person, doc_number, created_at, version, published_sha256,"
                " withdraw_reason, bureau_id) VALUES (5, 'p5', 'penalty_decision', 2026, 'published', 'decisions',"
                " 1, '旧的档案馆决定', '', '{}', '', 0, '示档罚〔2026〕5号', '2026-01-01', 1, '', '', 1)")
    old.commit()
    old.close()
    _flask(url, "db", "upgrade", "0025")
    migrated = sqlite3.connect(path)
    assert migrated.execute("SELECT rowid FROM disclosure_item_search WHERE disclosure_item_search MATCH"
                            " '\"档案馆\"'").fetchall() == [(5,)]
    grams = {g for (g,) in migrated.execute("SELECT gram FROM disclosure_item_search_gram WHERE item_id = 5")}
    title, number = "旧的档案馆决定", "示档罚〔2026〕5号"
    assert grams == {t[i:i + n] for t in (title, number) for n in (1, 2) for i in range(len(t) - n + 1)}
    migrated.close()
    _flask(url, "db", "downgrade", "0023")
    assert sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE name LIKE '%_gram%'").fetchall() == []
    _flask(url, "db", "downgrade", "0022")
    downgraded = sqlite3.connect(path)
    assert downgraded.execute("SELECT name FROM sqlite_master WHERE name LIKE 'disclosure_item_search%'"
                              ).fetchall() == []
    downgraded.close()

"""What the public portal reads (in the PUBLIC bureau scope: every bureau's published data, nothing written)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, column, exists, func, literal, literal_column, or_, select, table

from app.bureaus.models import Bureau
from app.directories.models import EnforcementItem, InspectionItem
from app.disclosure.models import GRAM_COLUMN, GRAM_TABLE, SEARCH_TABLE, DisclosureItem, DisclosureVersion
from app.documents.models import BureauSettings
from app.draws.models import Draw
from app.draws.services.package import is_public
from app.errors import N_, NotFound
from app.extensions import db
from app.workflow.models import ProcessDefinition

PER_PAGE = 20
MAX_QUERY = 50
COUNT_LIMIT = 1_000  # beyond this a search says "more than 1,000" instead of counting every match


@dataclass(frozen=True)
class Filters:
    """The visitor's filters: search text, year, kind, bureau, page."""

    q: str = ""
    year: int | None = None
    kind: str = ""
    bureau_id: int | None = None
    page: int = 1


@dataclass
class Page:
    """One page of a list and the total behind it."""

    rows: list[Any]
    total: int
    page: int
    per_page: int = PER_PAGE
    limit: int | None = None  # the count stopped here (a search): total is at most limit + 1

    @property
    def capped(self) -> bool:
        """Whether there are more matches than were counted (the page says "more than {limit}")."""
        return self.limit is not None and self.total > self.limit

    @property
    def pages(self) -> int:
        """How many pages there are (at least one; a capped count pages through the first `limit` matches)."""
        total = min(self.total, self.limit) if self.limit is not None else self.total
        return max(1, (total + self.per_page - 1) // self.per_page)


def bureaus() -> list[Bureau]:
    """The bureaus a visitor may filter by: the city first, then its counties."""
    return list(db.session.scalars(select(Bureau).where(Bureau.active.is_(True))
                                   .order_by(Bureau.parent_id.is_not(None), Bureau.id)))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _search(text: str) -> ColumnElement[bool]:
    """Items whose title or document number contains `text`, ignoring case (`%` and `_` are literal).

    3+ characters: the trigram index of migration 0023. PostgreSQL: ILIKE, which its GIN trigram indexes answer, or
    LIKE when the text has no letter with case (Chinese, digits: the same result, cheaper, and the same indexes serve
    it). SQLite: the FTS5 trigram table narrows the rows to candidates (it folds case at least as widely as LIKE),
    then LIKE itself decides, so the result is exactly LIKE's.
    1–2 characters (no trigram): migration 0025's record of each item's lower-cased characters and character pairs
    (PostgreSQL: the column search_grams and its GIN index; SQLite: a side table) gives the items that contain
    lower(text) as candidates, then LIKE/ILIKE decides as above."""
    pattern = _like(text)
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    if postgresql and text.lower() != text.upper():
        match = or_(DisclosureItem.title.ilike(pattern, escape="\\"),
                    DisclosureItem.doc_number.ilike(pattern, escape="\\"))
    else:
        match = or_(DisclosureItem.title.like(pattern, escape="\\"),
                    DisclosureItem.doc_number.like(pattern, escape="\\"))
    if len(text) >= 3:
        if postgresql:
            return match
        phrase = '"' + text.replace('"', '""') + '"'
        index = table(SEARCH_TABLE)
        candidates = select(literal_column("rowid")).select_from(index).where(
            literal_column(SEARCH_TABLE).op("MATCH")(phrase))
        return DisclosureItem.id.in_(candidates) & match
    if postgresql:  # the stored column (GIN index ix_disclosure_item_grams): cheap also as a row filter
        grams = literal_column(f"{DisclosureItem.__tablename__}.{GRAM_COLUMN}")
        return grams.op("@>")(func.disclosure_query_grams(literal(text))) & match
    # SQLite (no statistics) walks the tab's index whatever the gram's frequency, so choose the test by frequency (one
    # look-up of at most COUNT_LIMIT + 1 entries of the side table's primary key): a rare gram's item ids as a list that
    # each entry of the tab's index is checked against; a common one's look-up per row of the tab's index, newest
    # first, so that a page and the capped count stop early instead of first listing most items
    gram = table(GRAM_TABLE, column("gram"), column("item_id"))
    key = gram.c.gram == func.lower(literal(text))
    common = db.session.scalar(select(func.count()).select_from(
        select(gram.c.item_id).where(key).limit(COUNT_LIMIT + 1).subquery())) > COUNT_LIMIT
    if common:
        return exists().where(key, gram.c.item_id == DisclosureItem.id) & match
    return DisclosureItem.id.in_(select(gram.c.item_id).where(key)) & match


def items(tab: str, filters: Filters) -> Page:
    """Published (and withdrawn) items of one tab, newest first, filtered; one page.

    Counting and paging read only the portal indexes (ids), then the page's rows are loaded by id. A search counts
    at most COUNT_LIMIT + 1 matches (a common short word matches most items: counting them all would dominate)."""
    where = [DisclosureItem.on_portal.is_(True), DisclosureItem.tab == tab]
    if filters.kind:
        where.append(DisclosureItem.kind == filters.kind)
    if filters.year:
        where.append(DisclosureItem.year == filters.year)
    if filters.bureau_id:
        where.append(DisclosureItem.bureau_id == filters.bureau_id)
    if filters.q:
        where.append(_search(filters.q[:MAX_QUERY]))
        limited = select(DisclosureItem.id).where(*where).limit(COUNT_LIMIT + 1).subquery()
        total = db.session.scalar(select(func.count()).select_from(limited)) or 0
    else:
        total = db.session.scalar(select(func.count(DisclosureItem.id)).where(*where)) or 0
    order = (DisclosureItem.published_at.desc(), DisclosureItem.id.desc())
    ids = list(db.session.scalars(select(DisclosureItem.id).where(*where).order_by(*order)
                                  .offset((filters.page - 1) * PER_PAGE).limit(PER_PAGE)))
    rows = list(db.session.scalars(select(DisclosureItem).where(DisclosureItem.id.in_(ids)).order_by(*order))) \
        if ids else []
    return Page(rows, total, filters.page, limit=COUNT_LIMIT if filters.q else None)


def years(tab: str) -> list[int]:
    """The years from the newest to the oldest published item of this tab (two index look-ups)."""
    where = (DisclosureItem.on_portal.is_(True), DisclosureItem.tab == tab)
    first = db.session.scalar(select(func.min(DisclosureItem.year)).where(*where))
    last = db.session.scalar(select(func.max(DisclosureItem.year)).where(*where))
    return list(range(last, first - 1, -1)) if first is not None and last is not None else []


def item(public_id: str) -> DisclosureItem:
    """A published, withdrawn or taken-down item by its stable address (drafts do not exist for the public)."""
    row = db.session.scalar(select(DisclosureItem).where(DisclosureItem.public_id == public_id[:24]))
    if row is None or row.status not in ("published", "withdrawn", "taken_down"):
        raise NotFound(N_("没有这条公示信息。"))
    return row


def published_versions(row: DisclosureItem) -> list[DisclosureVersion]:
    """The item's public history: published on / updated on / withdrawn on / taken down on, with hashes."""
    return list(db.session.scalars(select(DisclosureVersion).where(DisclosureVersion.item_id == row.id)
                                   .order_by(DisclosureVersion.id)))


def _list_query(model: Any, filters: Filters, columns: tuple[Any, ...]) -> Page:
    query = select(model).where(model.active.is_(True))
    if filters.bureau_id:
        query = query.where(model.bureau_id == filters.bureau_id)
    if filters.q:
        pattern = _like(filters.q[:MAX_QUERY])
        query = query.where(or_(*(c.like(pattern, escape="\\") for c in columns)))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(db.session.scalars(query.order_by(model.bureau_id, model.code)
                                   .offset((filters.page - 1) * PER_PAGE).limit(PER_PAGE)))
    return Page(rows, total, filters.page)


def inspection_items(filters: Filters) -> Page:
    """随机抽查事项清单: the active rows of every bureau's list."""
    return _list_query(InspectionItem, filters, (InspectionItem.item, InspectionItem.code, InspectionItem.sub_item))


def enforcement_items(filters: Filters) -> Page:
    """行政执法事项清单: the active rows of every bureau's list."""
    return _list_query(EnforcementItem, filters, (EnforcementItem.name, EnforcementItem.code,
                                                  EnforcementItem.category))


def enforcement_item(item_id: int) -> EnforcementItem:
    """One active enforcement item (its 服务指南)."""
    row = db.session.get(EnforcementItem, item_id)
    if row is None or not row.active:
        raise NotFound(N_("没有这个执法事项。"))
    return row


def settings_of(bureau_id: int) -> BureauSettings | None:
    """The bureau's saved settings (address, telephone, reconsideration body, court) for guides and subjects."""
    return db.session.scalar(select(BureauSettings).where(BureauSettings.bureau_id == bureau_id))


def subjects() -> list[tuple[Bureau, BureauSettings | None]]:
    """执法主体资格清单: each active bureau with its address and telephone."""
    saved = {s.bureau_id: s for s in db.session.scalars(select(BureauSettings))}
    return [(b, saved.get(b.id)) for b in bureaus()]


def officer_lists(bureau_id: int | None) -> list[DisclosureItem]:
    """执法人员资格清单 as published, one per bureau."""
    query = select(DisclosureItem).where(DisclosureItem.kind == "officer_list", DisclosureItem.on_portal.is_(True))
    if bureau_id:
        query = query.where(DisclosureItem.bureau_id == bureau_id)
    return list(db.session.scalars(query.order_by(DisclosureItem.bureau_id)))


def draws(year: int | None, bureau_id: int | None) -> list[Draw]:
    """Confirmed, published draws (the year's plan and its tasks), newest first."""
    query = select(Draw).where(Draw.status == "confirmed")
    if year:
        query = query.where(Draw.year == year)
    if bureau_id:
        query = query.where(Draw.bureau_id == bureau_id)
    return [d for d in db.session.scalars(query.order_by(Draw.year.desc(), Draw.id.desc())) if is_public(d)]


def draw_years() -> list[int]:
    """Years with a confirmed draw."""
    return list(db.session.scalars(select(Draw.year).where(Draw.status == "confirmed").distinct()
                                   .order_by(Draw.year.desc())))


def inspection_item_names(codes: list[str], bureau_id: int) -> list[str]:
    """The names of a draw's inspection items."""
    if not codes:
        return []
    return list(db.session.scalars(select(InspectionItem.item).where(InspectionItem.bureau_id == bureau_id,
                                                                     InspectionItem.code.in_(codes))))


def flowcharts() -> list[ProcessDefinition]:
    """The published procedures (standard ones and the bureaus' own versions)."""
    return list(db.session.scalars(select(ProcessDefinition).where(ProcessDefinition.status == "published")
                                   .order_by(ProcessDefinition.bureau_id.is_not(None), ProcessDefinition.name)))


def flowchart(definition_id: int) -> ProcessDefinition:
    """One published procedure."""
    row = db.session.get(ProcessDefinition, definition_id)
    if row is None or row.status != "published":
        raise NotFound(N_("没有这个执法流程。"))
    return row


def bureau_name(bureau_id: int | None) -> str:
    """The publishing bureau's name (None: the standard procedures every bureau uses)."""
    if bureau_id is None:
        return ""
    row = db.session.get(Bureau, bureau_id)
    return row.name if row else ""

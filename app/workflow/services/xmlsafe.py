"""Parsing uploaded or stored diagram XML with entity resolution off and DOCTYPE refused."""

from __future__ import annotations

from lxml import etree

from app.errors import N_, DomainError


class UnsafeXml(DomainError):
    """XML the platform refuses to read (DOCTYPE, entities) or that is not well-formed."""

    def __init__(self, message: str, line: int | None = None, **params: object) -> None:
        super().__init__(message, line=line, **params)
        self.line = line


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=False)


def parse_xml(data: bytes | str) -> etree._ElementTree:
    """Parse diagram XML safely; UnsafeXml names the line of a problem."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    head = raw[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in raw.lower():
        line = raw[: max(head.find(b"<!doctype"), 0)].count(b"\n") + 1 if b"<!doctype" in head else None
        raise UnsafeXml(N_("XML 中不允许 DOCTYPE 或实体声明（第 %(line)s 行）。"), line=line)
    try:
        tree = etree.ElementTree(etree.fromstring(raw, _parser()))
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise UnsafeXml(N_("XML 格式错误（第 %(line)s 行）：%(detail)s"), line=line, detail=exc.msg) from exc
    if tree.docinfo.doctype:
        raise UnsafeXml(N_("XML 中不允许 DOCTYPE 或实体声明（第 %(line)s 行）。"), line=1)
    return tree

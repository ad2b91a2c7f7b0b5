"""Building blocks the renderers share: the head (issuing body, title, 文号), the signature, transcript endings."""

from __future__ import annotations

from docx.document import Document

from app.documents.services.chinese import date_numerals, date_text
from app.documents.services.context import Issue, people
from app.documents.services.layout import add_labeled, add_number, add_sign_lines, add_signature, add_text, add_title
from app.documents.services.layout import official_document as _official

CLOSING_WORDS = "以上笔录我看过，与我说的相符。"
BLANK = "__________"


def head(issue: Issue, title: str, signature_line: str = "", landscape: bool = False) -> Document:
    """A new document: the issuing body above the title, then the number."""
    document = _official(landscape=landscape, signature_line=signature_line)
    add_title(document, title, issuer=issue.bureau.full_name)
    add_number(document, issue.number)
    return document


def sign(document: Document, issue: Issue, seal: bool = True) -> None:
    """The bureau's name and the date in Chinese numerals with the seal over it."""
    add_signature(document, issue.bureau.full_name, date_numerals(issue.issued_on), issue.bureau.seal_png, seal)


def contact(document: Document, issue: Issue) -> None:
    """The bureau's address, postcode and phone (for the party's reply)."""
    bureau = issue.bureau
    first = add_text(document, f"联系地址：{bureau.address}（邮政编码 {bureau.postcode}）", size=14, indent=False)
    first.paragraph_format.keep_with_next = True
    add_text(document, f"联系电话：{bureau.phone}", size=14, indent=False)


def transcript_end(document: Document, issue: Issue, signer: str, recorder: str = "") -> None:
    """The closing words for the party to copy, then the party, the officers with certificate numbers and
    the recorder signing, each with a date."""
    add_text(document, f"{signer}核对意见：{CLOSING_WORDS}（由{signer}亲笔书写；拒绝签名的，由执法人员注明情况并"
                       "由见证人签名）", indent=False)
    lines = [f"{signer}签名：{BLANK}    日期：{BLANK}"]
    for person in people(issue):
        lines.append(f"执法人员：{person['name']}（执法证号 {person['certificate_no']}）  签名：{BLANK}")
    if recorder:
        lines.append(f"记录人：{recorder}  签名：{BLANK}")
    lines.append(f"记录日期：{date_text(issue.issued_on)}")
    add_sign_lines(document, lines)


def fields(document: Document, pairs: list[tuple[str, str]]) -> None:
    """label：value lines (the heads of transcripts and forms)."""
    for label, value in pairs:
        add_labeled(document, label, value)

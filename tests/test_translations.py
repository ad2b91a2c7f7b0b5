"""Every message shown in the UI has an English translation (Chinese is the source language)."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None, "N_": None}


def _source_messages():
    method_map = [("app/**.py", "python"), ("app/templates/**.html", "jinja2")]
    found = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=method_map, keywords=KEYWORDS):
        if isinstance(message, tuple):
            message = message[0]
        found.setdefault(message, filename)
    return found


def test_english_catalog_covers_every_message():
    with open(ROOT / "app/translations/en/LC_MESSAGES/messages.po", "rb") as handle:
        catalog = read_po(handle)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string
                  and not m.fuzzy}
    missing = {msg: where for msg, where in _source_messages().items() if msg not in translated}
    assert missing == {}, "add English translations (make translations-update), missing: " + repr(missing)

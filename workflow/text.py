"""The one policy for text that people type, and the one key that names are compared by.

Every entry point (the API's schemas, the pages' forms, the spreadsheet import, the command line)
passes what it receives through `clean_line` or `clean_lines`; the stored nominee name and its
keys are made by `display_name`, `name_key` and `search_key`; exports pass stored text through
`printable`. NUL and lone surrogates never get this far: the web application answers 400 for them
before any handler runs (`has_forbidden_character`).

Text is kept in NFC. A control character (C0, DEL, C1) is refused, naming the field, except a
line break or a tab in a multi-line field. Invisible characters (zero-width space, joiners,
direction marks, word joiner, byte-order mark, soft hyphen) are removed from names.

Names are compared by one key (DOMAIN.md, "Names: one person, several spellings"): NFC, invisible
and control characters removed, one tone-mark placement, case folded, white space collapsed. The
placement is the "new style": in the pairs oa, oe and uy the tone mark sits on the second vowel
(hoà, khoẻ, thuý), so "Lê Thị Hòa" and "Lê Thị Hoà" have the same key.
"""
from __future__ import annotations

import re
import unicodedata

from workflow.i18n import N_, Msg

INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
# C0, DEL and C1; a multi-line field also takes line breaks and tabs.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# What XML 1.0 (so XLSX and DOCX) cannot carry: C0 but tab and line breaks, lone surrogates, U+FFFE/U+FFFF.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORBIDDEN_ANYWHERE = re.compile(r"[\x00\ud800-\udfff]")

# The five tone marks, decomposed: grave, acute, tilde, hook above, dot below.
_TONE = "\u0300\u0301\u0303\u0309\u0323"
# A tone mark on the first vowel of oa, oe or uy (in decomposed, case-folded text) moves to the second;
# the second vowel's own marks (oă) stay next to it, and NFC puts the marks back in canonical order.
_OLD_STYLE_TONE = re.compile(f"(o)([{_TONE}])([ae][\u0302\u0306]?)|(u)([{_TONE}])(y)")

CONTROL_CHARACTER = N_("The text holds a control character (%(character)s), which is not allowed here.")
CONTROL_CHARACTER_IN_LINES = N_("The text holds a control character (%(character)s); only line breaks and tabs "
                                "are allowed.")
NOT_UNICODE = N_("The text holds a character that is not valid Unicode (%(character)s).")


class TextRefused(ValueError):
    """Text that the policy refuses; the caller names the field."""

    def __init__(self, message: Msg):
        self.message = message
        super().__init__(message.render())


def _code(character: str) -> str:
    return f"U+{ord(character):04X}"


def _refuse(value: str, control: re.Pattern, msgid: str) -> None:
    bad = _SURROGATE.search(value)
    if bad:
        raise TextRefused(Msg(NOT_UNICODE, {"character": _code(bad.group())}))
    bad = control.search(value)
    if bad:
        raise TextRefused(Msg(msgid, {"character": _code(bad.group())}))


def clean_line(value: str, name: bool = False) -> str:
    """A single-line value in NFC; a name without invisible characters. Refuses control characters."""
    _refuse(value, _CONTROL, CONTROL_CHARACTER)
    value = unicodedata.normalize("NFC", value)
    return _INVISIBLE.sub("", value) if name else value


def clean_lines(value: str) -> str:
    """A multi-line value in NFC with "\\n" line breaks. Refuses control characters but line breaks and tabs."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    _refuse(value, _CONTROL_IN_LINES, CONTROL_CHARACTER_IN_LINES)
    return unicodedata.normalize("NFC", value)


def scrub_line(value: str, name: bool = False) -> str:
    """What `clean_line` would accept, made of stored text: control characters become spaces or go."""
    value = _SURROGATE.sub("", value)
    value = unicodedata.normalize("NFC", re.sub(r"[\t\n\r]", " ", value))
    value = _CONTROL.sub("", value)
    return _INVISIBLE.sub("", value) if name else value


def scrub_lines(value: str) -> str:
    """What `clean_lines` would accept, made of stored text."""
    value = _SURROGATE.sub("", value).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_IN_LINES.sub("", unicodedata.normalize("NFC", value))


def display_name(value: str) -> str:
    """A name as stored and shown: as typed, in NFC, without invisible or control characters, spaces collapsed."""
    return " ".join(scrub_line(value, name=True).split())


def name_key(value: str) -> str:
    """The one key names are compared by (see the module's docstring)."""
    folded = unicodedata.normalize("NFD", display_name(value).casefold())
    return " ".join(unicodedata.normalize("NFC", _OLD_STYLE_TONE.sub(r"\1\3\2\4\6\5", folded)).split())


def search_key(value: str) -> str:
    """The key without diacritics, for searching: "nguyen thi" finds "Nguyễn Thị"."""
    decomposed = unicodedata.normalize("NFD", name_key(value).replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def printable(value):
    """Stored text as an XML document can carry it; any other value, and valid text, unchanged."""
    if isinstance(value, str) and _NOT_IN_XML.search(value):
        return _NOT_IN_XML.sub("", value)
    return value


def has_forbidden_character(value: str) -> bool:
    """A NUL or a lone surrogate, which no text anywhere may hold."""
    return _FORBIDDEN_ANYWHERE.search(value) is not None

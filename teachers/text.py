"""One rule for the text, numbers and dates the application accepts (forms, services, models).

Every string stored or searched is checked here: NUL and other C0/C1 control characters and the
Unicode bidirectional controls (U+202E RIGHT-TO-LEFT OVERRIDE and its kin, which make ``CBA`` read
as ``ABC``) are refused. Numbers typed in forms must be ASCII digits (Python's ``int`` would read
Arabic-Indic or full-width digits) and finite, within the range of the database column; dates lie
between ``DATE_MIN`` and ``DATE_MAX``.

``teachers.forms.Form`` applies these rules to every field of every form, and
``teachers.guard`` to every column value of every model at flush, so a new form or model
inherits them.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime

#: Bidirectional formatting characters (LRM, RLM, ALM, embeddings, overrides, isolates).
BIDI_CONTROLS = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Whitespace a multi-line text may hold.
MULTILINE_OK = frozenset("\t\n\r")

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2100, 12, 31)

_INT_RE = re.compile(r"[+-]?[0-9]{1,19}")
_FLOAT_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")


def bad_character(value: str, *, multiline: bool = True) -> str | None:
    """The first character ``value`` may not hold (as ``U+XXXX``), or None when it is clean."""
    for ch in value:
        code = ord(ch)
        if ch in BIDI_CONTROLS or 0xD800 <= code <= 0xDFFF or 0x7F <= code <= 0x9F:
            return f"U+{code:04X}"
        if code < 0x20 and not (multiline and ch in MULTILINE_OK):
            return f"U+{code:04X}"
    return None


def scrub(value: str, *, multiline: bool = False) -> str:
    """``value`` without the characters ``bad_character`` refuses (for text we must keep, e.g. a browser's
    user agent; input from people is refused, not scrubbed)."""
    return "".join(ch for ch in value if bad_character(ch, multiline=multiline) is None)


def parse_int(raw: str | int | None, *, minimum: int = INT32_MIN, maximum: int = INT32_MAX) -> int | None:
    """An integer written in ASCII digits within [minimum, maximum], else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    else:
        text = (raw or "").strip()
        if not _INT_RE.fullmatch(text):
            return None
        value = int(text)
    return value if minimum <= value <= maximum else None


def parse_float(raw: str | float | None) -> float | None:
    """A finite number written in ASCII (no ``nan``, ``inf``, ``1_0`` or non-ASCII digits), else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        value = float(raw)
    else:
        text = (raw or "").strip()
        if not _FLOAT_RE.fullmatch(text):
            return None
        value = float(text)
    return value if math.isfinite(value) else None


def date_in_range(value: date | datetime | None) -> bool:
    if value is None:
        return True
    day = value.date() if isinstance(value, datetime) else value
    return DATE_MIN <= day <= DATE_MAX


def nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value)

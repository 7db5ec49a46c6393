"""Checking a mainland resident ID number (居民身份证号码) against GB 11643-1999.

An 18-character number is: 6 digits of region code, 8 digits of birth date (YYYYMMDD), 3 digits
of sequence (odd = male) and one check character. The check character is ISO 7064 MOD 11-2 over
the first 17 digits: ``"10X98765432"[sum(d_i * w_i) % 11]``. Only the province part of the region
code is checked (the codes in GB/T 2260, plus 83 used by residence permits for Taiwan residents):
county codes change too often to hold here.
"""

from __future__ import annotations

import unicodedata
from datetime import date

from flask_babel import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

#: First two digits: provinces, autonomous regions, municipalities, Taiwan, Hong Kong, Macao (GB/T 2260).
PROVINCE_CODES = frozenset({
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
    50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
})


def normalise(value: str | None) -> str:
    """Trim spaces, fold full-width characters (１２…Ｘ) to ASCII and upper-case the check character."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", value)
    return "".join(text.split()).upper()


def check_char(first17: str) -> str:
    """The GB 11643 check character for 17 digits."""
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def validate(value: str | None, *, today: date | None = None, check_province: bool = True) -> date:
    """Return the birth date held in a valid ID number; raise ValueError with a Chinese reason otherwise."""
    number = normalise(value)
    if not number:
        raise ValueError(_("请填写身份证号。"))
    if len(number) != 18:
        raise ValueError(_("身份证号长度应为18位（当前为%(n)d位）。", n=len(number)))
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValueError(_("身份证号前17位应为数字，最后一位应为数字或X。"))
    if check_province and int(number[:2]) not in PROVINCE_CODES:
        raise ValueError(_("身份证号前两位不是有效的省级行政区划代码。"))
    birth = birth_date_of(number)
    if birth is None:
        raise ValueError(_("身份证号中的出生日期无效。"))
    if birth > (today or date.today()):
        raise ValueError(_("身份证号中的出生日期晚于今天。"))
    if check_char(number[:17]) != number[17]:
        raise ValueError(_("身份证号校验位错误，请核对。"))
    return birth


def birth_date_of(number: str) -> date | None:
    """The date in positions 7–14, or None when it is not a calendar date (e.g. 20230230)."""
    digits = normalise(number)[6:14]
    if len(digits) != 8 or not digits.isdigit():
        return None
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None
    # Nobody alive was born before 1900; such a date means a mistyped number.
    return born if born.year >= 1900 else None


def birth_date_matches(number: str | None, birth_date: date | None) -> bool:
    """Whether the date embedded in ``number`` is ``birth_date`` (False when either is missing or invalid)."""
    if not number or birth_date is None:
        return False
    return birth_date_of(number) == birth_date


def is_male(number: str) -> bool:
    """The sequence digit (17th character) is odd for men and even for women."""
    return int(normalise(number)[16]) % 2 == 1

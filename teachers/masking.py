"""What a viewer sees of a teacher's personal data: one policy for every page, list and export.

The ID number (身份证号) holds the birth date in digits 7–14, and its last digit is a check digit.
So whoever may not see the ID number sees neither the full birth date nor its month: they see the
birth year (and the age) only. With year, region and the last four digits, about 33 ID numbers
remain possible for each teacher instead of one (365 days / 11 check digit values); with year and
month it would be about 3.

Who sees what:

=====================  ==========================  ===================  ===================
viewer                 ID number                   birth date           phone
=====================  ==========================  ===================  ===================
admin, HR (in scope)   full                        full                 full
the teacher (own)      masked (as before)          full                 full
principal              masked 220681********9104   year: ``1978``       full (their staff)
inspector, others      masked                      year                 masked 138****1234
=====================  ==========================  ===================  ===================

Use it through ``personal(viewer, teacher)`` in Python (exports, JSON) and ``personal(teacher)``
in templates (a Jinja global bound to the current user)::

    {% set p = personal(t) %}{{ p.id_number }} {{ p.birth_date }} {{ p.phone }}

Audit summaries store ID numbers masked and birth dates as the year (``mask_audit_diff``), since the
inspector reads the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from teachers.auth.permissions import has_permission, mask_id_number
from teachers.models import Role

FULL_PERMISSION = "teacher.view_id_number"


@dataclass(frozen=True)
class Personal:
    id_number: str
    birth_date: str
    phone: str
    full: bool  # whether the viewer sees everything (for a note on the page)


def sees_full(viewer: Any) -> bool:
    return has_permission(viewer, FULL_PERMISSION)


def mask_birth_date(value: date | str | None) -> str:
    """The year only: ``1978``."""
    if not value:
        return ""
    text = value.isoformat() if isinstance(value, date) else str(value)
    return text[:4]


def mask_phone(value: str | None) -> str:
    """Keep the first 3 and the last 4 digits of a mobile number; a short number is hidden whole."""
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def personal(viewer: Any, teacher: Any) -> Personal:
    """The teacher's ID number, birth date (ISO or year) and phone as ``viewer`` may see them."""
    full = sees_full(viewer)
    own = getattr(viewer, "role", None) == Role.TEACHER and getattr(viewer, "teacher_id", None) == teacher.id
    birth = teacher.birth_date.isoformat() if teacher.birth_date else ""
    id_number = teacher.id_number or ""
    phone = teacher.phone or ""
    return Personal(
        id_number=id_number if full else mask_id_number(id_number),
        birth_date=birth if (full or own) else mask_birth_date(teacher.birth_date),
        phone=phone if (full or own or getattr(viewer, "role", None) == Role.PRINCIPAL) else mask_phone(phone),
        full=full,
    )


def mask_audit_diff(diff: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """An audit summary {field: [old, new]} with the ID number masked and birth dates cut to the year."""
    if "id_number" in diff:
        diff["id_number"] = [mask_id_number(v) for v in diff["id_number"]]
    if "birth_date" in diff:
        diff["birth_date"] = [mask_birth_date(v) for v in diff["birth_date"]]
    return diff

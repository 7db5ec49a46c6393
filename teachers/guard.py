"""The last line against bad values: every column value of every model is checked at flush.

Forms check first (``teachers.forms``) and say which field is wrong; this guard catches what a
service, an import or a command lets through: strings with control or bidi characters, integers
outside the column's range (PostgreSQL INTEGER is 32-bit; SQLite would fail on > 64 bits), floats
that are not finite, dates outside 1900–2100. It raises a ``DomainError`` naming the attribute, so
the view shows a message and nothing is written.
"""

from __future__ import annotations

import math
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from teachers import text
from teachers.errors import DomainError


class UnsafeValue(DomainError):
    pass


def get(model, raw_id):
    """``db.session.get`` for an id from outside (a form, a URL, an import): None unless ``raw_id`` is an integer
    within the range of an id column, so a huge or malformed id never reaches the database."""
    from teachers.extensions import db

    number = text.parse_int(raw_id, minimum=1)
    return None if number is None else db.session.get(model, number)


def _check(key: str, column: sa.Column, value) -> None:
    if value is None:
        return
    kind = column.type
    impl = getattr(kind, "impl", kind)
    if isinstance(value, str) and isinstance(impl, (sa.String, sa.Text)) and not isinstance(impl, sa.Enum):
        bad = text.bad_character(value, multiline=True)
        if bad:
            raise UnsafeValue(_("“%(field)s”含有不允许的字符（%(char)s）。", field=key, char=bad), field=key)
    elif isinstance(value, int) and not isinstance(value, bool) and isinstance(impl, sa.Integer):
        low, high = ((text.INT64_MIN, text.INT64_MAX) if isinstance(impl, sa.BigInteger)
                     else (text.INT32_MIN, text.INT32_MAX))
        if not low <= value <= high:
            raise UnsafeValue(_("“%(field)s”超出允许范围。", field=key), field=key)
    elif isinstance(value, float) and not math.isfinite(value):
        raise UnsafeValue(_("“%(field)s”应为有限的数值。", field=key), field=key)
    elif isinstance(impl, sa.JSON) and isinstance(value, (list, dict)):
        for item in _strings(value):
            bad = text.bad_character(item, multiline=True)
            if bad:
                raise UnsafeValue(_("“%(field)s”含有不允许的字符（%(char)s）。", field=key, char=bad), field=key)
    elif isinstance(value, (date, datetime)) and not text.date_in_range(value):
        raise UnsafeValue(_("“%(field)s”应在 %(min)s 至 %(max)s 之间。", field=key, min=text.DATE_MIN.isoformat(),
                            max=text.DATE_MAX.isoformat()), field=key)


def _strings(value):
    if isinstance(value, float) and not math.isfinite(value):
        yield "\x00"  # a JSON NaN or Infinity is refused like a control character
    elif isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def check_object(obj, *, new: bool = True) -> None:
    """Check ``obj``'s column values: all of them when it is new, the changed ones otherwise."""
    state = sa.inspect(obj)
    for attr in state.mapper.column_attrs:
        if len(attr.columns) != 1 or not isinstance(attr.columns[0], sa.Column):
            continue
        if new:
            value = state.dict.get(attr.key)
        else:
            added = state.attrs[attr.key].history.added
            if not added:
                continue
            value = added[0]
        _check(attr.key, attr.columns[0], value)


def check_values(model, rows) -> None:
    """The same checks for rows written in bulk (``insert(model)`` with a list of dicts, which no flush sees)."""
    columns = model.__table__.c
    for values in rows:
        for key, value in values.items():
            column = columns.get(key)
            if column is not None:
                _check(key, column, value)


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _guard_values(session, _flush_context, _instances) -> None:
    for obj in session.new:
        check_object(obj, new=True)
    for obj in session.dirty:
        check_object(obj, new=False)

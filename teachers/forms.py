"""The base of every form: ``Form`` (with CSRF) and ``QueryForm`` (filters read from the query string).

Each field gets the rules of ``teachers.text`` ahead of its own validators, so no form can accept a
control character, a bidi override, a non-ASCII or out-of-range number, ``nan``/``inf`` or a date
outside 1900–2100, and each refusal is a message at the field that names it. Forms elsewhere must
derive from these (a test walks every form class in the package).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeField, DecimalField, FloatField, IntegerField, StringField, TextAreaField
from wtforms.fields.choices import SelectFieldBase
from wtforms.validators import StopValidation

from teachers import text

BAD_TEXT = _l("“%(field)s”含有不允许的字符（%(char)s，控制字符或文字方向控制符），请删除后重试。")
BAD_INT = _l("“%(field)s”应为 %(min)s 至 %(max)s 之间的整数（半角数字）。")
BAD_NUMBER = _l("“%(field)s”应为有限的数值（半角数字）。")
BAD_DATE = _l("“%(field)s”应在 %(min)s 至 %(max)s 之间。")


def _raw(field) -> str | None:
    raw = field.raw_data[0] if field.raw_data else None
    return raw if isinstance(raw, str) and raw.strip() != "" else None


def text_rule(form, field) -> None:
    multiline = isinstance(field, TextAreaField)
    bad = next((b for raw in field.raw_data or () if isinstance(raw, str)
                for b in [text.bad_character(raw, multiline=multiline)] if b), None)
    if bad:
        field.errors[:] = []
        raise StopValidation(str(BAD_TEXT) % {"field": field.label.text, "char": bad})


def int_rule(form, field) -> None:
    value = _raw(field)
    if value is None or field.process_errors:  # unreadable: the field's own message says so
        return
    low, high = getattr(field, "bounds", (text.INT32_MIN, text.INT32_MAX))
    if text.parse_int(value, minimum=low, maximum=high) is None:
        field.errors[:] = []
        field.data = None
        raise StopValidation(str(BAD_INT) % {"field": field.label.text, "min": low, "max": high})


def float_rule(form, field) -> None:
    value = _raw(field)
    if value is None or field.process_errors:
        return
    if text.parse_float(value) is None:
        field.errors[:] = []
        field.data = None
        raise StopValidation(str(BAD_NUMBER) % {"field": field.label.text})


def date_rule(form, field) -> None:
    if field.data is not None and not field.errors and not text.date_in_range(field.data):
        field.data = None
        raise StopValidation(str(BAD_DATE) % {"field": field.label.text, "min": text.DATE_MIN.isoformat(),
                                              "max": text.DATE_MAX.isoformat()})


def rules_for(field) -> list:
    if isinstance(field, (StringField, SelectFieldBase)):
        return [text_rule]
    if isinstance(field, IntegerField):
        return [int_rule]
    if isinstance(field, (FloatField, DecimalField)):
        return [float_rule]
    if isinstance(field, (DateField, DateTimeField)):
        return [date_rule]
    return []


class _GuardedMeta:
    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        rules = rules_for(field)
        if rules:
            field.validators = [*rules, *field.validators]
        return field


class Form(FlaskForm):
    """Every POSTed form of the application (CSRF on)."""

    class Meta(_GuardedMeta, FlaskForm.Meta):
        pass


class QueryForm(Form):
    """Filter bars read from the query string (no CSRF: they change nothing). After ``validate()`` a field
    with an error holds None, so a refused filter (``q=\x00``) is dropped, its message shown, never queried."""

    class Meta(_GuardedMeta, FlaskForm.Meta):
        csrf = False

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for field in self:
            # Optional() ends a field's checks on blank input and clears the choice check's error, so a
            # filter of spaces (area=" ") would reach the query: blank is "no filter", like empty.
            if field.errors or (isinstance(field.data, str) and not field.data.strip()):
                field.data = None
        return ok

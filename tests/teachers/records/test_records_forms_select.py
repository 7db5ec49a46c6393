"""The forms' select widget writes its options directly (speed at prefecture scale); its HTML must stay
byte for byte what WTForms' own Select writes, escaping included."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectField, widgets
from wtforms.fields.choices import SelectChoice

from teachers.records.forms import FastSelect

CHOICES = [("", "全部"), ("1", "临江市第一小学（LJ-P01）"), ("2", 'a "quoted" <b>&</b> name'), ('3"x', "odd value"),
           (True, "yes")]


def _render(widget, value, render_kw_choice=False):
    choices = [SelectChoice(v, label) for v, label in CHOICES]
    if render_kw_choice:
        choices.append(SelectChoice("9", "with attrs", render_kw={"disabled": True, "data_x": "y"}))

    class F(Form):
        school = SelectField("学校", choices=choices, widget=widget, coerce=str)

    form = F(formdata=MultiDict({"school": value}))
    return str(form.school())


def test_fast_select_renders_exactly_what_wtforms_renders():
    for value in ("", "1", "2", '3"x', "True", "missing"):
        for with_kw in (False, True):
            assert _render(FastSelect(), value, with_kw) == _render(widgets.Select(), value, with_kw)
    html = _render(FastSelect(), "2")
    assert '<option selected value="2">a &#34;quoted&#34; &lt;b&gt;&amp;&lt;/b&gt; name</option>' in html

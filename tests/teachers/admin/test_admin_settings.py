"""County policy settings: shown to admin/HR/inspector, saved only by admin, validated all-or-nothing, audited."""

import pytest
from sqlalchemy import select

from teachers import policy
from teachers.extensions import db
from teachers.models import AuditEvent, County, Role
from tests import factories as f
from tests.conftest import login


@pytest.fixture
def county(app):
    c = f.county("临江市")
    f.user("admin", Role.ADMIN)
    f.user("hr", Role.HR, county_obj=c)
    f.user("inspector", Role.INSPECTOR, county_obj=c)
    f.user("principal", Role.PRINCIPAL, school_obj=f.school(c))
    db.session.commit()
    return c


def form(**changes):
    # As a browser sends it: a checkbox (bool setting) is sent only when ticked.
    data = {s.key: "，".join(s.default) if isinstance(s.default, list) else "on" if s.default is True else str(s.default)
            for s in policy.SETTINGS if s.default is not False}
    data.update({k: str(v) for k, v in changes.items()})
    return data


def stored(county_id):
    db.session.expire_all()
    return db.session.get(County, county_id).policy


def test_admin_sees_every_setting_with_default_source_and_unverified_note(client, county):
    login(client, "admin")
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "临江市 政策参数" in page
    for s in policy.SETTINGS:
        assert s.label_zh in page
        assert f'name="{s.key}"' in page
    assert page.count("未核实</span>") == sum(not s.verified for s in policy.SETTINGS)
    assert policy.SOURCE_2014 in page
    assert 'name="csrf_token"' in page


def test_english_labels(client, county):
    login(client, "admin")
    client.post("/lang/en")
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "Years at one school before rotation" in page
    assert "同校连续任教满（年）可交流" not in page


@pytest.mark.parametrize("username", ["hr", "inspector"])
def test_hr_and_inspector_read_only(client, county, username):
    login(client, username)
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "同校连续任教满（年）可交流" in page
    assert 'name="min_years_at_school"' not in page and "保存全部参数" not in page
    assert client.post("/admin/settings", data=form(min_years_at_school=4)).status_code == 403
    assert stored(county.id) == {}


def test_principal_cannot_see_settings(client, county):
    login(client, "principal")
    assert client.get("/admin/settings").status_code == 403


def test_admin_saves_and_audits_the_diff(client, county):
    login(client, "admin")
    resp = client.post(f"/admin/settings?county={county.id}", data=form(min_years_at_school=5, rotation_share="0.12",
                                                                         backbone_share_base="eligible"))
    assert resp.status_code == 302
    assert stored(county.id) == {"min_years_at_school": 5, "rotation_share": 0.12, "backbone_share_base": "eligible"}
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "settings.changed"))
    assert event.summary == {"min_years_at_school": [6, 5], "rotation_share": [0.1, 0.12],
                             "backbone_share_base": ["moves", "eligible"]}
    assert event.object_type == "county" and event.object_id == str(county.id)
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "本县设定" in page
    # Back to the default: the override is dropped, the audit shows it.
    client.post("/admin/settings", data=form(rotation_share="0.12", backbone_share_base="eligible"))
    assert stored(county.id) == {"rotation_share": 0.12, "backbone_share_base": "eligible"}


def test_subject_lists(client, county):
    login(client, "admin")
    resp = client.post("/admin/settings", data=form(required_subjects_primary="语文, 数学，体育"))
    assert resp.status_code == 302
    assert stored(county.id) == {"required_subjects_primary": ["语文", "数学", "体育"]}
    assert 'value="语文，数学，体育"' in client.get("/admin/settings").get_data(as_text=True)


def test_unchanged_save_records_nothing(client, county):
    login(client, "admin")
    assert client.post("/admin/settings", data=form()).status_code == 302
    assert stored(county.id) == {}
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "settings.changed")) is None


@pytest.mark.parametrize("changes,message", [
    ({"min_years_at_school": "abc"}, "“同校连续任教满（年）可交流”应为 1 至 30 之间的整数。"),
    ({"min_years_at_school": "0"}, "“同校连续任教满（年）可交流”应为 1 至 30 之间的整数。"),
    ({"min_years_at_school": "6.5"}, "“同校连续任教满（年）可交流”应为 1 至 30 之间的整数。"),
    ({"rotation_share": "1.5"}, "“每年交流比例下限（占符合条件教师）”应为 0 至 1 之间的数值。"),
    ({"rotation_share": "0.2", "max_rotation_share": "0.15"},
     "“每年交流比例上限”不得低于“每年交流比例下限（占符合条件教师）”。"),
    ({"backbone_share_base": "all"}, "“骨干比例基数”只能取以下值之一：moves、eligible。"),
    ({"solver_time_limit_s": ""}, "请填写“求解时限（秒）”。"),
    ({"required_subjects_primary": " "}, "请填写“小学必开学科（交流后须保留至少一名教师）”。"),
])
def test_invalid_values_name_the_setting_and_save_nothing(client, county, changes, message):
    login(client, "admin")
    # a valid change alongside the bad one must not be saved either
    resp = client.post("/admin/settings", data=form(retirement_buffer_years=2, **changes))
    assert resp.status_code == 400
    assert message in resp.get_data(as_text=True)
    assert stored(county.id) == {}
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "settings.changed")) is None


def test_county_selector_and_scope(client, county):
    other = f.county("白山市")
    db.session.commit()
    login(client, "admin")
    page = client.get(f"/admin/settings?county={other.id}").get_data(as_text=True)
    assert "白山市 政策参数" in page and 'name="county"' in page
    client.post(f"/admin/settings?county={other.id}", data=form(exchange_term_years=2))
    assert stored(other.id) == {"exchange_term_years": 2} and stored(county.id) == {}
    client.post("/logout")
    login(client, "hr")  # HR of 临江市 only
    assert client.get(f"/admin/settings?county={other.id}").status_code == 404


def test_every_setting_choice_has_a_label_in_both_languages(app):
    """A choice is shown by what it means (本科, 县级, 校级骨干 …), never by its stored word."""
    from flask_babel import force_locale

    from teachers.labels import setting_value

    for lang in ("zh", "en"):
        with app.test_request_context(), force_locale(lang):
            for s in policy.SETTINGS:
                for choice in s.choices:
                    text = setting_value(s.key, choice)
                    assert text and text != choice, f"{s.key}={choice} ({lang}) has no label"
            assert setting_value("mentor_related_subjects", False) == ("否" if lang == "zh" else "No")


@pytest.mark.parametrize("username", ["admin", "inspector"])
def test_settings_page_shows_choices_and_yes_no_by_their_labels(client, county, username):
    import re

    login(client, username)
    page = client.get("/admin/settings").get_data(as_text=True)
    cells = re.sub(r'value="[^"]*"|name="[^"]*"|id="[^"]*"|<div class="hint">[a-z_]+</div>', "", page)
    for word in ("associate", "bachelor", "master", "county", "province", "eligible", "moves", "False", "True"):
        assert not re.search(rf">\s*{word}\s*<", cells), f"{word} shown raw"
    assert "本科" in page and "县级" in page and "校级骨干" in page

"""Account administration: list, create, edit, reset; errors at the field; audit; sessions ended."""

import pytest
from sqlalchemy import select

from teachers.extensions import db
from teachers.models import AuditEvent, Role, User, UserSession
from tests import factories as f
from tests.conftest import login

STRONG = "Strong#2027"


@pytest.fixture
def world(app):
    c = f.county("临江市")
    s = f.school(c, "建国小学")
    t = f.teacher(s, "王老师", staff_no="LJ0001")
    f.user("admin", Role.ADMIN)
    f.user("hr", Role.HR, county_obj=c)
    f.user("inspector", Role.INSPECTOR, county_obj=c)
    f.user("principal", Role.PRINCIPAL, school_obj=s)
    db.session.commit()
    return {"county": c, "school": s, "teacher": t}


def user_named(name):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == name))


def events(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def new_user_form(**kw):
    data = {"username": "newbie", "display_name": "新人", "password": STRONG, "role": "hr", "school_id": "",
            "staff_no": "", "county_id": ""}
    data.update(kw)
    return data


@pytest.mark.parametrize("username", ["hr", "inspector", "principal"])
def test_only_admin_manages_users(client, world, username):
    login(client, username)
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/users/new").status_code == 403
    assert client.post("/admin/users/new", data=new_user_form()).status_code == 403
    target = user_named("admin")
    assert client.post(f"/admin/users/{target.id}/edit", data={"role": "hr"}).status_code == 403
    assert client.post(f"/admin/users/{target.id}/password",
                       data={"reset-password": STRONG, "reset-confirm": STRONG}).status_code == 403
    assert user_named("newbie") is None
    assert user_named("admin").role == Role.ADMIN


def test_anonymous_is_sent_to_login(client, world):
    resp = client.get("/admin/users")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_list_filters_by_role_and_search(client, world):
    login(client, "admin")
    page = client.get("/admin/users?role=principal").get_data(as_text=True)
    assert ">principal<" in page and ">hr<" not in page and "共 1 个账号" in page
    page = client.get("/admin/users?q=INSP").get_data(as_text=True)
    assert ">inspector<" in page and ">admin<" not in page
    page = client.get("/admin/users?q=%25").get_data(as_text=True)  # a literal %, not a wildcard
    assert "没有符合条件的账号" in page


def test_create_hr_account(client, world):
    login(client, "admin")
    resp = client.post("/admin/users/new", data=new_user_form(county_id=str(world["county"].id)))
    assert resp.status_code == 302
    user = user_named("newbie")
    assert user.role == Role.HR and user.county_id == world["county"].id and user.display_name == "新人"
    assert events("user.created")[0].object_id == str(user.id)
    client.post("/logout")
    assert login(client, "newbie", STRONG).status_code == 302


def test_create_teacher_by_staff_number(client, world):
    login(client, "admin")
    resp = client.post("/admin/users/new", data=new_user_form(role="teacher", staff_no=" LJ0001 "))
    assert resp.status_code == 302
    assert user_named("newbie").teacher_id == world["teacher"].id


@pytest.mark.parametrize("data,field_message", [
    ({"username": "HR"}, "用户名“HR”已被使用。"),
    ({"role": "principal"}, "校长账号必须指定所在学校。"),
    ({"role": "teacher"}, "教师账号必须关联教师档案，请填写教师工号。"),
    ({"role": "teacher", "staff_no": "NOPE"}, "找不到工号为“NOPE”的教师档案。"),
    ({"password": "weakpass"}, "密码需包含大写字母、小写字母、数字、符号中的至少三类。"),
    ({"password": "Ab#1"}, "密码至少需要 8 位。"),
    ({"username": "有 空格"}, "用户名只能包含字母、数字和 _ . @ -。"),
    ({"username": ""}, "请填写用户名。"),
    ({"county_id": "999"}, "所选县（市、区）不存在。"),
])
def test_create_errors_at_the_field(client, world, data, field_message):
    login(client, "admin")
    resp = client.post("/admin/users/new", data=new_user_form(**{"county_id": str(world["county"].id), **data}))
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert f'<div class="error" role="alert">{field_message}</div>' in page
    assert user_named("newbie") is None
    assert not events("user.created")


def test_teacher_record_already_taken(client, world):
    f.user("wang", Role.TEACHER, teacher_obj=world["teacher"])
    db.session.commit()
    login(client, "admin")
    resp = client.post("/admin/users/new", data=new_user_form(role="teacher", staff_no="LJ0001"))
    assert resp.status_code == 400
    assert "该教师已有账号：wang。" in resp.get_data(as_text=True)


def test_create_principal_with_school(client, world):
    login(client, "admin")
    resp = client.post("/admin/users/new", data=new_user_form(role="principal", school_id=str(world["school"].id)))
    assert resp.status_code == 302
    assert user_named("newbie").school_id == world["school"].id


def start_session_for(twin, username):
    """Log ``username`` in with a client of the twin app; returns that client (its session is live)."""
    other = twin.test_client()
    assert login(other, username).status_code == 302
    assert other.get("/").status_code == 200
    return other


def edit_form(user, **kw):
    data = {"display_name": user.display_name, "role": user.role.value, "active": "y",
            "school_id": str(user.school_id or ""), "staff_no": "", "county_id": str(user.county_id or "")}
    data.update(kw)
    return data


def test_role_change_is_audited_and_ends_sessions(twin, client, world):
    hr_client = start_session_for(twin, "hr")
    login(client, "admin")
    hr = user_named("hr")
    resp = client.post(f"/admin/users/{hr.id}/edit", data=edit_form(hr, role="inspector"))
    assert resp.status_code == 302
    assert user_named("hr").role == Role.INSPECTOR
    [event] = events("user.role_changed")
    assert event.summary["role"] == ["hr", "inspector"]
    assert event.actor_username == "admin"
    assert hr_client.get("/").status_code == 302  # sent back to login
    assert db.session.scalar(select(UserSession).where(UserSession.user_id == hr.id,
                                                       UserSession.revoked_at.is_(None))) is None


def test_deactivation_is_audited_and_ends_sessions(twin, client, world):
    hr_client = start_session_for(twin, "hr")
    login(client, "admin")
    hr = user_named("hr")
    data = edit_form(hr)
    del data["active"]  # an unchecked box is absent from the form
    assert client.post(f"/admin/users/{hr.id}/edit", data=data).status_code == 302
    assert user_named("hr").active is False
    assert events("user.deactivated")
    assert hr_client.get("/").status_code == 302
    assert login(twin.test_client(), "hr").status_code == 200  # refused, form shown again


def test_display_name_change_keeps_sessions(twin, client, world):
    hr_client = start_session_for(twin, "hr")
    login(client, "admin")
    hr = user_named("hr")
    assert client.post(f"/admin/users/{hr.id}/edit", data=edit_form(hr, display_name="人事科张")).status_code == 302
    assert user_named("hr").display_name == "人事科张"
    assert events("user.updated")[0].summary == {"display_name": ["hr", "人事科张"]}
    assert hr_client.get("/").status_code == 200


def test_edit_errors(client, world):
    login(client, "admin")
    hr = user_named("hr")
    resp = client.post(f"/admin/users/{hr.id}/edit", data=edit_form(hr, role="principal", school_id=""))
    assert resp.status_code == 400
    assert "校长账号必须指定所在学校。" in resp.get_data(as_text=True)
    resp = client.post(f"/admin/users/{hr.id}/edit", data=edit_form(hr, role="teacher"))
    assert resp.status_code == 400
    assert "请填写教师工号" in resp.get_data(as_text=True)
    assert user_named("hr").role == Role.HR
    admin = user_named("admin")
    resp = client.post(f"/admin/users/{admin.id}/edit", data=edit_form(admin, role="hr"))
    assert resp.status_code == 400
    assert "不能停用自己的账号或取消自己的管理员角色。" in resp.get_data(as_text=True)
    assert client.get("/admin/users/9999/edit").status_code == 404


def test_teacher_account_keeps_its_own_record(client, world):
    wang = f.user("wang", Role.TEACHER, teacher_obj=world["teacher"])
    db.session.commit()
    login(client, "admin")
    page = client.get(f"/admin/users/{wang.id}/edit").get_data(as_text=True)
    assert 'value="LJ0001"' in page
    resp = client.post(f"/admin/users/{wang.id}/edit", data=edit_form(wang, staff_no="LJ0001", display_name="王"))
    assert resp.status_code == 302
    assert user_named("wang").teacher_id == world["teacher"].id


def test_password_reset(twin, client, world):
    hr_client = start_session_for(twin, "hr")
    hr = user_named("hr")
    hr.failed_logins = 3
    db.session.commit()
    login(client, "admin")
    resp = client.post(f"/admin/users/{hr.id}/password", data={"reset-password": "weak", "reset-confirm": "weak"})
    assert resp.status_code == 400
    assert "密码至少需要 8 位。" in resp.get_data(as_text=True)
    resp = client.post(f"/admin/users/{hr.id}/password",
                       data={"reset-password": STRONG, "reset-confirm": STRONG + "x"})
    assert resp.status_code == 400 and "两次填写的新密码不一致。" in resp.get_data(as_text=True)
    assert not events("user.password_reset")
    resp = client.post(f"/admin/users/{hr.id}/password", data={"reset-password": STRONG, "reset-confirm": STRONG})
    assert resp.status_code == 302
    assert events("user.password_reset")[0].object_id == str(hr.id)
    assert user_named("hr").failed_logins == 0
    assert hr_client.get("/").status_code == 302
    assert login(twin.test_client(), "hr", STRONG).status_code == 302

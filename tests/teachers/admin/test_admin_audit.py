"""The audit log page: who may read it, newest first, filters, paging; nothing changes it."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from teachers.extensions import db
from teachers.models import AuditEvent, Role, User
from tests import factories as f
from tests.conftest import login


@pytest.fixture
def trail(app):
    c = f.county()
    admin = f.user("admin", Role.ADMIN)
    f.user("inspector", Role.INSPECTOR, county_obj=c)
    hr = f.user("hr", Role.HR, county_obj=c)
    principal = f.user("principal", Role.PRINCIPAL, school_obj=f.school(c))
    # Three events at known instants (UTC) on objects of the county (so its inspector reads them too);
    # 2026-03-01 23:30 UTC is 2026-03-02 07:30 in Shanghai.
    for at, action, obj_id in [
        (datetime(2026, 3, 1, 1, 0, tzinfo=UTC), "user.created", str(hr.id)),
        (datetime(2026, 3, 1, 23, 30, tzinfo=UTC), "settings.changed", str(c.id)),
        (datetime(2026, 3, 5, 8, 0, tzinfo=UTC), "user.role_changed", str(principal.id)),
    ]:
        db.session.add(AuditEvent(at=at, actor_id=admin.id, actor_username="admin", action=action,
                                  object_type="user_account" if action != "settings.changed" else "county",
                                  object_id=obj_id, summary={"note": action}))
    db.session.commit()
    return admin


def rows(page: str) -> list[str]:
    body = page[page.index('<table id="audit">'):page.index("</table>")]
    return [line for line in body.split("<tr>")[2:]]


@pytest.mark.parametrize("username", ["hr", "principal"])
def test_forbidden_roles(client, trail, username):
    login(client, username)
    assert client.get("/admin/audit").status_code == 403


@pytest.mark.parametrize("username", ["admin", "inspector"])
def test_newest_first(client, trail, username):
    login(client, username)
    page = client.get("/admin/audit?action=").get_data(as_text=True)
    actions = [a for r in rows(page) for a in ("user.created", "settings.changed", "user.role_changed", "auth.login")
               if f'<div class="hint">{a}</div>' in r]
    assert actions[0] == "auth.login"  # this very login is the newest event
    assert actions[-3:] == ["user.role_changed", "settings.changed", "user.created"]
    assert "2026-03-02 07:30:00" in page  # shown in the bureau's time zone


def test_filters(client, trail):
    login(client, "inspector")
    page = client.get("/admin/audit?action=user.created").get_data(as_text=True)
    assert "共 1 条记录" in page and "2026-03-01 09:00:00" in page
    page = client.get("/admin/audit?actor=ADMIN").get_data(as_text=True)
    assert "共 3 条记录" in page
    page = client.get("/admin/audit?date_from=2026-03-02&date_to=2026-03-02").get_data(as_text=True)
    assert "共 1 条记录" in page and "settings.changed" in rows(page)[0]
    principal = db.session.scalar(select(User).where(User.username == "principal"))
    page = client.get(f"/admin/audit?object_type=user_account&object_id={principal.id}").get_data(as_text=True)
    assert "共 1 条记录" in page and "user.role_changed" in rows(page)[0]
    page = client.get("/admin/audit?date_from=not-a-date").get_data(as_text=True)
    assert "共 4 条记录" in page  # the bad date is ignored (and flagged at the field)


def test_paging(client, trail, app):
    app.config["PAGE_SIZE"] = 2
    login(client, "admin")
    first = client.get("/admin/audit").get_data(as_text=True)
    assert "第 1 / 2 页" in first and len(rows(first)) == 2
    second = client.get("/admin/audit?page=2").get_data(as_text=True)
    assert len(rows(second)) == 2 and "user.created" in rows(second)[-1]


def test_read_only(client, trail):
    login(client, "admin")
    assert client.post("/admin/audit").status_code == 405
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 4


def _recorded_actions() -> set[str]:
    """Every action the code writes to the audit trail: the literal ones found in the source, and
    the ones built from a value (training.<action>, rotation.rule.<kind>, export.<kind>, user.*)."""
    import ast
    from pathlib import Path

    from teachers.io import exports
    from teachers.models import RuleKind

    found = set()
    for path in (Path(__file__).resolve().parents[3] / "teachers").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "record"
                    and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
                    and isinstance(node.args[1].value, str)):
                found.add(node.args[1].value)
    found |= {f"training.{a}" for a in ("verify", "confirm", "reject")}
    found |= {f"rotation.rule.{k.value}" for k in RuleKind}
    found |= {exports.ACTIONS.get(k, f"export.{k}") for k in ("teachers", "national", "schools", "training", "plan",
                                                              "final_list")}
    found |= {"user.updated", "user.role_changed", "user.deactivated", "achievement.verify", "achievement.reject"}
    return found


def test_every_recorded_action_and_object_has_a_name_in_both_languages(app):
    from flask_babel import force_locale

    from teachers.admin.views import ACTION_LABELS, OBJECT_LABELS

    actions = _recorded_actions()
    assert len(actions) > 40
    assert sorted(actions - ACTION_LABELS.keys()) == []
    # objects are named by their table (audit.record) or given explicitly (object_type="…")
    assert {"county", "prefecture", "school", "teacher", "user_account", "export", "rotation_round", "rotation_move",
            "solve_run", "training_record", "achievement", "mentor_pair", "programme"} <= OBJECT_LABELS.keys()
    for lang in ("zh", "en"):
        with app.test_request_context(), force_locale(lang):
            for key, text in {**ACTION_LABELS, **OBJECT_LABELS}.items():
                chinese = bool(re.search(r"[\u4e00-\u9fff]", str(text)))
                assert str(text) != key and chinese == (lang == "zh"), (lang, key, str(text))


def test_audit_page_names_objects_and_actions(client, trail):
    login(client, "admin")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert '<option value="county">县（市、区）</option>' in page
    assert '<option value="user_account">账号</option>' in page
    hr = db.session.scalar(select(User).where(User.username == "hr"))
    assert f"<td>账号 #{hr.id}</td>" in page and f"<td>user_account #{hr.id}</td>" not in page

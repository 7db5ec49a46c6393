"""The rotation pages over the services: bad input answered at the field in the user's language with
nothing saved, refusals as messages (never an error page), the progress JSON, review and downloads."""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select

from teachers.extensions import db
from teachers.models import RotationMove, RotationRound, SolveRun, Wish
from teachers.rotation import decisions, services
from tests.conftest import login
from tests.teachers.rotation.conftest import TODAY
from tests.teachers.rotation.test_workflow import solved_round


def _form(client, url):
    """The values a form page shows (inputs and selected options), as a browser would post them."""
    html = client.get(url).get_data(as_text=True)
    values = dict(re.findall(r'<input type="(?:text|date)" id="f-[a-z_]+" name="([a-z_]+)" value="([^"]*)"', html))
    for name, body in re.findall(r'<select id="f-[a-z_]+" name="([a-z_]+)">(.*?)</select>', html, re.DOTALL):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        values[name] = chosen.group(1) if chosen else ""
    values.update(dict(re.findall(r'<input type="hidden" name="(county_id|year)" value="([^"]*)"', html)))
    return values


def _rounds() -> int:
    return db.session.scalar(select(func.count()).select_from(RotationRound))


def test_opening_a_round_prefills_the_county_and_refuses_windows_out_of_order(app, client, small):
    small.county.policy = {**small.county.policy, "max_outflow_share": 0.2}
    db.session.commit()
    app.config["TODAY"] = TODAY
    login(client, small.hr.username)
    page = client.get("/rotation/new").get_data(as_text=True)
    assert 'id="f-max_outflow_share" name="max_outflow_share" value="0.2"' in page  # the county's own value
    assert "未核实" in page  # a source marked unverified
    values = _form(client, "/rotation/new")
    bad = {**values, "decision_opens": values["wish_opens"]}  # overlaps the wish window
    response = client.post("/rotation/new", data=bad)
    assert response.status_code == 400
    assert "各阶段的时间不能重叠" in response.get_data(as_text=True)
    assert _rounds() == 0
    out_of_range = {**values, "rotation_share": "1.5"}
    response = client.post("/rotation/new", data=out_of_range)
    assert response.status_code == 400 and 'id="f-rotation_share"' in response.get_data(as_text=True)
    assert _rounds() == 0
    client.post("/lang/en")
    response = client.post("/rotation/new", data={**values, "term_years": "5"})
    assert response.status_code == 400 and "The term must be 1 to 3 years." in response.get_data(as_text=True)
    assert _rounds() == 0
    response = client.post("/rotation/new", data=values)
    assert response.status_code == 302 and _rounds() == 1


def test_a_wish_for_a_school_the_rules_forbid_is_refused(app, client, small):
    app.config["TODAY"] = TODAY
    rnd = services.open_round(small.hr, small.county.id, 2027, today=TODAY)
    services.open_wishes(small.hr, rnd.id)
    db.session.commit()
    teacher = next(t for t in small.teachers if t.working_school.area.value == "urban"
                   and services.wish_status(small.teacher_users[t.id], rnd.id, today=TODAY).eligible)
    other_urban = next(s for s in small.schools if s.area.value == "urban" and s.id != teacher.working_school_id)
    login(client, teacher.staff_no)
    page = client.get(f"/rotation/{rnd.id}/wishes").get_data(as_text=True)
    assert f'<option value="{other_urban.id}"' not in page  # only allowed schools are offered
    response = client.post(f"/rotation/{rnd.id}/wishes", data={"wish_1": str(other_urban.id)})
    assert response.status_code == 400 and "不符合交流规则" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Wish)) == 0


def test_solving_progress_review_downloads_and_a_second_solve(app, client, small):
    app.config["TODAY"] = TODAY
    rnd, run, _wisher = solved_round(small)
    login(client, small.hr.username)
    status = client.get(f"/rotation/runs/{run.id}/status").get_json()
    assert status["finished"] is True and status["status"] == "succeeded" and status["objective"] is not None
    page = client.get(f"/rotation/runs/{run.id}").get_data(as_text=True)
    assert 'id="plan-move-table"' in page and 'id="plan-chart-data"' in page and "H8" in page
    assert "years at the school" not in page  # reasons in Chinese for a Chinese reader
    data = json.loads(re.search(r'id="plan-chart-data">(.*?)</script>', page, re.DOTALL).group(1))
    assert data["cv"] and data["schools"]
    plan = client.get(f"/rotation/runs/{run.id}/plan.json")
    assert plan.status_code == 200 and "attachment" in plan.headers["Content-Disposition"]
    assert json.loads(plan.data)["format"] == "rotation-plan/1"
    # a second solve while one is queued is refused with a message, not an error page
    db.session.add(SolveRun(round_id=rnd.id, county_id=rnd.county_id, instance={}, time_limit_s=5))
    db.session.commit()
    response = client.post(f"/rotation/{rnd.id}/solve", follow_redirects=True)
    assert response.status_code == 200 and "已有一个求解在进行中" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SolveRun)) == 2


def test_a_pin_that_breaks_a_hard_rule_is_refused(app, client, small):
    app.config["TODAY"] = TODAY
    rnd, run, _wisher = solved_round(small)
    teacher = small.teachers[0]
    same_area = next(s for s in small.schools if s.area == teacher.working_school.area and s.id != teacher.working_school_id)
    login(client, small.hr.username)
    response = client.post(f"/rotation/{rnd.id}/rules", data={"kind": "pin", "teacher": teacher.staff_no,
                                                               "school": same_area.code, "back": f"/rotation/runs/{run.id}"},
                           follow_redirects=True)
    assert response.status_code == 200 and "H2" in response.get_data(as_text=True)
    assert services.list_rules(small.hr, rnd.id) == []


def test_decisions_outside_their_window_and_a_late_second_decision_are_messages(app, client, small):
    app.config["TODAY"] = TODAY
    rnd, run, _wisher = solved_round(small)
    decisions.publish(small.hr, rnd.id, run.id)
    db.session.commit()
    move = db.session.scalars(select(RotationMove).where(RotationMove.round_id == rnd.id)).first()
    principal = small.principal_of(move.from_school_id)
    login(client, principal.username)
    app.config["TODAY"] = rnd.decision_opens.replace(day=1) if rnd.decision_opens.day > 1 else rnd.wish_opens
    response = client.post(f"/rotation/moves/{move.id}/decide", data={"approve": "1"}, follow_redirects=True)
    assert response.status_code == 200 and "现在不能办理" in response.get_data(as_text=True)
    app.config["TODAY"] = rnd.decision_opens
    page = client.get(f"/rotation/moves/{move.id}").get_data(as_text=True)
    assert 'id="approve"' in page
    # a rejection needs a reason
    response = client.post(f"/rotation/moves/{move.id}/decide", data={"approve": "0"}, follow_redirects=True)
    assert "不同意时请填写原因" in response.get_data(as_text=True)
    assert client.post(f"/rotation/moves/{move.id}/decide", data={"approve": "1"}).status_code == 302
    # the same decision posted again from a stale page: a clear message, the first decision stands
    response = client.post(f"/rotation/moves/{move.id}/decide", data={"approve": "0", "reason": "晚了"},
                           follow_redirects=True)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "已有审批结果" in text or "当前状态下不能" in text
    db.session.expire_all()
    assert db.session.get(RotationMove, move.id).sending_reason == ""
    # a teacher sees only their own move; another teacher's is a 404
    client.post("/logout")
    stranger = next(t for t in small.teachers if t.id != move.teacher_id)
    login(client, stranger.staff_no)
    assert client.get(f"/rotation/moves/{move.id}").status_code == 404


def test_an_infeasible_plan_says_why_and_cannot_be_published(app, client, small):
    app.config["TODAY"] = TODAY
    rnd, run, _wisher = solved_round(small)
    plan = {**run.plan, "status": "infeasible", "moves": [],
            "infeasibility": ["H3 要求至少交流 9 人（85 名符合条件教师的 10%），但只有 4 名符合条件的教师有可去的学校。"]}
    bad = SolveRun(round_id=rnd.id, county_id=rnd.county_id, instance=run.instance, plan=plan, time_limit_s=5,
                   status=run.status)
    db.session.add(bad)
    db.session.commit()
    login(client, small.hr.username)
    page = client.get(f"/rotation/runs/{bad.id}").get_data(as_text=True)
    assert "无法满足全部规则" in page and "85 名符合条件教师" in page and "交流比例" in page
    assert 'id="publish"' not in page


def test_the_review_reads_in_english_for_an_english_reader(app, client, small):
    app.config["TODAY"] = TODAY
    _rnd, run, _wisher = solved_round(small)
    login(client, small.hr.username)
    client.post("/lang/en")
    page = client.get(f"/rotation/runs/{run.id}").get_data(as_text=True)
    assert "two-way exchange" in page and "Compliance (H3–H8)" in page
    assert "双向交流" not in page and "合规检查" not in page


def test_round_form_shows_each_choice_by_its_label(app, client, small):
    """The round's copy of the policy shows 本科/县级/校级骨干…, never the stored word (the value stays)."""
    db.session.commit()
    app.config["TODAY"] = TODAY
    login(client, small.hr.username)
    page = client.get("/rotation/new").get_data(as_text=True)
    options = dict(re.findall(r'<option value="([a-z_]+)"[^>]*>([^<]*)</option>', page))
    assert options["bachelor"] == "本科" and options["eligible"] == "符合条件教师"
    assert all(text != value for value, text in options.items()), options
    client.post("/lang/en")
    page = client.get("/rotation/new").get_data(as_text=True)
    options = dict(re.findall(r'<option value="([a-z_]+)"[^>]*>([^<]*)</option>', page))
    assert options["bachelor"] == "Bachelor&#39;s degree" and options["eligible"] == "Eligible teachers", options


def test_round_page_shows_its_settings_by_their_labels(app, client, small):
    """The round's copy of the policy (read-only on its page) reads 本科, 校级骨干, 否 — not bachelor, school, False."""
    app.config["TODAY"] = TODAY
    rnd = services.open_round(small.hr, small.county.id, 2027, today=TODAY)
    db.session.commit()
    login(client, small.hr.username)
    page = client.get(f"/rotation/{rnd.id}").get_data(as_text=True)
    cells = re.findall(r'<th scope="row">[^<]*</th><td>([^<]*)</td>', page)
    assert len(cells) > 10
    assert "本科" in cells and "校级骨干" in cells and "否" in cells, cells
    assert not {"bachelor", "associate", "school", "county", "False", "True", "moves"} & set(cells), cells

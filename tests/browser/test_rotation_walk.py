"""The whole rotation round in chromium, on the demo county, with an injected clock.

HR opens a round → a teacher states wishes (phone width) → HR closes wishes, solves and watches the
progress → reviews the charts (and, when the wishing teacher was not proposed, pins them to their
first wish and solves again, comparing the two plans) → publishes → the sending and the receiving
principal approve → the teacher acknowledges → HR starts the public notice → HR confirms → on the
start date the daily carry-out runs and the teacher's working school and history show the exchange.

Every page is watched (tests/browser/conftest.py): a console error, a page error, a failed request
or an HTTP error answer fails the walk. ``SCREENSHOTS=docs/screenshots`` saves the README's pictures.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

from sqlalchemy import select

from tests.browser.conftest import log_in

SHOTS = os.environ.get("SCREENSHOTS")
PHONE = {"width": 390, "height": 844}


def shot(page, name: str, full: bool = True) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=full)


def set_today(server, day: date) -> None:
    server.app.config["TODAY"] = day


def flash_text(page) -> str:
    return " ".join(page.locator(".flash").all_inner_texts())


def _wishing_teacher(app, year: int):
    """An eligible demo teacher with an account, and the schools the rules allow them."""
    from teachers.extensions import db
    from teachers.models import County, Teacher, User
    from teachers.rotation import adapter

    with app.app_context():
        county = db.session.scalars(select(County)).one()
        eligible = sorted(adapter.eligible_teacher_ids([county], year))
        for teacher_id in eligible:
            teacher = db.session.get(Teacher, teacher_id)
            user = db.session.scalar(select(User).where(User.teacher_id == teacher_id))
            if user is not None and teacher.working_school.area.value == "urban":
                return user.username, teacher.name
    raise AssertionError("the demo county has no eligible urban teacher with an account")


def _new_user(browser, live_server, problems, *, phone=False):
    ctx = browser.new_context(base_url=live_server.url, locale="zh-CN",
                              viewport=PHONE if phone else {"width": 1280, "height": 900},
                              is_mobile=phone, has_touch=phone)
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    problems.watch(page, live_server.url)
    return ctx, page


def test_a_whole_round_in_the_browser(browser, live_server, problems, tmp_path):
    contexts = []

    def user(name: str, *, phone=False):
        ctx, page = _new_user(browser, live_server, problems, phone=phone)
        contexts.append(ctx)
        log_in(page, name)
        return page

    try:
        _walk(live_server, user, tmp_path)
    finally:
        for ctx in contexts:
            ctx.close()
    assert not problems, "the browser saw problems:\n" + "\n".join(problems)


def _walk(live_server, user, tmp):
    app = live_server.app
    set_today(live_server, date(2027, 5, 1))

    # 1. HR opens a round for the demo county: settings pre-filled from the county, sources cited
    hr = user("hr")
    hr.click("nav.mainnav >> text=交流轮岗")
    hr.click("#new-round")
    assert hr.locator("#round-settings tbody tr").count() >= 10
    assert "未核实" in hr.inner_text("#round-settings") or "依据" in hr.inner_text("#round-settings")
    assert hr.input_value("#f-wish_opens") == "2027-05-01"
    shot(hr, "rotation-open-round")
    hr.click("#save-round")
    hr.wait_for_url(re.compile(r"/rotation/\d+$"))
    round_url = hr.url
    round_id = int(round_url.rsplit("/", 1)[1])
    assert "草拟" in hr.inner_text("#round-state")
    hr.click("#open-wishes")
    assert "志愿填报已开始" in flash_text(hr)

    # 2. a teacher sees that they are eligible and why, and lists wishes (phone width)
    username, teacher_name = _wishing_teacher(app, 2027)
    teacher = user(username, phone=True)
    assert teacher.locator("#todos").inner_text().count("志愿填报已开始") == 1
    assert teacher.locator("#todo-count").inner_text() == "1"
    teacher.click("#todos button.link")
    teacher.wait_for_url(re.compile(rf"/rotation/{round_id}/wishes$"))
    assert teacher.locator("#eligible-yes").count() == 1
    assert "E1–E3" in teacher.inner_text("#eligibility-reason")
    options = teacher.locator("#wish_1 option").all()
    assert len(options) > 1
    first_choice = options[1].get_attribute("value")
    teacher.select_option("#wish_1", first_choice)
    if len(options) > 2:
        teacher.select_option("#wish_2", options[2].get_attribute("value"))
    assert _fits(teacher), "the wish page is wider than a phone"
    shot(teacher, "rotation-teacher-wishes")
    teacher.click("#save-wishes")
    assert "志愿已保存" in flash_text(teacher)
    assert teacher.locator("#todo-count").count() == 0  # the to-do closed

    # HR sees how many have answered, closes the wishes
    hr.goto(round_url)
    assert "已填报 1 人" in hr.inner_text("#wish-progress")
    hr.click("#close-wishes")
    assert "可以求解" in flash_text(hr)

    # 3. HR solves and watches the progress (polled, no reload until it ends)
    hr.fill("#time_limit_s", "8")
    hr.click("#solve")
    hr.wait_for_url(re.compile(r"/rotation/runs/\d+$"))
    first_run_url = hr.url
    assert hr.locator("#run-status").count() == 1
    shot(hr, "rotation-solving", full=False)
    hr.wait_for_selector("#plan-move-table", timeout=90_000)
    assert hr.locator("#plan-status").inner_text() in ("最优", "可行")
    hr.wait_for_selector("#chart-cv[data-ready='1'] canvas")
    hr.wait_for_selector("#chart-schools[data-ready='1'] canvas")
    compliance = hr.inner_text("#plan-compliance")
    for rule in ("H3", "H4", "H5", "H6", "H7", "H8"):
        assert rule in compliance
    reasons = hr.inner_text("#plan-move-table")
    assert "双向交流" in reasons and "years at the school" not in reasons
    # a stayer or an excluded teacher can be looked up with the reason
    hr.fill("#who", "LJ2026")
    hr.click("#plan-lookup button[type=submit]")
    assert "不符合交流条件" in hr.inner_text("#plan-lookup") or "留任" in hr.inner_text("#plan-lookup")
    # the instance and the plan download, and the checker accepts the pair
    _check_downloads(hr, tmp)
    hr.locator("#review").scroll_into_view_if_needed()
    shot(hr, "rotation-review", full=False)
    if SHOTS:
        hr.locator("#plan-charts").screenshot(path=str(Path(SHOTS) / "rotation-charts.png"))

    # 4. what-if: pin the wishing teacher (to their first wish, or where the plan sends them), solve
    #    again keeping the pin, and compare the two plans side by side
    staff_row = hr.locator(f"#plan-move-table tr[data-teacher='{username}']")
    code = (_school_code_by_name(app, staff_row.locator("td").nth(2).inner_text().strip()) if staff_row.count()
            else _school_code(app, int(first_choice)))
    hr.fill("#pin-teacher", username)
    hr.select_option("#pin-school", code)
    hr.click("#pin-form button[type=submit]")
    assert "重新求解后生效" in flash_text(hr), flash_text(hr)
    hr.click("#resolve")
    hr.wait_for_url(re.compile(r"/rotation/runs/\d+$"))
    hr.wait_for_selector("#plan-move-table", timeout=90_000)
    assert hr.url != first_run_url
    assert "人事部门指定" in hr.inner_text(f"#plan-move-table tr[data-teacher='{username}']")
    hr.click("#compare-go")
    assert "方案对比" in hr.inner_text("#plan-compare")
    if SHOTS:
        hr.locator("#plan-compare").screenshot(path=str(Path(SHOTS) / "rotation-compare.png"))
    assert first_run_url
    row = hr.locator(f"#plan-move-table tr[data-teacher='{username}']")
    to_name = row.locator("td").nth(2).inner_text().strip()
    from_name = row.locator("td").nth(1).inner_text().strip()

    # 5. publish: the principals of both schools get a to-do
    hr.click("#publish")
    assert "方案已发布" in flash_text(hr)
    assert "审批与确认" in hr.inner_text("#round-state")
    set_today(live_server, date(2027, 5, 16))
    sending_code, receiving_code = _school_codes(app, from_name, to_name)
    for code in (sending_code, receiving_code):
        principal = user(f"principal-{code}")
        todos = principal.inner_text("#todos")
        assert teacher_name in todos, todos
        principal.locator("#todos li", has_text=teacher_name).locator("button.link").click()
        principal.wait_for_url(re.compile(r"/rotation/moves/\d+$"))
        assert to_name in principal.inner_text("#move-to")
        if code == sending_code:
            shot(principal, "rotation-principal-decide")
        principal.click("#approve")
        assert "已同意" in flash_text(principal)

    # the other principals decide too (through the same service the page calls)
    _others_decide(app, round_id, username, "principals", date(2027, 5, 16))

    # 6. the teacher acknowledges within the answer window
    set_today(live_server, date(2027, 5, 23))
    teacher.goto("/")
    teacher.locator("#todos li", has_text=to_name).locator("button.link").click()
    teacher.wait_for_url(re.compile(r"/rotation/moves/\d+$"))
    assert "待教师确认" in teacher.inner_text("#move-state")
    assert _fits(teacher), "the move page is wider than a phone"
    shot(teacher, "rotation-teacher-answer")
    teacher.click("#acknowledge")
    assert "已确认交流安排" in flash_text(teacher)

    _others_decide(app, round_id, username, "teachers", date(2027, 5, 23))

    # 7. public notice, printable list; then HR confirms once the notice has ended
    set_today(live_server, date(2027, 5, 31))
    hr.goto(round_url)
    hr.click("#start-notice")
    assert "公示" in hr.inner_text("#round-state"), flash_text(hr)
    hr.click("#print-notice")
    assert teacher_name in hr.inner_text("#notice-list")
    hr.emulate_media(media="print")
    shot(hr, "rotation-notice-list")
    hr.emulate_media(media="screen")
    set_today(live_server, date(2027, 6, 15))
    hr.goto(round_url)
    hr.click("#confirm-list")
    assert "名单已确认" in hr.inner_text("#round-state"), flash_text(hr)
    xlsx = hr.request.get(hr.get_attribute("#download-xlsx", "href"))
    assert xlsx.status == 200 and xlsx.body()[:2] == b"PK"  # an .xlsx (zip) from the back end
    # the dashboard shows the year's share against the 10 % / 20 % targets and the schools' figures
    hr.goto("/")
    panel = hr.inner_text("#rotation-panel")
    assert "2027" in panel and "10%" in panel and "20%" in panel
    assert hr.locator("#rotation-schools tbody tr").count() > 0
    shot(hr, "rotation-dashboard")

    # 8. on the start date the daily carry-out runs; the teacher's working school and history change
    set_today(live_server, date(2027, 9, 1))
    with app.app_context():
        from teachers.extensions import db
        from teachers.rotation.carryout import carry_out

        summary = carry_out()
        db.session.commit()
        assert summary is not None
    teacher.goto("/")
    assert to_name in teacher.inner_text("main")
    teacher.locator("nav.mainnav >> text=我的档案").click()
    history = teacher.inner_text("main")
    assert "交流" in history and to_name in history
    shot(teacher, "rotation-teacher-history")


def _school_code(app, school_id: int) -> str:
    from teachers.extensions import db
    from teachers.models import School

    with app.app_context():
        return db.session.get(School, school_id).code


def _school_code_by_name(app, name: str) -> str:
    from teachers.extensions import db
    from teachers.models import School

    with app.app_context():
        return db.session.scalar(select(School.code).where(School.name == name))


def _school_codes(app, from_name: str, to_name: str) -> tuple[str, str]:
    from teachers.extensions import db
    from teachers.models import School

    with app.app_context():
        codes = {s.name: s.code for s in db.session.scalars(select(School))}
    return codes[from_name], codes[to_name]


def _fits(page) -> bool:
    """No horizontal scrolling at the page's width (a phone for teachers)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _check_downloads(page, tmp) -> None:
    import subprocess
    import sys

    paths = {}
    for link in ("#download-instance", "#download-plan"):
        href = page.get_attribute(link, "href")
        response = page.request.get(href)
        assert response.status == 200 and "attachment" in response.headers["content-disposition"]
        paths[link] = tmp / href.rsplit("/", 1)[1]
        paths[link].write_bytes(response.body())
    result = subprocess.run([sys.executable, "-m", "scheduling", "check", str(paths["#download-instance"]),
                             str(paths["#download-plan"])], check=False, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def _others_decide(app, round_id: int, skip_username: str, who: str, today: date) -> None:
    """Every other move of the round is decided as its principals or its teacher would, through the
    decisions service (the walk itself clicks through one move)."""
    from teachers.extensions import db
    from teachers.models import MoveState, Role, RotationMove, User
    from teachers.rotation import decisions

    with app.app_context():
        moves = db.session.scalars(select(RotationMove).where(RotationMove.round_id == round_id)).all()
        for move in moves:
            if move.teacher.staff_no == skip_username:
                continue
            if who == "principals" and move.state == MoveState.PENDING_PRINCIPALS:
                for school_id, side in ((move.from_school_id, "sending"), (move.to_school_id, "receiving")):
                    if getattr(move, f"{side}_decision") is not None:
                        continue
                    principal = db.session.scalar(select(User).where(User.role == Role.PRINCIPAL,
                                                                     User.school_id == school_id))
                    decisions.decide(principal, move.id, True, today=today)
                    db.session.commit()
            elif who == "teachers" and move.state == MoveState.PENDING_TEACHER:
                teacher_user = db.session.scalar(select(User).where(User.teacher_id == move.teacher_id))
                decisions.answer(teacher_user, move.id, True, today=today)
                db.session.commit()

"""Teacher development in chromium, on the demo county: a teacher reports outside training with a PDF,
the principal verifies it, HR confirms it, and the teacher's progress bar and hours certificate show
the hours; then HR runs the tier evaluation and promotes a teacher who meets the criteria.
Any console error, page error or failed request fails the walk (see conftest)."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfWriter

from tests.browser.conftest import log_in

TEACHER = "LJ20180001"


def _pdf(path):
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    writer.write(buf)
    path.write_bytes(buf.getvalue())
    return path


def _facts(live_server):
    from sqlalchemy import select

    from teachers.extensions import db
    from teachers.models import School, Teacher

    with live_server.app.app_context():
        teacher = db.session.scalar(select(Teacher).where(Teacher.staff_no == TEACHER))
        school = db.session.get(School, teacher.working_school_id)
        return teacher.id, f"principal-{school.code}"


def _counted(page) -> float:
    return float(page.get_attribute("#cycle-progress", "value"))


def test_outside_training_is_verified_confirmed_and_counted(browser, live_server, new_page, tmp_path):
    teacher_id, principal = _facts(live_server)
    live_server.app.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")  # not the instance folder
    contexts = [browser.new_context(base_url=live_server.url, locale="zh-CN") for _ in range(3)]
    try:
        teacher, head, hr = (new_page(c) for c in contexts)
        log_in(teacher, TEACHER)
        teacher.goto(f"/teachers/{teacher_id}/training")
        before = _counted(teacher)

        teacher.goto("/training/new")
        today = date.today().isoformat()
        teacher.fill("input[name=title]", "浏览器测试：校外专题培训")
        teacher.select_option("select[name=level]", "city")
        teacher.fill("input[name=provider]", "白山市教育科学研究院")
        teacher.fill("input[name=start_on]", today)
        teacher.fill("input[name=end_on]", today)
        teacher.fill("input[name=hours]", "8")
        teacher.set_input_files("input[name=evidence]", str(_pdf(tmp_path / "继续教育证书.pdf")))
        teacher.click("main form button[type=submit]")
        teacher.wait_for_load_state("networkidle")
        assert "待学校审核" in teacher.inner_text("main h1"), teacher.inner_text("main")
        record_url = teacher.url

        log_in(head, principal)
        head.goto("/training/review")
        head.click("text=浏览器测试：校外专题培训")
        head.click("#verify")
        head.wait_for_load_state("networkidle")
        assert "待人事科确认" in head.inner_text("main h1")

        log_in(hr, "hr")
        hr.goto("/training/review")
        hr.click("text=浏览器测试：校外专题培训")
        assert hr.url == record_url
        hr.click("#confirm")
        hr.wait_for_load_state("networkidle")
        assert "已确认" in hr.inner_text("main h1")

        teacher.goto(f"/teachers/{teacher_id}/training")
        after = _counted(teacher)
        assert after == min(before + 8, float(teacher.get_attribute("#cycle-progress", "max")))
        assert "浏览器测试：校外专题培训" in teacher.inner_text("#training-records")
        teacher.click("#certificate-link")
        teacher.wait_for_load_state("networkidle")
        hours = teacher.inner_text("#certificate-hours")
        assert f"{after:g}" in hours or f"{before + 8:g}" in hours, hours
        assert "浏览器测试：校外专题培训" in teacher.inner_text("main")
    finally:
        for c in contexts:
            c.close()


def test_hr_runs_the_tier_evaluation_and_promotes(page, live_server):
    log_in(page, "hr")
    page.goto("/development/tiers?show=eligible")
    row = page.locator("#tier-rows tbody tr[data-next-tier]").first
    teacher_id = row.get_attribute("data-teacher-id")
    next_tier = row.get_attribute("data-next-tier")
    assert next_tier, page.inner_text("main")
    row.locator("input[type=checkbox]").check()
    page.select_option("select[name=tier]", next_tier)
    page.fill("textarea[name=reason]", "2026年度梯队评定：符合条件")
    page.click("#decide")
    page.wait_for_load_state("networkidle")
    assert "已调整 1 位教师的梯队层级" in page.inner_text("main")
    page.goto(f"/teachers/{teacher_id}/development")
    labels = {"young": "青年教师", "backbone": "教学骨干", "leader": "学科带头人"}
    assert page.inner_text("#current-tier") == labels[next_tier]
    assert "2026年度梯队评定：符合条件" in page.inner_text("#tier-history")


def test_the_tier_pyramid_draws_with_echarts(page, live_server):
    log_in(page, "inspector")
    page.goto("/development/pyramid")
    page.wait_for_load_state("networkidle")
    assert page.locator("#pyramid-chart canvas").count() == 1
    assert "学科带头人" in page.inner_text("#county-pyramid table")


def test_a_principal_follows_a_growth_plan_todo_comments_and_the_count_drops(page, live_server):
    from sqlalchemy import select

    from teachers.extensions import db
    from teachers.models import Notification, Teacher, User
    from teachers.notifications.services import inbox

    with live_server.app.app_context():
        # A growth-plan to-do on the first page of its principal's to-do list.
        todo = next(n for n in db.session.scalars(select(Notification).where(
            Notification.kind == "growth.to_comment", Notification.done_at.is_(None)).order_by(Notification.id))
            if n in inbox(db.session.get(User, n.user_id), todo_only=True).items)
        principal = db.session.get(User, todo.user_id).username
        teacher = db.session.get(Teacher, todo.params["teacher_id"])
        name, teacher_id = teacher.name, teacher.id
    log_in(page, principal)
    before = int(page.inner_text("#todo-count"))
    page.goto("/inbox?show=todo")
    page.click(f"text=待点评：{name} 的成长规划有新内容")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/teachers/{teacher_id}/development")
    page.fill("textarea[name=comment]", "浏览器测试：规划清楚，按学期记录进展")
    page.click("text=保存点评")
    page.wait_for_load_state("networkidle")
    assert "浏览器测试：规划清楚" in page.inner_text("#growth-comment")
    after = page.locator("#todo-count")
    assert (int(after.inner_text()) if after.count() else 0) == before - 1
    page.goto("/inbox?show=todo")
    assert f"待点评：{name}" not in page.inner_text("main")

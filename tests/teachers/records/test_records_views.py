"""Records pages per role: what each sees, 403/404, ID masking, search/sort/paging, forms and their refusals."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from teachers.auth.permissions import mask_id_number
from teachers.extensions import db
from teachers.models import Area, Assignment, AssignmentKind, AuditEvent, Role, School, Stage, Teacher
from tests import factories as f
from tests.conftest import login


def page(client, url, status=200):
    resp = client.get(url)
    assert resp.status_code == status, (url, resp.status_code)
    return resp.get_data(as_text=True)


def field_errors(html: str) -> list[str]:
    return re.findall(r'<div class="error" role="alert">([^<]*)</div>', html)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


# ---------------------------------------------------------------------------------------------- roles


def test_anonymous_is_sent_to_login(client, world):
    for url in ("/schools", "/teachers", f"/teachers/{world.t1.id}", "/teachers/new"):
        resp = client.get(url)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_hr_lists_county_teachers_with_full_id_numbers(client, world):
    w = world
    login(client, "hr")
    html = page(client, "/teachers")
    for t in (w.t1, w.t2, w.t3, w.t4):
        assert t.name in html and t.id_number in html
    assert w.tx.name not in html
    assert "共 4 名教师" in html
    assert "新增教师" in html


def test_admin_sees_all_counties_read_only(client, world):
    w = world
    login(client, "admin")
    html = page(client, "/teachers")
    assert w.tx.name in html and "共 5 名教师" in html
    detail = page(client, f"/teachers/{w.tx.id}")
    assert w.tx.id_number in detail  # admin holds teacher.view_id_number
    assert "编辑档案" not in detail
    page(client, f"/teachers/{w.tx.id}/edit", 403)
    page(client, "/teachers/new", 403)
    page(client, "/schools/new", 403)


def test_inspector_reads_masked_and_cannot_edit(client, world):
    w = world
    login(client, "inspector")
    html = page(client, "/teachers")
    assert w.t1.name in html and w.t1.id_number not in html and mask_id_number(w.t1.id_number) in html
    assert "新增教师" not in html
    detail = page(client, f"/teachers/{w.t1.id}")
    assert w.t1.id_number not in detail and mask_id_number(w.t1.id_number) in detail
    assert "编辑档案" not in detail
    page(client, f"/teachers/{w.t1.id}/edit", 403)
    page(client, "/teachers/new", 403)
    page(client, f"/schools/{w.a.id}/edit", 403)
    page(client, "/schools/new", 403)
    resp = client.post(f"/teachers/{w.t1.id}/edit", data={"name": "改名"})
    assert resp.status_code == 403
    assert db.session.get(Teacher, w.t1.id).name == "张晓明"
    school = page(client, f"/schools/{w.a.id}")
    assert "编辑学校" not in school and w.t1.name in school


def test_principal_sees_only_own_school(client, world):
    w = world
    login(client, "principal")
    resp = client.get("/schools")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/schools/{w.a.id}")
    school = page(client, f"/schools/{w.a.id}")
    assert w.t1.name in school and w.t3.name in school  # working here / personnel relation here
    page(client, f"/schools/{w.b.id}", 404)
    page(client, f"/schools/{w.x.id}", 404)
    html = page(client, "/teachers")
    assert w.t1.name in html and w.t3.name in html and w.t2.name not in html and w.t4.name not in html
    assert w.t1.id_number not in html
    detail = page(client, f"/teachers/{w.t3.id}")
    assert mask_id_number(w.t3.id_number) in detail and w.t3.id_number not in detail
    page(client, f"/teachers/{w.t2.id}", 404)
    page(client, f"/teachers/{w.t1.id}/edit", 403)


def test_teacher_sees_only_own_record(client, world):
    w = world
    login(client, "teacher1")
    resp = client.get("/teachers")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/teachers/{w.t1.id}")
    detail = page(client, f"/teachers/{w.t1.id}")
    assert "张晓明" in detail and mask_id_number(w.t1.id_number) in detail and w.t1.id_number not in detail
    assert "编辑档案" not in detail
    page(client, f"/teachers/{w.t2.id}", 404)
    page(client, "/teachers/999999", 404)
    page(client, "/schools", 403)
    page(client, f"/schools/{w.a.id}", 403)
    page(client, f"/teachers/{w.t1.id}/edit", 403)


def test_hr_outside_county_gets_404(client, world):
    w = world
    login(client, "hr")
    page(client, f"/teachers/{w.tx.id}", 404)
    page(client, f"/teachers/{w.tx.id}/edit", 404)
    page(client, f"/schools/{w.x.id}", 404)
    page(client, f"/schools/{w.x.id}/edit", 404)


# ---------------------------------------------------------------------------------------------- pages


def test_school_list_and_detail(client, world):
    w = world
    login(client, "hr")
    html = page(client, "/schools")
    assert "临江市第一小学" in html and "花山镇中心小学" in html and "长白县实验小学" not in html
    assert "共 3 所学校" in html
    rural = page(client, "/schools?area=rural")
    assert "花山镇中心小学" in rural and "临江市第一小学" not in rural
    detail = page(client, f"/schools/{w.b.id}")
    assert "在本校任教的教师（2人）" in detail  # t2 and t3 (on exchange)
    assert "1 / 20" in detail  # headcount (personnel relation) against quota
    assert "缺编 19" in detail
    assert "编辑学校" in detail


def test_teacher_detail_shows_history_and_derived_values(client, world):
    w = world
    login(client, "hr")
    html = page(client, f"/teachers/{w.t3.id}")
    assert "人事关系与任教学校不同" in html
    assert "临江市第一小学" in html and "花山镇中心小学" in html
    assert "入职" in html and "交流" in html and "至今" in html
    assert "自 2022-09-01 起" in html  # the run at B starts with the exchange
    assert "累计乡村学校任教（年）" in html


def test_search_filter_sort_and_count(client, world):
    w = world
    login(client, "hr")
    html = page(client, "/teachers?q=晓明")
    assert "共 1 名教师" in html and "张晓明" in html and "李红" not in html
    resp = client.post("/teachers", data={"q": w.t4.id_number})  # posted: the number is never in a URL
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "共 1 名教师" in html and "赵敏" in html
    assert w.t4.id_number not in "".join(re.findall(r'href="([^"]*)"', html))
    html = page(client, "/teachers?stage=junior")
    assert "赵敏" in html and "张晓明" not in html
    html = page(client, "/teachers?backbone=county_up")
    assert "共 1 名教师" in html
    html = page(client, "/teachers?sort=birth_date&dir=desc")
    assert html.index("赵敏") < html.index("李红") < html.index("张晓明") < html.index("王刚")
    assert 'aria-sort="descending"' in html
    # The header link toggles the direction and keeps the filters.
    html = page(client, "/teachers?sort=name&dir=asc&stage=primary")
    assert re.search(r'href="/teachers\?[^"]*stage=primary[^"]*sort=name[^"]*dir=desc', html.replace("&amp;", "&"))
    # A bad filter value is dropped with a Chinese message, not a 500.
    html = page(client, "/teachers?stage=nonsense&page=abc")
    assert "请从列表中选择。" in html and "页码应为正整数。" in html and "共 4 名教师" in html


def test_pagination_fifty_per_page(client, world):
    w = world
    for n in range(53):
        f.teacher(w.j, f"分页{n:02d}", staff_no=f"PG{n:03d}", stage=Stage.JUNIOR)
    db.session.commit()
    login(client, "hr")
    first = page(client, f"/teachers?school={w.j.id}&sort=staff_no")
    assert "共 54 名教师" in first and "第 1 / 2 页" in first
    assert len(re.findall(r'href="/teachers/\d+"', first)) == 50
    second = page(client, f"/teachers?school={w.j.id}&sort=staff_no&page=2")
    assert "第 2 / 2 页" in second and "分页52" in second and "分页00" not in second
    assert len(re.findall(r'href="/teachers/\d+"', second)) == 4
    assert "上一页" in second


# ---------------------------------------------------------------------------------------------- teacher form


def form_data(w, **over):
    data = {
        "staff_no": "LJ0200", "name": "周婷", "gender": "F", "birth_date": "1993-04-12",
        "id_number": f.id_number_for(date(1993, 4, 12), 78), "phone": "13800001111",
        "service_start": "2015-09-01", "hire_date": "", "personnel_school_id": str(w.a.id),
        "working_school_id": "", "effective_date": "", "stage": "primary", "subject": "美术",
        "other_subjects": "书法", "degree": "bachelor", "title": "second", "backbone": "none",
        "backbone_since": "", "tier": "young", "status": "active", "rotation_exempt_reason": "",
    }
    data.update(over)
    return data


def test_hr_creates_teacher_through_the_form(client, world):
    w = world
    login(client, "hr")
    assert "新增教师" in page(client, "/teachers/new")
    resp = client.post("/teachers/new", data=form_data(w))
    assert resp.status_code == 302
    db.session.expire_all()
    t = db.session.scalars(select(Teacher).where(Teacher.staff_no == "LJ0200")).one()
    assert resp.headers["Location"].endswith(f"/teachers/{t.id}")
    assert t.working_school_id == w.a.id and t.other_subjects == ["书法"]
    assert [(a.kind, a.start_date) for a in t.assignments] == [(AssignmentKind.HIRE, date(2015, 9, 1))]
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "teacher.create",
                                                        AuditEvent.object_id == str(t.id))) == 1
    assert "已新增教师：周婷" in page(client, f"/teachers/{t.id}")


BAD_INPUTS = [
    pytest.param({"id_number": f.id_number_for(date(1993, 4, 12), 78)[:17] + "0"
                  if not f.id_number_for(date(1993, 4, 12), 78).endswith("0")
                  else f.id_number_for(date(1993, 4, 12), 78)[:17] + "1"},
                 "身份证号校验位错误，请核对。", id="wrong-check-digit"),
    pytest.param({"birth_date": "1993-04-13"}, "身份证号中的出生日期（1993-04-12）与填写的出生日期不一致。",
                 id="id-disagrees-with-birth-date"),
    pytest.param({"birth_date": (date.today() + timedelta(days=3)).isoformat(), "id_number": ""},
                 "日期不能晚于今天。", id="future-birth-date"),
    pytest.param({"birth_date": "2023-02-30", "id_number": ""}, "请输入有效日期（格式：年-月-日，如 2023-02-28）。",
                 id="impossible-date"),
    pytest.param({"service_start": "2001/13/01"}, "请输入有效日期（格式：年-月-日，如 2023-02-28）。",
                 id="garbled-date"),
    pytest.param({"personnel_school_id": "99999"}, "请从列表中选择学校。", id="unknown-school"),
    pytest.param({"working_school_id": "abc"}, "请从列表中选择学校。", id="non-numeric-school"),
    pytest.param({"staff_no": "LJ0001"}, "工号 LJ0001 已存在。", id="duplicate-staff-no"),
    pytest.param({"service_start": "2005-09-01"}, "参加工作时未满16周岁，请核对出生日期或参加工作时间。",
                 id="too-young"),
    pytest.param({"stage": "junior"}, "任教学校临江市第一小学不开设初中学段。", id="stage-not-taught"),
    pytest.param({"id_number": "22062119930412"}, "身份证号长度应为18位（当前为14位）。", id="short-id"),
]


@pytest.mark.parametrize("over, message", BAD_INPUTS)
def test_bad_teacher_input_is_shown_at_the_field_and_nothing_saved(client, world, over, message):
    w = world
    teachers, rows = count(Teacher), count(Assignment)
    login(client, "hr")
    resp = client.post("/teachers/new", data=form_data(w, **over))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert message in field_errors(html)
    assert count(Teacher) == teachers and count(Assignment) == rows
    assert not db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("teacher.%"))).all()
    assert 'value="周婷"' in html  # the form keeps what was typed


def test_unknown_school_also_refused_by_the_service(client, world):
    """A school id from another county passes no form choice list and no service check."""
    w = world
    login(client, "hr")
    resp = client.post("/teachers/new", data=form_data(w, personnel_school_id=str(w.x.id)))
    assert resp.status_code == 400 and "请从列表中选择学校。" in field_errors(resp.get_data(as_text=True))


def test_edit_transfers_teacher_and_audits(client, world):
    w = world
    login(client, "hr")
    edit = page(client, f"/teachers/{w.t1.id}/edit")
    assert 'value="张晓明"' in edit
    data = form_data(w, staff_no="LJ0001", name="张晓明", birth_date="1985-03-14", id_number=w.t1.id_number,
                     service_start="2008-09-01", personnel_school_id=str(w.b.id), working_school_id=str(w.b.id),
                     effective_date="2024-03-01", subject="数学", tier="backbone", backbone="county")
    resp = client.post(f"/teachers/{w.t1.id}/edit", data=data)
    assert resp.status_code == 302, field_errors(resp.get_data(as_text=True))
    db.session.expire_all()
    t = db.session.get(Teacher, w.t1.id)
    assert t.personnel_school_id == w.b.id
    history = [(a.school_id, a.kind, a.start_date, a.end_date) for a in t.assignments]
    assert history == [(w.a.id, AssignmentKind.HIRE, date(2008, 9, 1), date(2024, 2, 29)),
                       (w.b.id, AssignmentKind.TRANSFER, date(2024, 3, 1), None)]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "teacher.update")).one()
    assert event.summary["personnel_school_id"] == [w.a.id, w.b.id]
    assert "调动" in page(client, f"/teachers/{w.t1.id}")


def test_edit_with_effective_date_before_history_is_refused(client, world):
    w = world
    login(client, "hr")
    data = form_data(w, staff_no="LJ0002", name="李红", birth_date="1990-06-01", id_number=w.t2.id_number,
                     service_start="2012-09-01", personnel_school_id=str(w.a.id), working_school_id="",
                     effective_date="2010-01-01", subject="语文")
    resp = client.post(f"/teachers/{w.t2.id}/edit", data=data)
    assert resp.status_code == 400
    assert "生效日期应晚于最近一条任职记录的开始日期（2012-09-01）。" in field_errors(resp.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(Teacher, w.t2.id).personnel_school_id == w.b.id
    assert count(Assignment) == 6


# ---------------------------------------------------------------------------------------------- school form


def test_hr_creates_and_edits_school(client, world):
    w = world
    login(client, "hr")
    data = {"code": "LJ-NEW", "name": "临江市第三小学", "county_id": str(w.county.id), "area": "town",
            "kind": "primary", "pupils_primary": "320", "staffing_quota": "17", "active": "y",
            "central_school_id": ""}
    resp = client.post("/schools/new", data=data)
    assert resp.status_code == 302
    db.session.expire_all()
    s = db.session.scalars(select(School).where(School.code == "LJ-NEW")).one()
    assert s.pupils_primary == 320 and s.county_id == w.county.id
    resp = client.post(f"/schools/{s.id}/edit", data={**data, "pupils_junior": "50"})
    assert resp.status_code == 400
    assert "小学不招收初中学生，此项应为0。" in field_errors(resp.get_data(as_text=True))
    resp = client.post(f"/schools/{s.id}/edit", data={**data, "pupils_primary": "-3"})
    assert resp.status_code == 400 and "不能小于0。" in field_errors(resp.get_data(as_text=True))
    resp = client.post(f"/schools/{s.id}/edit", data={**data, "code": w.a.code})
    assert resp.status_code == 400 and "学校代码已存在。" in field_errors(resp.get_data(as_text=True))
    resp = client.post(f"/schools/{s.id}/edit", data={**data, "name": "临江市实验三小"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(School, s.id).name == "临江市实验三小"
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "school")).all()
    assert actions == ["school.create", "school.update"]


def test_edit_form_offers_same_school_so_a_personnel_change_is_a_transfer(client, world):
    w = world
    login(client, "hr")
    edit = page(client, f"/teachers/{w.t2.id}/edit")
    assert re.search(r'<select [^>]*\bid="working_school_id"[^>]*><option selected value="">', edit)
    data = form_data(w, staff_no="LJ0002", name="李红", birth_date="1990-06-01", id_number=w.t2.id_number,
                     service_start="2012-09-01", personnel_school_id=str(w.a.id), working_school_id="",
                     effective_date="2024-09-01", subject="语文")
    resp = client.post(f"/teachers/{w.t2.id}/edit", data=data)
    assert resp.status_code == 302
    db.session.expire_all()
    t = db.session.get(Teacher, w.t2.id)
    assert (t.personnel_school_id, t.working_school_id) == (w.a.id, w.a.id)
    assert [(a.school_id, a.kind, a.end_date) for a in t.assignments] == [
        (w.b.id, AssignmentKind.HIRE, date(2024, 8, 31)), (w.a.id, AssignmentKind.TRANSFER, None)]


def test_the_list_filters_teachers_eligible_for_a_rotation_year(app, client):
    """The dashboard's count links to exactly these teachers (the solver's rules via the adapter)."""
    county = f.county("资格县")
    town = f.school(county, "镇小", area=Area.TOWN)
    veteran = f.teacher(town, "老教师", service_start=date(2010, 9, 1))
    f.teacher(town, "新教师", service_start=date(2024, 9, 1))
    f.user("hr-elig", Role.HR, county_obj=county)
    db.session.commit()
    login(client, "hr-elig")
    page = client.get("/teachers?eligible=2027").get_data(as_text=True)
    assert "老教师" in page and "新教师" not in page
    assert veteran.staff_no in page
    everyone = client.get("/teachers").get_data(as_text=True)
    assert "老教师" in everyone and "新教师" in everyone
    dashboard = client.get("/?year=2027").get_data(as_text=True)
    assert "/teachers?eligible=2027" in dashboard


def test_a_teacher_sees_why_they_may_or_may_not_rotate(app, client):
    county = f.county("说明县")
    town = f.school(county, "镇小", area=Area.TOWN)
    newcomer = f.teacher(town, "新教师", service_start=date(2024, 9, 1))
    f.user("me", Role.TEACHER, teacher_obj=newcomer)
    db.session.commit()
    login(client, "me")
    page = client.get(f"/teachers/{newcomer.id}").get_data(as_text=True)
    assert re.search(r"E1：在本校任教 \d+ 年，需满 6 年", page)
    client.post("/lang/en", data={"next": "/"})
    page = client.get(f"/teachers/{newcomer.id}").get_data(as_text=True)
    assert re.search(r"E1: \d+ years at the school, 6 required", page)

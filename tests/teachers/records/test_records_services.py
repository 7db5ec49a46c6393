"""Records services: scope, validation, assignment history and audit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from teachers.errors import DomainError, NotFound, PermissionDenied
from teachers.extensions import db
from teachers.models import Area, Assignment, AssignmentKind, AuditEvent, Gender, School, SchoolKind, Stage, Teacher
from teachers.records import services
from tests import factories as f

TODAY = date(2024, 9, 1)


def teacher_data(w, **over):
    data = {
        "staff_no": "LJ0100", "name": "陈静", "gender": "F", "birth_date": date(1992, 5, 6),
        "id_number": f.id_number_for(date(1992, 5, 6), 42), "service_start": date(2014, 9, 1),
        "personnel_school_id": w.a.id, "working_school_id": None, "stage": "primary", "subject": "音乐",
        "other_subjects": "美术、 书法", "degree": "bachelor", "title": "second", "backbone": "none",
        "tier": "young", "status": "active",
    }
    data.update(over)
    return data


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# ---------------------------------------------------------------------------------------------- scope


def test_get_teacher_scope_per_role(world):
    w = world
    assert services.get_teacher(w.hr, w.t3.id) is w.t3
    assert services.get_teacher(w.admin, w.tx.id) is w.tx  # admin without a county sees all
    assert services.get_teacher(w.inspector, w.t1.id) is w.t1
    with pytest.raises(NotFound):
        services.get_teacher(w.hr, w.tx.id)  # other county
    assert services.get_teacher(w.principal, w.t3.id) is w.t3  # personnel relation at A
    assert services.get_teacher(w.principal_b, w.t3.id) is w.t3  # working at B
    with pytest.raises(NotFound):
        services.get_teacher(w.principal, w.t2.id)
    assert services.get_teacher(w.me, w.t1.id) is w.t1
    with pytest.raises(NotFound):
        services.get_teacher(w.me, w.t2.id)
    with pytest.raises(NotFound):
        services.get_teacher(w.hr, 999999)


def test_get_school_scope(world):
    w = world
    assert services.get_school(w.principal, w.a.id) is w.a
    with pytest.raises(NotFound):
        services.get_school(w.principal, w.b.id)
    with pytest.raises(NotFound):
        services.get_school(w.hr, w.x.id)
    with pytest.raises(PermissionDenied):
        services.get_school(w.me, w.a.id)


def test_list_schools_counts_and_filters(world):
    w = world
    rows = {r.school.id: r for r in services.list_schools(w.hr)}
    assert set(rows) == {w.a.id, w.b.id, w.j.id}
    assert (rows[w.a.id].working, rows[w.a.id].personnel) == (1, 2)  # t3 works at B, personnel at A
    assert (rows[w.b.id].working, rows[w.b.id].personnel) == (2, 1)
    assert [r.school.id for r in services.list_schools(w.hr, area="rural")] == [w.b.id]
    assert [r.school.id for r in services.list_schools(w.hr, kind="junior")] == [w.j.id]
    assert {r.school.id for r in services.list_schools(w.hr, subdistrict="建国街道")} == {w.a.id, w.j.id}
    assert [r.school.id for r in services.list_schools(w.principal)] == [w.a.id]
    assert len(services.list_schools(w.admin)) == 4


def test_school_overview(world):
    w = world
    o = services.school_overview(w.hr, w.a.id)
    assert [t.id for t in o.working] == [w.t1.id]
    assert [t.id for t in o.personnel_elsewhere] == [w.t3.id]
    assert o.headcount == 2 and o.quota_gap == 2 - 40
    assert (Stage.PRIMARY, 600) in o.pupils


# ---------------------------------------------------------------------------------------------- list


def test_list_teachers_scoped(world):
    w = world
    ids = lambda page: [r.teacher.id for r in page.items]
    assert set(ids(services.list_teachers(w.hr))) == {w.t1.id, w.t2.id, w.t3.id, w.t4.id}
    assert set(ids(services.list_teachers(w.admin))) == {w.t1.id, w.t2.id, w.t3.id, w.t4.id, w.tx.id}
    assert set(ids(services.list_teachers(w.principal))) == {w.t1.id, w.t3.id}
    assert set(ids(services.list_teachers(w.principal_b))) == {w.t2.id, w.t3.id}
    assert ids(services.list_teachers(w.me)) == [w.t1.id]
    assert set(ids(services.list_teachers(w.hr2))) == {w.tx.id}


def test_search_and_filters(world):
    w = world

    def ids(user=w.hr, q=None, **filters):
        return {r.teacher.id for r in services.list_teachers(user, q, filters=filters).items}

    assert ids(q="晓明") == {w.t1.id}
    assert ids(q="lj0002") == {w.t2.id}
    assert ids(q=w.t4.id_number) == {w.t4.id}
    assert ids(q=w.t4.id_number[6:14]) == {w.t4.id}  # HR may search by part of the number
    assert ids(w.principal, q=w.t1.id_number[6:14]) == set()  # masked users: full number only
    assert ids(w.principal, q=w.t1.id_number.lower()) == {w.t1.id}
    assert ids(q="%") == set()  # LIKE wildcards are literal
    assert ids(school=w.a.id) == {w.t1.id, w.t3.id}
    assert ids(area="rural") == {w.t2.id, w.t3.id}
    assert ids(stage="junior") == {w.t4.id}
    assert ids(subject="体育") == {w.t3.id}
    assert ids(tier="backbone") == {w.t1.id}
    assert ids(backbone="any") == {w.t1.id}
    assert ids(backbone="county_up") == {w.t1.id}
    assert ids(backbone="province") == set()
    assert ids(status="active") == {w.t1.id, w.t2.id, w.t3.id, w.t4.id}
    assert ids(status="retired") == set()
    assert ids(area="urban", stage="primary") == {w.t1.id}


def test_sorting(world):
    w = world

    def order(sort, descending=False):
        page = services.list_teachers(w.hr, sort=sort, descending=descending, today=TODAY)
        return [r.teacher.staff_no for r in page.items]

    assert order("staff_no") == ["LJ0001", "LJ0002", "LJ0003", "LJ0004"]
    assert order("staff_no", True) == ["LJ0004", "LJ0003", "LJ0002", "LJ0001"]
    assert order("name") == sorted(order("name"), key=lambda no: {"LJ0001": "张晓明", "LJ0002": "李红",
                                                                  "LJ0003": "王刚", "LJ0004": "赵敏"}[no])
    assert order("birth_date") == ["LJ0003", "LJ0001", "LJ0002", "LJ0004"]
    assert order("service_start", True) == ["LJ0004", "LJ0002", "LJ0001", "LJ0003"]
    # School names: 临江市第一小学 (t1), 临江市第二中学 (t4), 花山镇中心小学 (t2, t3) in code-point order.
    by_school = order("school")
    assert by_school.index("LJ0002") > by_school.index("LJ0001")
    # Years at the working school on 2024-09-01: t1 16, t2 12, t3 2 (exchange), t4 6.
    assert order("years", True) == ["LJ0001", "LJ0002", "LJ0004", "LJ0003"]
    assert order("years") == ["LJ0003", "LJ0004", "LJ0002", "LJ0001"]
    years = {r.teacher.staff_no: r.years_at_school
             for r in services.list_teachers(w.hr, sort="years", today=TODAY).items}
    assert years == {"LJ0001": 16.0, "LJ0002": 12.0, "LJ0003": 2.0, "LJ0004": 6.0}
    assert order("bogus") == order("staff_no")


def test_sorting_by_years_counts_each_teacher_s_own_history(world):
    """The run start is correlated to each teacher at every level: a later move by someone else (here t5's
    transfer from B) must not push a teacher who never moved (t1) to the end."""
    w = world
    t5 = f.teacher(w.a, "钱进", staff_no="LJ0005", service_start=date(2010, 9, 1), history=False)
    db.session.add_all([
        Assignment(teacher_id=t5.id, school_id=w.b.id, kind=AssignmentKind.HIRE, start_date=date(2010, 9, 1),
                   end_date=date(2016, 8, 31)),
        Assignment(teacher_id=t5.id, school_id=w.a.id, kind=AssignmentKind.TRANSFER, start_date=date(2016, 9, 1)),
    ])
    db.session.commit()
    page = services.list_teachers(w.hr, sort="years", descending=True, today=TODAY)
    assert [r.teacher.staff_no for r in page.items] == ["LJ0001", "LJ0002", "LJ0005", "LJ0004", "LJ0003"]
    years = [r.years_at_school for r in page.items]
    assert years == sorted(years, reverse=True) == [16.0, 12.0, 8.0, 6.0, 2.0]


def test_pagination(world):
    w = world
    for n in range(7):
        f.teacher(w.j, f"页{n}", staff_no=f"P{n:03d}", stage=Stage.JUNIOR)
    db.session.commit()
    first = services.list_teachers(w.hr, filters={"school": w.j.id}, page=1, page_size=3)
    assert first.total == 8 and first.pages == 3 and len(first.items) == 3
    last = services.list_teachers(w.hr, filters={"school": w.j.id}, page=3, page_size=3)
    assert len(last.items) == 2
    beyond = services.list_teachers(w.hr, filters={"school": w.j.id}, page=99, page_size=3)
    assert beyond.page == 3
    seen = [r.teacher.id for p in (1, 2, 3)
            for r in services.list_teachers(w.hr, filters={"school": w.j.id}, page=p, page_size=3).items]
    assert len(seen) == len(set(seen)) == 8


def test_teacher_facts(world):
    w = world
    facts = services.teacher_facts(w.t3, TODAY)
    assert facts.age == 44
    assert facts.years_at_school == 2.0  # at B since 2022-09-01
    assert facts.rural_years == 2.0
    assert facts.service_years == 21.0
    assert facts.run_start == date(2022, 9, 1)


# ---------------------------------------------------------------------------------------------- create


def test_create_teacher_writes_hire_row_and_audit(world):
    w = world
    t = services.create_teacher(w.hr, teacher_data(w), today=TODAY)
    db.session.commit()
    assert t.working_school_id == w.a.id and t.other_subjects == ["美术", "书法"]
    rows = db.session.scalars(select(Assignment).where(Assignment.teacher_id == t.id)).all()
    assert [(r.school_id, r.kind, r.start_date, r.end_date) for r in rows] == [
        (w.a.id, AssignmentKind.HIRE, date(2014, 9, 1), None)]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "teacher.create")).one()
    assert event.object_id == str(t.id) and event.actor_id == w.hr.id
    assert event.summary["staff_no"] == [None, "LJ0100"]
    assert "*" in event.summary["id_number"][1]  # never the full number in the audit trail
    assert t.id_number not in str(event.summary)


def test_create_teacher_with_arrival_date_and_exchange(world):
    w = world
    t = services.create_teacher(w.hr, teacher_data(w, hire_date=date(2019, 9, 1), working_school_id=w.b.id,
                                                   effective_date=date(2023, 9, 1)), today=TODAY)
    rows = sorted(t.assignments, key=lambda r: r.start_date)
    assert [(r.school_id, r.kind) for r in rows] == [(w.a.id, AssignmentKind.HIRE), (w.b.id, AssignmentKind.EXCHANGE)]
    assert services.teacher_facts(t, TODAY).years_at_school == 1.0


@pytest.mark.parametrize("over, field, message", [
    ({"staff_no": "LJ0001"}, "staff_no", "已存在"),
    ({"id_number": None}, None, None),  # the ID number is optional
    ({"id_number": "22062119920506042" + "0"}, "id_number", None),
    ({"birth_date": date(1992, 5, 7)}, "id_number", "不一致"),
    ({"birth_date": TODAY + timedelta(days=1), "id_number": None}, "birth_date", "晚于今天"),
    ({"birth_date": date(1899, 1, 1), "id_number": None}, "birth_date", "日期应在 1900-01-01 至 2100-12-31 之间"),
    ({"service_start": TODAY + timedelta(days=30)}, "service_start", "晚于今天"),
    ({"service_start": date(1991, 1, 1)}, "service_start", "应晚于出生日期"),
    ({"service_start": date(2008, 5, 5)}, "service_start", "未满16周岁"),
    ({"personnel_school_id": 99999}, "personnel_school_id", "有效的学校"),
    ({"personnel_school_id": "abc"}, "personnel_school_id", "有效的学校"),
    ({"working_school_id": 99999}, "working_school_id", "有效的学校"),
    ({"stage": "junior"}, "stage", "不开设"),
    ({"stage": "nonsense"}, "stage", "有效的选项"),
    ({"subject": " "}, "subject", "请填写"),
    ({"rotation_exempt": True, "rotation_exempt_reason": ""}, "rotation_exempt_reason", "原因"),
    ({"hire_date": date(2013, 1, 1)}, "hire_date", "不能早于参加工作时间"),
    ({"phone": "call me"}, "phone", "电话"),
])
def test_create_teacher_refusals(world, over, field, message):
    w = world
    before = count(Teacher)
    if field is None:
        services.create_teacher(w.hr, teacher_data(w, **over), today=TODAY)
        assert count(Teacher) == before + 1
        return
    with pytest.raises(DomainError) as info:
        services.create_teacher(w.hr, teacher_data(w, **over), today=TODAY)
    assert info.value.field == field
    if message:
        assert message in info.value.message
    db.session.rollback()
    assert count(Teacher) == before


def test_duplicate_id_number(world):
    w = world
    with pytest.raises(DomainError) as info:
        services.create_teacher(w.hr, teacher_data(w, birth_date=w.t1.birth_date, gender="M" if int(w.t1.id_number[16]) % 2 else "F", id_number=w.t1.id_number.lower()),
                                today=TODAY)
    assert info.value.field == "id_number" and "已登记" in info.value.message


def test_school_of_another_county_is_refused(world):
    w = world
    with pytest.raises(DomainError) as info:
        services.create_teacher(w.hr, teacher_data(w, personnel_school_id=w.x.id), today=TODAY)
    assert info.value.field == "personnel_school_id"


def test_only_hr_may_write(world):
    w = world
    for user in (w.admin, w.inspector, w.principal, w.me):
        with pytest.raises(PermissionDenied):
            services.create_teacher(user, teacher_data(w), today=TODAY)
        with pytest.raises(PermissionDenied):
            services.update_teacher(user, w.t1, {"name": "改名"}, today=TODAY)
        with pytest.raises(PermissionDenied):
            services.create_school(user, {"code": "NEW", "name": "新校", "area": "urban", "kind": "primary"})
    with pytest.raises(NotFound):
        services.update_teacher(w.hr2, w.t1, {"name": "改名"}, today=TODAY)


# ---------------------------------------------------------------------------------------------- update


def test_update_records_diff(world):
    w = world
    services.update_teacher(w.hr, w.t1, {"name": "张小明", "title": "senior"}, today=TODAY)
    db.session.commit()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "teacher.update")).one()
    assert event.summary == {"name": ["张晓明", "张小明"], "title": ["none", "senior"]}
    # Saving again without changes writes nothing.
    services.update_teacher(w.hr, w.t1, {"name": "张小明"}, today=TODAY)
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "teacher.update")) == 1


def test_transfer_on_personnel_school_change(world):
    w = world
    services.update_teacher(w.hr, w.t1, {"personnel_school_id": w.b.id, "working_school_id": w.b.id,
                                         "effective_date": date(2024, 3, 1)}, today=TODAY)
    db.session.commit()
    rows = db.session.scalars(select(Assignment).where(Assignment.teacher_id == w.t1.id)
                              .order_by(Assignment.start_date)).all()
    assert [(r.school_id, r.kind, r.start_date, r.end_date) for r in rows] == [
        (w.a.id, AssignmentKind.HIRE, date(2008, 9, 1), date(2024, 2, 29)),
        (w.b.id, AssignmentKind.TRANSFER, date(2024, 3, 1), None),
    ]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "teacher.update")).one()
    assert event.summary["personnel_school_id"] == [w.a.id, w.b.id]
    assert event.summary["assignments"] == [["transfer", w.b.id, "2024-03-01"]]
    assert services.teacher_facts(w.t1, TODAY).rural_years == pytest.approx(0.5, abs=0.01)


def test_transfer_defaults_to_today(world):
    w = world
    services.update_teacher(w.hr, w.t4, {"personnel_school_id": w.a.id, "working_school_id": w.a.id,
                                         "stage": "primary"}, today=TODAY)
    opened = [r for r in w.t4.assignments if r.end_date is None]
    assert [(r.school_id, r.kind, r.start_date) for r in opened] == [(w.a.id, AssignmentKind.TRANSFER, TODAY)]


def test_effective_date_must_follow_the_latest_row(world):
    w = world
    with pytest.raises(DomainError) as info:
        services.update_teacher(w.hr, w.t1, {"personnel_school_id": w.b.id, "working_school_id": w.b.id,
                                             "effective_date": date(2008, 9, 1)}, today=TODAY)
    assert info.value.field == "effective_date"


def test_exchange_and_return(world):
    w = world
    # t3 returns from the exchange at B to A.
    services.update_teacher(w.hr, w.t3, {"working_school_id": w.a.id, "effective_date": date(2024, 8, 1)},
                            today=TODAY)
    kinds = [(r.school_id, r.kind, r.end_date) for r in sorted(w.t3.assignments, key=lambda r: r.start_date)]
    assert kinds == [(w.a.id, AssignmentKind.HIRE, None), (w.b.id, AssignmentKind.EXCHANGE, date(2024, 7, 31)),
                     (w.a.id, AssignmentKind.RETURN, None)]
    assert services.teacher_facts(w.t3, TODAY).years_at_school == pytest.approx(31 / 365, abs=1e-6)
    # t1 goes on exchange to B.
    services.update_teacher(w.hr, w.t1, {"working_school_id": w.b.id, "effective_date": date(2024, 8, 1)},
                            today=TODAY)
    open_rows = {(r.school_id, r.kind) for r in w.t1.assignments if r.end_date is None}
    assert open_rows == {(w.a.id, AssignmentKind.HIRE), (w.b.id, AssignmentKind.EXCHANGE)}


def test_id_number_change_must_still_match_birth_date(world):
    w = world
    with pytest.raises(DomainError) as info:
        services.update_teacher(w.hr, w.t1, {"birth_date": date(1985, 3, 15)}, today=TODAY)
    assert info.value.field == "id_number"


# ---------------------------------------------------------------------------------------------- schools


def school_data(**over):
    data = {"code": "LJ-S-99", "name": "临江市第三小学", "area": "town", "kind": "primary", "pupils_primary": 300,
            "staffing_quota": 18, "subdistrict": "大湖街道"}
    data.update(over)
    return data


def test_create_school_in_own_county(world):
    w = world
    s = services.create_school(w.hr, school_data())
    db.session.commit()
    assert s.county_id == w.county.id and s.area == Area.TOWN and s.pupils_junior == 0
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "school.create")) == 1


@pytest.mark.parametrize("over, field", [
    ({"code": "S0001"}, None),
    ({"pupils_junior": 40}, "pupils_junior"),
    ({"pupils_primary": -1}, "pupils_primary"),
    ({"is_teaching_point": True}, "central_school_id"),
    ({"latitude": 123}, "latitude"),
    ({"county_id": -5}, "county_id"),
    ({"name": ""}, "name"),
])
def test_create_school_refusals(world, over, field):
    w = world
    if field is None:
        over = {"code": w.a.code}
        field = "code"
    with pytest.raises(DomainError) as info:
        services.create_school(w.hr, school_data(**over))
    assert info.value.field == field


def test_teaching_point_needs_central_school_in_county(world):
    w = world
    s = services.create_school(w.hr, school_data(is_teaching_point=True, central_school_id=w.b.id))
    assert s.central_school_id == w.b.id
    with pytest.raises(DomainError):
        services.create_school(w.hr, school_data(code="TP2", is_teaching_point=True, central_school_id=w.x.id))


def test_update_school_guards_teachers(world):
    w = world
    with pytest.raises(DomainError) as info:
        services.update_school(w.hr, w.a, {"kind": "junior", "pupils_primary": 0})
    assert info.value.field == "kind"
    with pytest.raises(DomainError) as info:
        services.update_school(w.hr, w.a, {"active": False})
    assert info.value.field == "active"
    services.update_school(w.hr, w.a, {"kind": SchoolKind.NINE_YEAR, "pupils_junior": 120, "staffing_quota": 45})
    db.session.commit()
    assert db.session.get(School, w.a.id).kind == SchoolKind.NINE_YEAR
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "school.update")).one()
    assert event.summary["kind"] == ["primary", "nine_year"]
    with pytest.raises(NotFound):
        services.update_school(w.hr2, w.a, {"name": "x"})


def test_labels_tell_equal_valued_members_of_different_enums_apart(world):
    from teachers.labels import label
    from teachers.models import Backbone, Title

    # "senior", "none" and "vocational" are values of several enums at once.
    assert (label(Stage.SENIOR), label(SchoolKind.SENIOR), label(Title.SENIOR)) == ("高中", "高中", "高级教师")
    assert (label(Title.NONE), label(Backbone.NONE)) == ("未定级", "无")
    assert (label(Stage.VOCATIONAL), label(SchoolKind.VOCATIONAL)) == ("中职", "职业学校")


def test_id_number_must_agree_with_gender_when_entered_but_old_records_stay_editable(world):
    """One rule (records/inputs.py) for the form, the service and the import: the ID's sequence digit is odd
    for men. A record kept before the rule that disagrees can still be edited while its ID and gender stay."""
    w = world
    with pytest.raises(DomainError) as info:
        services.create_teacher(w.hr, teacher_data(w, gender="M"), today=TODAY)
    assert info.value.field == "id_number" and "性别" in info.value.message
    legacy = f.teacher(w.a, "旧档案", gender=Gender.MALE, id_number=f.id_number_for(date(1985, 3, 14), 42))
    services.update_teacher(w.hr, legacy, {"phone": "13800002222"}, today=TODAY)
    assert legacy.phone == "13800002222"
    with pytest.raises(DomainError):
        services.update_teacher(w.hr, legacy, {"id_number": f.id_number_for(date(1985, 3, 14), 44)}, today=TODAY)

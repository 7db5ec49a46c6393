"""Small builders for test data: each adds to the session, flushes and returns the object."""

from __future__ import annotations

import itertools
from datetime import date

from teachers.auth.services import hash_password
from teachers.extensions import db
from teachers.models import (
    Area,
    Assignment,
    AssignmentKind,
    Backbone,
    County,
    Degree,
    EvidenceFile,
    Gender,
    Honour,
    HonourKind,
    Level,
    ProgrammeLevel,
    Role,
    School,
    SchoolKind,
    Stage,
    Teacher,
    Tier,
    TierAward,
    TrainingRecord,
    TrainingSource,
    TrainingState,
    User,
)
from teachers.records import idcard

PASSWORD = "Demo@2027"
_seq = itertools.count(1)
_password_hash: str | None = None


def _hash() -> str:
    global _password_hash
    _password_hash = _password_hash or hash_password(PASSWORD)
    return _password_hash


def id_number_for(birth: date, serial: int = 123) -> str:
    """A valid 18-digit 身份证号 (GB 11643 check digit) for a birth date."""
    body = f"220621{birth:%Y%m%d}{serial % 1000:03d}"
    return body + idcard.check_char(body)


def county(name: str = "临江市", code: str | None = None, **kw) -> County:
    obj = County(name=name, code=code or f"C{next(_seq)}", **kw)
    db.session.add(obj)
    db.session.flush()
    return obj


def school(county_obj: County, name: str | None = None, *, area: Area = Area.URBAN,
           kind: SchoolKind = SchoolKind.PRIMARY, pupils_primary: int = 600, pupils_junior: int = 0, **kw) -> School:
    n = next(_seq)
    obj = School(code=kw.pop("code", f"S{n:04d}"), name=name or f"测试第{n}小学", county_id=county_obj.id, area=area,
                 kind=kind, pupils_primary=pupils_primary, pupils_junior=pupils_junior, **kw)
    db.session.add(obj)
    db.session.flush()
    return obj


def teacher(school_obj: School, name: str | None = None, *, birth: date = date(1985, 3, 14),
            service_start: date = date(2008, 9, 1), stage: Stage = Stage.PRIMARY, subject: str = "数学",
            gender: Gender = Gender.FEMALE, degree: Degree = Degree.BACHELOR, backbone: Backbone = Backbone.NONE,
            working: School | None = None, history: bool = True, tier: Tier | None = None,
            backbone_since: date | None = None, **kw) -> Teacher:
    """``tier`` and ``backbone`` are derived: given here, they become a tier award and a backbone honour."""
    n = next(_seq)
    obj = Teacher(
        staff_no=kw.pop("staff_no", f"T{n:06d}"), name=name or f"教师{n}", gender=gender, birth_date=birth,
        id_number=kw.pop("id_number", id_number_for(birth, n)), service_start=service_start,
        personnel_school_id=school_obj.id, working_school_id=(working or school_obj).id, stage=stage,
        subject=subject, degree=degree, **kw,
    )
    db.session.add(obj)
    db.session.flush()
    if tier is not None:
        award(obj, tier, service_start)
    if backbone != Backbone.NONE:
        honour(obj, Level(backbone.value), recognised_on=backbone_since or service_start)
    if history:
        db.session.add(Assignment(teacher_id=obj.id, school_id=school_obj.id, kind=AssignmentKind.HIRE,
                                  start_date=service_start))
        db.session.flush()
    return obj


def user(username: str, role: Role, *, school_obj: School | None = None, teacher_obj: Teacher | None = None,
         county_obj: County | None = None, prefecture: str | None = None, active: bool = True) -> User:
    obj = User(username=username, display_name=username, password_hash=_hash(), role=role,
               school_id=school_obj.id if school_obj else None, teacher_id=teacher_obj.id if teacher_obj else None,
               county_id=county_obj.id if county_obj else None, prefecture=prefecture, active=active)
    db.session.add(obj)
    db.session.flush()
    return obj


def award(teacher_obj: Teacher, tier: Tier, on: date, reason: str = "测试", by: User | None = None) -> TierAward:
    obj = TierAward(teacher_id=teacher_obj.id, tier=tier, awarded_on=on, reason=reason,
                    decided_by_id=by.id if by is not None else None)
    db.session.add(obj)
    db.session.flush()
    db.session.expire(teacher_obj, ["tier"])
    return obj


def honour(teacher_obj: Teacher, level: Level, *, kind: HonourKind = HonourKind.BACKBONE,
           recognised_on: date = date(2020, 9, 1), review_on: date | None = None, **kw) -> Honour:
    obj = Honour(teacher_id=teacher_obj.id, kind=kind, level=level, recognised_on=recognised_on,
                 review_on=review_on, **kw)
    db.session.add(obj)
    db.session.flush()
    db.session.expire(teacher_obj, ["backbone"])
    return obj


def evidence_file(content: bytes, name: str = "证书.pdf", content_type: str = "application/pdf") -> EvidenceFile:
    """An evidence row with its file written to the app's evidence folder (no content check)."""
    import hashlib
    import secrets

    from teachers.development.evidence import storage_dir

    stored = f"{secrets.token_hex(16)}.{name.rsplit('.', 1)[-1].lower()}"
    (storage_dir() / stored).write_bytes(content)
    obj = EvidenceFile(stored_name=stored, original_name=name, content_type=content_type, size=len(content),
                       sha256=hashlib.sha256(content).hexdigest())
    db.session.add(obj)
    db.session.flush()
    return obj


def training_record(teacher_obj: Teacher, *, title: str = "县级教师培训", state: TrainingState = TrainingState.SUBMITTED,
                    hours: float | None = 16, start: date = date(2026, 3, 1), end: date | None = None,
                    level: ProgrammeLevel = ProgrammeLevel.COUNTY, source: TrainingSource = TrainingSource.OUTSIDE,
                    evidence: EvidenceFile | None = None, **kw) -> TrainingRecord:
    obj = TrainingRecord(teacher_id=teacher_obj.id, title=title, state=state, hours=hours, start_on=start,
                         end_on=end or start, level=level, source=source, provider=kw.pop("provider", "临江市教师进修学校"),
                         evidence_id=evidence.id if evidence else None,
                         reject_reason=kw.pop("reject_reason", "请补充证明" if state == TrainingState.REJECTED else ""),
                         **kw)
    db.session.add(obj)
    db.session.flush()
    return obj

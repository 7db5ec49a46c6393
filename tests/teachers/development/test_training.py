"""Training records: submission with evidence, verification, confirmation, rejection and resubmission,
every refusal, the history, notifications, and the progress they feed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from teachers.development import evidence, training
from teachers.errors import DomainError, NotFound
from teachers.extensions import db
from teachers.models import AuditEvent, EvidenceFile, Notification, TrainingEvent, TrainingRecord, TrainingState
from tests.teachers.development.conftest import LAST_YEAR, TODAY, jpeg_bytes, pdf_bytes, png_bytes, training_data


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def submit(w, upload=None, **over) -> TrainingRecord:
    record = training.submit_outside(w.ua, training_data(**over), upload or evidence.Upload("结业证书.pdf", pdf_bytes()),
                                     TODAY)
    db.session.commit()
    return record


def todos(user, kind) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.kind == kind, Notification.done_at.is_(None),
        Notification.todo.is_(True)))


def test_submit_verify_confirm_counts_the_hours(world):
    w = world
    record = submit(w)
    assert record.state == TrainingState.SUBMITTED and record.evidence.original_name == "结业证书.pdf"
    assert todos(w.pa, "training.to_verify") == 1 and todos(w.pb, "training.to_verify") == 0
    p = training.progress_of(w.ta, TODAY)
    assert (p.counted, p.pending) == (0, 40)

    training.act(w.pa, record.id, "verify")
    db.session.commit()
    assert record.state == TrainingState.VERIFIED
    assert todos(w.pa, "training.to_verify") == 0
    assert todos(w.hr, "training.to_confirm") == 1 and todos(w.hr2, "training.to_confirm") == 1

    training.act(w.hr, record.id, "confirm")
    db.session.commit()
    assert record.state == TrainingState.CONFIRMED and record.version == 3
    assert todos(w.hr, "training.to_confirm") == 0 and todos(w.hr2, "training.to_confirm") == 0
    p = training.progress_of(w.ta, TODAY)
    assert (p.counted, p.pending, p.missing) == (40, 0, 320)
    history = [(e.action, e.from_state, e.to_state) for e in record.events]
    assert history == [("submit", None, "submitted"), ("verify", "submitted", "verified"),
                       ("confirm", "verified", "confirmed")]
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"training.verify", "training.confirm"} <= actions


def test_one_step_county_confirms_at_verification(world):
    w = world
    w.county.policy = {**w.county.policy, "training_approval_steps": 1}
    db.session.commit()
    record = submit(w)
    training.act(w.pa, record.id, "verify")
    db.session.commit()
    assert record.state == TrainingState.CONFIRMED
    assert training.progress_of(w.ta, TODAY).counted == 40


def test_rejection_needs_a_reason_then_the_teacher_corrects_and_resubmits(world):
    w = world
    record = submit(w)
    with pytest.raises(DomainError) as info:
        training.act(w.pa, record.id, "reject", reason="  ")
    assert info.value.field == "reason" and "原因" in info.value.message
    db.session.rollback()
    training.act(w.pa, record.id, "reject", reason="证书上的学时是32学时")
    db.session.commit()
    assert record.state == TrainingState.REJECTED and todos(w.ua, "training.rejected") == 1
    assert training.progress_of(w.ta, TODAY).pending == 0  # a rejected record is not waiting

    training.resubmit(w.ua, record.id, training_data(hours="32"), None, TODAY)
    db.session.commit()
    assert (record.state, record.hours, record.reject_reason) == (TrainingState.SUBMITTED, 32, "")
    assert todos(w.ua, "training.rejected") == 0 and todos(w.pa, "training.to_verify") == 1
    last = record.events[-1]
    assert (last.action, last.changes) == ("resubmit", {"hours": [40.0, 32.0]})
    assert [e.action for e in record.events] == ["submit", "reject", "resubmit"]


def test_hr_rejects_a_verified_record_but_not_a_submitted_one(world):
    w = world
    record = submit(w)
    with pytest.raises(DomainError, match="不能由您退回"):
        training.act(w.hr, record.id, "reject", reason="x")
    db.session.rollback()
    training.act(w.pa, record.id, "verify")
    training.act(w.hr, record.id, "reject", reason="证书无公章")
    db.session.commit()
    assert record.state == TrainingState.REJECTED


def test_confirming_a_record_not_yet_verified_is_refused(world):
    w = world
    record = submit(w)
    with pytest.raises(DomainError, match="尚未经学校审核"):
        training.act(w.hr, record.id, "confirm")
    db.session.rollback()
    assert db.session.get(TrainingRecord, record.id).state == TrainingState.SUBMITTED


def test_verification_by_another_schools_principal_is_refused(world):
    w = world
    record = submit(w)
    with pytest.raises(NotFound):
        training.act(w.pb, record.id, "verify")
    db.session.rollback()
    with pytest.raises(NotFound):
        training.get_record(w.ub, record.id)
    assert db.session.get(TrainingRecord, record.id).state == TrainingState.SUBMITTED


@pytest.mark.parametrize(("over", "field", "message"), [
    ({"hours": "200"}, "hours", "学时过多"),  # 10 days × 8 h = 80 h at most
    ({"credits": "30", "hours": ""}, "credits", "学时过多"),  # 30 credits × 10 = 300 h
    ({"hours": "", "credits": ""}, "hours", "学时或学分"),
    ({"hours": "10", "credits": "1"}, "credits", "只填一项"),
    ({"hours": "-5"}, "hours", "大于0"),
    ({"hours": "abc"}, "hours", "数字"),
    ({"start_on": date(LAST_YEAR - 1, 12, 1), "end_on": date(LAST_YEAR - 1, 12, 3)}, "start_on", "周期"),
    ({"start_on": TODAY, "end_on": TODAY + timedelta(days=2)}, "end_on", "晚于今天"),
    ({"end_on": date(LAST_YEAR, 2, 1)}, "end_on", "早于开始日期"),
    ({"title": " "}, "title", "培训名称"),
    ({"level": "galactic"}, "level", "培训级别"),
    ({"start_on": "2024-02-30"}, "start_on", "开始日期"),
])
def test_bad_values_are_refused_at_their_field_and_nothing_is_saved(world, over, field, message):
    w = world
    with pytest.raises(DomainError) as info:
        training.submit_outside(w.ua, training_data(**over), evidence.Upload("证书.pdf", pdf_bytes()), TODAY)
    assert (info.value.field, message in info.value.message) == (field, True), info.value.message
    db.session.rollback()
    assert count(TrainingRecord) == 0 and count(EvidenceFile) == 0


def test_the_same_training_twice_is_refused(world):
    w = world
    submit(w)
    with pytest.raises(DomainError, match="不能重复申报") as info:
        training.submit_outside(w.ua, training_data(hours="20"), evidence.Upload("b.pdf", pdf_bytes()), TODAY)
    assert info.value.field == "title"
    db.session.rollback()
    assert count(TrainingRecord) == 1 and count(EvidenceFile) == 1


@pytest.mark.parametrize(("name", "data", "message"), [
    ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "PDF、JPG、PNG"),  # a renamed .exe
    ("证书.pdf", b"<!doctype html><html><body><script>alert(1)</script></body></html>", "PDF、JPG、PNG"),
    ("证书.pdf", b"%PDF-1.7\nnot really a pdf\n%%EOF", "PDF、JPG、PNG"),
    ("证书.pdf", b"", "空"),
    ("../../etc/passwd.pdf", pdf_bytes(), "路径"),
    ("..\\证书.pdf", pdf_bytes(), "路径"),
    ("证书.png", pdf_bytes(), "扩展名不符"),
    ("证书.exe", png_bytes(), "扩展名不符"),
])
def test_bad_evidence_files_are_refused(world, name, data, message):
    w = world
    with pytest.raises(DomainError) as info:
        training.submit_outside(w.ua, training_data(), evidence.Upload(name, data), TODAY)
    assert info.value.field == "evidence" and message in info.value.message, info.value.message
    db.session.rollback()
    assert count(TrainingRecord) == 0 and count(EvidenceFile) == 0


def test_evidence_over_the_size_limit_is_refused(world):
    w = world
    w.county.policy = {**w.county.policy, "evidence_max_mb": 1}
    db.session.commit()
    big = pdf_bytes() + b"\n%" + b"x" * (1024 * 1024)
    with pytest.raises(DomainError, match="超过1 MB"):
        training.submit_outside(w.ua, training_data(), evidence.Upload("证书.pdf", big), TODAY)


def test_decompression_bombs_are_refused(world, monkeypatch):
    from PIL import Image

    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)  # 40 × 30 = 1,200 pixels: a "bomb" at this limit
    with pytest.raises(DomainError, match="压缩炸弹"):
        training.submit_outside(world.ua, training_data(), evidence.Upload("证书.png", png_bytes()), TODAY)


def test_images_are_accepted_and_stored_under_a_generated_name(world, tmp_path):
    w = world
    record = submit(w, evidence.Upload("照片.JPG", jpeg_bytes()))
    row = record.evidence
    assert row.content_type == "image/jpeg" and row.original_name == "照片.JPG"
    assert row.stored_name.endswith(".jpg") and "照片" not in row.stored_name
    assert (tmp_path / "evidence" / row.stored_name).read_bytes() == jpeg_bytes()


def test_a_teacher_without_evidence_is_refused(world):
    with pytest.raises(DomainError) as info:
        training.submit_outside(world.ua, training_data(), None, TODAY)
    assert info.value.field == "evidence"


def test_only_teachers_submit_their_own(world):
    from teachers.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        training.submit_outside(world.pa, training_data(), evidence.Upload("a.pdf", pdf_bytes()), TODAY)


def test_overview_lists_who_is_behind_by_school(world):
    w = world
    record = submit(w)
    training.act(w.pa, record.id, "verify")
    training.act(w.hr, record.id, "confirm")
    db.session.commit()
    rows = {r.school.name: r for r in training.overview(w.hr, TODAY)}
    assert {name: (r.teachers, r.complete) for name, r in rows.items()} == {"建国小学": (1, 0), "花山镇中心小学": (1, 0)}
    (teacher, p), = rows["建国小学"].behind
    assert teacher.id == w.ta.id and p.counted == 40
    # the principal sees only their school
    assert [r.school.name for r in training.overview(w.pa, TODAY)] == ["建国小学"]


def test_review_queues(world):
    w = world
    record = submit(w)
    assert [r.id for r in training.review_queue(w.pa)] == [record.id]
    assert training.review_queue(w.pb) == [] and training.review_queue(w.hr) == []
    training.act(w.pa, record.id, "verify")
    db.session.commit()
    assert [r.id for r in training.review_queue(w.hr)] == [record.id]


def test_history_is_kept_for_each_record(world):
    w = world
    record = submit(w)
    training.act(w.pa, record.id, "reject", reason="缺少公章")
    db.session.commit()
    assert count(TrainingEvent) == 2
    assert record.events[-1].reason == "缺少公章"


def test_the_year_rolls_the_cycle(world):
    # A record from the previous cycle does not count toward this one.
    w = world
    w.county.policy = {**w.county.policy, "training_cycle_start_year": TODAY.year}
    db.session.commit()
    with pytest.raises(DomainError, match="周期"):
        training.submit_outside(w.ua, training_data(), evidence.Upload("a.pdf", pdf_bytes()), TODAY)
    assert date(LAST_YEAR, 3, 1).year < TODAY.year

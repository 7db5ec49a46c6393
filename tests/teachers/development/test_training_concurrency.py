"""Two HR officers confirming the same record at once: exactly one takes effect (real threads, each
with its own application and connection, on the database under test: SQLite or PostgreSQL)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from teachers.development import evidence, training
from teachers.errors import DomainError
from teachers.extensions import db
from teachers.models import AuditEvent, TrainingEvent, TrainingRecord, TrainingState, User
from tests.teachers.auth.twin_app import dispose, twin_app
from tests.teachers.development.conftest import TODAY, pdf_bytes, training_data


def test_two_confirmations_at_once_exactly_one_takes_effect(app, world):
    w = world
    record = training.submit_outside(w.ua, training_data(), evidence.Upload("证书.pdf", pdf_bytes()), TODAY)
    training.act(w.pa, record.id, "verify")
    db.session.commit()
    record_id, hr_ids = record.id, (w.hr.id, w.hr2.id)
    db.session.remove()

    barrier = threading.Barrier(2, timeout=20)
    outcomes: list[str] = []
    twins = [twin_app(app, EVIDENCE_DIR=app.config["EVIDENCE_DIR"]) for _ in hr_ids]

    def confirm(twin, hr_id):
        with twin.app_context():
            try:
                hr = db.session.get(User, hr_id)
                training.get_record(hr, record_id)  # both read the verified record first
                barrier.wait()
                training.act(hr, record_id, "confirm")
                db.session.commit()
                outcomes.append("confirmed")
            except DomainError as exc:
                db.session.rollback()
                outcomes.append("refused: " + exc.message)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=confirm, args=(t, h)) for t, h in zip(twins, hr_ids, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for twin in twins:
        dispose(twin)

    assert sorted(outcomes) == ["confirmed", "refused: 该记录刚刚已被他人处理，请刷新后查看。"], outcomes
    row = db.session.get(TrainingRecord, record_id)
    assert (row.state, row.version) == (TrainingState.CONFIRMED, 3)
    confirms = db.session.scalar(select(func.count()).select_from(TrainingEvent)
                                 .where(TrainingEvent.action == "confirm"))
    audits = db.session.scalar(select(func.count()).select_from(AuditEvent)
                               .where(AuditEvent.action == "training.confirm"))
    assert (confirms, audits) == (1, 1)

"""The training pages through the web: upload, review, progress bar, certificate, downloads."""

from __future__ import annotations

import io
import re
from urllib.parse import quote

from sqlalchemy import select

from teachers.extensions import db
from teachers.models import TrainingRecord, TrainingState
from tests.conftest import login
from tests.teachers.development.conftest import LAST_YEAR, pdf_bytes


def form(**over) -> dict:
    data = {"title": "临江市小学数学教研活动", "level": "county", "provider": "临江市教师进修学校",
            "start_on": f"{LAST_YEAR}-04-01", "end_on": f"{LAST_YEAR}-04-03", "hours": "24", "credits": ""}
    data.update(over)
    return data


def upload(client, name="继续教育证书.pdf", content=None, **over):
    data = form(**over)
    data["evidence"] = (io.BytesIO(pdf_bytes() if content is None else content), name)
    return client.post("/training/new", data=data, content_type="multipart/form-data")


def test_the_whole_flow_through_the_pages(app, world):
    w = world
    teacher = app.test_client()
    login(teacher, "teacher")
    resp = upload(teacher)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    record = db.session.scalar(select(TrainingRecord))
    assert record.state == TrainingState.SUBMITTED

    principal = app.test_client()
    login(principal, "principal")
    queue = principal.get("/training/review").get_data(as_text=True)
    assert "临江市小学数学教研活动" in queue
    assert principal.post(f"/training/records/{record.id}/verify").status_code == 302
    hr = app.test_client()
    login(hr, "hr")
    assert hr.post(f"/training/records/{record.id}/confirm").status_code == 302
    db.session.expire_all()
    assert db.session.get(TrainingRecord, record.id).state == TrainingState.CONFIRMED

    page = teacher.get(f"/teachers/{w.ta.id}/training").get_data(as_text=True)
    assert re.search(r'<progress id="cycle-progress" max="360" value="24"', page)
    assert "还差 336 学时" in page
    cert = teacher.get(f"/teachers/{w.ta.id}/training/certificate").get_data(as_text=True)
    assert "计入学时：24" in cert and "张晓明" in cert and "临江市小学数学教研活动" in cert
    # a cycle before the teacher began or one not yet begun has no certificate: 404, not an empty one
    start = w.ta.service_start.year
    assert teacher.get(f"/teachers/{w.ta.id}/training/certificate?cycle=1900").status_code == 404
    assert teacher.get(f"/teachers/{w.ta.id}/training/certificate?cycle=2100").status_code == 404
    assert teacher.get(f"/teachers/{w.ta.id}/training/certificate?cycle={start}").status_code == 200


def test_evidence_downloads_as_an_attachment_with_its_chinese_name(app, world):
    w = world
    teacher = app.test_client()
    login(teacher, "teacher")
    upload(teacher)
    record = db.session.scalar(select(TrainingRecord))
    resp = teacher.get(f"/evidence/{record.evidence_id}")
    assert resp.status_code == 200 and resp.data == pdf_bytes() or resp.data.startswith(b"%PDF-")
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('继续教育证书.pdf')}" in disposition
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    other = app.test_client()
    login(other, "teacher-b")
    assert other.get(f"/evidence/{record.evidence_id}").status_code == 404
    principal_b = app.test_client()
    login(principal_b, "principal-b")
    assert principal_b.get(f"/evidence/{record.evidence_id}").status_code == 404
    assert w.ta.id


def test_bad_upload_answers_at_the_field_in_the_users_language(app, world):
    teacher = app.test_client()
    login(teacher, "teacher")
    resp = upload(teacher, name="证书.pdf", content=b"<html><script>alert(1)</script></html>")
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "只接受 PDF、JPG、PNG 格式的证明材料" in html and 'id="evidence-error"' in html
    assert db.session.scalar(select(TrainingRecord)) is None
    teacher.post("/lang/en", data={"next": "/training/new"})
    html = upload(teacher, name="../证书.pdf").get_data(as_text=True)
    assert "path" in html.lower()
    html = upload(teacher, hours="300").get_data(as_text=True)
    assert "too many" in html.lower() or "at most" in html.lower()


def test_rejection_from_the_page_and_correction(app, world):
    teacher = app.test_client()
    login(teacher, "teacher")
    upload(teacher)
    record = db.session.scalar(select(TrainingRecord))
    principal = app.test_client()
    login(principal, "principal")
    resp = principal.post(f"/training/records/{record.id}/reject", data={"reason": ""}, follow_redirects=True)
    assert "退回须写明原因。" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(TrainingRecord, record.id).state == TrainingState.SUBMITTED
    principal.post(f"/training/records/{record.id}/reject", data={"reason": "学时与证书不符"})
    db.session.expire_all()
    assert db.session.get(TrainingRecord, record.id).state == TrainingState.REJECTED
    page = teacher.get(f"/training/records/{record.id}/edit").get_data(as_text=True)
    assert "学时与证书不符" in page
    resp = teacher.post(f"/training/records/{record.id}/edit", data=form(hours="16"),
                        content_type="multipart/form-data")
    assert resp.status_code == 302
    db.session.expire_all()
    row = db.session.get(TrainingRecord, record.id)
    assert (row.state, row.hours) == (TrainingState.SUBMITTED, 16)
    history = teacher.get(f"/training/records/{record.id}").get_data(as_text=True)
    assert "修改后重新提交" in history and "退回" in history

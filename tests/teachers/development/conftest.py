"""A small county for the development tests: two schools, a teacher at each, every role, evidence
files stored under the test's own folder, and a training cycle that began last year."""

from __future__ import annotations

import io
from datetime import date
from types import SimpleNamespace

import pytest
from PIL import Image
from pypdf import PdfWriter

from teachers.extensions import db
from teachers.models import Role
from tests import factories as f

TODAY = date.today()
LAST_YEAR = TODAY.year - 1


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 130, 30)).save(out, format="JPEG")
    return out.getvalue()


def training_data(**over) -> dict:
    data = {"title": "吉林省小学数学骨干教师研修班", "level": "provincial", "provider": "吉林省教育学院",
            "start_on": date(LAST_YEAR, 3, 1), "end_on": date(LAST_YEAR, 3, 10), "hours": "40", "credits": ""}
    data.update(over)
    return data


@pytest.fixture
def world(app, tmp_path):
    app.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")
    w = SimpleNamespace()
    w.county = f.county(policy={"training_cycle_start_year": LAST_YEAR})
    w.a = f.school(w.county, "建国小学")
    w.b = f.school(w.county, "花山镇中心小学")
    w.ta = f.teacher(w.a, "张晓明", service_start=date(2008, 9, 1))
    w.tb = f.teacher(w.b, "李红", service_start=date(2010, 9, 1))
    w.hr = f.user("hr", Role.HR, county_obj=w.county)
    w.hr2 = f.user("hr2", Role.HR, county_obj=w.county)
    w.inspector = f.user("inspector", Role.INSPECTOR, county_obj=w.county)
    w.admin = f.user("admin", Role.ADMIN)
    w.pa = f.user("principal", Role.PRINCIPAL, school_obj=w.a)
    w.pb = f.user("principal-b", Role.PRINCIPAL, school_obj=w.b)
    w.ua = f.user("teacher", Role.TEACHER, teacher_obj=w.ta)
    w.ub = f.user("teacher-b", Role.TEACHER, teacher_obj=w.tb)
    db.session.commit()
    return w

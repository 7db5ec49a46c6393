"""Migration 0020 turns the typed tier and backbone into tier awards and honours, and back."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from teachers.extensions import db


@pytest.fixture
def scratch_url(tmp_path):
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'm0020.sqlite3'}"
        return
    name = f"m20_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    yield base.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def _previous_revision() -> str:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[3] / "migrations" / "versions" / "0020_teacher_development.py").read_text()
    for line in text.splitlines():
        if line.startswith("down_revision"):
            return line.split("=", 1)[1].strip().strip("'\"")
    raise AssertionError("no down_revision")


def test_old_values_become_awards_and_honours_and_come_back(scratch_url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": scratch_url, "SECRET_KEY": "x"})
    with app.app_context():
        previous = _previous_revision()
        upgrade(revision=previous)
        now = "2026-01-01 00:00:00"
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO county (code, name, policy, created_at) VALUES ('c', '县', '{}', :now)"), {"now": now})
            conn.execute(sa.text(
                "INSERT INTO school (code, name, county_id, subdistrict, school_district, area, kind, pupils_preschool,"
                " pupils_primary, pupils_junior, pupils_senior, pupils_vocational, staffing_quota, is_teaching_point,"
                " principal_name, phone, address, active, created_at, updated_at) VALUES ('s', '校', 1, '', '',"
                " 'urban', 'primary', 0, 0, 0, 0, 0, 0, false, '', '', '', true, :now, :now)"), {"now": now})
            columns = {c["name"] for c in sa.inspect(conn).get_columns("teacher")}
            extra = {k: v for k, v in {"status": "active"}.items() if k in columns}
            names = ", ".join(extra)
            for no, tier, backbone, since in (("t1", "leader", "city", "2015-05-01"), ("t2", "new", "none", None)):
                conn.execute(sa.text(
                    "INSERT INTO teacher (staff_no, name, gender, birth_date, phone, service_start, personnel_school_id,"
                    " working_school_id, stage, subject, other_subjects, degree, title, backbone, backbone_since, tier,"
                    f" rotation_exempt, rotation_exempt_reason, created_at, updated_at{', ' + names if names else ''})"
                    " VALUES (:no, '甲', 'F', '1980-01-01', '', '2000-09-01', 1, 1, 'primary', '数学', '[]',"
                    " 'bachelor', 'first', :backbone, :since, :tier, false, '', :now, :now"
                    f"{', ' + ', '.join(':' + k for k in extra) if extra else ''})"),
                    {"no": no, "tier": tier, "backbone": backbone, "since": since, "now": now, **extra})
        upgrade()
        with db.engine.connect() as conn:
            awards = conn.execute(sa.text("SELECT t.staff_no, a.tier, a.awarded_on FROM tier_award a JOIN teacher t"
                                          " ON t.id = a.teacher_id ORDER BY t.staff_no")).all()
            honours = conn.execute(sa.text("SELECT kind, level, recognised_on FROM honour")).all()
        assert [(a[0], a[1], str(a[2])) for a in awards] == [("t1", "leader", "2015-05-01"), ("t2", "new", "2000-09-01")]
        assert [(h[0], h[1], str(h[2])) for h in honours] == [("backbone", "city", "2015-05-01")]
        from teachers.models import Backbone, Teacher, Tier

        t1 = db.session.scalar(sa.select(Teacher).where(Teacher.staff_no == "t1"))
        assert (t1.tier, t1.backbone) == (Tier.LEADER, Backbone.CITY)
        db.session.remove()
        downgrade(revision=previous)
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT staff_no, tier, backbone, backbone_since FROM teacher ORDER BY staff_no"))
            assert [(r[0], r[1], r[2], str(r[3]) if r[3] else None) for r in rows] == [
                ("t1", "leader", "city", "2015-05-01"), ("t2", "new", "none", None)]
        db.engine.dispose()

"""The adapter caches a county's built problem per process, keyed by the rows it was built from: a view
that changes nothing rotation reads is served from the cache, and any change to what it reads — a
teacher, their history, a backbone honour, a school, the county's settings — is visible on the very
next read (derive, don't copy: the cache never serves a stale outlook)."""

from __future__ import annotations

from datetime import date

import pytest

from teachers.extensions import db
from teachers.models import Assignment, AssignmentKind, Level, TeacherStatus
from teachers.rotation import adapter
from tests import factories as f

YEAR = 2027


@pytest.fixture(autouse=True)
def empty_cache():
    adapter._BUILD_CACHE.clear()
    yield
    adapter._BUILD_CACHE.clear()


def _problem(county):
    return adapter._build(county, YEAR, on=None, options=None, settings=None)[0]


def test_an_unchanged_county_is_served_from_the_cache_and_unrelated_edits_keep_it(small):
    db.session.commit()
    first = _problem(small.county)
    assert _problem(small.county) is first
    small.teachers[0].phone = "13900000000"  # not something rotation reads
    db.session.commit()
    assert _problem(small.county) is first


def test_each_input_rotation_reads_invalidates_the_cached_outlook(small):
    db.session.commit()
    t = small.teachers[0]
    base = adapter.rotation_outlook(small.county, YEAR)
    assert t.id in base.eligible

    t.rotation_exempt = True  # E2
    db.session.commit()
    assert adapter.rotation_outlook(small.county, YEAR).excluded[t.id] == "E2"
    t.rotation_exempt = False
    db.session.commit()
    assert t.id in adapter.rotation_outlook(small.county, YEAR).eligible

    t.birth_date = date(1970, 1, 1)  # E3: too close to retirement
    db.session.commit()
    assert adapter.rotation_outlook(small.county, YEAR).excluded[t.id] == "E3"

    u = small.teachers[1]
    assert u.id in adapter.rotation_outlook(small.county, YEAR).eligible
    db.session.add(Assignment(teacher_id=u.id, school_id=small.schools[2].id, kind=AssignmentKind.EXCHANGE,
                              start_date=date(2026, 9, 1)))  # history: on exchange elsewhere now
    db.session.commit()
    assert adapter.rotation_outlook(small.county, YEAR).excluded[u.id] == "E1"

    v = small.teachers[2]
    before = adapter.rotation_outlook(small.county, YEAR).eligible_backbone
    f.honour(v, Level.CITY)  # a derived backbone level: an honour row
    db.session.commit()
    assert adapter.rotation_outlook(small.county, YEAR).eligible_backbone == before + 1

    w = small.teachers[3]
    w.status = TeacherStatus.RETIRED
    db.session.commit()
    out = adapter.rotation_outlook(small.county, YEAR)
    assert w.id not in out.eligible and w.id not in out.excluded

    small.county.policy = {**small.county.policy, "min_years_at_school": 30}  # the county's settings
    db.session.commit()
    assert adapter.rotation_outlook(small.county, YEAR).count == 0


def test_a_school_change_is_visible_at_once(small):
    db.session.commit()
    school = small.schools[0]
    assert any(s.id == school.code for s in _problem(small.county).schools)
    school.active = False
    db.session.commit()
    problem = _problem(small.county)
    assert all(s.id != school.code for s in problem.schools)
    assert all(t.school != school.code for t in problem.teachers)


def test_cached_outlooks_are_copies(small):
    db.session.commit()
    out = adapter.rotation_outlook(small.county, YEAR)
    out.eligible.clear()
    assert adapter.rotation_outlook(small.county, YEAR).count > 0


def test_on_postgresql_a_cached_view_reads_one_digest_statement_not_the_rows(small):
    """PostgreSQL compares the rows by digests computed where they are (one statement, one snapshot);
    SQLite compares the rows themselves. Either way a change shows at once (the tests above run on both)."""
    from sqlalchemy import event

    db.session.commit()
    first = _problem(small.county)
    statements: list[str] = []
    engine = db.session.get_bind()

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert _problem(small.county) is first
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    if engine.dialect.name == "postgresql":
        assert len(statements) == 1 and "md5" in statements[0]
    else:
        assert len(statements) == 3  # schools, teachers, history, compared in Python

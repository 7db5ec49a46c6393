"""Migration 0021 adds the prefecture scope: existing county accounts stay as they are, a prefecture account
is accepted and a scope-less HR still refused; downgrading narrows a prefecture account to the first county of
its prefecture and deactivates it (never widening it), and upgrading again works."""

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
        yield f"sqlite:///{tmp_path / 'm0021.sqlite3'}"
        return
    name = f"m21_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    yield base.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


USER = ("INSERT INTO user_account (username, display_name, password_hash, role, county_id{extra}, active, "
        "failed_logins, password_failures, created_at) VALUES (:u, '', 'x', :role, :county{extra_value}, true, 0, 0, "
        "CURRENT_TIMESTAMP)")


def _user(conn, username, role, county=None, prefecture=None):
    if prefecture is None:
        sql = USER.format(extra="", extra_value="")
        params = {"u": username, "role": role, "county": county}
    else:
        sql = USER.format(extra=", prefecture", extra_value=", :p")
        params = {"u": username, "role": role, "county": county, "p": prefecture}
    conn.execute(sa.text(sql), params)


def test_prefecture_scope_up_down_up(scratch_url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": scratch_url, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade(revision="0020")
        with db.engine.begin() as conn:
            for code, name, prefecture in (("1", "浑江区", "白山市"), ("2", "临江市", "白山市"), ("3", "东昌区", "通化市")):
                conn.execute(sa.text("INSERT INTO county (code, name, prefecture, policy, created_at) "
                                     "VALUES (:c, :n, :p, '{}', CURRENT_TIMESTAMP)"), {"c": code, "n": name, "p": prefecture})
            first = conn.scalar(sa.text("SELECT MIN(id) FROM county WHERE prefecture = '白山市'"))
            _user(conn, "hr-old", "hr", county=first)
        upgrade(revision="0021")
        with db.engine.begin() as conn:
            _user(conn, "hr-BS", "hr", prefecture="白山市")
            assert conn.scalar(sa.text("SELECT county_id FROM user_account WHERE username = 'hr-old'")) == first
        for bad in ({"county": None, "prefecture": None}, {"county": first, "prefecture": "白山市"}):
            with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
                _user(conn, "hr-bad", "hr", **bad)

        downgrade(revision="0020")
        with db.engine.begin() as conn:
            row = conn.execute(sa.text("SELECT county_id, active FROM user_account WHERE username = 'hr-BS'")).one()
            assert row[0] == first and not row[1]
            assert "prefecture" not in {c["name"] for c in sa.inspect(conn).get_columns("user_account")}
            with pytest.raises(sa.exc.IntegrityError), conn.begin_nested():
                _user(conn, "hr-none", "hr")
        upgrade()
        with db.engine.begin() as conn:
            assert conn.scalar(sa.text("SELECT COUNT(*) FROM user_account")) == 2
        db.session.remove()
        db.engine.dispose()

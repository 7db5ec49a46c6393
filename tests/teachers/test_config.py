"""Configuration: the secret key is never a constant, the database URL is normalised, production
cookies are secure and debug stays off."""

from __future__ import annotations

import os
import stat

from app import create_app
from teachers import config


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.secret_key(str(tmp_path))
    assert len(first) == 64 and first == config.secret_key(str(tmp_path))
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    other = tmp_path / "other"
    assert config.secret_key(str(other)) != first  # random, not a constant


def test_secret_key_from_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert config.secret_key(str(tmp_path)) == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_database_url(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert config.database_url(str(tmp_path)) == f"sqlite:///{tmp_path / 'teachers.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    assert config.database_url(str(tmp_path)) == "postgresql+psycopg://u@h/db"
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    assert config.database_url(str(tmp_path)) == "postgresql+psycopg://u@h/db"


def test_production_cookies_are_secure_and_debug_is_off(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.debug is False
    monkeypatch.delenv("APP_ENV")
    assert create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"}).config["SESSION_COOKIE_SECURE"] is False


def test_postgresql_connections_run_without_jit():
    """JIT compilation cost more than the queries themselves at prefecture scale (see teachers/config.py)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@127.0.0.1:1/none", "SECRET_KEY": "x"})
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"]["options"] == "-c jit=off"
    assert options["pool_pre_ping"] is True
    assert config.Defaults.SQLALCHEMY_ENGINE_OPTIONS == {"pool_pre_ping": True}  # the defaults are not mutated


def test_gunicorn_recipe_freezes_the_startup_objects_out_of_the_collector():
    import gc
    import runpy
    from pathlib import Path

    recipe = runpy.run_path(str(Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"))
    assert recipe["worker_class"] == "gthread"
    try:
        recipe["post_worker_init"](None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()

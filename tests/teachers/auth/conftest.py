"""Fixtures for the auth tests: ``web``, a client of a twin app (see twin_app.py)."""

import pytest

from tests.teachers.auth.twin_app import dispose, twin_app


@pytest.fixture
def twin(app):
    other = twin_app(app)
    yield other
    dispose(other)


@pytest.fixture
def web(twin):
    return twin.test_client()

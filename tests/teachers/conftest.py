"""Fixtures for the web-app tests: ``twin``, a second app on the same database (a second server
process), and ``web``, a client of it."""

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

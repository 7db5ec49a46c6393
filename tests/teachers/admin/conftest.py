"""Fixtures for the admin tests: ``twin``, an app on the same database whose requests each get a fresh context."""

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

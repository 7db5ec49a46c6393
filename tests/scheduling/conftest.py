"""Fixtures for the scheduling tests.

Factories live in ``rotation_factories.py`` beside this file; this folder is put on ``sys.path`` so
that test modules can import it whatever pytest import mode is configured.
"""

import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from rotation_factories import make_instance_module

# --------------------------------------------------------------------------- rules / io / check fixtures


@pytest.fixture(scope="session")
def make_instance():
    """The project's instance generator module (``make_instance.make_instance(n_schools, n_counties, seed)``)."""
    return make_instance_module()

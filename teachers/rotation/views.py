"""Rotation rounds in the web app: thin views over ``teachers.rotation.services``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("rotation", __name__, url_prefix="/rotation")

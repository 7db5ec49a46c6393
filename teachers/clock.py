"""Today's date, injectable: ``app.config["TODAY"]`` (a date or an ISO string, e.g. from the
environment variable ``TODAY`` for a demo or the browser test) overrides the system clock; services
also take an explicit ``today`` argument, which wins over both."""

from __future__ import annotations

from datetime import date

from flask import current_app, has_app_context


def today(explicit: date | None = None) -> date:
    """``explicit`` if given, else the configured ``TODAY``, else the system date."""
    if explicit is not None:
        return explicit
    if has_app_context():
        configured = current_app.config.get("TODAY")
        if isinstance(configured, date):
            return configured
        if configured:
            return date.fromisoformat(str(configured))
    return date.today()

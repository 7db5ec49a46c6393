"""Every demo role logs in through the real login form and reaches its dashboard in chromium."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in

ROLES = [
    ("admin", "dashboard"),
    ("hr", "dashboard"),
    ("inspector", "dashboard"),
    ("principal-LJ-P01", "dashboard"),
    ("LJ20180001", "dashboard"),
]


@pytest.mark.parametrize("username", [r[0] for r in ROLES])
def test_each_role_logs_in_and_sees_its_dashboard(page, live_server, username):
    log_in(page, username)
    assert page.url.rstrip("/") == live_server.url, f"{username} ended on {page.url}: {page.inner_text('main')}"
    assert page.locator("header.topbar .who").count() == 1
    assert page.locator("main h1").count() >= 1
    # the language switch works in the browser too
    page.click("form.lang button")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"


def test_a_failed_request_fails_the_walk(page, live_server, problems):
    """The watcher itself: a 404 is recorded (then cleared so that this test passes)."""
    page.goto("/no-such-page")
    assert any("HTTP 404" in p for p in problems)
    problems.clear()

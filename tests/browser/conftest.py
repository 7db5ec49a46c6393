"""Browser tests: the real app on a free port, driven by Debian's chromium through Playwright.

The app runs in a thread of the test process (Werkzeug's server, threaded) on its own SQLite file,
migrated and seeded with the demo county once per session. Every page a test opens is watched: a
console error, an uncaught page error, a failed request or an HTTP 4xx/5xx answer fails the test.

Chromium is Debian's (``/usr/bin/chromium``); Playwright never downloads a browser. Under CI
(``CI=true``) a missing chromium or Playwright is an error, never a skip; on a developer's machine
the tests skip with the reason.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"browser tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


class LiveServer:
    def __init__(self, app, host: str = "127.0.0.1"):
        self.app = app
        self.server = make_server(host, 0, app, threaded=True)
        self.url = f"http://{host}:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True, name="live-server")

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)


def _browser_config(path: Path) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
        "SECRET_KEY": "browser-test-secret-key",
        "WTF_CSRF_ENABLED": True,
        "SESSION_COOKIE_SECURE": False,
    }


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> Path:
    """A migrated SQLite file holding the demo county, built once; each test server gets a copy."""
    from flask_migrate import upgrade

    from app import create_app
    from teachers.demo import seed_demo
    from teachers.extensions import db

    path = tmp_path_factory.mktemp("browser-db") / "demo.sqlite3"
    app = create_app(_browser_config(path))
    with app.app_context():
        upgrade()
        seed_demo()
        db.session.commit()
        db.engine.dispose()
    return path


@pytest.fixture
def live_server(demo_database, tmp_path) -> Iterator[LiveServer]:
    """The app on a random free port, on a fresh copy of the demo database."""
    from app import create_app
    from teachers.extensions import db

    copy = tmp_path / "live.sqlite3"
    shutil.copy(demo_database, copy)
    app = create_app(_browser_config(copy))
    server = LiveServer(app).start()
    try:
        yield server
    finally:
        server.stop()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - requirements.txt pins it
        _unavailable("the playwright package is not installed")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


class PageProblems(list):
    """What went wrong on the pages of one test: console errors, page errors, failed requests."""

    def watch(self, page, base_url: str) -> None:
        page.on("console", lambda msg: msg.type == "error" and self.append(f"console error: {msg.text}"))
        page.on("pageerror", lambda exc: self.append(f"page error: {exc}"))
        page.on("requestfailed", lambda req: self.append(f"request failed: {req.method} {req.url} ({req.failure})"))
        page.on("response", lambda resp: resp.status >= 400 and self.append(
            f"HTTP {resp.status}: {resp.request.method} {resp.url}"))


@pytest.fixture
def context(browser, live_server):
    ctx = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(15_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def new_page(context, live_server, problems):
    """Open a watched page (several per test for several users: each gets its own context)."""
    pages = []

    def make(ctx=None):
        page = (ctx or context).new_page()
        problems.watch(page, live_server.url)
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.close()
    assert not problems, "the browser saw problems:\n" + "\n".join(problems)


@pytest.fixture
def page(new_page):
    return new_page()


def log_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")

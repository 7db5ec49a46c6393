"""Every page each demo role can reach, in Chinese and in English, at desktop and at phone width.

For each role the walk starts at the home page and follows same-origin links breadth first (at most
``PER_ROLE`` pages, and at most ``PER_SHAPE`` pages of one URL shape such as ``/teachers/<n>``, so
that the walk sees every kind of page without reading the whole county). Each page is loaded in
Chinese, measured at desktop width and again at phone width (390×844, horizontal overflow), then in
English the same way. A page fails the walk when:

- the browser logs a console error, a page error or a failed request, or a request answers ≥ 400
  (a 404 or 403 behind an in-app link, a 500 anywhere) — the ``new_page`` watcher;
- at phone width the document is wider than the screen (the widest element is named);
- an English page shows Chinese in its headings, buttons, labels, table headers, legends, tabs or
  navigation, once the demo's data (school, teacher, county, programme names …) is taken out;
- a Chinese page shows Python's words or an enum's stored value ("None", "True", "on_exchange" …).

The demo county has no rotation round, so one confirmed round with one move of the walking teacher is
added first (its rows written directly), for the rotation pages to be walked too.

Download links (xlsx, csv, json) are fetched with the session, not opened: 200 with a file type.
Printable pages printed (print media) show no navigation.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import pytest

from tests.browser.conftest import log_in

PER_ROLE = 60
PER_SHAPE = 2
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

ROLES = {
    "admin": "admin",
    "hr": "hr",
    "inspector": "inspector",
    "principal": "principal-LJ-P01",
    "teacher": None,  # the demo teacher with the most of: a mentoring pair, training hours, an exchange
}

DOWNLOAD = re.compile(r"\.(xlsx|csv|json)(\?|$)")
SKIP = re.compile(r"^/(logout|lang/|static/)")
CJK = re.compile(r"[\u3400-\u9fff\uff08\uff09\uff0c\u3001\u3002\uff1a\uff1b]")
HAN = re.compile(r"[\u3400-\u9fff]")

# English words Python or the database would put on a page when a value is shown raw.
RAW_WORDS = {"None", "True", "False", "nan", "NaN", "null", "undefined"}

# Where an English page must not show Chinese: the parts a translator owns, never the data.
LABELS_JS = """
() => {
  const root = document.querySelector('main') || document.body;
  const pick = 'h1, h2, h3, h4, legend, label, th, button, summary, nav a, .tabs a, caption, dt, .stat .label, .hint';
  const out = [];
  for (const el of [...root.querySelectorAll(pick), ...document.querySelectorAll('header.topbar nav a, header.topbar .tools a, header.topbar .tools button, footer')]) {
    if (el.closest('[data-raw], .no-translate, [lang^=zh]')) continue;  // the switch to Chinese is in Chinese
    const t = (el.innerText || '').trim();
    if (t) out.push([el.tagName.toLowerCase() + (el.id ? '#' + el.id : ''), t]);
  }
  for (const el of root.querySelectorAll('input[placeholder], textarea[placeholder]')) {
    out.push(['placeholder', el.getAttribute('placeholder')]);
  }
  for (const el of document.querySelectorAll('[aria-label], main [title]')) {
    if (el.closest('[lang^=zh]')) continue;
    out.push(['label of ' + el.tagName.toLowerCase(), el.getAttribute('aria-label') || el.getAttribute('title')]);
  }
  out.push(['page title', document.title]);
  for (const el of root.querySelectorAll('select option')) {
    const t = (el.innerText || '').trim();
    if (t) out.push(['option', t]);
  }
  return out;
}
"""

OVERFLOW_JS = """
() => {
  const doc = document.scrollingElement;
  if (doc.scrollWidth <= window.innerWidth + 1) return null;
  let widest = null, right = 0;
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0) continue;
    // Is it inside a box that scrolls or hides it? An absolutely placed element escapes every box
    // up to the one it is placed against (its containing block).
    let clipped = false;
    let placed = ['absolute', 'fixed'].includes(getComputedStyle(el).position);
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (s.display === 'none') { clipped = true; break; }
      if (placed) {
        if (s.position === 'static' && s.transform === 'none') continue;
        placed = ['absolute', 'fixed'].includes(s.position);
      }
      if (s.overflowX !== 'visible' && s.overflowX !== 'clip') { clipped = true; break; }
    }
    if (!clipped && r.right >= right) { right = r.right; widest = el; }
  }
  const name = widest ? widest.tagName.toLowerCase() + (widest.id ? '#' + widest.id : '') +
    (widest.className && typeof widest.className === 'string' ? '.' + widest.className.trim().split(/\\s+/).join('.') : '') +
    ' "' + (widest.innerText || '').trim().slice(0, 40) + '"' : '?';
  return `${doc.scrollWidth}px wide (screen ${window.innerWidth}px), widest: ${name} (right edge ${Math.round(right)}px)`;
}
"""


def _shape(path: str) -> str:
    return re.sub(r"\d+", "<n>", path)


@dataclass
class Facts:
    teacher: str  # the teacher to walk as
    data: list[str]  # what an English page may show in Chinese: names, titles, subjects (longest first)
    values: set[str]  # the enums' stored words, which a Chinese page must not show
    usernames: set[str]  # login names (Latin by design), which a Chinese page may show


def _demo_facts(app) -> Facts:
    from sqlalchemy import select

    from teachers import policy
    from teachers.extensions import db
    from teachers.models import (
        Achievement,
        County,
        MentorPair,
        Programme,
        School,
        Teacher,
        TrainingRecord,
        User,
        development,
        enums,
        rotation,
    )
    from teachers.models.enums import AssignmentKind

    with app.app_context():
        paired = set(db.session.scalars(select(MentorPair.mentee_id))) | set(db.session.scalars(select(MentorPair.mentor_id)))
        trained = set(db.session.scalars(select(TrainingRecord.teacher_id)))
        best, username = -1, None
        for user in db.session.scalars(select(User).where(User.teacher_id.in_(paired | trained)).order_by(User.id)):
            score = ((user.teacher_id in paired) + (user.teacher_id in trained)
                     + any(a.kind == AssignmentKind.EXCHANGE for a in user.teacher.assignments))
            if score > best:
                best, username = score, user.username
            if score == 3:
                break
        data: set[str] = set()
        for column in (County.name, County.prefecture, County.province, School.name, School.subdistrict,
                       School.school_district, School.principal_name, Teacher.name, User.display_name,
                       Teacher.subject, Programme.title, Programme.provider, TrainingRecord.title,
                       TrainingRecord.provider, TrainingRecord.reject_reason, Achievement.title):
            data.update(v for v in db.session.scalars(select(column).distinct()) if v)
        usernames = set(db.session.scalars(select(User.username)))
        for value in policy.DEFAULTS.values():  # the county's subject lists
            if isinstance(value, (list, tuple)):
                data.update(str(v) for v in value)
    values: set[str] = set()
    for module in (enums, development, rotation):
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, __import__("enum").Enum):
                values.update(str(m.value) for m in obj if isinstance(m.value, str) and re.fullmatch(r"[a-z_]+", m.value)
                              and ("_" in m.value or len(m.value) > 3))
    return Facts(username, sorted(data, key=len, reverse=True), values, usernames)


def _untranslated(items: list[list[str]], data: list[str]) -> list[str]:
    found = []
    for where, text in items:
        rest = text
        if HAN.search(rest):
            for value in data:
                if value in rest:
                    rest = rest.replace(value, " ")
        if HAN.search(rest):
            found.append(f"{where}: {text[:80]!r}")
    return found


def _raw_words(text: str, facts: Facts) -> list[str]:
    words = set(re.findall(r"[A-Za-z_]+", text)) - facts.usernames
    bad = sorted(w for w in words if w in RAW_WORDS or w in facts.values)
    bad += re.findall(r"<[\w.]+ object at 0x|\b\w+\.\w+: '|<\w+\.\w+: '", text)
    return bad


def _links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    out = []
    for href in hrefs:
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        url = urljoin(page.url, href)
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != base:
            continue
        out.append(url.split("#", 1)[0])
    return out


def _switch(page, lang: str) -> None:
    page.click("form.lang button")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == ("en" if lang == "en" else "zh-CN")


def _check(page, url: str, lang: str, facts: Facts, findings: list[str], linked_from: str = ""):
    """Open ``url``, check it at desktop width and at phone width; the response."""
    page.set_viewport_size(DESKTOP)
    response = page.goto(url, wait_until="load")
    where = f"[{lang}] {urlsplit(url).path}{'?' + urlsplit(url).query if urlsplit(url).query else ''}"
    if response is None or response.status >= 400:
        status = response.status if response is not None else "no answer"
        findings.append(f"{where}: HTTP {status}" + (f", linked from {linked_from}" if linked_from else ""))
        return response
    if "text/html" not in response.headers.get("content-type", ""):
        return response
    if lang == "en":
        findings += [f"{where}: untranslated {u}" for u in _untranslated(page.evaluate(LABELS_JS), facts.data)]
    else:
        main = page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
        findings += [f"{where}: raw English {w!r}" for w in _raw_words(main, facts)]
    page.set_viewport_size(PHONE)
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    overflow = page.evaluate(OVERFLOW_JS)
    if overflow:  # charts follow the window's resize event: measure again once they have
        page.wait_for_timeout(300)
        overflow = page.evaluate(OVERFLOW_JS)
    if overflow:
        findings.append(f"{where} at phone width: {overflow}")
    return response


def _download(page, url: str, lang: str, findings: list[str]) -> None:
    response = page.request.get(url)
    kind = response.headers.get("content-type", "")
    path = urlsplit(url).path
    expected = {"xlsx": "spreadsheetml", "csv": "text/csv", "json": "application/json"}[path.rsplit(".", 1)[1]]
    if response.status != 200 or expected not in kind:
        findings.append(f"[{lang}] download {path}: HTTP {response.status}, {kind!r}")


def _crawl(page, base: str, facts: Facts, findings: list[str]) -> tuple[list[str], list[str]]:
    """Pages and downloads reachable from home, breadth first, bounded; each page checked in Chinese."""
    queue, seen, shapes, linked_from = deque([base + "/"]), {base + "/"}, {}, {}
    pages, downloads = [], []
    while queue and len(pages) < PER_ROLE:
        url = queue.popleft()
        path = urlsplit(url).path
        if DOWNLOAD.search(path):
            downloads.append(url)
            continue
        response = _check(page, url, "zh", facts, findings, linked_from.get(url, ""))
        pages.append(url)
        if response is None or response.status >= 400 or "text/html" not in response.headers.get("content-type", ""):
            continue
        for link in _links(page, base):
            parts = urlsplit(link)
            if link in seen or SKIP.search(parts.path):
                continue
            seen.add(link)
            linked_from[link] = urlsplit(url).path
            shape = _shape(parts.path) + "?" + ",".join(sorted({k.split("=")[0] for k in parts.query.split("&") if k}))
            if shapes.get(shape, 0) >= PER_SHAPE:
                continue
            shapes[shape] = shapes.get(shape, 0) + 1
            queue.append(link)
    return pages, downloads


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_of_a_role(new_page, live_server, role):
    facts = _demo_facts(live_server.app)
    _confirmed_round(live_server.app, facts.teacher)  # the demo has no rotation round: its pages need one
    page = new_page()
    log_in(page, ROLES[role] or facts.teacher)
    assert page.url.rstrip("/") == live_server.url, page.inner_text("main")
    findings: list[str] = []
    pages, downloads = _crawl(page, live_server.url, facts, findings)  # in Chinese
    assert len(pages) >= 5, pages
    for url in downloads:
        _download(page, url, "zh", findings)
    page.goto("/")
    _switch(page, "en")
    for url in pages:
        _check(page, url, "en", facts, findings)
    for url in downloads:
        _download(page, url, "en", findings)
    page.goto("/")
    _switch(page, "zh")
    assert not findings, f"{role} ({len(pages)} pages, {len(downloads)} downloads):\n" + "\n".join(findings)


def test_the_login_page_in_both_languages(new_page, live_server):
    facts = _demo_facts(live_server.app)
    page = new_page()
    findings: list[str] = []
    _check(page, live_server.url + "/login", "zh", facts, findings)
    _switch(page, "en")
    _check(page, live_server.url + "/login", "en", facts, findings)
    assert page.locator("html").get_attribute("lang") == "en"
    assert not findings, "\n".join(findings)


def _confirmed_round(app, staff_no: str | None = None) -> tuple[int, int, int]:
    """A round whose list is confirmed, with one confirmed move of the teacher ``staff_no`` (else of the first
    teacher with training hours); rows made directly, since the demo has no round and solving takes long."""
    from datetime import date, timedelta

    from sqlalchemy import select

    from teachers import policy
    from teachers.extensions import db
    from teachers.models import (
        Answer,
        County,
        Decision,
        MoveState,
        RotationMove,
        RotationRound,
        RoundState,
        RunStatus,
        School,
        SolveRun,
        Teacher,
        TrainingRecord,
        User,
    )
    from teachers.models._types import utcnow

    with app.app_context():
        county = db.session.scalars(select(County)).first()
        hr = db.session.scalars(select(User).where(User.username == "hr")).one()
        teacher = (db.session.scalars(select(User).where(User.username == staff_no)).one().teacher if staff_no else
                   db.session.get(Teacher, db.session.scalars(select(TrainingRecord.teacher_id)).first()))
        to_school = db.session.scalars(select(School).where(School.county_id == county.id,
                                                            School.id != teacher.working_school_id)).first()
        d = date(2027, 5, 1)
        windows = {}
        for i, w in enumerate(("wish", "decision", "answer", "notice")):
            windows[f"{w}_opens"] = d + timedelta(days=10 * i)
            windows[f"{w}_closes"] = d + timedelta(days=10 * i + 8)
        rnd = RotationRound(county_id=county.id, year=2027, state=RoundState.CONFIRMED,
                            settings=policy.effective({}), start_date=date(2027, 9, 1), **windows)
        db.session.add(rnd)
        db.session.flush()
        run = SolveRun(round_id=rnd.id, county_id=county.id, status=RunStatus.SUCCEEDED, instance={"format": "x"},
                       plan={"format": "rotation-plan/1", "status": "feasible", "moves": []}, time_limit_s=10)
        db.session.add(run)
        db.session.flush()
        rnd.published_run_id = run.id
        move = RotationMove(round_id=rnd.id, run_id=run.id, teacher_id=teacher.id,
                            from_school_id=teacher.working_school_id, to_school_id=to_school.id,
                            state=MoveState.CONFIRMED, sending_decision=Decision.APPROVED,
                            receiving_decision=Decision.APPROVED, answer=Answer.ACKNOWLEDGED, facts=[],
                            sending_at=utcnow(), receiving_at=utcnow(), answered_at=utcnow(),
                            sending_by_id=hr.id, receiving_by_id=hr.id)
        db.session.add(move)
        db.session.commit()
        return rnd.id, move.id, teacher.id


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_printed_pages_show_no_navigation(new_page, live_server, lang):
    round_id, move_id, teacher_id = _confirmed_round(live_server.app)
    page = new_page()
    log_in(page, "hr")
    if lang == "en":
        _switch(page, "en")
    printable = {
        "public-notice list": (f"/rotation/{round_id}/notice-list", "#notice-list"),
        "exchange notice": (f"/rotation/moves/{move_id}/letter", "#exchange-letter"),
        "hours certificate": (f"/teachers/{teacher_id}/training/certificate", "article.certificate"),
    }
    shown = []
    for name, (url, body) in printable.items():
        page.emulate_media(media="screen")
        page.goto(url)
        assert page.locator(body).is_visible(), name
        assert page.locator("header.topbar nav").is_visible(), f"{name}: the screen shows the navigation"
        page.emulate_media(media="print")
        assert page.locator(body).is_visible(), f"{name}: printed without its content"
        for chrome in ("header.topbar", "nav", "footer", ".actions", ".no-print", "form.lang"):
            for i in range(page.locator(chrome).count()):
                if page.locator(chrome).nth(i).is_visible():
                    shown.append(f"{name}: {chrome} is printed")
    page.emulate_media(media="screen")
    assert not shown, "\n".join(shown)

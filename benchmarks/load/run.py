"""Load test at prefecture scale: gunicorn (several workers) on PostgreSQL, 50 browsing users and
5 submitting forms, for a bounded time, on 127.0.0.1. Standard library only (threads and http.client).

    python benchmarks/load/run.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/load_scratch

The database is migrated and, when empty, seeded with ``flask seed-demo --scale prefecture``. Prints
p50/p95/p99 per page and overall, the error rate, requests per second, and ``uptime`` (the machine is shared).
"""

from __future__ import annotations

import argparse
import html.parser
import http.client
import os
import random
import re
import socket
import subprocess  # nosec B404
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
PASSWORD = "Demo@2027"
COUNTIES = ("HJ", "JY", "FS", "JZ", "CB", "LJ")
#: Think time between two clicks of a browsing user, uniform in seconds. A person reading a dashboard, a
#: list of 50 teachers or a record takes several seconds; 1-3 s is faster than that (demanding), and 50
#: such users make about 20 requests a second, several times what a prefecture's HR, inspectors and
#: principals would generate at their busiest. (It was 0.2-0.6 s: a script, not a person.)
THINK_S = (1.0, 3.0)


class FormParser(html.parser.HTMLParser):
    """The fields of the largest <form method=post> on the page (not the menu's logout form): name -> value."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._in_form = True
            self.fields = {}
            self.forms.append(self.fields)
        if not self._in_form:
            return
        if tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields[a["name"]] = a.get("value") or "y"
            else:
                self.fields[a["name"]] = a.get("value") or ""
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self.fields.setdefault(self._select, "")
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value") or ""
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.fields[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._in_form:
            self._in_form = False

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


class Client:
    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str, dict]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                text = resp.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        for header in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return resp.status, text, dict(resp.headers)

    def login(self, username: str) -> None:
        _, page, _ = self.request("GET", "/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
        token = next(g for g in token.groups() if g) if token else ""
        status, _, _ = self.request("POST", "/login", {"username": username, "password": PASSWORD,
                                                      "csrf_token": token})
        if status != 302:
            raise RuntimeError(f"login {username}: {status}")


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.measuring = False

    def timed(self, name: str, client: Client, method: str, path: str, body=None, ok=(200,)):
        start = time.perf_counter()
        try:
            status, text, headers = client.request(method, path, body)
        except (OSError, http.client.HTTPException, RuntimeError):
            status, text, headers = 599, "", {}
        elapsed = time.perf_counter() - start
        if self.measuring:
            with self.lock:
                self.times[name].append(elapsed)
                if status not in ok:
                    self.errors[name] += 1
        return status, text, headers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ids(client: Client, path: str, pattern: str) -> list[int]:
    _, page, _ = client.request("GET", path)
    return sorted({int(x) for x in re.findall(pattern, page)})


def browser(rec: Recorder, port: int, username: str, stop: threading.Event, seed: int) -> None:
    rnd = random.Random(seed)
    c = Client(port)
    c.login(username)
    teacher_ids = ids(c, "/teachers?sort=name", r'href="/teachers/(\d+)"') or [1]
    school_ids = ids(c, "/schools", r'href="/schools/(\d+)"') or ids(c, "/", r'href="/schools/(\d+)"') or [1]
    while not stop.is_set():
        page = rnd.random()
        if page < 0.2:
            rec.timed("dashboard /", c, "GET", "/")
        elif page < 0.45:
            stage = rnd.choice(["", "primary", "junior"])
            query = urllib.parse.urlencode({k: v for k, v in {
                "stage": stage, "backbone": rnd.choice(["", "county_up", "any"]),
                "sort": rnd.choice(["staff_no", "name", "years", "school"]), "page": rnd.randint(1, 5)}.items() if v})
            rec.timed("teacher list (filters)", c, "GET", f"/teachers?{query}")
        elif page < 0.7:
            rec.timed("teacher record", c, "GET", f"/teachers/{rnd.choice(teacher_ids)}")
        elif page < 0.85:
            rec.timed("school list", c, "GET", "/schools", ok=(200, 302))
        else:
            rec.timed("school record", c, "GET", f"/schools/{rnd.choice(school_ids)}")
        time.sleep(rnd.uniform(*THINK_S))


def submitter(rec: Recorder, port: int, username: str, stop: threading.Event, seed: int) -> None:
    rnd = random.Random(seed)
    c = Client(port)
    c.login(username)
    teacher_ids = ids(c, "/teachers?sort=name", r'href="/teachers/(\d+)"') or [1]
    while not stop.is_set():
        tid = rnd.choice(teacher_ids)
        status, page, _ = rec.timed("teacher edit form", c, "GET", f"/teachers/{tid}/edit")
        parser = FormParser()
        parser.feed(page)
        fields = max(parser.forms, key=len) if parser.forms else {}
        if status == 200 and fields.get("csrf_token"):
            fields["phone"] = f"139{rnd.randrange(10**8):08d}"
            rec.timed("teacher edit submit", c, "POST", f"/teachers/{tid}/edit", fields, ok=(302,))
        time.sleep(rnd.uniform(1.0, 2.0))


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--browsers", type=int, default=50)
    ap.add_argument("--submitters", type=int, default=5)
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--warmup", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--threads", type=int, default=4)
    args = ap.parse_args()
    if not args.database_url.startswith("postgresql"):
        print("load: the production recipe is PostgreSQL; give --database-url postgresql+psycopg://…", file=sys.stderr)
        return 2
    env = {**os.environ, "DATABASE_URL": args.database_url, "FLASK_APP": "app.py",
           "SECRET_KEY": "load-test-secret-not-for-production", "GUNICORN_ACCESS_LOG": "/dev/null"}
    env.pop("APP_ENV", None)
    # bandit B603 waived (below): our own venv's tools with fixed argument lists.
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], env=env, check=True, cwd=ROOT)  # nosec B603
    subprocess.run([str(BIN / "flask"), "seed-demo", "--scale", "prefecture", "--if-empty"], env=env,  # nosec B603
                   check=True, cwd=ROOT)
    port = free_port()
    server = subprocess.Popen(  # nosec B603
        [str(BIN / "gunicorn"), "-c", str(ROOT / "deploy/gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--threads", str(args.threads), "app:create_app()"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        rec = Recorder()
        stop = threading.Event()
        users = []
        for i in range(args.browsers):
            county = COUNTIES[i % len(COUNTIES)]
            kind = i % 5
            name = {0: f"hr-{county}", 1: f"inspector-{county}", 2: "admin"}.get(
                kind, f"principal-{county}{i % 3}-LJ-P0{1 + i % 8}")
            users.append(threading.Thread(target=browser, args=(rec, port, name, stop, i), daemon=True))
        for i in range(args.submitters):
            users.append(threading.Thread(target=submitter, args=(rec, port, f"hr-{COUNTIES[i % 6]}", stop, 1000 + i),
                                          daemon=True))
        for t in users:
            t.start()
        time.sleep(args.warmup)
        rec.measuring = True
        started = time.perf_counter()
        time.sleep(args.duration)
        rec.measuring = False
        wall = time.perf_counter() - started
        stop.set()
        for t in users:
            t.join(30)
    finally:
        server.terminate()
        server.wait(30)
    load = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()  # nosec B603 B607
    total = [x for v in rec.times.values() for x in v]
    errors = sum(rec.errors.values())
    print(f"load: {args.browsers} browsing + {args.submitters} submitting users, {args.duration:.0f} s measured "
          f"after {args.warmup:.0f} s warm-up; gunicorn {args.workers} workers × {args.threads} threads; PostgreSQL")
    print(f"uptime: {load}")
    print(f"{'page':28} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name in sorted(rec.times, key=lambda n: -percentile(rec.times[n], 95)):
        v = rec.times[name]
        print(f"{name:28} {len(v):6d} {percentile(v, 50) * 1000:8.0f} {percentile(v, 95) * 1000:8.0f} "
              f"{percentile(v, 99) * 1000:8.0f} {rec.errors[name]:7d}")
    print(f"{'all':28} {len(total):6d} {percentile(total, 50) * 1000:8.0f} {percentile(total, 95) * 1000:8.0f} "
          f"{percentile(total, 99) * 1000:8.0f} {errors:7d}")
    print(f"throughput {len(total) / wall:.1f} req/s, error rate {errors / max(1, len(total)):.2%}")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

"""Import benchmark: 20,000 teachers from an .xlsx through the project's import, beside a plain openpyxl read.

    .venv/bin/python benchmarks/io_bench.py [--rows 20000]

A scratch SQLite database (in a temporary folder) is migrated and given one county, 100 schools and an
HR account. A workbook of ``--rows`` new teachers (valid ID numbers agreeing with birth date and gender,
school codes, labels as the template writes them) is written with openpyxl. Then, timed with
``time.perf_counter``:

* **import** — ``teachers.io.imports.apply`` (read, convert and check every row, the set-wise database
  checks, write teachers, hire rows, tier awards and the audit row) and the commit: what ``flask import``
  and the browser's confirm do;
* **floor** — openpyxl ``read_only`` reading the same file's values and nothing else.

The import runs once more under ``tracemalloc`` (on a fresh database, since the first run wrote the
rows) for the peak of Python allocations; tracing slows Python several times, so it never runs under
the clock. Peak resident memory (``ru_maxrss``) and the load average (the machine is shared) are
printed too. The target of issue 9 is ≤ 30 s for 20,000 rows.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _seed() -> None:
    from sqlalchemy import insert

    from teachers.extensions import db
    from teachers.models import Area, County, Role, School, SchoolKind, User

    county = County(name="基准县", code="BENCH")
    db.session.add(county)
    db.session.flush()
    db.session.execute(insert(School), [
        {"code": f"B{i:03d}", "name": f"基准县第{i}小学", "county_id": county.id, "area": Area.RURAL if i % 3 else Area.URBAN,
         "kind": SchoolKind.PRIMARY, "pupils_primary": 500} for i in range(100)])
    db.session.add(User(username="bench-hr", display_name="bench", password_hash="x", role=Role.HR,
                        county_id=county.id, active=True))
    db.session.commit()


def _workbook(rows: int, path: Path) -> None:
    from openpyxl import Workbook

    from teachers.records import idcard

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("教师")
    ws.append(["工号", "姓名", "性别", "身份证号", "出生日期", "联系电话", "学段", "学科", "兼教学科", "职称", "学历",
               "人事学校代码", "任教学校代码", "入职日期", "参加工作日期", "在岗状态"])
    subjects = ["语文", "数学", "英语", "科学", "体育", "音乐", "美术"]
    for n in range(rows):
        birth = date(1965 + n % 35, 1 + n % 12, 1 + n % 28)
        male = n % 2 == 1
        serial = (n // 2 % 500) * 2 + (1 if male else 0)  # odd for men, even for women
        body = f"{220621 + n // 1000 % 10 * 100}{birth:%Y%m%d}{serial:03d}"
        start = date(birth.year + 22, 9, 1)
        ws.append([f"BT{n:06d}", f"教师{n}", "男" if male else "女", body + idcard.check_char(body), birth,
                   f"138{n:08d}", "小学", subjects[n % len(subjects)], "", "一级教师", "本科", f"B{n % 100:03d}", "",
                   start, start, "在岗"])
    wb.save(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20000)
    args = parser.parse_args()
    print(f"load average at start: {_load()}")
    folder = Path(tempfile.mkdtemp(prefix="import-bench-"))
    path = folder / "teachers.xlsx"

    from flask_migrate import upgrade
    from openpyxl import load_workbook

    from app import create_app
    from teachers.extensions import db

    _workbook(args.rows, path)
    data = path.read_bytes()
    print(f"workbook: {args.rows} rows, {len(data) / 2**20:.1f} MiB")

    def run_import(database: str) -> tuple[float, int]:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / database}", "SECRET_KEY": "bench",
                          "TESTING": True})
        with app.app_context():
            upgrade()
            _seed()
            from teachers.io import imports
            from teachers.models import Teacher, User

            hr = db.session.scalar(db.select(User).where(User.username == "bench-hr"))
            start = time.perf_counter()
            result = imports.apply(hr, "teachers", data, path.name, today=date(2026, 9, 1))
            db.session.commit()
            seconds = time.perf_counter() - start
            assert result.ok, [i.text() for i in result.issues[:5]]
            written = db.session.scalar(db.select(db.func.count(Teacher.id)))
            db.session.remove()
            db.engine.dispose()
        return seconds, written

    seconds, written = run_import("timed.sqlite3")
    assert written == args.rows, written
    print(f"import         {seconds:8.2f} s   ({written} teachers written)", flush=True)
    tracemalloc.start()
    run_import("traced.sqlite3")
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"import peak Python allocations {peak:7.1f} MiB (migrations and seeding included)")

    start = time.perf_counter()
    book = load_workbook(path, read_only=True)
    count = sum(1 for _ in book.active.iter_rows(values_only=True))
    book.close()
    floor = time.perf_counter() - start
    print(f"floor read     {floor:8.2f} s   ({count - 1} rows, openpyxl read_only, values only)")
    print(f"ratio import / floor: {seconds / floor:.1f}×")
    print(f"peak resident memory of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print(f"load average at end: {_load()}")
    shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Export benchmark: 20,000 teachers to .xlsx and .csv through the project's export, beside the floor.

    .venv/bin/python benchmarks/export_bench.py [--rows 20000] [--keep DIR]

A scratch SQLite database (in a temporary folder) is migrated and filled with bulk inserts: one county,
100 schools, ``--rows`` teachers each with a hire row in the history, and an HR account. Then, each in
turn, timed with ``time.perf_counter`` and with the peak of Python allocations (``tracemalloc``):

* **export xlsx / csv** — ``teachers.io.exports.teachers`` (scope, filters, masking through
  ``personal()``) written by ``teachers.io.writer`` to a file, plus its audit row: what the
  download route and ``flask export`` do;
* **floor xlsx** — openpyxl ``write_only`` writing the same rows (plain values fetched beforehand,
  no query, no masking, no neutralisation, no styles) to a file: what openpyxl alone costs.

Each is run twice: once for the time, once under ``tracemalloc`` for the peak (tracing slows Python
down several times, so it never runs under the clock). The ratio is export / floor. Peak resident memory of the process (``ru_maxrss``) is printed at the
end, with the load average before and after (the machine is shared). The target of issue 9 is
≤ 10 s for 20,000 rows.
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


def _seed(rows: int) -> None:
    from sqlalchemy import insert

    from teachers.extensions import db
    from teachers.models import (
        Area,
        Assignment,
        AssignmentKind,
        County,
        Degree,
        Gender,
        Role,
        School,
        SchoolKind,
        Stage,
        Teacher,
        Title,
        User,
    )
    from teachers.records import idcard

    county = County(name="基准县", code="BENCH")
    db.session.add(county)
    db.session.flush()
    db.session.execute(insert(School), [
        {"code": f"B{i:03d}", "name": f"基准县第{i}小学", "county_id": county.id, "area": Area.RURAL if i % 3 else Area.URBAN,
         "kind": SchoolKind.PRIMARY, "pupils_primary": 500} for i in range(100)])
    school_ids = [s.id for s in db.session.scalars(db.select(School).order_by(School.id))]
    subjects = ["语文", "数学", "英语", "科学", "体育", "音乐", "美术"]
    people = []
    for n in range(rows):
        birth = date(1965 + n % 35, 1 + n % 12, 1 + n % 28)
        body = f"220621{birth:%Y%m%d}{n % 1000:03d}"
        school = school_ids[n % len(school_ids)]
        people.append({
            "staff_no": f"BT{n:06d}", "name": f"教师{n}", "gender": Gender.MALE if n % 2 else Gender.FEMALE,
            "birth_date": birth, "id_number": body + idcard.check_char(body) if n < 1000 * 35 else None,
            "phone": f"138{n:08d}", "service_start": date(birth.year + 22, 9, 1), "personnel_school_id": school,
            "working_school_id": school, "stage": Stage.PRIMARY, "subject": subjects[n % len(subjects)],
            "other_subjects": [], "degree": Degree.BACHELOR, "title": Title.FIRST})
    # ID numbers must be unique: the serial repeats every 1,000 rows, the birth date every 35×12×28.
    seen: set[str] = set()
    for p in people:
        if p["id_number"] in seen:
            p["id_number"] = None
        seen.add(p["id_number"])
    db.session.execute(insert(Teacher), people)
    ids = db.session.execute(db.select(Teacher.id, Teacher.personnel_school_id, Teacher.service_start)).all()
    db.session.execute(insert(Assignment), [
        {"teacher_id": i, "school_id": s, "kind": AssignmentKind.HIRE, "start_date": start} for i, s, start in ids])
    db.session.add(User(username="bench-hr", display_name="bench", password_hash="x", role=Role.HR,
                        county_id=county.id, active=True))
    db.session.commit()


def _timed(label: str, fn) -> tuple[float, object]:
    """Run ``fn`` twice: timed alone, then under ``tracemalloc`` for the peak of Python allocations
    (tracing slows Python several times over, so it never runs under the clock)."""
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"{label:<14} {seconds:8.2f} s   peak Python allocations {peak:7.1f} MiB", flush=True)
    return seconds, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--keep", type=Path, default=None, help="write the files here instead of a temporary folder")
    args = parser.parse_args()
    print(f"load average at start: {_load()}")
    folder = Path(tempfile.mkdtemp(prefix="export-bench-"))
    out = args.keep or folder
    out.mkdir(parents=True, exist_ok=True)

    from flask_migrate import upgrade
    from openpyxl import Workbook

    from app import create_app
    from teachers.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}", "SECRET_KEY": "bench",
                      "TESTING": True})
    with app.app_context():
        start = time.perf_counter()
        upgrade()
        _seed(args.rows)
        print(f"seeded {args.rows} teachers in {time.perf_counter() - start:.1f} s (migrations included)")

        from teachers.io import exports, writer
        from teachers.models import User

        hr = db.session.scalar(db.select(User).where(User.username == "bench-hr"))

        def export(fmt: str):
            def run():
                sheet_export = exports.teachers(hr)
                with open(out / f"teachers.{fmt}", "wb") as handle:
                    writer.write(sheet_export.sheet, fmt, handle)
                exports.record(hr, sheet_export, fmt)
                db.session.commit()
                return sheet_export.sheet.written
            return run

        seconds_x, n = _timed("export xlsx", export("xlsx"))
        assert n == args.rows, n
        seconds_c, _ = _timed("export csv", export("csv"))
        # The floor: the same rows as plain values, fetched before the clock starts.
        from openpyxl import load_workbook

        rows = list(load_workbook(out / "teachers.xlsx", read_only=True).active.iter_rows(values_only=True))

        def floor():
            wb = Workbook(write_only=True)
            ws = wb.create_sheet()
            for row in rows:
                ws.append(row)
            wb.save(out / "floor.xlsx")
        seconds_f, _ = _timed("floor xlsx", floor)
        print(f"ratio export xlsx / floor: {seconds_x / seconds_f:.1f}×   (csv export: {seconds_c:.2f} s)")
        print(f"files: {out if args.keep else '(temporary, removed)'}  "
              f"({(out / 'teachers.xlsx').stat().st_size / 2**20:.1f} MiB xlsx)")
    print(f"peak resident memory of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print(f"load average at end: {_load()}")
    shutil.rmtree(folder, ignore_errors=True)  # the scratch database (and the files unless --keep)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

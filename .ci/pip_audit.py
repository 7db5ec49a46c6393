"""pip-audit against the pinned requirements, reported honestly.

Exit 0 when every pinned package was checked and none is vulnerable, 1 when any is vulnerable, and 0
with "vulnerability database unreachable, NOT checked" only when the database could not be reached
(no package could be looked up): then nothing was checked, and this says so.
"""

from __future__ import annotations

import json
import subprocess  # nosec B404
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    argv = [str(ROOT / ".venv/bin/pip-audit"), "-r", str(ROOT / "requirements.txt"), "--no-deps", "--disable-pip",
            "--progress-spinner", "off", "-f", "json"]
    # bandit B603 waived: our own venv's pip-audit with a fixed argument list.
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=600)  # nosec B603
    try:
        report = json.loads(done.stdout or "{}")
    except json.JSONDecodeError:
        report = {}
    deps = report.get("dependencies", [])
    checked = [d for d in deps if "skip_reason" not in d]
    vulnerable = [d for d in checked if d.get("vulns")]
    if vulnerable:
        for d in vulnerable:
            ids = ", ".join(v["id"] for v in d["vulns"])
            print(f"pip-audit: {d['name']} {d.get('version')} is vulnerable: {ids}")
        return 1
    if not checked:
        reason = (deps[0]["skip_reason"] if deps else (done.stderr.strip().splitlines() or ["no output"])[-1])
        print("pip-audit: vulnerability database unreachable, NOT checked "
              f"({len(deps)} pinned packages; e.g. {reason})")
        return 0
    skipped = len(deps) - len(checked)
    print(f"pip-audit: {len(checked)} pinned packages checked, none vulnerable"
          + (f"; {skipped} could not be looked up" if skipped else ""))
    return 0 if not skipped else 1


if __name__ == "__main__":
    sys.exit(main())

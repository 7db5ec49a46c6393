"""What the review pages show of a solve run, as plain data (the UI draws it): the table of moves
with reasons in the reader's language, per-school before/after L1–L3 per 100 pupils, the county's
difference coefficients before/after against their limits, the H3–H8 compliance box, lookups of
stayers and excluded teachers with the reason, and the comparison of two solutions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from teachers.errors import DomainError
from teachers.extensions import db
from teachers.models import School, SolveRun, Teacher, User
from teachers.rotation import adapter
from teachers.rotation.jobs import get_run
from teachers.rotation.services import lang

INDICATORS = ("L1", "L2", "L3")


@dataclass(frozen=True)
class MoveRow:
    """One proposed move as the review table shows it."""

    teacher_id: int | None
    staff_no: str
    name: str
    from_code: str
    from_name: str
    from_area: str
    to_code: str
    to_name: str
    to_area: str
    reasons: list[str]  # in the reader's language, from Move.facts
    wish_rank: int | None  # the wish honoured (1 = first choice), None when not a wish
    km: float | None
    pinned: bool


def _names(county_id: int) -> dict[str, School]:
    return {s.code: s for s in db.session.scalars(select(School).where(School.county_id == county_id))}


def _teachers(staff_nos: list[str]) -> dict[str, Teacher]:
    if not staff_nos:
        return {}
    return {t.staff_no: t for t in db.session.scalars(select(Teacher).where(Teacher.staff_no.in_(staff_nos)))}


def move_rows(run: SolveRun) -> list[MoveRow]:
    """The run's proposed moves with reasons worded in the reader's language."""
    plan = run.plan or {}
    schools = _names(run.county_id)
    names = {code: s.name for code, s in schools.items()}
    teachers = _teachers([m["teacher"] for m in plan.get("moves", [])])
    areas = {s["id"]: s["area"] for s in run.instance.get("schools", [])}
    reader = lang()
    rows = []
    for m in plan.get("moves", []):
        t = teachers.get(m["teacher"])
        facts = m.get("facts") or []
        rows.append(MoveRow(
            teacher_id=t.id if t else None, staff_no=m["teacher"], name=t.name if t else m["teacher"],
            from_code=m["from"], from_name=names.get(m["from"], m["from"]), from_area=areas.get(m["from"], ""),
            to_code=m["to"], to_name=names.get(m["to"], m["to"]), to_area=areas.get(m["to"], ""),
            reasons=[adapter.fact_text(f, reader, names) for f in facts],
            wish_rank=next((f.get("wish") for f in facts if f.get("wish")), None),
            km=next((f.get("km") for f in facts if "km" in f), None),
            pinned=any(f.get("pinned") for f in facts),
        ))
    return rows


def review(user: User, run_id: int) -> dict[str, Any]:
    """Everything the review page needs for one run (JSON-ready apart from ``moves``, a list of
    MoveRow): status, Σ CV², moves, ``schools`` (code → name, area, headcount before/after, sent,
    received, per stage L1–L3 per 100 pupils before/after), ``coefficients`` ({stage: {indicator:
    {"before", "after", "limit"}}}), ``compliance`` (H3–H8 with their numbers, as the solver reports
    them), ``infeasibility`` (the solver's explanation sentences) and ``hint`` (which setting to
    change when infeasible)."""
    run = get_run(user, run_id)
    plan = run.plan or {}
    schools = _names(run.county_id)
    settings = run.round.settings
    metrics = plan.get("metrics") or {}
    county = next(iter((metrics.get("before") or {}).keys()), None)
    coefficients: dict[str, dict[str, dict[str, float | None]]] = {}
    for stage in ("primary", "junior"):
        before = ((metrics.get("before") or {}).get(county) or {}).get(stage)
        after = ((metrics.get("after") or {}).get(county) or {}).get(stage)
        if before is None and after is None:
            continue
        coefficients[stage] = {ind: {"before": (before or {}).get(ind), "after": (after or {}).get(ind),
                                     "limit": float(settings.get(f"cv_limit_{stage}", 0.5))}
                               for ind in INDICATORS}
    school_rows = {}
    for code, fig in (plan.get("schools") or {}).items():
        s = schools.get(code)
        school_rows[code] = {"name": s.name if s else code, "area": fig.get("area"), **fig}
    infeasible = plan.get("status") == "infeasible"
    return {
        "run_id": run.id, "round_id": run.round_id, "status": run.status.value,
        "solver_status": plan.get("status"), "objective": run.objective, "moves": move_rows(run),
        "schools": school_rows, "coefficients": coefficients, "compliance": plan.get("compliance") or {},
        "infeasibility": list(plan.get("infeasibility") or []),
        "hint": infeasibility_hint(plan) if infeasible else "",
        "excluded_count": len(plan.get("excluded") or {}), "stay_count": len(plan.get("stays") or {}),
    }


#: Which round setting relaxes which rule, for the infeasibility hint.
RULE_SETTINGS = {
    "H3": ("rotation_share", "max_rotation_share"), "H4": ("backbone_share", "backbone_share_base"),
    "H5": ("headcount_band",), "H6": ("max_outflow_share",), "H7": ("required_subjects_primary",
                                                                    "required_subjects_junior"),
    "H8": ("cv_limit_primary", "cv_limit_junior"),
}


def infeasibility_hint(plan: dict[str, Any]) -> str:
    """Which settings to change, from the rule codes the solver's explanation names."""
    from teachers import policy

    text = " ".join(plan.get("infeasibility") or [])
    keys = [k for rule, ks in RULE_SETTINGS.items() if rule in text for k in ks]
    if not keys:
        return _("请检查本轮设置、锁定和排除。")
    reader = lang()
    labels = [(policy.BY_KEY[k].label_en if reader == "en" else policy.BY_KEY[k].label_zh) for k in keys]
    return _("可调整的设置：%(names)s。", names="、".join(labels) if reader != "en" else ", ".join(labels))


def lookup(user: User, run_id: int, query: str) -> list[dict[str, Any]]:
    """Look up teachers of the run's instance by staff number or name: for each, whether they move
    (and where), stay (the solver's reason) or are excluded (the rule, in the reader's language)."""
    run = get_run(user, run_id)
    query = (query or "").strip()
    if not query:
        raise DomainError(_("请输入工号或姓名。"), field="q")
    plan = run.plan or {}
    in_instance = {t["id"] for t in run.instance.get("teachers", [])}
    matches = db.session.scalars(select(Teacher).where(
        (Teacher.staff_no == query) | Teacher.name.contains(query, autoescape=True)).limit(50)).all()
    problem = adapter.problem_from_instance(run.instance)
    excluded_text = adapter.exclusion_reasons(problem, lang())
    moves = {m["teacher"]: m for m in plan.get("moves", [])}
    out = []
    for t in matches:
        if t.staff_no not in in_instance:
            continue
        if t.staff_no in moves:
            out.append({"teacher_id": t.id, "staff_no": t.staff_no, "name": t.name, "outcome": "moves",
                        "to": moves[t.staff_no]["to"], "reason": ""})
        elif t.staff_no in excluded_text:
            out.append({"teacher_id": t.id, "staff_no": t.staff_no, "name": t.name, "outcome": "excluded",
                        "reason": excluded_text[t.staff_no]})
        else:
            out.append({"teacher_id": t.id, "staff_no": t.staff_no, "name": t.name, "outcome": "stays",
                        "reason": (plan.get("stays") or {}).get(t.staff_no, "")})
    return out


def compare(user: User, run_a: int, run_b: int) -> dict[str, Any]:
    """Two solutions of the same round side by side: moves added (in b, not a), removed, changed
    (same teacher, another destination), and Σ CV² and every coefficient of each."""
    a, b = get_run(user, run_a), get_run(user, run_b)
    if a.round_id != b.round_id:
        raise DomainError(_("只能比较同一轮次的两个方案。"))
    ma = {m["teacher"]: m for m in (a.plan or {}).get("moves", [])}
    mb = {m["teacher"]: m for m in (b.plan or {}).get("moves", [])}
    rows_a = {r.staff_no: r for r in move_rows(a)}
    rows_b = {r.staff_no: r for r in move_rows(b)}
    return {
        "a": a.id, "b": b.id,
        "added": [rows_b[t] for t in sorted(set(mb) - set(ma))],
        "removed": [rows_a[t] for t in sorted(set(ma) - set(mb))],
        "changed": [(rows_a[t], rows_b[t]) for t in sorted(set(ma) & set(mb)) if ma[t]["to"] != mb[t]["to"]],
        "same": len([t for t in set(ma) & set(mb) if ma[t]["to"] == mb[t]["to"]]),
        "objective": {"a": a.objective, "b": b.objective},
        "coefficients": {"a": review(user, a.id)["coefficients"], "b": review(user, b.id)["coefficients"]},
    }

"""Rotation figures for the dashboard (the UI draws them): progress toward the 10 % (all movers)
and 20 % (backbone share of movers) rules per year, per county and per school; eligible teachers
per school; backbone distribution and L1–L3 per 100 pupils before and after the current round."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from teachers.auth.permissions import has_permission, scoped_county
from teachers.errors import PermissionDenied
from teachers.extensions import db
from teachers.models import MoveState, RotationMove, RotationRound, RoundState, School, SolveRun, User
from teachers.rotation import adapter

#: Moves that count toward a year's shares (published and not dropped).
COUNTED = (MoveState.PENDING_PRINCIPALS, MoveState.PENDING_TEACHER, MoveState.OBJECTED, MoveState.ACCEPTED,
           MoveState.CONFIRMED, MoveState.CARRIED_OUT, MoveState.RETURNED)
DONE = (MoveState.CONFIRMED, MoveState.CARRIED_OUT, MoveState.RETURNED)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def rotation_dashboard(user: User, county_id: int | None = None) -> dict[str, Any]:
    """For the county in scope: ``years`` (one row per round, newest first: eligible, moves,
    confirmed, backbone moves, share and backbone share against the round's own targets),
    ``current`` (the latest round not cancelled, or None) with ``schools`` (per school: eligible,
    sending, receiving, share of its eligible sent, backbone before/after, L1–L3 per 100 pupils
    before/after from the published or latest plan)."""
    if not has_permission(user, "rotation.view"):
        raise PermissionDenied("rotation.view")
    county = scoped_county(user, county_id)
    if county is None:
        return {"county": None, "years": [], "current": None}
    rounds = db.session.scalars(select(RotationRound).where(RotationRound.county_id == county.id,
                                                            RotationRound.state != RoundState.CANCELLED)
                                .order_by(RotationRound.year.desc())).all()
    years = []
    for rnd in rounds:
        outlook = adapter.rotation_outlook_with(county, rnd.year, rnd.settings)
        moves = db.session.scalars(select(RotationMove).where(RotationMove.round_id == rnd.id,
                                                              RotationMove.state.in_(COUNTED))).all()
        backbone = sum(1 for m in moves if m.teacher.backbone.value in ("county", "city", "province"))
        years.append({
            "round_id": rnd.id, "year": rnd.year, "state": rnd.state.value, "eligible": outlook.count,
            "moves": len(moves), "confirmed": sum(m.state in DONE for m in moves), "backbone_moves": backbone,
            "share": _share(len(moves), outlook.count), "share_target": float(rnd.settings["rotation_share"]),
            "backbone_share": _share(backbone, len(moves)),
            "backbone_target": float(rnd.settings["backbone_share"]),
            "min_moves": outlook.min_moves, "max_moves": outlook.max_moves,
        })
    current = rounds[0] if rounds else None
    return {"county": county, "years": years,
            "current": _current(county, current) if current is not None else None}


def _current(county, rnd: RotationRound) -> dict[str, Any]:
    outlook = adapter.rotation_outlook_with(county, rnd.year, rnd.settings)
    schools = db.session.scalars(select(School).where(School.county_id == county.id, School.active.is_(True))
                                 .order_by(School.code)).all()
    eligible_at: dict[int, int] = {}
    for school_id in outlook.eligible.values():
        eligible_at[school_id] = eligible_at.get(school_id, 0) + 1
    moves = db.session.scalars(select(RotationMove).where(RotationMove.round_id == rnd.id,
                                                          RotationMove.state.in_(COUNTED))).all()
    run_id = rnd.published_run_id or db.session.scalar(
        select(SolveRun.id).where(SolveRun.round_id == rnd.id, SolveRun.plan.is_not(None))
        .order_by(SolveRun.id.desc()).limit(1))
    run = db.session.get(SolveRun, run_id) if run_id else None
    figures = (run.plan or {}).get("schools", {}) if run else {}
    rows = []
    for s in schools:
        sent = sum(1 for m in moves if m.from_school_id == s.id)
        received = sum(1 for m in moves if m.to_school_id == s.id)
        fig = figures.get(s.code, {})
        indicators = {stage: {ind: fig[stage][ind] for ind in ("L1", "L2", "L3") if ind in fig[stage]}
                      for stage in ("primary", "junior") if isinstance(fig.get(stage), dict)}
        rows.append({
            "school_id": s.id, "code": s.code, "name": s.name, "area": s.area.value,
            "eligible": eligible_at.get(s.id, 0), "sending": sent, "receiving": received,
            "share": _share(sent, eligible_at.get(s.id, 0)),
            "backbone_before": _backbone(run, s.code, after=False),
            "backbone_after": _backbone(run, s.code, after=True),
            "indicators": indicators,
        })
    return {"round_id": rnd.id, "year": rnd.year, "state": rnd.state.value, "run_id": run.id if run else None,
            "schools": rows}


def _backbone(run: SolveRun | None, code: str, *, after: bool) -> int | None:
    """County-level-or-higher backbone teachers at a school before/after the run's moves."""
    if run is None:
        return None
    counted = ("county", "city", "province")
    teachers = run.instance.get("teachers", [])
    moves = {m["teacher"]: m["to"] for m in (run.plan or {}).get("moves", [])} if after else {}
    return sum(1 for t in teachers if t.get("backbone") in counted and moves.get(t["id"], t["school"]) == code)

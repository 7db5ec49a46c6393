"""Rotation rounds in the web app: thin views over ``teachers.rotation.services``.

The first half of this module presents a ``rotation-plan/1`` dict (see ``scheduling/io.py``) to a
reader: the moves with their reasons worded from ``Move.facts`` in the reader's language (never
the plan's own sentences when the plan was written in the other language), per-school figures,
the compliance box, chart data and the comparison of two plans. It is pure presentation: it reads
a plan and names, computes nothing the solver decides.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from teachers import clock, text
from teachers import policy as policy_defaults
from teachers.auth.permissions import county_filter, has_permission
from teachers.errors import DomainError, NotFound, PermissionDenied
from teachers.extensions import db
from teachers.labels import label
from teachers.models import Area, Backbone, County, RotationRound, RoundState, School, Stage, Teacher
from teachers.rotation import decisions, export, jobs, services

bp = Blueprint("rotation", __name__, url_prefix="/rotation")

STAGES = ("primary", "junior")
INDICATORS = ("L1", "L2", "L3")


# ---------------------------------------------------------------------------- wording


def reader_lang() -> str:
    return "en" if str(get_locale() or "zh").startswith("en") else "zh"


def _enum_label(enum_cls, value: str | None) -> str:
    try:
        return str(label(enum_cls(value)))
    except (ValueError, TypeError):
        return str(value or "")


def area_label(value: str | None) -> str:
    return _enum_label(Area, value)


def stage_label(value: str | None) -> str:
    return _enum_label(Stage, value)


def indicator_label(code: str) -> str:
    return {
        "L1": _("L1 高于规定学历教师"),
        "L2": _("L2 县级以上骨干教师"),
        "L3": _("L3 体育、艺术专任教师"),
    }.get(code, code)


def _num(value: Any, digits: int = 2) -> str:
    try:
        return f"{float(value):.{digits}f}"
    except (TypeError, ValueError):
        return "—"


def fact_text(fact: dict[str, Any], school_name) -> str:
    """One reason of a move, worded in the reader's language from its structured fact."""
    rule = fact.get("rule")
    if rule == "E1-E3":
        return _("E1–E3 均符合：在本校任教 %(years)s 年（需满 %(required)s 年），%(age)s 岁",
                 years=fact.get("years"), required=fact.get("required"), age=fact.get("age"))
    if rule == "H2":
        return _("%(origin)s → %(dest)s（双向交流）", origin=area_label(fact.get("from_area")),
                 dest=area_label(fact.get("to_area")))
    if "indicator" in fact:
        return _("%(indicator)s 在%(school)s：每百名学生 %(before)s → %(after)s",
                 indicator=indicator_label(fact["indicator"]), school=school_name(fact.get("school")),
                 before=_num(fact.get("before")), after=_num(fact.get("after")))
    if rule == "H3":
        return _("计入 H3 最低交流人数和各校人数平衡（不涉及 L1–L3 指标）")
    if rule == "H4":
        return _("骨干教师（%(level)s）：计入 H4 骨干教师比例", level=_enum_label(Backbone, fact.get("backbone")))
    if fact.get("pinned"):
        return _("人事部门指定")
    if fact.get("paired"):
        return _("结对学校")
    if "wish" in fact:
        if fact["wish"]:
            return _("志愿第 %(rank)s 位", rank=fact["wish"])
        return ngettext("不在本人填报的 %(num)d 个志愿中", "不在本人填报的 %(num)d 个志愿中", int(fact.get("wishes") or 0))
    if fact.get("wishes") == 0:
        return _("本人未填报志愿")
    if "km" in fact:
        return _("距离 %(km)s 公里", km=_num(fact.get("km"), 1))
    return ", ".join(f"{k}={v}" for k, v in fact.items())


def rule_text(code: str) -> str:
    """A short statement of an eligibility or hard rule, for sentences written in the other language."""
    return {
        "E1": _("E1：本校任教年限未满规定年限"),
        "E2": _("E2：本年度免于交流或正在交流期内"),
        "E3": _("E3：临近退休"),
        "H2": _("H2：本县没有可去的其他城乡类别学校"),
        "H6": _("H6：所在学校派出人数已达上限"),
        "H7": _("H7：所在学校必开学科仅剩的教师"),
        "HR": _("人事部门设置：本轮不参加交流"),
    }.get(code, _("无需交流：其他人选更有利于指标均衡或代价更小"))


def _plan_lang(plan: dict[str, Any]) -> str:
    return (plan.get("solver") or {}).get("lang") or "en"


def sentence(plan: dict[str, Any], text: str) -> str:
    """A sentence of the plan (a stay or an exclusion) in the reader's language: the plan's own words
    when they are in it, else the rule it starts with (E1–E3, H1–H8), worded here."""
    if _plan_lang(plan) == reader_lang():
        return text
    head = (text or "").split(":", 1)[0].split("：", 1)[0].strip()
    if head in ("E1", "E2", "E3", "H2", "H6", "H7"):
        return rule_text(head)
    if head.startswith("HR") or text.startswith("人事部门"):
        return rule_text("HR")
    return rule_text("")


# ---------------------------------------------------------------------------- a plan for the page


def present_plan(plan: dict[str, Any], *, schools: dict[str, str] | None = None,
                 teachers: dict[str, str] | None = None) -> dict[str, Any]:
    """Everything a page shows of a plan. ``schools``: code → name, ``teachers``: staff number → name."""
    schools = schools or {}
    teachers = teachers or {}

    def school_name(code: str | None) -> str:
        return schools.get(code or "", code or "")

    figures = plan.get("schools") or {}
    moves = []
    for m in plan.get("moves") or []:
        facts = m.get("facts") or []
        reasons = [fact_text(f, school_name) for f in facts] if facts else (
            m.get("reasons") or [] if _plan_lang(plan) == reader_lang() else [])
        wish = next((f.get("wish") for f in facts if "wish" in f), None)
        km = next((f.get("km") for f in facts if "km" in f), None)
        moves.append({
            "teacher": m["teacher"], "teacher_name": teachers.get(m["teacher"], m["teacher"]),
            "from": m["from"], "to": m["to"], "from_name": school_name(m["from"]), "to_name": school_name(m["to"]),
            "from_area": area_label((figures.get(m["from"]) or {}).get("area")),
            "to_area": area_label((figures.get(m["to"]) or {}).get("area")),
            "reasons": reasons, "wish": wish, "km": km,
        })
    rows = []
    for code, fig in sorted(figures.items()):
        for stage in STAGES:
            if stage not in fig:
                continue
            st = fig[stage]
            rows.append({
                "code": code, "name": school_name(code), "area": area_label(fig.get("area")),
                "stage": stage_label(stage), "pupils": st.get("pupils"), "counted": st.get("counted", True),
                "sent": fig.get("sent", 0), "received": fig.get("received", 0),
                "headcount": fig.get("headcount") or {},
                "values": {i: st.get(i) or {} for i in INDICATORS},
            })
    compliance = []
    for county, boxes in (plan.get("compliance") or {}).items():
        compliance.append({"county": county, "items": _compliance_items(boxes, school_name)})
    stays = [{"teacher": t, "teacher_name": teachers.get(t, t), "reason": sentence(plan, why)}
             for t, why in sorted((plan.get("stays") or {}).items())]
    excluded = [{"teacher": t, "teacher_name": teachers.get(t, t), "reason": sentence(plan, why)}
                for t, why in sorted((plan.get("excluded") or {}).items())]
    return {
        "status": plan.get("status"), "status_label": status_label(plan.get("status")),
        "objective": (plan.get("solver") or {}).get("objective"),
        "wall_s": (plan.get("solver") or {}).get("wall_s"),
        "moves": moves, "schools": rows, "compliance": compliance, "stays": stays, "excluded": excluded,
        "infeasibility": [sentence_block(plan, s) for s in plan.get("infeasibility") or []],
        "chart": chart_data(plan, school_name),
    }


def sentence_block(plan: dict[str, Any], text: str) -> dict[str, str]:
    """An infeasibility sentence: the solver's words (they carry the numbers), flagged when they are
    in the other language, with the setting to change for the rule it names."""
    return {"text": text, "foreign": _plan_lang(plan) != reader_lang(), "advice": advice(text)}


def advice(text: str) -> str:
    """What setting to change when a rule cannot be met (by the rule code the sentence names)."""
    for code, hint in (
        ("H3", _("可调整本轮设置中的“交流比例下限 / 上限”，或扩大符合条件教师范围（任教年限）。")),
        ("H4", _("可调整“骨干教师比例”，或检查骨干教师是否被排除、学校派出上限是否过紧。")),
        ("H5", _("可放宽“学校教师人数浮动比例”。")),
        ("H6", _("可放宽“学校派出比例上限”。")),
        ("H7", _("可调整必开学科，或为相关学校补充教师。")),
        ("H8", _("可检查差异系数限值，或减少对交流的人工限制（指定、禁止）。")),
        ("人事部门", _("可撤销部分指定、禁止或排除。")),
        ("HR ", _("可撤销部分指定、禁止或排除。")),
    ):
        if code in (text or ""):
            return hint
    return ""


def status_label(status: str | None) -> str:
    return {
        "optimal": _("最优"), "feasible": _("可行"), "infeasible": _("无可行方案"),
        "unknown": _("未知（限时内未找到方案）"),
    }.get(status or "", status or "")


def _compliance_items(boxes: dict[str, Any], school_name) -> list[dict[str, Any]]:
    out = []
    h3 = boxes.get("H3")
    if h3:
        out.append({"rule": "H3", "ok": h3.get("ok"), "text": _(
            "交流 %(moves)s 人，允许 %(min)s–%(max)s 人（符合条件教师 %(eligible)s 人）",
            moves=h3.get("moves"), min=h3.get("min"), max=h3.get("max"), eligible=h3.get("eligible"))})
    h4 = boxes.get("H4")
    if h4:
        out.append({"rule": "H4", "ok": h4.get("ok"), "text": _(
            "骨干教师交流 %(n)s 人，至少需要 %(needed)s 人（比例 %(share)s）",
            n=h4.get("backbone_movers"), needed=h4.get("needed"), share=f"{float(h4.get('share') or 0):.0%}")})
    h5 = boxes.get("H5")
    if h5:
        outside = ", ".join(school_name(x if isinstance(x, str) else x.get("school")) for x in h5.get("outside") or [])
        out.append({"rule": "H5", "ok": h5.get("ok"), "text": _(
            "%(n)s 所学校的教师人数均在浮动范围内", n=h5.get("schools")) if h5.get("ok") else _(
            "超出人数浮动范围：%(list)s", list=outside)})
    h6 = boxes.get("H6")
    if h6:
        over = ", ".join(school_name(x if isinstance(x, str) else x.get("school")) for x in h6.get("over") or [])
        out.append({"rule": "H6", "ok": h6.get("ok"), "text": _(
            "%(n)s 所学校派出人数均未超过上限", n=h6.get("schools")) if h6.get("ok") else _(
            "派出超过上限：%(list)s", list=over)})
    h7 = boxes.get("H7")
    if h7:
        out.append({"rule": "H7", "ok": h7.get("ok"), "text": _(
            "检查 %(n)s 处必开学科，均保留任课教师", n=h7.get("checked")) if h7.get("ok") else _(
            "%(n)s 处必开学科失去全部任课教师", n=len(h7.get("lost") or []))})
    h8 = boxes.get("H8")
    if h8:
        parts = [_("%(stage)s %(indicator)s：%(before)s → %(after)s（限值 %(limit)s）",
                   stage=stage_label(i.get("stage")), indicator=i.get("indicator"), before=_num(i.get("before")),
                   after=_num(i.get("after")), limit=_num(i.get("limit"))) for i in h8.get("indicators") or []]
        out.append({"rule": "H8", "ok": h8.get("ok"), "text": _("差异系数：") + "；".join(parts)
                    if reader_lang() == "zh" else _("差异系数：") + "; ".join(parts)})
    return out


def chart_data(plan: dict[str, Any], school_name) -> dict[str, Any]:
    """The charts' data (JSON for static/js/rotation-charts.js): county CVs and school indicators."""
    policy_limits = {"primary": 0.50, "junior": 0.45}
    cv = []
    before = plan.get("metrics", {}).get("before") or {}
    after = plan.get("metrics", {}).get("after") or {}
    for county, stages in before.items():
        for stage in STAGES:
            for ind in INDICATORS:
                b = (stages.get(stage) or {}).get(ind)
                a = ((after.get(county) or {}).get(stage) or {}).get(ind)
                if b is None and a is None:
                    continue
                limit = next((i.get("limit") for i in ((plan.get("compliance") or {}).get(county, {})
                              .get("H8", {}).get("indicators") or []) if i.get("stage") == stage
                              and i.get("indicator") == ind), policy_limits[stage])
                cv.append({"label": f"{stage_label(stage)} {ind}", "before": b, "after": a, "limit": limit})
    series = {}
    for code, fig in sorted((plan.get("schools") or {}).items()):
        for stage in STAGES:
            st = fig.get(stage)
            if not st or not st.get("counted", True):
                continue
            for ind in INDICATORS:
                key = f"{stage}:{ind}"
                entry = series.setdefault(key, {"label": f"{stage_label(stage)} {indicator_label(ind)}",
                                                "schools": [], "before": [], "after": []})
                entry["schools"].append(school_name(code))
                entry["before"].append((st.get(ind) or {}).get("before"))
                entry["after"].append((st.get(ind) or {}).get("after"))
    return {
        "cv": cv, "schools": series,
        "text": {"before": _("交流前"), "after": _("交流后"), "limit": _("限值"),
                 "cv_title": _("差异系数（交流前后，对照限值 0.50 / 0.45）"),
                 "school_title": _("各校指标（每百名学生）")},
    }


def compare_plans(a: dict[str, Any], b: dict[str, Any], *, schools: dict[str, str] | None = None,
                  teachers: dict[str, str] | None = None) -> dict[str, Any]:
    """Two plans of one round side by side: moves added, removed and changed; Σ CV² and every indicator."""
    schools = schools or {}
    teachers = teachers or {}
    ma = {m["teacher"]: m for m in a.get("moves") or []}
    mb = {m["teacher"]: m for m in b.get("moves") or []}

    def row(t, first, second):
        return {"teacher": t, "teacher_name": teachers.get(t, t),
                "from_name": schools.get((first or second)["from"], (first or second)["from"]),
                "a": schools.get(first["to"], first["to"]) if first else None,
                "b": schools.get(second["to"], second["to"]) if second else None}

    added = [row(t, None, mb[t]) for t in sorted(mb.keys() - ma.keys())]
    removed = [row(t, ma[t], None) for t in sorted(ma.keys() - mb.keys())]
    changed = [row(t, ma[t], mb[t]) for t in sorted(ma.keys() & mb.keys()) if ma[t]["to"] != mb[t]["to"]]
    same = sum(1 for t in ma.keys() & mb.keys() if ma[t]["to"] == mb[t]["to"])
    indicators = []
    after_a = (a.get("metrics") or {}).get("after") or {}
    after_b = (b.get("metrics") or {}).get("after") or {}
    for county in sorted(set(after_a) | set(after_b)):
        for stage in STAGES:
            for ind in INDICATORS:
                va = ((after_a.get(county) or {}).get(stage) or {}).get(ind)
                vb = ((after_b.get(county) or {}).get(stage) or {}).get(ind)
                if va is None and vb is None:
                    continue
                indicators.append({"county": county, "label": f"{stage_label(stage)} {ind}", "a": va, "b": vb,
                                   "delta": (vb - va) if va is not None and vb is not None else None})
    return {
        "added": added, "removed": removed, "changed": changed, "same": same,
        "objective": ((a.get("solver") or {}).get("objective"), (b.get("solver") or {}).get("objective")),
        "moves": (len(ma), len(mb)), "indicators": indicators,
    }


# ============================================================================ pages
# Thin views: parse the request, call one service, commit once, flash, redirect. The services
# (teachers.rotation.services, teachers.rotation.jobs) check permission, scope and state.


WINDOW_KEYS = tuple(f"{w}_{edge}" for w in ("wish", "decision", "answer", "notice") for edge in ("opens", "closes"))


def _int(source, name: str) -> int | None:
    """An id or a year from ``request.args`` / ``form`` / ``values``: ASCII digits in range, else None."""
    return text.parse_int(source.get(name), minimum=1)


def _call(fn, *args, **kwargs):
    """Call a service; scope and permission refusals become 404 / 403 (DomainError passes through)."""
    try:
        return fn(*args, **kwargs)
    except NotFound:
        db.session.rollback()
        abort(404)
    except PermissionDenied:
        db.session.rollback()
        abort(403)


def _refused(exc: DomainError) -> None:
    db.session.rollback()
    flash(exc.message, "error")


def _names(county_id: int) -> tuple[dict[str, str], dict[str, str]]:
    """School code → name and staff number → name, for one county."""
    schools = {s.code: s.name for s in db.session.scalars(select(School).where(School.county_id == county_id))}
    rows = db.session.execute(
        select(Teacher.staff_no, Teacher.name).join(School, Teacher.working_school_id == School.id)
        .where(School.county_id == county_id)).all()
    return schools, {no: name for no, name in rows}


def _value_text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "1" if value else "0"
    return "" if value is None else str(value)


def _round_values(rnd: RotationRound | None, year: int, county: County | None) -> dict[str, str]:
    """What the round form shows: the round's values, else the county's settings and default windows."""
    if rnd is not None:
        values = {k: _value_text(v) for k, v in rnd.settings.items()}
        values.update({k: _value_text(getattr(rnd, k)) for k in services.ROUND_FIELDS})
        values["year"] = str(rnd.year)
        return values
    settings = policy_defaults.effective(county.policy if county is not None else {})
    values = {k: _value_text(v) for k, v in settings.items()}
    windows = services.default_windows(year, clock.today(), int(settings["notice_working_days"]))
    values.update({k: v.isoformat() for k, v in windows.items()})
    values.update({"year": str(year), "term_years": "3", "max_wishes": str(settings.get("max_wishes", 3)),
                   "prefer_pairs": "1"})
    return values


def _counties() -> list[County]:
    return list(db.session.scalars(select(County).where(county_filter(current_user)).order_by(County.name)))


def _form_data() -> dict[str, Any]:
    data = {k: v.strip() for k, v in request.form.items() if k not in ("csrf_token", "county_id", "year", "prefecture")}
    return data


def _prefecture_solves(rounds: list) -> list[dict[str, Any]]:
    """For a manager whose scope spans counties: each prefecture and year with rounds of two or more of its
    counties waiting in ``planning`` (one button solves them all, ``prefecture_solve``)."""
    if not has_permission(current_user, "rotation.manage"):
        return []
    groups: dict[tuple[str, int], int] = {}
    for r in rounds:
        if r.state == RoundState.PLANNING and r.county.prefecture:
            groups[(r.county.prefecture, r.year)] = groups.get((r.county.prefecture, r.year), 0) + 1
    return [{"prefecture": p, "year": y, "count": n} for (p, y), n in sorted(groups.items()) if n > 1]


@bp.route("")
@login_required
def round_list():
    rounds = _call(services.list_rounds, current_user)
    return render_template("rotation/rounds.html", rounds=rounds, prefecture_solves=_prefecture_solves(rounds),
                           can_manage=has_permission(current_user, "rotation.manage"))


@bp.route("/prefecture-solve", methods=["POST"])
@login_required
def prefecture_solve():
    """Solve every round in ``planning`` of one prefecture and year in the user's scope, one job per county."""
    if not has_permission(current_user, "rotation.manage"):
        abort(403)
    year = _int(request.form, "year")
    prefecture = request.form.get("prefecture", "").strip()
    try:
        if year is None:
            raise DomainError(_("请填写有效年份。"), field="year")
        runs = _call(jobs.request_prefecture_solves, current_user, prefecture, year)
    except DomainError as exc:
        _refused(exc)
        return redirect(url_for("rotation.round_list"))
    db.session.commit()
    flash(ngettext("已为 %(num)d 个县（市、区）开始求解。", "已为 %(num)d 个县（市、区）开始求解。", len(runs)), "success")
    return redirect(url_for("rotation.round_list"))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def round_new():
    if not has_permission(current_user, "rotation.manage"):
        abort(403)
    counties = _counties()
    county = next((c for c in counties if c.id == _int(request.values, "county_id")),
                  counties[0] if counties else None)
    year = _int(request.values, "year") or (clock.today().year + (1 if clock.today().month >= 9 else 0))
    errors: dict[str, str] = {}
    values = _round_values(None, year, county)
    status = 200
    if request.method == "POST":
        values.update(request.form.to_dict())
        data = _form_data()
        try:
            if request.form.get("prefecture") == "1" and county is not None:
                rounds = _call(services.open_prefecture_rounds, current_user, county.prefecture, year, data)
            else:
                rounds = [_call(services.open_round, current_user, county.id if county else 0, year, data)]
        except DomainError as exc:
            db.session.rollback()
            errors[exc.field or ""] = exc.message
            status = 400
        else:
            db.session.commit()
            flash(ngettext("已开启 %(num)d 个交流轮次。", "已开启 %(num)d 个交流轮次。", len(rounds)), "success")
            if len(rounds) == 1:
                return redirect(url_for("rotation.round_detail", round_id=rounds[0].id))
            return redirect(url_for("rotation.round_list"))
    rows = services.setting_rows(policy_defaults.effective(county.policy if county else {}))
    # "One round per county of the prefecture" is offered when the scope holds several of its counties.
    siblings = [c for c in counties if county is not None and county.prefecture and c.prefecture == county.prefecture]
    return render_template("rotation/round_form.html", rnd=None, counties=counties, county=county, year=year,
                           values=values, rows=rows, errors=errors, windows=WINDOW_KEYS,
                           prefecture_counties=siblings if len(siblings) > 1 else []), status


@bp.route("/<int:round_id>/edit", methods=["GET", "POST"])
@login_required
def round_edit(round_id: int):
    rnd = _call(services.get_round_for_manage, current_user, round_id)
    errors: dict[str, str] = {}
    values = _round_values(rnd, rnd.year, rnd.county)
    status = 200
    if request.method == "POST":
        values.update(request.form.to_dict())
        data = _form_data()
        if rnd.state != RoundState.DRAFT:
            data = {k: v for k, v in data.items() if k not in policy_defaults.BY_KEY}
        try:
            _call(services.update_round, current_user, rnd.id, data)
        except DomainError as exc:
            db.session.rollback()
            errors[exc.field or ""] = exc.message
            status = 400
        else:
            db.session.commit()
            flash(_("已保存本轮设置。"), "success")
            return redirect(url_for("rotation.round_detail", round_id=rnd.id))
    rows = services.setting_rows(rnd.settings)
    return render_template("rotation/round_form.html", rnd=rnd, counties=[rnd.county], county=rnd.county,
                           year=rnd.year, values=values, rows=rows, errors=errors, windows=WINDOW_KEYS), status


@bp.route("/<int:round_id>")
@login_required
def round_detail(round_id: int):
    rnd = _call(services.get_round, current_user, round_id)
    manage = has_permission(current_user, "rotation.manage")
    ctx: dict[str, Any] = {"rnd": rnd, "can_manage": manage, "windows": services.WINDOWS,
                           "window_label": services.window_label}
    if has_permission(current_user, "rotation.view"):
        ctx["progress"] = _call(services.wish_progress, current_user, rnd.id)
        ctx["runs"] = _call(jobs.list_runs, current_user, rnd.id)
        ctx["rules"] = _call(services.list_rules, current_user, rnd.id)
        ctx["setting_rows"] = services.setting_rows(rnd.settings)
    if current_user.role.value == "teacher":
        return redirect(url_for("rotation.wishes", round_id=rnd.id))
    return render_template("rotation/round.html", **ctx)


def _transition(round_id: int, fn, done: str, *args):
    try:
        _call(fn, current_user, round_id, *args)
    except DomainError as exc:
        _refused(exc)
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("rotation.round_detail", round_id=round_id))


@bp.route("/<int:round_id>/open-wishes", methods=["POST"])
@login_required
def round_open_wishes(round_id: int):
    return _transition(round_id, services.open_wishes, _("志愿填报已开始，已通知符合条件的教师。"))


@bp.route("/<int:round_id>/close-wishes", methods=["POST"])
@login_required
def round_close_wishes(round_id: int):
    return _transition(round_id, services.close_wishes, _("志愿填报已结束，可以求解方案。"))


@bp.route("/<int:round_id>/cancel", methods=["POST"])
@login_required
def round_cancel(round_id: int):
    return _transition(round_id, services.cancel_round, _("本轮已取消。"), request.form.get("reason", "").strip())


# ---------------------------------------------------------------------------- wishes (teachers)


@bp.route("/<int:round_id>/wishes", methods=["GET", "POST"])
@login_required
def wishes(round_id: int):
    if not has_permission(current_user, "rotation.wish"):
        abort(403)
    errors: dict[str, str] = {}
    status_code = 200
    if request.method == "POST":
        chosen = [request.form.get(f"wish_{i}", "") for i in range(1, 21)]
        try:
            _call(services.save_wishes, current_user, round_id, chosen)
        except DomainError as exc:
            db.session.rollback()
            errors[exc.field or "wishes"] = exc.message
            status_code = 400
        else:
            db.session.commit()
            flash(_("志愿已保存。"), "success")
            return redirect(url_for("rotation.wishes", round_id=round_id))
    status = _call(services.wish_status, current_user, round_id)
    chosen_ids = [_int(request.form, f"wish_{i}") for i in range(1, status.max_wishes + 1)] \
        if request.method == "POST" else [s.id for s in status.wishes]
    chosen_ids += [None] * (status.max_wishes - len(chosen_ids))
    return render_template("rotation/wishes.html", s=status, chosen=chosen_ids, errors=errors), status_code


# ---------------------------------------------------------------------------- solving


@bp.route("/<int:round_id>/solve", methods=["POST"])
@login_required
def solve(round_id: int):
    limit = request.form.get("time_limit_s", "").strip() or None
    try:
        if limit is not None:
            try:
                limit = float(limit)
            except ValueError:
                raise DomainError(_("求解时限应为 1 至 3600 秒。"), field="time_limit_s") from None
        purpose = "replace" if request.form.get("purpose") == "replace" else "full"
        run = _call(jobs.request_solve, current_user, round_id, time_limit_s=limit, purpose=purpose)
    except DomainError as exc:
        _refused(exc)
        return redirect(url_for("rotation.round_detail", round_id=round_id))
    db.session.commit()
    flash(_("已开始求解。"), "success")
    return redirect(url_for("rotation.run_detail", run_id=run.id))


@bp.route("/runs/<int:run_id>")
@login_required
def run_detail(run_id: int):
    run = _call(jobs.get_run, current_user, run_id)
    rnd = run.round
    ctx: dict[str, Any] = {"run": run, "rnd": rnd, "progress": _call(jobs.progress, current_user, run.id),
                           "can_manage": has_permission(current_user, "rotation.manage"),
                           "who": request.args.get("who", "").strip()}
    if run.plan:
        schools, teachers = _names(rnd.county_id)
        ctx["view"] = present_plan(run.plan, schools=schools, teachers=teachers)
        runs = [r for r in _call(jobs.list_runs, current_user, rnd.id) if r.plan and r.id != run.id]
        ctx["other_runs"] = runs
        other_id = _int(request.args, "compare")
        other = next((r for r in runs if r.id == other_id), None)
        if other is not None:
            ctx["compare"] = compare_plans(other.plan, run.plan, schools=schools, teachers=teachers)
            ctx["compare_run"] = other
        ctx["rules"] = _call(services.list_rules, current_user, rnd.id)
        ctx["school_choices"] = sorted(schools.items(), key=lambda kv: kv[0])
    return render_template("rotation/run.html", **ctx)


@bp.route("/runs/<int:run_id>/status")
@login_required
def run_status(run_id: int):
    """The JSON the progress page polls (static/js/solve-progress.js)."""
    data = _call(jobs.progress, current_user, run_id)
    response = jsonify(data)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/runs/<int:run_id>/cancel", methods=["POST"])
@login_required
def run_cancel(run_id: int):
    try:
        _call(jobs.cancel_solve, current_user, run_id)
    except DomainError as exc:
        _refused(exc)
    else:
        db.session.commit()
        flash(_("已请求停止求解；将保留目前找到的最好方案。"), "success")
    return redirect(url_for("rotation.run_detail", run_id=run_id))


def _json_download(data: dict[str, Any] | None, name: str) -> Response:
    if data is None:
        abort(404)
    body = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/runs/<int:run_id>/instance.json")
@login_required
def run_instance(run_id: int):
    run = _call(jobs.get_run, current_user, run_id)
    return _json_download(run.instance, f"round-{run.round_id}-run-{run.id}-instance.json")


@bp.route("/runs/<int:run_id>/plan.json")
@login_required
def run_plan(run_id: int):
    run = _call(jobs.get_run, current_user, run_id)
    return _json_download(run.plan, f"round-{run.round_id}-run-{run.id}-plan.json")


# ---------------------------------------------------------------------------- pins, forbids, exclusions


@bp.route("/<int:round_id>/rules", methods=["POST"])
@login_required
def rule_add(round_id: int):
    if not has_permission(current_user, "rotation.manage"):
        abort(403)
    back = request.form.get("back") or url_for("rotation.round_detail", round_id=round_id)
    if not back.startswith("/"):
        back = url_for("rotation.round_detail", round_id=round_id)
    staff_no = request.form.get("teacher", "").strip()
    try:
        teacher_id = db.session.scalar(select(Teacher.id).where(Teacher.staff_no == staff_no))
        if teacher_id is None:
            raise DomainError(_("找不到该教师。"), field="teacher_id")
        school_code = request.form.get("school", "").strip()
        school_id = None
        if school_code:
            rnd = _call(services.get_round, current_user, round_id)
            school_id = db.session.scalar(select(School.id).where(School.code == school_code,
                                                                  School.county_id == rnd.county_id))
            if school_id is None:
                raise DomainError(_("找不到该学校。"), field="school_id")
        _call(services.add_rule, current_user, round_id, request.form.get("kind", ""), teacher_id, school_id,
              request.form.get("reason", "").strip())
    except DomainError as exc:
        _refused(exc)
    else:
        db.session.commit()
        flash(_("已保存；重新求解后生效。"), "success")
    return redirect(back)


@bp.route("/rules/<int:rule_id>/delete", methods=["POST"])
@login_required
def rule_delete(rule_id: int):
    back = request.form.get("back", "")
    try:
        _call(services.remove_rule, current_user, rule_id)
    except DomainError as exc:
        _refused(exc)
    else:
        db.session.commit()
        flash(_("已删除；重新求解后生效。"), "success")
    return redirect(back if back.startswith("/") else url_for("rotation.round_list"))


# ---------------------------------------------------------------------------- school pairs


@bp.route("/pairs", methods=["GET", "POST"])
@login_required
def pairs():
    if not has_permission(current_user, "rotation.view"):
        abort(403)
    counties = _counties()
    county = next((c for c in counties if c.id == _int(request.values, "county")),
                  counties[0] if counties else None)
    if request.method == "POST":
        try:
            _call(services.add_school_pair, current_user, _int(request.form, "lead_school_id") or 0,
                  _int(request.form, "member_school_id") or 0, request.form.get("group_name", "").strip())
        except DomainError as exc:
            _refused(exc)
        else:
            db.session.commit()
            flash(_("已添加结对学校。"), "success")
        return redirect(url_for("rotation.pairs", county=county.id if county else None))
    rows = _call(services.list_school_pairs, current_user, county.id) if county else []
    schools = list(db.session.scalars(select(School).where(School.county_id == county.id, School.active.is_(True))
                                      .order_by(School.code))) if county else []
    return render_template("rotation/pairs.html", county=county, counties=counties, pairs=rows, schools=schools,
                           can_manage=has_permission(current_user, "rotation.manage"))


@bp.route("/pairs/<int:pair_id>/delete", methods=["POST"])
@login_required
def pair_delete(pair_id: int):
    try:
        _call(services.remove_school_pair, current_user, pair_id)
    except DomainError as exc:
        _refused(exc)
    else:
        db.session.commit()
        flash(_("已删除结对。"), "success")
    return redirect(url_for("rotation.pairs", county=_int(request.form, "county")))



# ---------------------------------------------------------------------------- decisions
# publish → principals approve/reject → teacher acknowledges or objects → HR rules → notice → confirm.
# Two people deciding the same move at once: the service lets exactly one win and raises StaleState
# (a DomainError) for the other, shown here as a message on the page they came from.


def _back(default: str) -> str:
    back = request.form.get("back", "")
    return back if back.startswith("/") and not back.startswith("//") else default


def _move_view(move) -> dict[str, Any]:
    schools, _teachers = _names(move.round.county_id)
    return {
        "move": move,
        "reasons": [fact_text(f, lambda c: schools.get(c or "", c or "")) for f in move.facts or []],
    }


@bp.route("/<int:round_id>/publish", methods=["POST"])
@login_required
def publish(round_id: int):
    run_id = _int(request.form, "run_id") or 0
    try:
        moves = _call(decisions.publish, current_user, round_id, run_id)
    except DomainError as exc:
        _refused(exc)
        return redirect(_back(url_for("rotation.round_detail", round_id=round_id)))
    db.session.commit()
    flash(ngettext("方案已发布：%(num)d 项交流待校长审批。", "方案已发布：%(num)d 项交流待校长审批。", len(moves)), "success")
    return redirect(url_for("rotation.round_detail", round_id=round_id))


@bp.route("/<int:round_id>/replacements", methods=["POST"])
@login_required
def replacements(round_id: int):
    try:
        run = _call(decisions.request_replacements, current_user, round_id)
    except DomainError as exc:
        _refused(exc)
        return redirect(url_for("rotation.round_detail", round_id=round_id))
    db.session.commit()
    flash(_("已开始为被否决或异议成立的交流求解替代方案，其余交流保持不变。"), "success")
    return redirect(url_for("rotation.run_detail", run_id=run.id))


@bp.route("/<int:round_id>/publish-replacements", methods=["POST"])
@login_required
def publish_replacements(round_id: int):
    run_id = _int(request.form, "run_id") or 0
    try:
        moves = _call(decisions.publish_replacements, current_user, round_id, run_id)
    except DomainError as exc:
        _refused(exc)
    else:
        db.session.commit()
        flash(ngettext("已发布 %(num)d 项替代交流，待校长审批。", "已发布 %(num)d 项替代交流，待校长审批。", len(moves)), "success")
    return redirect(url_for("rotation.round_detail", round_id=round_id))


@bp.route("/<int:round_id>/notice", methods=["POST"])
@login_required
def start_notice(round_id: int):
    return _transition(round_id, decisions.start_notice, _("名单已进入公示。"))


@bp.route("/<int:round_id>/confirm", methods=["POST"])
@login_required
def confirm(round_id: int):
    return _transition(round_id, decisions.confirm, _("名单已确认，将于交流开始日期执行。"))


@bp.route("/moves/<int:move_id>")
@login_required
def move_detail(move_id: int):
    move = _call(decisions.get_move, current_user, move_id)
    return render_template("rotation/move.html", **_move_view(move), today=clock.today())


def _move_step(service, move_id: int, flag: str, done_yes: str, done_no: str):
    """One person's step on a move (decide, answer, rule): the service, one commit, a message, back."""
    yes = request.form.get(flag) == "1"
    try:
        _call(service, current_user, move_id, yes, request.form.get("reason", ""))
    except DomainError as exc:
        _refused(exc)
    else:
        db.session.commit()
        flash(done_yes if yes else done_no, "success")
    return redirect(_back(url_for("rotation.move_detail", move_id=move_id)))


@bp.route("/moves/<int:move_id>/decide", methods=["POST"])
@login_required
def move_decide(move_id: int):
    return _move_step(decisions.decide, move_id, "approve", _("已同意。"), _("已不同意，原因已记录。"))


@bp.route("/moves/<int:move_id>/answer", methods=["POST"])
@login_required
def move_answer(move_id: int):
    return _move_step(decisions.answer, move_id, "acknowledge", _("已确认交流安排。"),
                      _("异议已提交，人事科将作出裁决。"))


@bp.route("/moves/<int:move_id>/rule", methods=["POST"])
@login_required
def move_rule(move_id: int):
    return _move_step(decisions.rule_objection, move_id, "uphold", _("异议成立，该交流已撤销。"),
                      _("异议不成立，交流安排维持。"))


@bp.route("/<int:round_id>/moves")
@login_required
def round_moves(round_id: int):
    rnd = _call(services.get_round, current_user, round_id)
    moves = _call(decisions.list_moves, current_user, rnd.id)
    return render_template("rotation/moves.html", rnd=rnd, moves=moves)


# ---------------------------------------------------------------------------- printables


@bp.route("/<int:round_id>/notice-list")
@login_required
def notice_list(round_id: int):
    """公示名单: the list on public notice (and after), printable on A4."""
    rnd = _call(services.get_round, current_user, round_id)
    if not has_permission(current_user, "rotation.view"):
        abort(403)
    from teachers.models import MoveState

    shown = {MoveState.ACCEPTED, MoveState.CONFIRMED, MoveState.CARRIED_OUT, MoveState.RETURNED}
    moves = _call(decisions.list_moves, current_user, rnd.id, states=shown)
    return render_template("rotation/print_notice.html", rnd=rnd, moves=moves)


@bp.route("/moves/<int:move_id>/letter")
@login_required
def move_letter(move_id: int):
    """交流通知: the exchange notice for one teacher, printable on A4 (once the list is confirmed)."""
    from teachers.models import MoveState

    move = _call(decisions.get_move, current_user, move_id)
    if move.state not in (MoveState.CONFIRMED, MoveState.CARRIED_OUT, MoveState.RETURNED):
        abort(404)
    return render_template("rotation/print_letter.html", move=move, rnd=move.round)


# ---------------------------------------------------------------------------- Excel (back end's bytes)


@bp.route("/<int:round_id>/final-list.xlsx")
@login_required
def final_list_xlsx(round_id: int):
    """The final list as Excel (Chinese headers, masked ID numbers): bytes from the back end, audited."""
    rnd = _call(services.get_round, current_user, round_id)
    try:
        data = _call(export.final_list_xlsx, current_user, rnd.id)
    except DomainError as exc:
        _refused(exc)
        return redirect(url_for("rotation.round_detail", round_id=rnd.id))
    db.session.commit()  # the export's audit row
    filename = quote(f"{rnd.county.name}-{rnd.year}-交流名单.xlsx")
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=\"rotation-{rnd.year}.xlsx\"; "
                                                    f"filename*=UTF-8''{filename}"})


@bp.app_context_processor
def rotation_context():
    def rotation_label(value) -> str:
        v = getattr(value, "value", value)
        return {
            "approved": _("同意"), "rejected": _("不同意"), "acknowledged": _("已确认"), "objected": _("提出异议"),
            "upheld": _("异议成立"), "dismissed": _("异议不成立"),
        }.get(v, str(v or ""))

    def rotation_my_moves(round_id: int):
        if not current_user.is_authenticated or current_user.role.value != "teacher":
            return []
        return decisions.list_moves(current_user, round_id)

    def rotation_panel(county_id: int | None = None):
        """The county dashboard's rotation figures (None for roles without rotation.view)."""
        if not current_user.is_authenticated or not has_permission(current_user, "rotation.view"):
            return None
        from teachers.rotation.dashboard import rotation_dashboard

        try:
            return rotation_dashboard(current_user, county_id)
        except (NotFound, PermissionDenied):
            return None

    def label_round_state(value: str) -> str:
        try:
            return str(label(RoundState(value)))
        except ValueError:
            return value

    return {"rotation_label": rotation_label, "rotation_my_moves": rotation_my_moves,
            "rotation_panel": rotation_panel, "label_round_state": label_round_state}

"""Rotation rounds: opening a round, its settings snapshot and windows, school pairs, teachers'
wishes, HR's pins/forbids/exclusions, and the lookups the review pages show.

Every function takes the acting user and plain values, checks permission, scope and state, flushes
(never commits) and raises ``DomainError`` (a message in the user's language, naming the field) on
bad input, writing nothing partial. Permissions: ``rotation.manage`` (HR) changes rounds;
``rotation.view`` (HR, inspector, admin) reads them; ``rotation.wish`` (teacher) states wishes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from teachers import audit, clock
from teachers import policy as policy_defaults
from teachers.auth.permissions import county_filter, county_in_scope, has_permission, school_in_scope
from teachers.errors import DomainError, NotFound, PermissionDenied
from teachers.extensions import db
from teachers.models import (
    County,
    Role,
    RotationRound,
    RoundRule,
    RoundState,
    RuleKind,
    School,
    SchoolPair,
    Teacher,
    User,
    Wish,
)
from teachers.rotation import adapter, notices  # noqa: F401  (registers the notification kinds)
from teachers.rotation.states import advance_round, check_round

WINDOWS = ("wish", "decision", "answer", "notice")
#: Round settings HR may edit apart from the policy snapshot.
ROUND_FIELDS = ("term_years", "max_wishes", "prefer_pairs", "start_date",
                *(f"{w}_{edge}" for w in WINDOWS for edge in ("opens", "closes")))


def lang() -> str:
    """The reader's language for the solver's sentences: "zh" or "en"."""
    return "en" if str(get_locale() or "zh").startswith("en") else "zh"


# ------------------------------------------------------------------------------------------- access


def _require(user: User, action: str) -> None:
    if not has_permission(user, action):
        raise PermissionDenied(_("您没有权限进行此操作。"))


def _county_in_scope(user: User, county_id: int) -> County:
    county = db.session.scalar(select(County).where(County.id == county_id, county_filter(user)))
    if county is None:
        raise NotFound(_("找不到该县（市、区）。"))
    return county


def get_round(user: User, round_id: int) -> RotationRound:
    """The round, if the user may see it: HR/inspector/admin within their county scope, a principal or a
    teacher of a school of its county (they see only their own moves, see ``decisions``). NotFound
    otherwise."""
    rnd = db.session.get(RotationRound, int(round_id))
    if rnd is None:
        raise NotFound(_("找不到该交流轮次。"))
    if user.role in (Role.PRINCIPAL, Role.TEACHER):
        school_id = user.school_id if user.role == Role.PRINCIPAL else (
            user.teacher.working_school_id if user.teacher else None)
        school = db.session.get(School, school_id) if school_id else None
        if school is None or school.county_id != rnd.county_id:
            raise NotFound(_("找不到该交流轮次。"))
        return rnd
    _require(user, "rotation.view")
    if not county_in_scope(user, rnd.county):
        raise NotFound(_("找不到该交流轮次。"))
    return rnd


def list_rounds(user: User, *, county_id: int | None = None, year: int | None = None) -> list[RotationRound]:
    """Rounds the user may see (newest year first), optionally of one county or year."""
    stmt = select(RotationRound).join(County, County.id == RotationRound.county_id).where(county_filter(user))
    if user.role not in (Role.PRINCIPAL, Role.TEACHER):
        _require(user, "rotation.view")
    if county_id is not None:
        stmt = stmt.where(RotationRound.county_id == county_id)
    if year is not None:
        stmt = stmt.where(RotationRound.year == year)
    return list(db.session.scalars(stmt.order_by(RotationRound.year.desc(), County.name, RotationRound.id)))


def _manage(user: User, rnd: RotationRound) -> RotationRound:
    _require(user, "rotation.manage")
    if not county_in_scope(user, rnd.county):
        raise NotFound(_("找不到该交流轮次。"))
    return rnd


def get_round_for_manage(user: User, round_id: int) -> RotationRound:
    """The round, if the user may change it (HR whose scope holds its county); PermissionDenied / NotFound otherwise."""
    rnd = db.session.get(RotationRound, int(round_id))
    if rnd is None:
        raise NotFound(_("找不到该交流轮次。"))
    return _manage(user, rnd)


# ------------------------------------------------------------------------------- settings and windows


def working_days(first: date, last: date) -> int:
    """Monday–Friday days from ``first`` to ``last`` inclusive (public holidays are not known here)."""
    days, day = 0, first
    while day <= last:
        days += day.weekday() < 5
        day += timedelta(days=1)
    return days


def add_working_days(first: date, count: int) -> date:
    """The day on which ``count`` working days starting at ``first`` (inclusive) are complete."""
    day = first
    while day.weekday() >= 5:
        day += timedelta(days=1)
    done = 1
    while done < count:
        day += timedelta(days=1)
        done += day.weekday() < 5
    return day


def default_windows(year: int, today: date, notice_days: int = 5) -> dict[str, date]:
    """Suggested windows from ``today``: wishes 14 days, principals 7, teachers' answers 7, then the
    public notice for ``notice_days`` working days; the exchange starts on 1 September of ``year``
    or the day after the notice ends when that is later."""
    w: dict[str, date] = {"wish_opens": today, "wish_closes": today + timedelta(days=13)}
    w["decision_opens"] = w["wish_closes"] + timedelta(days=1)
    w["decision_closes"] = w["decision_opens"] + timedelta(days=6)
    w["answer_opens"] = w["decision_closes"] + timedelta(days=1)
    w["answer_closes"] = w["answer_opens"] + timedelta(days=6)
    w["notice_opens"] = w["answer_closes"] + timedelta(days=1)
    w["notice_closes"] = add_working_days(w["notice_opens"], notice_days)
    w["start_date"] = max(date(year, 9, 1), w["notice_closes"] + timedelta(days=1))
    return w


def _as_date(value: Any, key: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError(_("请填写有效日期（年-月-日）。"), field=key) from None


def clean_round_values(data: dict[str, Any], settings: dict[str, Any], base: dict[str, Any] | None = None
                       ) -> dict[str, Any]:
    """Round fields (term, max wishes, pairs, start date, windows) from ``data`` over ``base``,
    checked: term 1–3 years, windows each ordered, in sequence without overlap (wishes → principals →
    teachers → notice), the notice at least ``notice_working_days`` working days, the start date after
    the notice ends. Raises DomainError naming the field."""
    out = dict(base or {})
    for key in ROUND_FIELDS:
        if key in data and data[key] is not None and data[key] != "":
            out[key] = data[key]
    try:
        out["term_years"] = int(out.get("term_years", min(3, int(settings["exchange_term_years"]))))
    except (TypeError, ValueError):
        raise DomainError(_("交流期限应为 1 至 3 年。"), field="term_years") from None
    if not 1 <= out["term_years"] <= 3:
        raise DomainError(_("交流期限应为 1 至 3 年。"), field="term_years")
    try:
        out["max_wishes"] = int(out.get("max_wishes", settings["max_wishes"]))
    except (TypeError, ValueError):
        raise DomainError(_("志愿数应为 1 至 10 个。"), field="max_wishes") from None
    if not 1 <= out["max_wishes"] <= 10:
        raise DomainError(_("志愿数应为 1 至 10 个。"), field="max_wishes")
    out["prefer_pairs"] = bool(out.get("prefer_pairs", True)) and str(out.get("prefer_pairs")).lower() not in (
        "0", "false", "off", "no")
    for key in ROUND_FIELDS[3:]:
        if key not in out:
            raise DomainError(_("请填写日期。"), field=key)
        out[key] = _as_date(out[key], key)
    previous_close: date | None = None
    previous_name = ""
    for w in WINDOWS:
        opens, closes = out[f"{w}_opens"], out[f"{w}_closes"]
        if closes < opens:
            raise DomainError(_("结束日期不能早于开始日期。"), field=f"{w}_closes")
        if previous_close is not None and opens <= previous_close:
            raise DomainError(_("各阶段的时间不能重叠：此阶段应在“%(prev)s”结束之后开始。",
                                prev=window_label(previous_name)), field=f"{w}_opens")
        previous_close, previous_name = closes, w
    need = int(settings["notice_working_days"])
    if working_days(out["notice_opens"], out["notice_closes"]) < need:
        raise DomainError(_("公示期不得少于 %(n)d 个工作日。", n=need), field="notice_closes")
    if out["start_date"] <= out["notice_closes"]:
        raise DomainError(_("交流开始日期应在公示结束之后。"), field="start_date")
    return out


def window_label(name: str) -> str:
    """The window's name in the reader's language."""
    return {"wish": _("志愿填报"), "decision": _("校长审批"), "answer": _("教师确认与异议"),
            "notice": _("公示")}.get(name, name)


def clean_settings(values: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """The full settings snapshot: ``base`` (the county's effective settings) overlaid with
    ``values``, validated by ``teachers.policy.validate``; a bad value raises DomainError naming the key."""
    merged = {**base, **{k: v for k, v in values.items() if k in policy_defaults.BY_KEY}}
    try:
        clean = policy_defaults.validate(merged)
    except policy_defaults.PolicyError as exc:
        setting = policy_defaults.BY_KEY.get(exc.key)
        name = (setting.label_en if lang() == "en" else setting.label_zh) if setting else exc.key
        raise DomainError(_("“%(name)s”的取值无效。", name=name) + " " + exc.message, field=exc.key) from None
    return policy_defaults.effective(clean)


@dataclass(frozen=True)
class SettingRow:
    """One setting of a round as a form shows it, with its help text."""

    key: str
    value: Any
    kind: str
    label: str
    source: str
    verified: bool
    minimum: float | None
    maximum: float | None
    choices: tuple[str, ...]


def setting_rows(settings: dict[str, Any]) -> list[SettingRow]:
    """Every policy setting with its value in ``settings``, label and source in the reader's language
    (the source says when it is unverified)."""
    locale = lang()
    rows = []
    for s in policy_defaults.SETTINGS:
        source = policy_defaults.source_text(s, locale)
        if not s.verified:
            source += " " + _("（来源未经核实）")
        rows.append(SettingRow(key=s.key, value=settings.get(s.key, s.default), kind=s.kind,
                               label=s.label_en if locale == "en" else s.label_zh, source=source,
                               verified=s.verified, minimum=s.minimum, maximum=s.maximum, choices=s.choices))
    return rows


# ----------------------------------------------------------------------------------------- opening


def open_round(actor: User, county_id: int, year: int, data: dict[str, Any] | None = None, *,
               today: date | None = None) -> RotationRound:
    """Open a round for one county and school year (state ``draft``). ``data`` may carry setting
    overrides (policy keys) and round fields (``term_years``, ``max_wishes``, ``prefer_pairs``,
    ``start_date`` and ``<window>_opens/_closes`` for wish, decision, answer, notice); missing
    windows get ``default_windows``. Refused: no permission, a county out of scope, a bad setting,
    windows out of order, a county with no eligible teacher, a live round for the same county and year."""
    _require(actor, "rotation.manage")
    county = _county_in_scope(actor, int(county_id))
    data = dict(data or {})
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise DomainError(_("请填写有效年份。"), field="year") from None
    if not 2000 <= year <= 2100:
        raise DomainError(_("请填写有效年份。"), field="year")
    settings = clean_settings(data, policy_defaults.effective(county.policy))
    values = clean_round_values(data, settings, default_windows(year, clock.today(today),
                                                                int(settings["notice_working_days"])))
    if db.session.scalar(select(RotationRound.id).where(
            RotationRound.county_id == county.id, RotationRound.year == year,
            RotationRound.state != RoundState.CANCELLED)):
        raise DomainError(_("%(county)s %(year)d 年已有交流轮次。", county=county.name, year=year), field="year")
    outlook = adapter.rotation_outlook_with(county, year, settings)
    if outlook.count == 0:
        raise DomainError(_("%(county)s 没有符合 %(year)d 年交流条件的教师，不能开启轮次。",
                            county=county.name, year=year), field="county_id")
    rnd = RotationRound(county_id=county.id, year=year, settings=settings, created_by_id=actor.id, **values)
    try:
        with db.session.begin_nested():
            db.session.add(rnd)
            db.session.flush()
    except IntegrityError:
        raise DomainError(_("%(county)s %(year)d 年已有交流轮次。", county=county.name, year=year),
                          field="year") from None
    audit.record(actor, "rotation.round.open", rnd, {"county": county.name, "year": year,
                                                     "eligible": outlook.count})
    return rnd


def open_prefecture_rounds(actor: User, prefecture: str, year: int, data: dict[str, Any] | None = None, *,
                           today: date | None = None) -> list[RotationRound]:
    """One round per county of ``prefecture`` in the actor's scope, in one step: all or nothing (the
    first refusal names its county and nothing is saved)."""
    _require(actor, "rotation.manage")
    counties = db.session.scalars(select(County).where(County.prefecture == prefecture, county_filter(actor))
                                  .order_by(County.name)).all()
    if not counties:
        raise DomainError(_("找不到该地区的县（市、区）。"), field="prefecture")
    rounds = []
    with db.session.begin_nested():
        for county in counties:
            try:
                rounds.append(open_round(actor, county.id, year, data, today=today))
            except DomainError as exc:
                raise DomainError(f"{county.name}：{exc.message}", field=exc.field) from None
    return rounds


def update_round(actor: User, round_id: int, data: dict[str, Any]) -> RotationRound:
    """Change a round's settings (only in ``draft``) and its term and windows (``draft`` or
    ``wishes``), all checked again; nothing is saved when anything is refused."""
    rnd = get_round_for_manage(actor, round_id)
    if rnd.state not in (RoundState.DRAFT, RoundState.WISHES):
        raise DomainError(_("本轮已进入求解阶段，设置不能再改。"))
    if any(k in policy_defaults.BY_KEY for k in data) and rnd.state != RoundState.DRAFT:
        raise DomainError(_("志愿填报开始后政策参数不能再改。"))
    settings = clean_settings(data, rnd.settings)
    base = {k: getattr(rnd, k) for k in ROUND_FIELDS}
    values = clean_round_values(data, settings, base)
    before = {"settings": dict(rnd.settings), **{k: _plain(v) for k, v in base.items()}}
    rnd.settings = settings
    for k, v in values.items():
        setattr(rnd, k, v)
    db.session.flush()
    after = {"settings": dict(settings), **{k: _plain(getattr(rnd, k)) for k in ROUND_FIELDS}}
    diff = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if diff.get("settings"):
        diff["settings"] = {k: [before["settings"].get(k), v] for k, v in settings.items()
                            if before["settings"].get(k) != v}
    audit.record(actor, "rotation.round.update", rnd, diff)
    return rnd


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def open_wishes(actor: User, round_id: int) -> RotationRound:
    """draft → wishes: eligible teachers may now state wishes (within the wish window)."""
    rnd = get_round_for_manage(actor, round_id)
    advance_round(rnd, "open_wishes")
    audit.record(actor, "rotation.round.open_wishes", rnd)
    _notify_eligible(rnd)
    return rnd


def close_wishes(actor: User, round_id: int) -> RotationRound:
    """wishes → planning: HR solves and reviews."""
    rnd = get_round_for_manage(actor, round_id)
    advance_round(rnd, "close_wishes")
    from teachers.notifications.services import close_todos

    close_todos("rotation.wishes_open", object_type="rotation_round", object_id=rnd.id)
    audit.record(actor, "rotation.round.close_wishes", rnd, {"answered": wish_progress(actor, rnd.id)["answered"]})
    return rnd


def cancel_round(actor: User, round_id: int, reason: str) -> RotationRound:
    """Cancel a round before its list is confirmed (a reason is required); its open moves are withdrawn."""
    from teachers.rotation import decisions

    rnd = get_round_for_manage(actor, round_id)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写原因。"), field="reason")
    check_round(rnd, "cancel")
    decisions.withdraw_open_moves(rnd)
    advance_round(rnd, "cancel")
    audit.record(actor, "rotation.round.cancel", rnd, {"reason": reason[:200]})
    return rnd


def _notify_eligible(rnd: RotationRound) -> None:
    from teachers.notifications.services import notify

    problem = adapter.round_problem(rnd)
    eligible = {t.id for t in problem.teachers} - set(adapter.exclusion_reasons(problem))
    users = db.session.scalars(select(User.id).join(Teacher, Teacher.id == User.teacher_id)
                               .where(Teacher.staff_no.in_(eligible), User.active.is_(True))).all()
    notify(users, "rotation.wishes_open", object_type="rotation_round", object_id=rnd.id,
           params={"year": rnd.year, "closes": rnd.wish_closes.isoformat()}, todo=True)


# ------------------------------------------------------------------------------------------ pairs


def list_school_pairs(user: User, county_id: int) -> list[SchoolPair]:
    """The county's school pairs (城乡结对 / 大学区), by group and lead school."""
    _require(user, "rotation.view")
    county = _county_in_scope(user, county_id)
    return list(db.session.scalars(select(SchoolPair).where(SchoolPair.county_id == county.id)
                                   .order_by(SchoolPair.group_name, SchoolPair.lead_school_id, SchoolPair.id)))


def add_school_pair(actor: User, lead_school_id: int, member_school_id: int, group_name: str = "") -> SchoolPair:
    """Pair an urban (lead) school with a town or village school of the same county."""
    _require(actor, "rotation.manage")
    lead = db.session.get(School, int(lead_school_id))
    member = db.session.get(School, int(member_school_id))
    if lead is None or not school_in_scope(actor, lead):
        raise DomainError(_("找不到该学校。"), field="lead_school_id")
    if member is None or not school_in_scope(actor, member):
        raise DomainError(_("找不到该学校。"), field="member_school_id")
    if lead.id == member.id:
        raise DomainError(_("结对的两所学校不能相同。"), field="member_school_id")
    if lead.county_id != member.county_id:
        raise DomainError(_("结对学校应在同一县域。"), field="member_school_id")
    if lead.area == member.area:
        raise DomainError(_("结对学校应分属城区与镇区或乡村。"), field="member_school_id")
    exists = db.session.scalar(select(SchoolPair.id).where(
        ((SchoolPair.lead_school_id == lead.id) & (SchoolPair.member_school_id == member.id))
        | ((SchoolPair.lead_school_id == member.id) & (SchoolPair.member_school_id == lead.id))))
    if exists:
        raise DomainError(_("这两所学校已经结对。"), field="member_school_id")
    pair = SchoolPair(county_id=lead.county_id, lead_school_id=lead.id, member_school_id=member.id,
                      group_name=(group_name or "").strip()[:64])
    db.session.add(pair)
    db.session.flush()
    audit.record(actor, "rotation.pair.add", pair, {"lead": lead.code, "member": member.code})
    return pair


def remove_school_pair(actor: User, pair_id: int) -> None:
    """Remove a school pair."""
    _require(actor, "rotation.manage")
    pair = db.session.get(SchoolPair, int(pair_id))
    if pair is None:
        raise NotFound(_("找不到该结对。"))
    _county_in_scope(actor, pair.county_id)
    audit.record(actor, "rotation.pair.remove", pair, {"lead": pair.lead_school_id, "member": pair.member_school_id})
    db.session.delete(pair)
    db.session.flush()


# ----------------------------------------------------------------------------------------- wishes


@dataclass(frozen=True)
class WishStatus:
    """What a teacher sees in a round: whether and why they may rotate, the schools they may choose
    and their wishes, best first."""

    round: RotationRound
    teacher: Teacher
    in_round: bool  # False: rotation does not concern them (stage, status, school outside the problem)
    eligible: bool
    reason: str  # the solver's sentence, in the reader's language
    allowed: list[School]
    wishes: list[School]
    max_wishes: int
    window_open: bool
    opens: date
    closes: date


def _teacher_of(user: User) -> Teacher:
    if user.role != Role.TEACHER or user.teacher is None:
        raise PermissionDenied(_("只有教师本人可以填报志愿。"))
    return user.teacher


def wish_status(user: User, round_id: int, *, today: date | None = None) -> WishStatus:
    """The acting teacher's eligibility (in the solver's words, in the reader's language), the
    destination schools the rules allow them, and their current wishes in the round."""
    teacher = _teacher_of(user)
    rnd = get_round(user, round_id)
    problem = adapter.round_problem(rnd)
    found = adapter.eligibility_sentence(problem, teacher.staff_no, lang())
    codes = adapter.allowed_destination_codes(problem, teacher.staff_no) if found and found[0] else []
    schools = {s.code: s for s in db.session.scalars(select(School).where(School.county_id == rnd.county_id))}
    wishes = db.session.scalars(select(Wish).where(Wish.round_id == rnd.id, Wish.teacher_id == teacher.id)
                                .order_by(Wish.rank)).all()
    day = clock.today(today)
    return WishStatus(
        round=rnd, teacher=teacher, in_round=found is not None, eligible=bool(found and found[0]),
        reason=found[1] if found else _("本轮交流不涉及您（学段、状态或学校不在本轮范围内）。"),
        allowed=[schools[c] for c in codes if c in schools], wishes=[w.school for w in wishes],
        max_wishes=rnd.max_wishes,
        window_open=rnd.state == RoundState.WISHES and rnd.wish_opens <= day <= rnd.wish_closes,
        opens=rnd.wish_opens, closes=rnd.wish_closes,
    )


def save_wishes(user: User, round_id: int, school_ids: list[int | str], *, today: date | None = None) -> list[Wish]:
    """Replace the acting teacher's wishes with ``school_ids`` (best first; blanks ignored). Refused
    outside the wish window, for a teacher who is not eligible, for more than the round's maximum,
    for a repeated school and for a school the rules do not allow them."""
    _require(user, "rotation.wish")
    status = wish_status(user, round_id, today=today)
    rnd = status.round
    if not status.window_open:
        raise DomainError(_("不在志愿填报时间内（%(a)s 至 %(b)s）。", a=rnd.wish_opens.isoformat(),
                            b=rnd.wish_closes.isoformat()), field="wishes")
    if not status.eligible:
        raise DomainError(status.reason, field="wishes")
    ids: list[int] = []
    for i, raw in enumerate(school_ids):
        if raw in (None, ""):
            continue
        try:
            sid = int(raw)
        except (TypeError, ValueError):
            raise DomainError(_("第 %(n)d 志愿的学校无效。", n=i + 1), field=f"wish_{i + 1}") from None
        if sid in ids:
            raise DomainError(_("第 %(n)d 志愿与前面的志愿重复。", n=i + 1), field=f"wish_{i + 1}")
        ids.append(sid)
    if len(ids) > rnd.max_wishes:
        raise DomainError(_("最多填报 %(n)d 个志愿。", n=rnd.max_wishes), field="wishes")
    allowed = {s.id for s in status.allowed}
    for i, sid in enumerate(ids):
        if sid not in allowed:
            raise DomainError(_("第 %(n)d 志愿的学校不符合交流规则（须同县、不同城乡类别、设有您任教的学段）。", n=i + 1),
                              field=f"wish_{i + 1}")
    teacher = status.teacher
    for old in db.session.scalars(select(Wish).where(Wish.round_id == rnd.id, Wish.teacher_id == teacher.id)):
        db.session.delete(old)
    db.session.flush()
    rows = [Wish(round_id=rnd.id, teacher_id=teacher.id, rank=i + 1, school_id=sid) for i, sid in enumerate(ids)]
    db.session.add_all(rows)
    db.session.flush()
    audit.record(user, "rotation.wishes.save", rnd, {"teacher": teacher.staff_no, "schools": ids})
    from teachers.notifications.services import close_todos

    close_todos("rotation.wishes_open", object_type="rotation_round", object_id=rnd.id, users=[user])
    return rows


def wish_progress(user: User, round_id: int) -> dict[str, int]:
    """How many eligible teachers have answered: {"eligible", "answered", "wishes"}."""
    rnd = get_round(user, round_id)
    if user.role in (Role.PRINCIPAL, Role.TEACHER):
        raise PermissionDenied(_("您没有权限进行此操作。"))
    problem = adapter.round_problem(rnd)
    eligible = len(problem.teachers) - len(adapter.exclusion_reasons(problem))
    answered = db.session.scalar(select(func.count(func.distinct(Wish.teacher_id))).where(Wish.round_id == rnd.id)) or 0
    wishes = db.session.scalar(select(func.count()).select_from(Wish).where(Wish.round_id == rnd.id)) or 0
    return {"eligible": eligible, "answered": answered, "wishes": wishes}


# ---------------------------------------------------------------------------- pins, forbids, exclusions


def _round_teacher(rnd: RotationRound, teacher_id: int) -> Teacher:
    teacher = db.session.get(Teacher, int(teacher_id))
    if teacher is None or teacher.working_school.county_id != rnd.county_id:
        raise DomainError(_("找不到该教师。"), field="teacher_id")
    return teacher


def _editable(rnd: RotationRound) -> None:
    if rnd.state not in (RoundState.DRAFT, RoundState.WISHES, RoundState.PLANNING):
        raise DomainError(_("方案发布后不能再锁定、禁止或排除。"))


def add_rule(actor: User, round_id: int, kind: str, teacher_id: int, school_id: int | None = None,
             reason: str = "") -> RoundRule:
    """Pin a move (``kind="pin"``: teacher → school must be in the plan), forbid one
    (``"forbid"``), or exclude a teacher from the round (``"exclude"``, a reason required). A pin
    that breaks a hard rule (the teacher not eligible, a destination H2 forbids) is refused with the
    rule's words; a teacher has at most one pin or exclusion."""
    rnd = get_round_for_manage(actor, round_id)
    _editable(rnd)
    try:
        kind_ = RuleKind(kind)
    except ValueError:
        raise DomainError(_("无效的操作。"), field="kind") from None
    teacher = _round_teacher(rnd, teacher_id)
    reason = (reason or "").strip()[:200]
    school: School | None = None
    if kind_ == RuleKind.EXCLUDE:
        if not reason:
            raise DomainError(_("排除教师须填写原因。"), field="reason")
    else:
        school = db.session.get(School, int(school_id)) if school_id not in (None, "") else None
        if school is None or school.county_id != rnd.county_id:
            raise DomainError(_("找不到该学校。"), field="school_id")
        if kind_ == RuleKind.PIN:
            problem = adapter.round_problem(rnd)
            found = adapter.eligibility_sentence(problem, teacher.staff_no, lang())
            if found is None or not found[0]:
                raise DomainError(found[1] if found else _("该教师不在本轮范围内。"), field="teacher_id")
            if school.code not in adapter.allowed_destination_codes(problem, teacher.staff_no):
                raise DomainError(_("锁定的交流违反规则 H2：目标学校须同县、不同城乡类别、设有该教师的学段。"),
                                  field="school_id")
    clash = db.session.scalar(select(RoundRule).where(
        RoundRule.round_id == rnd.id, RoundRule.teacher_id == teacher.id,
        RoundRule.kind != RuleKind.FORBID if kind_ != RuleKind.FORBID else
        (RoundRule.kind == RuleKind.FORBID) & (RoundRule.school_id == school.id)))
    if clash is not None:
        raise DomainError(_("该教师已有锁定或排除设置，请先删除。") if kind_ != RuleKind.FORBID
                          else _("这一交流已被禁止。"), field="teacher_id")
    rule = RoundRule(round_id=rnd.id, kind=kind_, teacher_id=teacher.id,
                     school_id=school.id if school else None, reason=reason, created_by_id=actor.id)
    db.session.add(rule)
    db.session.flush()
    audit.record(actor, f"rotation.rule.{kind_.value}", rnd,
                 {"teacher": teacher.staff_no, "school": school.code if school else None, "reason": reason})
    return rule


def remove_rule(actor: User, rule_id: int) -> None:
    """Delete a pin, forbid or exclusion (before publication)."""
    rule = db.session.get(RoundRule, int(rule_id))
    if rule is None:
        raise NotFound(_("找不到该设置。"))
    rnd = get_round_for_manage(actor, rule.round_id)
    _editable(rnd)
    audit.record(actor, "rotation.rule.remove", rnd, {"kind": rule.kind.value, "teacher": rule.teacher_id,
                                                     "school": rule.school_id})
    db.session.delete(rule)
    db.session.flush()


def list_rules(user: User, round_id: int) -> list[RoundRule]:
    """The round's pins, forbids and exclusions, oldest first."""
    rnd = get_round(user, round_id)
    if user.role in (Role.PRINCIPAL, Role.TEACHER):
        raise PermissionDenied(_("您没有权限进行此操作。"))
    return list(db.session.scalars(select(RoundRule).where(RoundRule.round_id == rnd.id).order_by(RoundRule.id)))

"""Teacher development pages: training records and their approvals, progress in the five-year cycle,
who is behind, the hours certificate (学时证明), evidence downloads, and a teacher's development page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from teachers import text
from teachers.auth.permissions import has_permission, require
from teachers.development import achievements, catalogue, evidence, growth, mentoring, notices, states, tiers, training
from teachers.development.forms import (
    AchievementForm,
    ActionForm,
    CommentForm,
    GoalsForm,
    GroupEnrolForm,
    GrowthEntryForm,
    HonourForm,
    MentorLogForm,
    PairForm,
    ProgrammeForm,
    ReasonForm,
    TierDecisionForm,
    TrainingForm,
)
from teachers.errors import DomainError, NotFound, PermissionDenied
from teachers.extensions import db
from teachers.models import Role, TrainingState
from teachers.web import int_arg, refuse

bp = Blueprint("development", __name__)
notices.register()


def _fetch(fn: Callable, *args: Any) -> Any:
    try:
        return fn(current_user, *args)
    except PermissionDenied:
        abort(403)
    except NotFound:
        abort(404)


def _upload(form: TrainingForm) -> evidence.Upload | None:
    f = form.evidence.data
    if f is None or not getattr(f, "filename", None):
        return None
    return evidence.Upload(filename=f.filename, data=f.read())


def _refuse_with_flash(exc: DomainError) -> None:
    """For actions that redirect back: undo, then 403/404 for scope, else the message in a flash."""
    db.session.rollback()
    if isinstance(exc, PermissionDenied):
        abort(403)
    if isinstance(exc, NotFound):
        abort(404)
    flash(exc.message, "error")


def _today() -> date:
    return date.today()


def _flash_errors(form) -> None:
    for errors in form.errors.values():
        for e in errors:
            flash(e, "error")


def _step(form, back: str, work: Callable[[], Any], done: str | Callable[[Any], str], *,
          then: str | Callable[[Any], str] | None = None, bad_form: str = "flash"):
    """One step of a development workflow, the shape every POST here shares: the form must pass (else
    its errors are flashed, or 400 when ``bad_form="abort"`` — a button's form fails only on CSRF),
    then ``work()`` calls the service; a refusal is undone and flashed (403/404 for scope) and the user
    goes ``back``; success commits once, flashes ``done`` and goes to ``then`` (default ``back``).
    ``done`` and ``then`` may be functions of what ``work`` returned."""
    if not form.validate_on_submit():
        if bad_form == "abort":
            abort(400)
        _flash_errors(form)
        return redirect(back)
    try:
        result = work()
    except DomainError as exc:
        _refuse_with_flash(exc)
        return redirect(back)
    db.session.commit()
    flash(done(result) if callable(done) else done, "success")
    return redirect((then(result) if callable(then) else then) or back)


def _form_page(form, template: str, context: dict[str, Any], work: Callable[[], Any], done: str,
               then: Callable[[Any], str]):
    """A page with one form that the service answers: refusals land at their field (400), success
    commits, flashes ``done`` and goes to ``then(result)``."""
    if form.validate_on_submit():
        try:
            result = work()
        except DomainError as exc:
            refuse(form, exc)
            return render_template(template, form=form, **context), 400
        db.session.commit()
        flash(done, "success")
        return redirect(then(result))
    return render_template(template, form=form, **context), (400 if form.errors else 200)


def _ids(name: str) -> list[int]:
    """The integer values of a repeated form field; anything else is a bad request."""
    try:
        return [int(v) for v in request.form.getlist(name)]
    except ValueError:
        abort(400)


# ------------------------------------------------------------------------------------- training


@bp.route("/training")
@require("development.view")
def training_home():
    if current_user.role == Role.TEACHER:
        return redirect(url_for(".teacher_training", teacher_id=current_user.teacher_id))
    if has_permission(current_user, "training.overview"):
        return redirect(url_for(".training_overview"))
    abort(403)


@bp.route("/training/new", methods=["GET", "POST"])
@require("training.submit")
def training_new():
    form = TrainingForm()
    return _form_page(form, "development/training_form.html", {"record": None},
                      lambda: training.submit_outside(current_user, form.service_data(), _upload(form), _today()),
                      _("已提交培训记录，等待学校审核。"), lambda r: url_for(".training_record", record_id=r.id))


@bp.route("/training/records/<int:record_id>")
@require("development.view")
def training_record(record_id: int):
    record = _fetch(training.get_record, record_id)
    return render_template("development/training_record.html", record=record, reason_form=ReasonForm(),
                           action_form=ActionForm(), can_act=_can_act(record))


def _can_act(record) -> dict[str, bool]:
    user = current_user
    own_school = user.role == Role.PRINCIPAL and record.teacher.working_school_id == user.school_id
    return {
        "verify": own_school and record.state == TrainingState.SUBMITTED,
        "confirm": user.role == Role.HR and record.state == TrainingState.VERIFIED,
        "reject": (own_school or user.role == Role.HR)
        and record.state in states.REJECTABLE.get(user.role, frozenset()),
        "resubmit": user.role == Role.TEACHER and record.teacher_id == user.teacher_id
        and record.state == TrainingState.REJECTED,
    }


@bp.route("/training/records/<int:record_id>/edit", methods=["GET", "POST"])
@require("training.submit")
def training_edit(record_id: int):
    record = _fetch(training.get_record, record_id)
    if record.teacher_id != current_user.teacher_id:
        abort(404)
    if record.state != TrainingState.REJECTED:
        flash(_("只有被退回的记录可以修改后重新提交。"), "error")
        return redirect(url_for(".training_record", record_id=record.id))
    form = TrainingForm(obj=record)
    return _form_page(form, "development/training_form.html", {"record": record},
                      lambda: training.resubmit(current_user, record.id, form.service_data(), _upload(form), _today()),
                      _("已修改并重新提交，等待学校审核。"), lambda r: url_for(".training_record", record_id=r.id))


@bp.route("/training/records/<int:record_id>/<any(verify, confirm, reject):action>", methods=["POST"])
@require("development.view")
def training_act(record_id: int, action: str):
    form = ReasonForm() if action == "reject" else ActionForm()
    reason = form.reason.data if action == "reject" else ""
    return _step(form, url_for(".training_record", record_id=record_id),
                 lambda: training.act(current_user, record_id, action, reason=reason or ""),
                 {"verify": _("已审核。"), "confirm": _("已确认，学时已计入。"),
                  "reject": _("已退回，教师可修改后重新提交。")}[action],
                 then=request.form.get("next"), bad_form="abort")


@bp.route("/training/review")
@require("development.view")
def training_review():
    rows = _fetch(training.review_queue)
    return render_template("development/training_review.html", rows=rows, action_form=ActionForm(),
                           achievements=achievements.waiting(current_user))


@bp.route("/training/overview")
@require("training.overview")
def training_overview():
    schools = _fetch(training.overview, _today())
    total = sum(s.teachers for s in schools)
    complete = sum(s.complete for s in schools)
    return render_template("development/training_overview.html", schools=schools, total=total, complete=complete)


@bp.route("/teachers/<int:teacher_id>/training")
@require("development.view")
def teacher_training(teacher_id: int):
    teacher, records, progress = _fetch(training.teacher_progress, teacher_id, _today())
    return render_template("development/teacher_training.html", teacher=teacher, records=records, p=progress)


@bp.route("/teachers/<int:teacher_id>/training/certificate")
@require("development.view")
def training_certificate(teacher_id: int):
    teacher = _fetch(training.get_teacher, teacher_id)
    records = training.records_of(teacher)
    first_year = int_arg("cycle", minimum=1900, maximum=2100)
    try:
        progress = training.progress_of(teacher, _today(), records, first_year=first_year)
    except NotFound:
        abort(404)
    counted = [r for r in records if r.id in progress.counted_by_key]
    return render_template("development/certificate.html", teacher=teacher, p=progress, records=counted,
                           today=_today())


@bp.route("/evidence/<int:evidence_id>")
@require("development.view")
def evidence_file(evidence_id: int):
    row = _fetch(training.evidence_for, evidence_id)
    path = evidence.path_of(row)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=row.content_type, as_attachment=True, download_name=row.original_name,
                         max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response




@bp.context_processor
def _helpers() -> dict[str, Any]:
    from teachers.labels import label

    def action_label(action: str) -> str:
        words = {"submit": _("提交"), "verify": _("学校审核"), "confirm": _("人事科确认"), "reject": _("退回"),
                 "resubmit": _("修改后重新提交")}
        return words.get(action, action)

    def state_label(value: str) -> str:
        try:
            return label(TrainingState(value))
        except ValueError:
            return value

    def enum_label(cls):
        def fn(value: str) -> str:
            try:
                return label(cls(value))
            except ValueError:
                return value
        return fn

    from teachers.models import Backbone, Level, Tier

    return {"action_label": action_label, "state_label": state_label, "tier_label": enum_label(Tier),
            "level_label": enum_label(Level), "backbone_label": enum_label(Backbone)}


# ------------------------------------------------------------------------------- development page


@bp.route("/teachers/<int:teacher_id>/development")
@require("development.view")
def teacher_development(teacher_id: int):
    teacher = _fetch(training.get_teacher, teacher_id)
    own = current_user.role == Role.TEACHER and current_user.teacher_id == teacher.id
    plan = growth.plan_of(teacher)
    return render_template(
        "development/teacher_development.html", teacher=teacher, awards=tiers.awards_of(teacher),
        honours=tiers.honours_of(teacher), achievements=achievements.achievements_of(teacher),
        achievement_form=AchievementForm() if own else None,
        honour_form=HonourForm() if has_permission(current_user, "development.manage") else None,
        may_review=current_user.role == Role.PRINCIPAL and teacher.working_school_id == current_user.school_id,
        action_form=ActionForm(), reason_form=ReasonForm(), today=_today(), plan=plan,
        goals_form=GoalsForm(goals=plan.goals if plan else None) if own else None, entry_form=GrowthEntryForm() if own else None,
        comment_form=CommentForm() if current_user.role == Role.PRINCIPAL
        and teacher.working_school_id == current_user.school_id else None)


@bp.route("/development/achievements/new", methods=["POST"])
@require("training.submit")
def achievement_new():
    form = AchievementForm()
    return _step(form, url_for(".teacher_development", teacher_id=current_user.teacher_id),
                 lambda: achievements.record(current_user, {k: form[k].data for k in (
                     "kind", "level", "title", "achieved_on")}, _upload(form), _today()),
                 _("已登记成果，等待学校审核。"))


@bp.route("/development/achievements/<int:achievement_id>/<any(verify, reject):action>", methods=["POST"])
@require("training.verify")
def achievement_review(achievement_id: int, action: str):
    form = ReasonForm()
    return _step(form, request.referrer or url_for(".training_review"),
                 lambda: achievements.review(current_user, achievement_id, action == "verify", form.reason.data or ""),
                 _("已审核。") if action == "verify" else _("已退回。"),
                 then=lambda row: url_for(".teacher_development", teacher_id=row.teacher_id), bad_form="abort")


@bp.route("/teachers/<int:teacher_id>/honours", methods=["POST"])
@require("development.manage")
def honour_new(teacher_id: int):
    form = HonourForm()
    return _step(form, url_for(".teacher_development", teacher_id=teacher_id),
                 lambda: achievements.add_honour(current_user, teacher_id, {k: form[k].data for k in (
                     "kind", "level", "recognised_on", "review_on", "studio_name")}, _today()),
                 _("已登记荣誉。"))


@bp.route("/development/honours/<int:honour_id>/end", methods=["POST"])
@require("development.manage")
def honour_end(honour_id: int):
    return _step(ActionForm(), request.referrer or url_for(".tier_evaluation"),
                 lambda: achievements.end_honour(current_user, honour_id, _today()), _("已终止该荣誉。"),
                 then=lambda row: url_for(".teacher_development", teacher_id=row.teacher_id), bad_form="abort")


# ----------------------------------------------------------------------------------------- tiers


@bp.route("/development/tiers")
@require("training.overview")
def tier_evaluation():
    county, rows = _fetch(tiers.evaluation, int_arg("county"), _today())
    show = request.args.get("show", "eligible")
    if show == "eligible":
        shown = [r for r in rows if r.evaluation.eligible]
    elif show == "review":
        shown = [r for r in rows if r.evaluation.review_due]
    else:
        show, shown = "all", rows
    counts = {"eligible": sum(r.evaluation.eligible for r in rows),
              "review": sum(r.evaluation.review_due for r in rows), "all": len(rows)}
    return render_template("development/tier_evaluation.html", county=county, rows=shown, show=show, counts=counts,
                           form=TierDecisionForm(), may_decide=has_permission(current_user, "development.manage"))


@bp.route("/development/tiers/decide", methods=["POST"])
@require("development.manage")
def tier_decide():
    form = TierDecisionForm()
    return _step(form, request.form.get("next") or url_for(".tier_evaluation"),
                 lambda: tiers.decide(current_user, _ids("teacher_ids"), form.tier.data, form.reason.data or "",
                                      _today()),
                 lambda awards: _("已调整 %(n)d 位教师的梯队层级。", n=len(awards)))


@bp.route("/development/pyramid")
@require("training.overview")
def tier_pyramid():
    from teachers.models import Tier

    data = _fetch(tiers.pyramid, int_arg("county"))
    from teachers.labels import label

    order = [Tier.LEADER, Tier.BACKBONE, Tier.YOUNG, Tier.NEW, Tier.NONE]
    chart = {"tiers": [{"label": label(t), "count": int(data["total"].get(t, 0))} for t in order]}
    return render_template("development/pyramid.html", data=data, order=order, chart=chart)


# -------------------------------------------------------------------------------------- mentoring


@bp.route("/development/mentoring")
@require("development.view")
def mentoring_list():
    pairs, alone = _fetch(mentoring.pairs_for, int_arg("county"))
    return render_template("development/mentoring_list.html", pairs=pairs, alone=alone, form=PairForm(),
                           action_form=ActionForm(), may_manage=has_permission(current_user, "development.manage"))


@bp.route("/development/mentoring/propose", methods=["POST"])
@require("development.manage")
def mentoring_propose():
    if not ActionForm().validate_on_submit():
        abort(400)
    proposal = _fetch(mentoring.propose, text.parse_int(request.form.get("county"), minimum=1, maximum=text.INT32_MAX))
    return render_template("development/mentoring_proposal.html", proposal=proposal, action_form=ActionForm(),
                           today=_today(), rule_message=mentoring.rule_message)


@bp.route("/development/mentoring/pairs", methods=["POST"])
@require("development.manage")
def mentoring_create():
    form = PairForm() if request.form.get("mentee") else ActionForm()

    def work():
        if isinstance(form, PairForm):
            pairs = [mentoring.ids_by_staff_no(current_user, form.mentee.data, form.mentor.data)]
            return mentoring.create_pairs(current_user, pairs, form.start_on.data)
        try:
            pairs = [tuple(int(x) for x in v.split(":", 1)) for v in request.form.getlist("pairs")]
        except ValueError:
            abort(400)
        return mentoring.create_pairs(current_user, pairs, _today())

    return _step(form, url_for(".mentoring_list"), work,
                 lambda created: _("已建立 %(n)d 对师徒结对。", n=len(created)))


@bp.route("/development/mentoring/<int:pair_id>")
@require("development.view")
def mentoring_pair(pair_id: int):
    pair = _fetch(mentoring.get_pair, pair_id)
    return render_template("development/mentoring_pair.html", pair=pair, form=MentorLogForm(),
                           action_form=ActionForm())


@bp.route("/development/mentoring/<int:pair_id>/<any(logs, 'sign-off', end):action>", methods=["POST"])
@require("development.view")
def mentoring_act(pair_id: int, action: str):
    form = MentorLogForm() if action == "logs" else ActionForm()
    work = {"logs": lambda: mentoring.add_log(current_user, pair_id, form.log_on.data, form.text.data, _today()),
            "sign-off": lambda: mentoring.sign_off(current_user, pair_id, _today()),
            "end": lambda: mentoring.end_pair(current_user, pair_id, _today())}[action]
    return _step(form, url_for(".mentoring_pair", pair_id=pair_id), work,
                 {"logs": _("已记录，等待导师签字。"), "sign-off": _("已签字结束跟踪指导。"), "end": _("已结束该结对。")}[action])


@bp.route("/development/mentoring/logs/<int:log_id>/countersign", methods=["POST"])
@require("development.view")
def mentoring_countersign(log_id: int):
    return _step(ActionForm(), request.referrer or url_for(".mentoring_list"),
                 lambda: mentoring.countersign(current_user, log_id), _("已签字。"),
                 then=lambda log: url_for(".mentoring_pair", pair_id=log.pair_id), bad_form="abort")


# ---------------------------------------------------------------------------------- growth plans


@bp.route("/development/growth-plans")
@require("training.overview")
def growth_missing():
    teachers = _fetch(growth.without_plan, int_arg("county"))
    return render_template("development/growth_missing.html", teachers=teachers)


@bp.route("/development/growth-plan/<any(goals, entries):what>", methods=["POST"])
@require("training.submit")
def growth_save(what: str):
    form = GoalsForm() if what == "goals" else GrowthEntryForm()
    return _step(form, url_for(".teacher_development", teacher_id=current_user.teacher_id),
                 (lambda: growth.save_goals(current_user, form.goals.data)) if what == "goals"
                 else (lambda: growth.add_entry(current_user, form.entry_on.data, form.text.data, _today())),
                 _("成长规划已保存。"))


@bp.route("/teachers/<int:teacher_id>/growth-plan/comment", methods=["POST"])
@require("training.verify")
def growth_comment(teacher_id: int):
    form = CommentForm()
    return _step(form, url_for(".teacher_development", teacher_id=teacher_id),
                 lambda: growth.comment(current_user, teacher_id, form.comment.data), _("点评已保存。"))


# -------------------------------------------------------------------------------------- catalogue


@bp.route("/training/programmes")
@require("development.view")
def programme_list():
    rows = _fetch(catalogue.programmes)
    mine = set()
    if current_user.role == Role.TEACHER:
        from teachers.models import Enrolment

        mine = set(db.session.scalars(select(Enrolment.programme_id).where(Enrolment.teacher_id == current_user.teacher_id)))
    return render_template("development/programme_list.html", rows=rows, mine=mine, action_form=ActionForm(),
                           take_up=catalogue.take_up(rows),
                           today=_today(), may_manage=has_permission(current_user, "development.manage"))


@bp.route("/training/programmes/new", methods=["GET", "POST"])
@require("development.manage")
def programme_new():
    form = ProgrammeForm()
    return _form_page(form, "development/programme_form.html", {},
                      lambda: catalogue.create(current_user, int_arg("county"), form.service_data()),
                      _("已发布培训项目。"), lambda row: url_for(".programme_detail", programme_id=row.id))


@bp.route("/training/programmes/<int:programme_id>")
@require("development.view")
def programme_detail(programme_id: int):
    row = _fetch(catalogue.get_programme, programme_id)
    may_manage = has_permission(current_user, "development.manage")
    people = catalogue.enrolments(row) if current_user.role != Role.TEACHER else []
    if current_user.role == Role.PRINCIPAL:
        people = [e for e in people if e.teacher.working_school_id == current_user.school_id]
    from teachers.records.services import scoped_schools

    return render_template("development/programme_detail.html", p=row, people=people, may_manage=may_manage,
                           action_form=ActionForm(), group_form=GroupEnrolForm(), today=_today(),
                           schools=scoped_schools(current_user, active_only=True) if may_manage else [])


@bp.route("/training/programmes/<int:programme_id>/<any(enrol, 'enrol-school', complete):action>", methods=["POST"])
@require("development.view")
def programme_act(programme_id: int, action: str):
    if (action == "enrol" and current_user.role != Role.TEACHER) or (
            action != "enrol" and not has_permission(current_user, "development.manage")):
        abort(403)
    form = GroupEnrolForm() if action == "enrol-school" else ActionForm()

    def school_id() -> int | None:
        try:
            return int(form.school_id.data)
        except ValueError:
            return None

    if action == "enrol":
        return _step(form, url_for(".programme_detail", programme_id=programme_id),
                     lambda: catalogue.enrol_self(current_user, programme_id, _today()), _("已报名。"))
    if action == "enrol-school":
        return _step(form, url_for(".programme_detail", programme_id=programme_id),
                     lambda: catalogue.enrol_school(current_user, programme_id, school_id(), form.subject.data or "",
                                                    _today()),
                     lambda rows: _("已为 %(n)d 位教师报名。", n=len(rows)))
    return _step(form, url_for(".programme_detail", programme_id=programme_id),
                 lambda: catalogue.complete(current_user, programme_id, _ids("enrolment_ids"), _today()),
                 lambda records: _("已认定 %(n)d 位学员结业，培训记录等待学校审核。", n=len(records)))

"""Human labels for stored enum values, Chinese first and translated through Flask-Babel."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from teachers.models import (
    Area,
    AssignmentKind,
    Backbone,
    Degree,
    Gender,
    MoveState,
    Role,
    RoundState,
    RunStatus,
    SchoolKind,
    Stage,
    TeacherStatus,
    Tier,
    Title,
)
from teachers.models.development import (
    AchievementKind,
    DeliveryMode,
    HonourKind,
    Level,
    ProgrammeLevel,
    ReviewState,
    TrainingSource,
    TrainingState,
)

# Pairs, not a dict literal: str-valued members of different enums compare equal ("senior" is a
# stage, a school kind and a title), so they must be told apart by their class.
_PAIRS: tuple[tuple[enum.Enum, object], ...] = (
    (Area.URBAN, _l("城区")), (Area.TOWN, _l("镇区")), (Area.RURAL, _l("乡村")),
    (SchoolKind.PRIMARY, _l("小学")), (SchoolKind.JUNIOR, _l("初中")), (SchoolKind.NINE_YEAR, _l("九年一贯制")),
    (SchoolKind.SENIOR, _l("高中")), (SchoolKind.VOCATIONAL, _l("职业学校")), (SchoolKind.KINDERGARTEN, _l("幼儿园")),
    (Stage.PRESCHOOL, _l("学前")), (Stage.PRIMARY, _l("小学")), (Stage.JUNIOR, _l("初中")), (Stage.SENIOR, _l("高中")),
    (Stage.VOCATIONAL, _l("中职")),
    (Gender.MALE, _l("男")), (Gender.FEMALE, _l("女")),
    (Degree.SECONDARY, _l("中专及以下")), (Degree.ASSOCIATE, _l("大专")), (Degree.BACHELOR, _l("本科")),
    (Degree.MASTER, _l("硕士研究生")), (Degree.DOCTOR, _l("博士研究生")),
    (Title.NONE, _l("未定级")), (Title.THIRD, _l("三级教师")), (Title.SECOND, _l("二级教师")), (Title.FIRST, _l("一级教师")),
    (Title.SENIOR, _l("高级教师")), (Title.PROFESSOR, _l("正高级教师")),
    (Backbone.NONE, _l("无")), (Backbone.SCHOOL, _l("校级骨干")), (Backbone.COUNTY, _l("县级骨干")),
    (Backbone.CITY, _l("市级骨干")), (Backbone.PROVINCE, _l("省级骨干")),
    (Tier.NEW, _l("新任教师")), (Tier.YOUNG, _l("青年教师")), (Tier.BACKBONE, _l("教学骨干")), (Tier.LEADER, _l("学科带头人")),
    (Tier.NONE, _l("未入梯队")),
    (TeacherStatus.ACTIVE, _l("在岗")), (TeacherStatus.SICK_LEAVE, _l("病假")), (TeacherStatus.MATERNITY_LEAVE, _l("产假")),
    (TeacherStatus.SECONDED, _l("借调")), (TeacherStatus.ON_EXCHANGE, _l("交流中")), (TeacherStatus.RETIRED, _l("退休")),
    (AssignmentKind.HIRE, _l("入职")), (AssignmentKind.TRANSFER, _l("调动")), (AssignmentKind.EXCHANGE, _l("交流")),
    (AssignmentKind.RETURN, _l("交流期满返回")),
    (Role.ADMIN, _l("系统管理员")), (Role.HR, _l("人事科")), (Role.PRINCIPAL, _l("校长")), (Role.TEACHER, lazy_pgettext("role", "教师")),
    (Role.INSPECTOR, _l("督学")),
    # Teacher development
    (HonourKind.BACKBONE, _l("骨干教师")), (HonourKind.SPECIAL, _l("特级教师")),
    (HonourKind.STUDIO_HOST, _l("名师/名校长工作室主持人")), (HonourKind.STUDIO_MEMBER, _l("名师/名校长工作室成员")),
    (HonourKind.LEADING, _l("领军人物/名优教师")),
    (Level.SCHOOL, _l("校级")), (Level.COUNTY, _l("县级")), (Level.CITY, _l("市级")), (Level.PROVINCE, _l("省级")),
    (Level.NATIONAL, _l("国家级")),
    (AchievementKind.OPEN_LESSON, _l("公开课")), (AchievementKind.RESEARCH, _l("课题")), (AchievementKind.PAPER, _l("论文")),
    (AchievementKind.AWARD, _l("获奖")),
    (ProgrammeLevel.NATIONAL, _l("国培")), (ProgrammeLevel.PROVINCIAL, _l("省培")), (ProgrammeLevel.CITY, _l("市培")),
    (ProgrammeLevel.COUNTY, _l("县培")), (ProgrammeLevel.CLUSTER, _l("片区研修")), (ProgrammeLevel.SCHOOL, _l("校本研修")),
    (DeliveryMode.ONLINE, _l("线上")), (DeliveryMode.IN_PERSON, _l("线下")),
    (TrainingSource.PROGRAMME, _l("项目结业")), (TrainingSource.OUTSIDE, _l("校外培训自报")),
    (TrainingSource.IMPORT, _l("批量导入")),
    (TrainingState.SUBMITTED, _l("待学校审核")), (TrainingState.VERIFIED, _l("待人事科确认")),
    (TrainingState.CONFIRMED, _l("已确认")), (TrainingState.REJECTED, _l("已退回")),
    (ReviewState.SUBMITTED, lazy_pgettext("achievement", "待审核")), (ReviewState.VERIFIED, _l("已审核")),
    (ReviewState.REJECTED, lazy_pgettext("achievement", "已退回")),
    (RoundState.DRAFT, _l("草拟")), (RoundState.WISHES, _l("志愿填报")), (RoundState.PLANNING, _l("方案求解与审阅")),
    (RoundState.DECISIONS, _l("审批与确认")), (RoundState.NOTICE, _l("公示")), (RoundState.CONFIRMED, _l("名单已确认")),
    (RoundState.DONE, _l("已执行")), (RoundState.CANCELLED, _l("已取消")),
    (MoveState.PENDING_PRINCIPALS, _l("待校长审批")), (MoveState.REJECTED, _l("校长不同意")),
    (MoveState.PENDING_TEACHER, _l("待教师确认")), (MoveState.OBJECTED, _l("已提出异议")),
    (MoveState.UPHELD, _l("异议成立，已撤销")), (MoveState.ACCEPTED, _l("教师已确认")), (MoveState.CONFIRMED, _l("已确认")),
    (MoveState.CARRIED_OUT, _l("交流中")), (MoveState.RETURNED, _l("已返回")), (MoveState.WITHDRAWN, _l("已撤回")),
    (RunStatus.QUEUED, _l("排队中")), (RunStatus.RUNNING, _l("求解中")), (RunStatus.SUCCEEDED, _l("已完成")),
    (RunStatus.FAILED, _l("失败")), (RunStatus.CANCELLED, _l("已取消")),
)


LABELS: dict[tuple[type, str], object] = {(type(m), m.value): text for m, text in _PAIRS}


def label(value: enum.Enum | None) -> str:
    if value is None:
        return ""
    return str(LABELS.get((type(value), getattr(value, "value", value)), getattr(value, "value", value)))


def choices(enum_cls: type[enum.Enum]) -> list[tuple[str, object]]:
    """(value, label) pairs for a select field, in declaration order. The labels stay lazy, so a
    form class built at import time still renders in the language of each request."""
    return [(m.value, LABELS.get((enum_cls, m.value), m.value)) for m in enum_cls]


# What each policy setting with choices chooses among (teachers.policy): its stored words are labelled
# like the records they compare with (a degree, an achievement's level, a backbone recognition).
_SETTING_CHOICES: dict[str, type[enum.Enum] | dict[str, object]] = {
    "required_degree_primary": Degree, "required_degree_junior": Degree,
    "tier_backbone_achievement_level": Level, "tier_leader_achievement_level": Level,
    "tier_backbone_honour": Backbone, "tier_leader_honour": Backbone, "mentor_min_backbone": Backbone,
    "backbone_share_base": {"moves": _l("交流人数"), "eligible": _l("符合条件教师")},
}


def setting_value(key: str, value: object) -> str:
    """A policy setting's value as a reader sees it: a choice by its label, yes/no, a list joined."""
    if isinstance(value, bool):
        return str(_l("是") if value else _l("否"))
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "，".join(str(v) for v in value)
    among = _SETTING_CHOICES.get(key)
    text = among.get(str(value)) if isinstance(among, dict) else LABELS.get((among, str(value))) if among else None
    return str(text) if text is not None else str(value)

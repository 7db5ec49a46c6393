"""Every policy default in one place, each with its source (docs/policy.md).

These are defaults: a county stores its own values (``County.policy``) and a rotation round
copies them with the round. Nothing else in the code may hold these numbers. ``verified``
is False where a source was found only second-hand; the UI says so in the help text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from teachers import text

SOURCE_2014 = "教育部 财政部 人力资源社会保障部《关于推进县（区）域内义务教育学校校长教师交流轮岗的意见》(2014)"
SOURCE_2017 = "《县域义务教育优质均衡发展督导评估办法》(2017)"
SOURCE_LOCAL = "地方细则（安徽、江西等常见做法），由县局确定"
SOURCE_1999 = "《中小学教师继续教育规定》(教育部令第7号, 1999)"
SOURCE_2011 = "教育部《关于大力加强中小学教师培训工作的意见》(2011，文号未核实)"
SOURCE_STAFF_2001 = "国务院办公厅转发《关于制定中小学教职工编制标准的意见》(国办发〔2001〕74号)"
SOURCE_STAFF_2014 = "中央编办 教育部 财政部《关于统一城乡中小学教职工编制标准的通知》(2014)：县镇、农村按城市标准"
SOURCE_PLAN = "《临江市“十四五”教育发展规划》第七部分、专栏6"
SOURCE_NATIONAL = "国家规定"
SOURCE_SYSTEM = "系统设置"
SOURCE_CURRICULUM = "国家义务教育课程方案；由县局确定"
UNVERIFIED_SCOPE = "（口径未核实）"
ANHUI_BASE = "；安徽以符合条件教师为基数"

#: English for the source texts above (document titles are given in English with the Chinese year).
SOURCES_EN = {
    SOURCE_2014: "MOE, MOF and MOHRSS opinion on the rotation of principals and teachers within counties (2014)",
    SOURCE_2017: "Inspection method for high-quality balanced compulsory education in counties (2017)",
    SOURCE_LOCAL: "Local rules (common practice in Anhui, Jiangxi …), set by the county bureau",
    SOURCE_1999: "Regulation on continuing education of primary and secondary teachers (MOE order No. 7, 1999)",
    SOURCE_2011: "MOE opinion on strengthening teacher training (2011, document number unverified)",
    SOURCE_STAFF_2001: "State Council General Office: opinion on staffing standards of primary and secondary schools "
                       "(No. 74, 2001)",
    SOURCE_STAFF_2014: "Notice unifying urban and rural staffing standards (2014): towns and villages use the city "
                       "standard",
    SOURCE_PLAN: "Linjiang 14th five-year education plan, part 7 and box 6",
    SOURCE_NATIONAL: "National rules",
    SOURCE_SYSTEM: "System setting",
    SOURCE_CURRICULUM: "National compulsory-education curriculum; set by the county bureau",
    UNVERIFIED_SCOPE: " (definition unverified)",
    ANHUI_BASE: "; Anhui takes eligible teachers as the base",
    "；": "; ",
}


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    kind: str  # "int", "float", "share", "bool", "choice", "list" (of subject names)
    label_zh: str
    label_en: str
    source: str
    verified: bool = True
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()


LEVELS = ("school", "county", "city", "province", "national")

#: Settings of teacher development (training cycle, approvals, the tier criteria, mentoring).
DEVELOPMENT_SETTINGS: tuple[Setting, ...] = (
    Setting("training_cycle_start_year", 2026, "int", "本轮继续教育周期起始年份", "First year of the current training cycle",
            SOURCE_LOCAL, minimum=2000, maximum=2100),
    Setting("training_yearly_minimum", 24, "int", "每年培训学时下限", "Minimum training hours per year",
            SOURCE_LOCAL, verified=False, minimum=0, maximum=500),
    Setting("training_cap_school", 180, "int", "校本研修每周期计入学时上限", "Cap on school-based hours per cycle",
            SOURCE_2011 + "；" + SOURCE_LOCAL, verified=False, minimum=0, maximum=2000),
    Setting("training_cap_cluster", 180, "int", "片区研修每周期计入学时上限", "Cap on cluster hours per cycle",
            SOURCE_LOCAL, verified=False, minimum=0, maximum=2000),
    Setting("training_cap_online", 240, "int", "网络研修每周期计入学时上限", "Cap on online hours per cycle",
            SOURCE_LOCAL, verified=False, minimum=0, maximum=2000),
    Setting("training_hours_per_credit", 10.0, "float", "每学分折合学时", "Hours per credit",
            SOURCE_2011 + "；" + SOURCE_LOCAL, verified=False, minimum=0.1, maximum=100),
    Setting("training_approval_steps", 2, "int", "培训学时审核步骤（1：学校审核即生效；2：再经人事科确认）",
            "Approval steps for training hours (1: school; 2: school then HR)", SOURCE_SYSTEM, minimum=1, maximum=2),
    Setting("training_max_hours_per_day", 8, "int", "每天培训最多计学时", "Most training hours per day",
            SOURCE_LOCAL, verified=False, minimum=1, maximum=24),
    Setting("evidence_max_mb", 10, "int", "证明材料大小上限（MB）", "Evidence file size limit (MB)",
            SOURCE_SYSTEM, minimum=1, maximum=50),
    Setting("tier_young_min_years", 2, "int", "青年教师：教龄满（年）", "Young teacher: completed years of service",
            SOURCE_PLAN, minimum=0, maximum=40),
    Setting("tier_backbone_min_years", 6, "int", "教学骨干：教龄不少于（年）", "Teaching backbone: years of service at least",
            SOURCE_LOCAL, minimum=0, maximum=40),
    Setting("tier_backbone_min_hours", 120, "int", "教学骨干：本周期已确认学时不少于", "Teaching backbone: confirmed hours this cycle",
            SOURCE_LOCAL, minimum=0, maximum=2000),
    Setting("tier_backbone_min_achievements", 2, "int", "教学骨干：已审核成果不少于（项）", "Teaching backbone: verified achievements",
            SOURCE_LOCAL, minimum=0, maximum=50),
    Setting("tier_backbone_achievement_level", "county", "choice", "教学骨干：成果级别不低于", "Teaching backbone: achievement level",
            SOURCE_LOCAL, choices=LEVELS),
    Setting("tier_backbone_honour", "school", "choice", "教学骨干：骨干认定级别不低于", "Teaching backbone: backbone recognition",
            SOURCE_LOCAL, choices=("none", "school", "county", "city", "province")),
    Setting("tier_leader_min_years", 12, "int", "学科带头人：教龄不少于（年）", "Subject leader: years of service at least",
            SOURCE_LOCAL, minimum=0, maximum=40),
    Setting("tier_leader_min_hours", 240, "int", "学科带头人：本周期已确认学时不少于", "Subject leader: confirmed hours this cycle",
            SOURCE_LOCAL, minimum=0, maximum=2000),
    Setting("tier_leader_min_achievements", 4, "int", "学科带头人：已审核成果不少于（项）", "Subject leader: verified achievements",
            SOURCE_LOCAL, minimum=0, maximum=50),
    Setting("tier_leader_achievement_level", "city", "choice", "学科带头人：成果级别不低于", "Subject leader: achievement level",
            SOURCE_LOCAL, choices=LEVELS),
    Setting("tier_leader_honour", "city", "choice", "学科带头人：骨干认定级别不低于", "Subject leader: backbone recognition",
            SOURCE_LOCAL, choices=("none", "school", "county", "city", "province")),
    Setting("tier_review_years", 3, "int", "梯队层级复评周期（年）", "Tier re-evaluation period (years)",
            SOURCE_LOCAL, minimum=1, maximum=10),
    Setting("mentor_max_mentees", 2, "int", "每位导师带教新任教师上限", "Most mentees per mentor",
            SOURCE_LOCAL, minimum=1, maximum=10),
    Setting("mentor_min_backbone", "school", "choice", "导师骨干级别不低于", "Mentor: backbone level at least",
            SOURCE_LOCAL, choices=("school", "county", "city", "province")),
    Setting("mentor_related_subjects", False, "bool", "允许相近学科的导师", "Allow a mentor of a related subject",
            SOURCE_LOCAL),
)

SETTINGS: tuple[Setting, ...] = (
    # Rotation (交流轮岗)
    Setting("min_years_at_school", 6, "int", "同校连续任教满（年）可交流", "Years at one school before rotation",
            SOURCE_LOCAL, minimum=1, maximum=30),
    Setting("rotation_share", 0.10, "share", "每年交流比例下限（占符合条件教师）", "Minimum yearly rotation share of eligible",
            SOURCE_2014, minimum=0, maximum=1),
    Setting("max_rotation_share", 0.15, "share", "每年交流比例上限", "Maximum yearly rotation share of eligible",
            SOURCE_LOCAL, minimum=0, maximum=1),
    Setting("backbone_share", 0.20, "share", "骨干教师占交流人数比例下限", "Minimum backbone share",
            SOURCE_2014, minimum=0, maximum=1),
    Setting("backbone_share_base", "moves", "choice", "骨干比例基数", "Base of the backbone share",
            SOURCE_LOCAL + ANHUI_BASE, choices=("moves", "eligible")),
    Setting("retirement_age_male", 60, "int", "男教师退休年龄", "Retirement age (men)", SOURCE_NATIONAL, minimum=50, maximum=70),
    Setting("retirement_age_female", 55, "int", "女教师退休年龄", "Retirement age (women)", SOURCE_NATIONAL, minimum=45, maximum=70),
    Setting("retirement_buffer_years", 3, "int", "距退休不足（年）不交流", "No rotation within years of retirement",
            SOURCE_LOCAL, minimum=0, maximum=10),
    Setting("headcount_band", 0.10, "share", "交流后学校人数变动幅度", "Headcount band after moves",
            SOURCE_LOCAL, minimum=0, maximum=1),
    Setting("max_outflow_share", 0.20, "share", "单校交出人数上限比例", "Maximum outflow share per school",
            SOURCE_LOCAL, minimum=0, maximum=1),
    Setting("exchange_term_years", 3, "int", "交流期限（年）", "Exchange term (years)", SOURCE_LOCAL, minimum=1, maximum=6),
    Setting("max_wishes", 3, "int", "每位教师可填志愿学校数", "Destination schools a teacher may list",
            SOURCE_SYSTEM, minimum=1, maximum=10),
    Setting("notice_working_days", 5, "int", "公示期（工作日）", "Public notice (working days)",
            SOURCE_LOCAL, minimum=1, maximum=30),
    Setting("new_teacher_mentoring_years", 2, "int", "新任教师跟踪指导期（年）", "Mentoring years for new teachers",
            SOURCE_PLAN, minimum=0, maximum=5),
    Setting("solver_time_limit_s", 30, "int", "求解时限（秒）", "Solver time limit (s)", SOURCE_SYSTEM, minimum=1, maximum=3600),
    # Quality balance (优质均衡)
    Setting("cv_limit_primary", 0.50, "float", "小学差异系数上限", "Primary difference coefficient limit",
            SOURCE_2017, minimum=0.01, maximum=2),
    Setting("cv_limit_junior", 0.45, "float", "初中差异系数上限", "Junior difference coefficient limit",
            SOURCE_2017, minimum=0.01, maximum=2),
    Setting("l1_per_100_primary", 4.2, "float", "小学每百名学生高于规定学历教师数", "Primary L1 per 100 pupils",
            SOURCE_2017, minimum=0, maximum=20),
    Setting("l1_per_100_junior", 5.3, "float", "初中每百名学生高于规定学历教师数", "Junior L1 per 100 pupils",
            SOURCE_2017, minimum=0, maximum=20),
    Setting("l2_per_100_primary", 1.0, "float", "小学每百名学生县级以上骨干教师数", "Primary L2 per 100 pupils",
            SOURCE_2017, minimum=0, maximum=20),
    Setting("l2_per_100_junior", 1.0, "float", "初中每百名学生县级以上骨干教师数", "Junior L2 per 100 pupils",
            SOURCE_2017, minimum=0, maximum=20),
    Setting("l3_per_100_primary", 0.9, "float", "小学每百名学生体育、艺术专任教师数", "Primary L3 per 100 pupils",
            SOURCE_2017, minimum=0, maximum=20),
    Setting("l3_per_100_junior", 0.9, "float", "初中每百名学生体育、艺术专任教师数", "Junior L3 per 100 pupils",
            SOURCE_2017, minimum=0, maximum=20),
    Setting("required_degree_primary", "associate", "choice", "小学计为“高于规定学历”的最低学历", "Primary: lowest degree counted above requirement",
            SOURCE_2017 + UNVERIFIED_SCOPE, verified=False, choices=("associate", "bachelor", "master")),
    Setting("required_degree_junior", "bachelor", "choice", "初中计为“高于规定学历”的最低学历", "Junior: lowest degree counted above requirement",
            SOURCE_2017 + UNVERIFIED_SCOPE, verified=False, choices=("associate", "bachelor", "master")),
    Setting("required_subjects_primary", ["语文", "数学", "英语", "体育", "音乐", "美术"], "list",
            "小学必开学科（交流后须保留至少一名教师）", "Primary subjects a school must keep a teacher of",
            SOURCE_CURRICULUM),
    Setting("required_subjects_junior", ["语文", "数学", "英语", "物理", "化学", "体育", "音乐", "美术"], "list",
            "初中必开学科（交流后须保留至少一名教师）", "Junior subjects a school must keep a teacher of",
            SOURCE_CURRICULUM),
    # Staffing standard (编制): pupils per staff member. 2001 differed by area (city / county town / rural:
    # primary 19/21/23, junior 13.5/16/18, senior 12.5/13/13.5); since 2014 all areas use the city level.
    *(
        Setting(f"pupils_per_staff_{stage}_{area}", ratio, "float",
                f"{stage_zh}师生比（{area_zh}，学生数:1）", f"Pupils per staff member, {stage}, {area}",
                SOURCE_STAFF_2014 + "；" + SOURCE_STAFF_2001, minimum=1, maximum=100)
        for stage, stage_zh, ratio in (("primary", "小学", 19.0), ("junior", "初中", 13.5), ("senior", "高中", 12.5))
        for area, area_zh in (("urban", "城区"), ("town", "镇区"), ("rural", "乡村"))
    ),
    # Continuing education (继续教育)
    Setting("training_hours_per_cycle", 360, "int", "每五年培训学时", "Training hours per five-year cycle",
            SOURCE_2011, verified=False, minimum=0, maximum=2000),
    Setting("training_hours_probation", 120, "int", "试用期培训学时", "Training hours in probation",
            SOURCE_1999, minimum=0, maximum=1000),
    Setting("training_cycle_years", 5, "int", "继续教育周期（年）", "Continuing education cycle (years)",
            SOURCE_1999, minimum=1, maximum=10),
    # Teacher development (教师专业发展): training cycle, approvals, tier criteria, mentoring
    *DEVELOPMENT_SETTINGS,
)

BY_KEY = {s.key: s for s in SETTINGS}


def source_text(setting: Setting, locale: str) -> str:
    """The setting's source in the reader's language (Chinese is stored; English is composed from parts)."""
    if locale != "en":
        return setting.source
    text = setting.source
    for zh in sorted(SOURCES_EN, key=len, reverse=True):
        text = text.replace(zh, SOURCES_EN[zh])
    return text
DEFAULTS: dict[str, Any] = {s.key: s.default for s in SETTINGS}

#: Degrees in ascending order; "above the requirement" means at least the stage's required degree.
DEGREE_ORDER = ("secondary", "associate", "bachelor", "master", "doctor")


class PolicyError(ValueError):
    def __init__(self, key: str, message: str):
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


def validate_one(key: str, value: Any) -> Any:
    """One setting's value coerced to its kind and checked against its choices and range."""
    setting = BY_KEY.get(key)
    if setting is None:
        raise PolicyError(key, "unknown setting")
    try:
        coerced = _coerce(setting, value)
    except (TypeError, ValueError):
        raise PolicyError(key, f"invalid value {value!r}") from None
    if setting.choices and coerced not in setting.choices:
        raise PolicyError(key, f"must be one of {', '.join(setting.choices)}")
    if setting.minimum is not None and coerced < setting.minimum:
        raise PolicyError(key, f"must be at least {setting.minimum}")
    if setting.maximum is not None and coerced > setting.maximum:
        raise PolicyError(key, f"must be at most {setting.maximum}")
    return coerced


def validate(values: dict[str, Any]) -> dict[str, Any]:
    """Return ``values`` coerced to their kinds; raise PolicyError naming the first bad key."""
    clean = {key: validate_one(key, value) for key, value in values.items()}
    merged = {**DEFAULTS, **clean}
    if merged["max_rotation_share"] < merged["rotation_share"]:
        raise PolicyError("max_rotation_share", "must not be below rotation_share")
    return clean


def _coerce(setting: Setting, value: Any) -> Any:
    """``value`` as the setting's kind: finite numbers in ASCII only (``nan``, ``inf``, ``١٠`` and ``1_0`` are
    refused), strings without control or bidi characters; ValueError otherwise."""
    if setting.kind == "int":
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError(value)
            value = int(value)
        coerced: Any = text.parse_int(value, minimum=text.INT64_MIN, maximum=text.INT64_MAX)
    elif setting.kind in ("float", "share"):
        coerced = text.parse_float(value)
    elif setting.kind == "bool":
        return bool(value)
    elif setting.kind == "list":
        items = value.replace("，", ",").split(",") if isinstance(value, str) else list(value)
        coerced = [str(v).strip() for v in items if str(v).strip()]
        if any(text.bad_character(v, multiline=False) for v in coerced):
            raise ValueError(value)
    else:
        coerced = str(value)
        if text.bad_character(coerced, multiline=False):
            raise ValueError(value)
    if coerced is None:
        raise ValueError(value)
    return coerced


def effective(overrides: dict[str, Any] | None) -> dict[str, Any]:
    """Defaults overlaid with a county's (or round's) stored values; unknown stored keys are ignored, and a
    stored value that is no longer valid (``nan`` written before this check existed, or by hand) is replaced
    by the default rather than breaking every page that reads the policy."""
    merged = dict(DEFAULTS)
    for key, value in (overrides or {}).items():
        if key in BY_KEY:
            try:
                merged[key] = validate_one(key, value)
            except PolicyError:
                continue
    merged["max_rotation_share"] = max(merged["max_rotation_share"], merged["rotation_share"])
    return merged


def above_required_degree(degree: str | None, stage: str, values: dict[str, Any]) -> bool:
    """Whether ``degree`` meets the stage's counted level for indicator L1 (a setting, unverified)."""
    if degree not in DEGREE_ORDER:
        return False
    required = values.get(f"required_degree_{stage}")
    if required not in DEGREE_ORDER:
        return False
    return DEGREE_ORDER.index(degree) >= DEGREE_ORDER.index(required)


#: Related subjects for mentoring when a county allows a mentor of a related subject
#: (``mentor_related_subjects``): subjects in one group are related.
RELATED_SUBJECTS: tuple[tuple[str, ...], ...] = (
    ("语文", "历史", "道德与法治", "政治"),
    ("数学", "物理", "化学", "信息技术", "科学"),
    ("生物", "地理", "科学"),
    ("音乐", "美术", "书法"),
    ("英语", "日语", "俄语"),
)

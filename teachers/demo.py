"""The demo county for ``flask seed-demo``: a deterministic, Linjiang-like county in an empty database.

Everything is drawn from one ``random.Random(DEMO_SEED)`` and dated relative to ``REFERENCE_DATE``
(never today), so every run writes the same rows. Generation is pure (plain dicts, testable without a
database); ``seed_demo`` then bulk-inserts them and flushes — the CLI commits.

Shapes follow docs/policy.md (scale, staffing ratios) and the solver's generator (scheduling/generate.py): urban
schools are large and rich in backbone teachers and higher degrees, village schools and teaching points
are small and poor in them. School names the plan mentions (第一中学, 第二中学, 光华中学, 建国小学,
职业技术学校, 第二幼儿园) are present; the other schools, villages and coordinates are illustrative.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from teachers import audit, policy
from teachers.extensions import db
from teachers.models import (
    Achievement,
    AchievementKind,
    Area,
    Assignment,
    AssignmentKind,
    Backbone,
    County,
    Degree,
    DeliveryMode,
    Enrolment,
    Gender,
    GrowthEntry,
    GrowthPlan,
    Honour,
    HonourKind,
    Level,
    MentorLog,
    MentorPair,
    Programme,
    ProgrammeLevel,
    ReviewState,
    Role,
    School,
    SchoolKind,
    Stage,
    Teacher,
    TeacherStatus,
    Tier,
    TierAward,
    Title,
    TrainingEvent,
    TrainingRecord,
    TrainingSource,
    TrainingState,
    User,
)
from teachers.models.enums import KIND_STAGES
from teachers.records import history as history_rules
from teachers.records import idcard

DEMO_SEED = 20260901
#: Every date is relative to this day (the start of the 2026–27 school year), not to today.
REFERENCE_DATE = date(2026, 9, 1)
# bandit B105 waived: the documented demo password (README), only ever seeded by seed-demo.
DEMO_PASSWORD = "Demo@2027"  # nosec B105
REGION_CODE = "220681"  # 临江市 (GB/T 2260), also the first six digits of the demo ID numbers

COUNTY = {"code": REGION_CODE, "name": "临江市", "prefecture": "白山市", "province": "吉林省"}

#: How many teachers a demo school *has* per pupil, by area: the 2001 differentiated ratios (policy.md),
#: which still describe real staffing better than the unified quota does (village schools are
#: over-staffed per pupil). Kindergarten and vocational figures are demo assumptions. The *quota*
#: (核定编制) comes from the policy settings instead (``staffing_quota``).
DEMO_PUPILS_PER_TEACHER: dict[Stage, dict[Area, float]] = {
    Stage.PRIMARY: {Area.URBAN: 19, Area.TOWN: 21, Area.RURAL: 23},
    Stage.JUNIOR: {Area.URBAN: 13.5, Area.TOWN: 16, Area.RURAL: 18},
    Stage.SENIOR: {Area.URBAN: 12.5, Area.TOWN: 13, Area.RURAL: 13.5},
    Stage.VOCATIONAL: {Area.URBAN: 12.5, Area.TOWN: 13, Area.RURAL: 13.5},
    Stage.PRESCHOOL: {Area.URBAN: 15, Area.TOWN: 15, Area.RURAL: 15},
}

# Subject weights of primary and junior teachers (a typical county's mix).
PRIMARY_SUBJECTS = {"语文": 30, "数学": 25, "英语": 10, "体育": 8, "音乐": 6, "美术": 6,
                    "科学": 6, "道德与法治": 5, "信息技术": 4}
JUNIOR_SUBJECTS = {"语文": 15, "数学": 15, "英语": 14, "物理": 8, "化学": 6, "生物": 6, "历史": 6,
                   "地理": 6, "道德与法治": 7, "体育": 7, "音乐": 4, "美术": 4, "信息技术": 2}
SENIOR_SUBJECTS = {"语文": 14, "数学": 14, "英语": 13, "物理": 9, "化学": 8, "生物": 7, "历史": 6,
                   "地理": 6, "政治": 6, "体育": 6, "音乐": 2, "美术": 2, "信息技术": 3}
# The four specialities of 临江市职业技术学校 named in the plan (专栏5), plus general courses.
VOCATIONAL_SUBJECTS = {"语文": 8, "数学": 8, "英语": 6, "体育": 4, "计算机应用": 8, "幼儿保育": 10,
                       "电子商务": 9, "旅游服务与管理": 8, "农机设备应用与维修": 8}
PRESCHOOL_SUBJECTS = {"学前教育": 1}
SUBJECTS = {Stage.PRIMARY: PRIMARY_SUBJECTS, Stage.JUNIOR: JUNIOR_SUBJECTS, Stage.SENIOR: SENIOR_SUBJECTS,
            Stage.VOCATIONAL: VOCATIONAL_SUBJECTS, Stage.PRESCHOOL: PRESCHOOL_SUBJECTS}
#: The first teachers of a school cover these, so even a small school has its core subjects.
CORE = {Stage.PRIMARY: ["语文", "数学", "英语", "体育", "音乐", "美术", "科学", "道德与法治"],
        Stage.JUNIOR: ["语文", "数学", "英语", "物理", "化学", "生物", "历史", "地理", "道德与法治", "体育",
                       "音乐", "美术"],
        Stage.SENIOR: list(SENIOR_SUBJECTS), Stage.VOCATIONAL: list(VOCATIONAL_SUBJECTS),
        Stage.PRESCHOOL: []}
#: Shortage subjects of rural schools (紧缺薄弱学科): fewer specialists, more 包班.
SHORTAGE = {"英语", "音乐", "美术", "体育", "科学", "信息技术"}

SURNAMES = {"王": 80, "李": 78, "张": 75, "刘": 68, "赵": 40, "孙": 38, "杨": 35, "陈": 30, "于": 28,
            "高": 25, "徐": 20, "马": 20, "吴": 18, "周": 18, "姜": 14, "郭": 15, "朱": 15, "宋": 12, "韩": 12,
            "林": 10, "何": 10, "冯": 10, "董": 10, "田": 10, "崔": 10, "曲": 8, "袁": 8, "许": 8, "曹": 8,
            "吕": 8, "孟": 8, "金": 8, "任": 7, "邵": 6, "丁": 6, "苏": 6, "邓": 6, "付": 5, "沈": 5, "彭": 5,
            "隋": 4, "鲁": 4, "范": 5, "姚": 5, "谭": 4, "朴": 4, "程": 4, "侯": 5, "贾": 4, "白": 4}
GIVEN_FEMALE = "丽静敏燕艳娟霞芳红玲婷雪慧颖欣佳琳晶丹萍洁倩蕾莉梅秀凤华淑月"
GIVEN_MALE = "伟强磊军勇涛斌超明刚平辉鹏华飞鑫宇浩博志建国海峰亮东旭成林波"
GIVEN_ANY = "晓春文立永德云新玉建海红英秀子思雨嘉书"
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
                   "155", "157", "158", "159", "180", "182", "186", "187", "188", "189")

#: Approximate centres of the 13 subdistricts, towns and township (illustrative, not surveyed).
CENTRES: dict[str, tuple[float, float]] = {
    "建国街道": (126.918, 41.806), "新市街道": (126.905, 41.815), "兴隆街道": (126.932, 41.799),
    "森工街道": (126.893, 41.823), "大湖街道": (126.946, 41.790), "大栗子街道": (126.838, 41.858),
    "花山镇": (126.986, 41.923), "六道沟镇": (127.186, 41.703), "苇沙河镇": (126.745, 41.917),
    "闹枝镇": (126.712, 41.736), "四道沟镇": (127.053, 41.768), "蚂蚁河镇": (126.862, 42.006),
    "错草乡": (127.104, 41.915),
}

# (code, name, kind, area, subdistrict, 学区, pupils per stage as (low, high)).
# Codes: P primary, J junior, N nine-year, S senior, V vocational, K kindergarten, T teaching point.
SCHOOLS: list[tuple[str, str, SchoolKind, Area, str, str, dict[Stage, tuple[int, int]]]] = [
    ("LJ-S01", "临江市第一中学", SchoolKind.SENIOR, Area.URBAN, "建国街道", "市直属", {Stage.SENIOR: (1750, 1900)}),
    ("LJ-V01", "临江市职业技术学校", SchoolKind.VOCATIONAL, Area.URBAN, "兴隆街道", "市直属",
     {Stage.VOCATIONAL: (650, 760)}),
    ("LJ-K01", "临江市第二幼儿园", SchoolKind.KINDERGARTEN, Area.URBAN, "新市街道", "市直属",
     {Stage.PRESCHOOL: (330, 390)}),
    ("LJ-J01", "临江市第二中学", SchoolKind.JUNIOR, Area.URBAN, "新市街道", "城西学区", {Stage.JUNIOR: (1300, 1450)}),
    ("LJ-J02", "临江市光华中学", SchoolKind.JUNIOR, Area.URBAN, "兴隆街道", "城东学区", {Stage.JUNIOR: (850, 950)}),
    ("LJ-J03", "临江市森工中学", SchoolKind.JUNIOR, Area.URBAN, "森工街道", "城西学区", {Stage.JUNIOR: (450, 560)}),
    ("LJ-P01", "临江市建国小学", SchoolKind.PRIMARY, Area.URBAN, "建国街道", "城东学区", {Stage.PRIMARY: (1550, 1700)}),
    ("LJ-P02", "临江市实验小学", SchoolKind.PRIMARY, Area.URBAN, "新市街道", "城西学区", {Stage.PRIMARY: (1400, 1550)}),
    ("LJ-P03", "临江市新市小学", SchoolKind.PRIMARY, Area.URBAN, "新市街道", "城西学区", {Stage.PRIMARY: (850, 950)}),
    ("LJ-P04", "临江市兴隆小学", SchoolKind.PRIMARY, Area.URBAN, "兴隆街道", "城东学区", {Stage.PRIMARY: (750, 850)}),
    ("LJ-P05", "临江市森工小学", SchoolKind.PRIMARY, Area.URBAN, "森工街道", "城西学区", {Stage.PRIMARY: (560, 650)}),
    ("LJ-P06", "临江市大湖小学", SchoolKind.PRIMARY, Area.URBAN, "大湖街道", "城东学区", {Stage.PRIMARY: (650, 750)}),
    ("LJ-N01", "临江市大栗子学校", SchoolKind.NINE_YEAR, Area.URBAN, "大栗子街道", "城东学区",
     {Stage.PRIMARY: (380, 450), Stage.JUNIOR: (220, 280)}),
    ("LJ-P07", "临江市花山镇中心小学", SchoolKind.PRIMARY, Area.TOWN, "花山镇", "花山学区", {Stage.PRIMARY: (450, 540)}),
    ("LJ-J04", "临江市花山镇中学", SchoolKind.JUNIOR, Area.TOWN, "花山镇", "花山学区", {Stage.JUNIOR: (320, 380)}),
    ("LJ-N02", "临江市六道沟镇中心校", SchoolKind.NINE_YEAR, Area.TOWN, "六道沟镇", "六道沟学区",
     {Stage.PRIMARY: (320, 400), Stage.JUNIOR: (180, 230)}),
    ("LJ-P08", "临江市苇沙河镇中心小学", SchoolKind.PRIMARY, Area.TOWN, "苇沙河镇", "苇沙河学区",
     {Stage.PRIMARY: (360, 430)}),
    ("LJ-J05", "临江市苇沙河镇中学", SchoolKind.JUNIOR, Area.TOWN, "苇沙河镇", "苇沙河学区", {Stage.JUNIOR: (260, 320)}),
    ("LJ-N03", "临江市闹枝镇中心校", SchoolKind.NINE_YEAR, Area.TOWN, "闹枝镇", "闹枝学区",
     {Stage.PRIMARY: (280, 340), Stage.JUNIOR: (160, 200)}),
    ("LJ-N04", "临江市四道沟镇中心校", SchoolKind.NINE_YEAR, Area.TOWN, "四道沟镇", "四道沟学区",
     {Stage.PRIMARY: (300, 360), Stage.JUNIOR: (170, 210)}),
    ("LJ-N05", "临江市蚂蚁河镇中心校", SchoolKind.NINE_YEAR, Area.TOWN, "蚂蚁河镇", "蚂蚁河学区",
     {Stage.PRIMARY: (240, 300), Stage.JUNIOR: (140, 180)}),
    # A township (乡) seat counts as rural; its school is still the township's central school.
    ("LJ-P09", "临江市错草乡中心小学", SchoolKind.PRIMARY, Area.RURAL, "错草乡", "错草学区", {Stage.PRIMARY: (170, 220)}),
    ("LJ-P10", "临江市六道沟镇夹皮沟小学", SchoolKind.PRIMARY, Area.RURAL, "六道沟镇", "六道沟学区",
     {Stage.PRIMARY: (90, 150)}),
    ("LJ-P11", "临江市苇沙河镇二道沟小学", SchoolKind.PRIMARY, Area.RURAL, "苇沙河镇", "苇沙河学区",
     {Stage.PRIMARY: (70, 130)}),
    ("LJ-P12", "临江市四道沟镇坡口小学", SchoolKind.PRIMARY, Area.RURAL, "四道沟镇", "四道沟学区",
     {Stage.PRIMARY: (80, 140)}),
    ("LJ-P13", "临江市闹枝镇东升小学", SchoolKind.PRIMARY, Area.RURAL, "闹枝镇", "闹枝学区", {Stage.PRIMARY: (60, 120)}),
    ("LJ-P14", "临江市花山镇珍珠门小学", SchoolKind.PRIMARY, Area.RURAL, "花山镇", "花山学区",
     {Stage.PRIMARY: (100, 160)}),
]

# (code, name, subdistrict, central school code): small village primary teaching points (教学点).
TEACHING_POINTS: list[tuple[str, str, str, str]] = [
    ("LJ-T01", "临江市花山镇二道阳岔教学点", "花山镇", "LJ-P07"),
    ("LJ-T02", "临江市花山镇太平沟教学点", "花山镇", "LJ-P07"),
    ("LJ-T03", "临江市六道沟镇三道沟教学点", "六道沟镇", "LJ-N02"),
    ("LJ-T04", "临江市六道沟镇长川教学点", "六道沟镇", "LJ-N02"),
    ("LJ-T05", "临江市六道沟镇八道沟教学点", "六道沟镇", "LJ-N02"),
    ("LJ-T06", "临江市苇沙河镇老三队教学点", "苇沙河镇", "LJ-P08"),
    ("LJ-T07", "临江市苇沙河镇松岭教学点", "苇沙河镇", "LJ-P08"),
    ("LJ-T08", "临江市闹枝镇金厂教学点", "闹枝镇", "LJ-N03"),
    ("LJ-T09", "临江市闹枝镇闹枝沟教学点", "闹枝镇", "LJ-N03"),
    ("LJ-T10", "临江市四道沟镇三道阳岔教学点", "四道沟镇", "LJ-N04"),
    ("LJ-T11", "临江市四道沟镇大湾教学点", "四道沟镇", "LJ-N04"),
    ("LJ-T12", "临江市蚂蚁河镇南岔教学点", "蚂蚁河镇", "LJ-N05"),
    ("LJ-T13", "临江市蚂蚁河镇西小山教学点", "蚂蚁河镇", "LJ-N05"),
    ("LJ-T14", "临江市错草乡四道阳岔教学点", "错草乡", "LJ-P09"),
    ("LJ-T15", "临江市错草乡错草沟教学点", "错草乡", "LJ-P09"),
]

#: Backbone level thresholds on one uniform draw: (province, city, county, school), cumulative.
BACKBONE_ODDS = {Area.URBAN: (0.035, 0.10, 0.22, 0.38), Area.TOWN: (0.006, 0.025, 0.08, 0.20),
                 Area.RURAL: (0.002, 0.01, 0.035, 0.12)}
#: Degree weights (secondary, associate, bachelor, master) by area; senior/vocational schools are richer.
DEGREE_WEIGHTS = {Area.URBAN: (1, 14, 77, 8), Area.TOWN: (4, 32, 62, 2), Area.RURAL: (22, 48, 30, 0)}
DEGREES = (Degree.SECONDARY, Degree.ASSOCIATE, Degree.BACHELOR, Degree.MASTER)
#: Age brackets of the teaching force: (low, high, weight). Women retire at 55, so they draw up to 54.
AGE_BRACKETS = ((22, 25, 10), (26, 30, 13), (31, 35, 12), (36, 40, 12), (41, 45, 16), (46, 50, 18),
                (51, 55, 14), (56, 59, 5))
FEMALE_SHARE = {Stage.PRESCHOOL: 0.97, Stage.PRIMARY: 0.78, Stage.JUNIOR: 0.64, Stage.SENIOR: 0.52,
                Stage.VOCATIONAL: 0.55}
#: Mean years at the current school (exponential), longer where fewer teachers move.
STAY_MEAN = {Area.URBAN: 10.0, Area.TOWN: 8.0, Area.RURAL: 7.0}
#: Where a teacher at a school of one area most likely started: realistic flow is village → town → city.
FIRST_SCHOOL_AREA = {Area.URBAN: (0.35, 0.40, 0.25), Area.TOWN: (0.12, 0.38, 0.50),
                     Area.RURAL: (0.03, 0.32, 0.65)}
CURRENT_EXCHANGES = 42
EXEMPT_REASONS = {
    "pregnancy": "孕期，本学年不参加交流",
    "nursing": "哺乳期（产假中），本学年不参加交流",
    "illness": "严重疾病，长期病休",
    "family": "家庭特殊困难：需照顾重病家属",
}


class DatabaseNotEmpty(Exception):
    """The database already holds counties, schools, teachers or users: the demo is never mixed in."""

    def __init__(self) -> None:
        super().__init__("数据库中已有数据（县域、学校、教师或账号），演示数据只能写入空数据库 / "
                         "the database already holds data (counties, schools, teachers or users); "
                         "demo data is only seeded into an empty database")


@dataclass
class Period:
    """One row of a teacher's assignment history, by school code."""

    school: str
    kind: AssignmentKind
    start: date
    end: date | None = None
    note: str = ""


@dataclass
class DemoTeacher:
    staff_no: str
    name: str
    gender: Gender
    birth_date: date
    id_number: str
    phone: str
    service_start: date
    school: str  # personnel school code (人事关系)
    stage: Stage
    subject: str
    other_subjects: list[str]
    degree: Degree
    title: Title = Title.NONE
    backbone: Backbone = Backbone.NONE
    backbone_since: date | None = None
    tier: Tier = Tier.NEW
    status: TeacherStatus = TeacherStatus.ACTIVE
    rotation_exempt: bool = False
    rotation_exempt_reason: str = ""
    history: list[Period] = field(default_factory=list)

    @property
    def working_school(self) -> str:
        last = self.history[-1]
        return last.school if last.kind == AssignmentKind.EXCHANGE and last.end is None else self.school


@dataclass
class DemoCounty:
    schools: list[dict[str, Any]]
    teachers: list[DemoTeacher]


# ---------------------------------------------------------------- identity helpers

def id_number(region: str, birth: date, serial: int) -> str:
    """An 18-digit 身份证号; ``serial`` is the 3-digit order code (odd for men, even for women)."""
    body = f"{region}{birth:%Y%m%d}{serial:03d}"
    return body + idcard.check_char(body)


def years_between(start: date, end: date) -> int:
    """Whole years from ``start`` to ``end`` (0 when ``end`` is not after ``start``)."""
    return int(history_rules.years_between(start, end))


def staffing_quota(area: Area, pupils: dict[Stage, int], values: dict[str, Any] | None = None) -> int:
    """核定编制 from the pupils of each stage and the staffing standard of the school's area
    (policy settings ``pupils_per_staff_<stage>_<area>``; demo assumptions for preschool and vocational)."""
    values = values or policy.DEFAULTS
    total = 0
    for stage, n in pupils.items():
        if not n:
            continue
        ratio = values.get(f"pupils_per_staff_{stage.value}_{area.value}") or DEMO_PUPILS_PER_TEACHER[stage][area]
        total += math.ceil(n / ratio)
    return total


def _weighted(rnd: random.Random, table: dict[str, float]) -> str:
    return rnd.choices(list(table), weights=list(table.values()))[0]


def _school_year_start(year: int) -> date:
    return date(year, 9, 1)


# ---------------------------------------------------------------- generation (pure)


class _Generator:
    """Draws the whole county from one Random, in a fixed order."""

    def __init__(self, seed: int, reference: date) -> None:
        self.rnd = random.Random(seed)
        self.ref = reference
        self.ids: set[str] = set()
        self.phones: set[str] = set()
        self.seq = 0

    # -- people
    def name(self, gender: Gender) -> str:
        rnd = self.rnd
        own = GIVEN_FEMALE if gender == Gender.FEMALE else GIVEN_MALE
        if rnd.random() < 0.3:
            given = rnd.choice(own)
        else:
            given = rnd.choice(own + GIVEN_ANY) + rnd.choice(own)
        return _weighted(rnd, SURNAMES) + given

    def phone(self) -> str:
        while True:
            number = self.rnd.choice(MOBILE_PREFIXES) + f"{self.rnd.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def id_for(self, birth: date, gender: Gender) -> str:
        while True:
            serial = self.rnd.randrange(500) * 2 + (1 if gender == Gender.MALE else 0)
            value = id_number(REGION_CODE, birth, serial)
            if value not in self.ids:
                self.ids.add(value)
                return value

    def birth_for_age(self, age: int) -> date:
        latest = self.ref.replace(year=self.ref.year - age)
        earliest = self.ref.replace(year=self.ref.year - age - 1) + timedelta(days=1)
        return earliest + timedelta(days=self.rnd.randrange((latest - earliest).days + 1))

    # -- schools
    def schools(self) -> list[dict[str, Any]]:
        rows = []
        for code, name, kind, area, sub, district, ranges in SCHOOLS:
            pupils = {stage: self.rnd.randint(*ranges.get(stage, (0, 0))) for stage in KIND_STAGES[kind]}
            rows.append(self._school(code, name, kind, area, sub, district, pupils, None))
        for code, name, sub, central in TEACHING_POINTS:
            district = next(r["school_district"] for r in rows if r["code"] == central)
            pupils = {Stage.PRIMARY: self.rnd.randint(5, 60)}
            rows.append(self._school(code, name, SchoolKind.PRIMARY, Area.RURAL, sub, district, pupils, central))
        return rows

    def _school(self, code, name, kind, area, sub, district, pupils, central) -> dict[str, Any]:
        lon, lat = CENTRES[sub]
        spread = {Area.URBAN: 0.006, Area.TOWN: 0.004, Area.RURAL: 0.05}[area]
        gender = Gender.MALE if self.rnd.random() < 0.6 else Gender.FEMALE
        row: dict[str, Any] = {
            "code": code, "name": name, "kind": kind, "area": area, "subdistrict": sub,
            "school_district": district, "is_teaching_point": central is not None, "central": central,
            "longitude": round(lon + self.rnd.uniform(-spread, spread), 5),
            "latitude": round(lat + self.rnd.uniform(-spread, spread), 5),
            "principal_name": self.name(gender),
            "phone": f"0439-{self.rnd.randrange(5200000, 5299999)}",
            "address": f"吉林省白山市临江市{sub}",
            "staffing_quota": staffing_quota(area, pupils),
            "stage_pupils": pupils,
        }
        for stage in Stage:
            row[f"pupils_{stage.value}"] = pupils.get(stage, 0)
        return row

    def headcount(self, school: dict[str, Any], stage: Stage) -> int:
        pupils = school["stage_pupils"][stage]
        if school["is_teaching_point"]:
            return 1 if pupils <= 12 else 2 if pupils <= 30 else 3 if pupils <= 45 else 4
        area = school["area"]
        need = pupils / DEMO_PUPILS_PER_TEACHER[stage][area]
        low, high = {Area.URBAN: (0.93, 1.03), Area.TOWN: (0.98, 1.12), Area.RURAL: (1.15, 1.45)}[area]
        minimum = {Stage.PRIMARY: 6, Stage.JUNIOR: 10}.get(stage, 4)
        return max(minimum, round(need * self.rnd.uniform(low, high)))

    # -- teachers
    def teachers(self, schools: list[dict[str, Any]]) -> list[DemoTeacher]:
        by_code = {s["code"]: s for s in schools}
        teachers: list[DemoTeacher] = []
        for school in schools:
            for stage in KIND_STAGES[school["kind"]]:
                count = self.headcount(school, stage)
                subjects = self.subject_plan(school, stage, count)
                for subject in subjects:
                    teachers.append(self.teacher(school, stage, subject, schools))
            if school["is_teaching_point"]:
                # A teaching point is run by one of its own teachers (负责人), not by a separate principal.
                school["principal_name"] = teachers[-1].name
        self.current_exchanges(teachers, by_code, schools)
        return teachers

    def subject_plan(self, school: dict[str, Any], stage: Stage, count: int) -> list[str]:
        rural = school["area"] == Area.RURAL
        weights = dict(SUBJECTS[stage])
        if rural:
            weights = {s: (w * 0.4 if s in SHORTAGE else w) for s, w in weights.items()}
        plan: list[str] = []
        for subject in CORE[stage]:
            if len(plan) >= count:
                break
            if rural and subject in SHORTAGE and self.rnd.random() < 0.5:
                continue  # the village school has no specialist: a class teacher covers it (包班)
            plan.append(subject)
        while len(plan) < count:
            plan.append(_weighted(self.rnd, weights))
        if school["is_teaching_point"]:
            plan = [self.rnd.choice(["语文", "数学"]) for _ in plan]
        return plan

    def teacher(self, school: dict[str, Any], stage: Stage, subject: str, schools: list[dict]) -> DemoTeacher:
        rnd, ref, area = self.rnd, self.ref, school["area"]
        gender = Gender.FEMALE if rnd.random() < FEMALE_SHARE[stage] else Gender.MALE
        while True:
            low, high, _w = rnd.choices(AGE_BRACKETS, weights=[b[2] for b in AGE_BRACKETS])[0]
            age = rnd.randint(low, high)
            if gender == Gender.MALE or age <= 54:
                break
        birth = self.birth_for_age(age)
        start_age = rnd.randint(21, min(25, age))
        service_start = _school_year_start(min(birth.year + start_age, ref.year))
        service = years_between(service_start, ref)
        self.seq += 1
        name = self.name(gender)
        t = DemoTeacher(
            staff_no=f"LJ{service_start.year}{self.seq:04d}", name=name, gender=gender, birth_date=birth,
            id_number=self.id_for(birth, gender), phone=self.phone(), service_start=service_start,
            school=school["code"], stage=stage, subject=subject, other_subjects=self.other_subjects(school, subject),
            degree=self.degree(area, stage, age),
        )
        t.history = self.history(t, school, schools, service)
        self.honours(t, area, service)
        self.status(t, age)
        return t

    def other_subjects(self, school: dict[str, Any], subject: str) -> list[str]:
        """Rural teachers often teach several subjects (包班); teaching-point teachers teach them all."""
        rnd = self.rnd
        if school["kind"] not in (SchoolKind.PRIMARY, SchoolKind.NINE_YEAR):
            return []
        pool = [s for s in ("语文", "数学", "道德与法治", "科学", "音乐", "美术", "体育") if s != subject]
        if school["is_teaching_point"]:
            return rnd.sample(pool, rnd.randint(3, 5))
        share = {Area.RURAL: 0.45, Area.TOWN: 0.12, Area.URBAN: 0.0}[school["area"]]
        if rnd.random() < share:
            return rnd.sample(pool[2:], rnd.randint(1, 2))
        return []

    def degree(self, area: Area, stage: Stage, age: int) -> Degree:
        weights = list(DEGREE_WEIGHTS[area])
        if stage in (Stage.SENIOR, Stage.VOCATIONAL):
            weights = [0, 4, 82, 14]  # senior posts require a bachelor degree
        elif age >= 48:
            weights[0] += 6  # older teachers more often came from a 中师 and upgraded less
            weights[3] = 0
        return self.rnd.choices(DEGREES, weights=weights)[0]

    # -- history
    def history(self, t: DemoTeacher, school: dict, schools: list[dict], service: int) -> list[Period]:
        rnd, ref = self.rnd, self.ref
        here = school["code"]
        if service <= 2:
            return [Period(here, AssignmentKind.HIRE, t.service_start)]
        stay = min(service, int(rnd.expovariate(1 / STAY_MEAN[school["area"]])))
        earlier = []
        if stay < service - 1:
            earlier = self.pick_schools(school, schools, t.stage, 2 if service - stay >= 8 and rnd.random() < 0.35
                                        else 1)
        if not earlier:
            periods = [Period(here, AssignmentKind.HIRE, t.service_start)]
        else:
            current_start = _school_year_start(ref.year - stay)
            periods = [Period(earlier[0], AssignmentKind.HIRE, t.service_start)]
            if len(earlier) == 2:
                mid = _school_year_start(t.service_start.year + rnd.randint(2, service - stay - 2))
                periods.append(Period(earlier[1], AssignmentKind.TRANSFER, mid))
            periods.append(Period(here, AssignmentKind.TRANSFER, current_start))
        since = periods[-1].start
        # A past exchange (and the return home) for some of those long at their school.
        if years_between(since, ref) >= 6 and rnd.random() < 0.2:
            term = rnd.randint(1, 3)
            first = since.year + 2
            last = ref.year - term - 1
            if last >= first:
                year = rnd.randint(first, last)
                host = self.exchange_host(school, schools, t.stage, outward=school["area"] != Area.RURAL)
                if host:
                    periods.append(Period(host, AssignmentKind.EXCHANGE, _school_year_start(year),
                                          note="城乡教师交流"))
                    periods.append(Period(here, AssignmentKind.RETURN, _school_year_start(year + term),
                                          note="交流期满返回"))
        _close(periods)
        return periods

    def pick_schools(self, school: dict, schools: list[dict], stage: Stage, n: int) -> list[str]:
        """``n`` distinct earlier schools teaching ``stage``, drawn along the village → town → city flow."""
        weights = dict(zip((Area.URBAN, Area.TOWN, Area.RURAL), FIRST_SCHOOL_AREA[school["area"]]))
        options = [s for s in schools if s["code"] != school["code"] and stage in s["stage_pupils"]]
        chosen: list[str] = []
        for _ in range(n):
            pool = [s for s in options if s["code"] not in chosen]
            if not pool:
                break
            pick = self.rnd.choices(pool, weights=[weights[s["area"]] + 1e-3 for s in pool])[0]
            chosen.append(pick["code"])
        return chosen

    def exchange_host(self, school: dict, schools: list[dict], stage: Stage, outward: bool) -> str | None:
        """A host school of the other kind: city/town teachers go to villages, village teachers to town."""
        if outward:
            wanted = {Area.URBAN: (Area.TOWN, Area.RURAL), Area.TOWN: (Area.RURAL,)}.get(school["area"], ())
        else:
            wanted = (Area.URBAN, Area.TOWN)
        pool = [s["code"] for s in schools
                if s["area"] in wanted and stage in s["stage_pupils"] and s["code"] != school["code"]]
        return self.rnd.choice(pool) if pool else None

    def current_exchanges(self, teachers: list[DemoTeacher], by_code: dict, schools: list[dict]) -> None:
        """Put some eligible teachers (≥ 6 years at their school) on an exchange that is still running.

        Backbone teachers are drawn three times as often, so they are well above the 20 % floor of movers.
        """
        ref = self.ref
        eligible = [t for t in teachers
                    if t.status == TeacherStatus.ACTIVE and not t.rotation_exempt
                    and t.stage in (Stage.PRIMARY, Stage.JUNIOR)
                    and years_between(t.history[-1].start, ref) >= 8
                    and years_between(t.birth_date, ref) <= (52 if t.gender == Gender.MALE else 48)
                    and not by_code[t.school]["is_teaching_point"]]
        weights = [3.0 if t.backbone != Backbone.NONE else 1.0 for t in eligible]
        chosen: list[DemoTeacher] = []
        while len(chosen) < CURRENT_EXCHANGES and eligible:
            i = self.rnd.choices(range(len(eligible)), weights=weights)[0]
            chosen.append(eligible.pop(i))
            weights.pop(i)
        for t in sorted(chosen, key=lambda x: x.staff_no):
            school = by_code[t.school]
            outward = school["area"] != Area.RURAL and self.rnd.random() < 0.85
            host = self.exchange_host(school, schools, t.stage, outward)
            if host is None:
                continue
            start = _school_year_start(ref.year - self.rnd.randint(0, 2))
            if years_between(t.history[-1].start, start) < 6:
                continue
            # Under 县管校聘 the home placement stays open (the personnel relation stays at home) and the
            # exchange posting is laid over it, as teachers.records.services does for a new exchange.
            t.history.append(Period(host, AssignmentKind.EXCHANGE, start,
                                    note="城乡教师交流" if outward else "乡村教师到城镇学校交流学习"))
            t.status = TeacherStatus.ON_EXCHANGE

    # -- honours, status
    def honours(self, t: DemoTeacher, area: Area, service: int) -> None:
        rnd, ref = self.rnd, self.ref
        province, city, county, school_level = BACKBONE_ODDS[area]
        draw = rnd.random()
        level = (Backbone.PROVINCE if draw < province else Backbone.CITY if draw < city else
                 Backbone.COUNTY if draw < county else Backbone.SCHOOL if draw < school_level else Backbone.NONE)
        minimum_service = {Backbone.PROVINCE: 12, Backbone.CITY: 9, Backbone.COUNTY: 6, Backbone.SCHOOL: 3}
        if level != Backbone.NONE and service < minimum_service[level]:
            level = Backbone.NONE
        t.backbone = level
        if level != Backbone.NONE:
            earliest = t.service_start.year + minimum_service[level]
            t.backbone_since = date(rnd.randint(min(earliest, ref.year - 1), ref.year - 1), rnd.choice((5, 9, 12)), 1)
        # Titles follow years of service; senior titles need long service and are scarcer in villages.
        senior_odds = {Area.URBAN: 0.45, Area.TOWN: 0.30, Area.RURAL: 0.18}[area]
        if service < 1:
            t.title = Title.NONE
        elif service <= 5:
            t.title = Title.THIRD if t.degree == Degree.SECONDARY else Title.SECOND
        elif service <= 14:
            t.title = Title.FIRST if rnd.random() < 0.8 else Title.SECOND
        elif level in (Backbone.PROVINCE, Backbone.CITY) or rnd.random() < senior_odds:
            t.title = Title.PROFESSOR if level == Backbone.PROVINCE and service >= 25 and rnd.random() < 0.3 \
                else Title.SENIOR
        else:
            t.title = Title.FIRST
        # Four-tier echelon: 新任 (≤ 2 years), 青年 (3–5 years, the growth-plan years), 教学骨干 (recognised
        # backbones), 学科带头人 (most city/province backbones, a few senior county backbones); everyone
        # else is 未入梯队 — most experienced teachers hold no recognition.
        leader_odds = {Backbone.PROVINCE: 0.75, Backbone.CITY: 0.75,
                       Backbone.COUNTY: 0.25 if t.title in (Title.SENIOR, Title.PROFESSOR) else 0.0}
        if service <= 2:
            t.tier = Tier.NEW
        elif service <= 5:
            t.tier = Tier.YOUNG
        elif level == Backbone.NONE:
            t.tier = Tier.NONE
        elif rnd.random() < leader_odds.get(level, 0.0):
            t.tier = Tier.LEADER
        else:
            t.tier = Tier.BACKBONE

    def status(self, t: DemoTeacher, age: int) -> None:
        draw = self.rnd.random()
        young_woman = t.gender == Gender.FEMALE and 24 <= age <= 38
        if young_woman and draw < 0.05:
            t.status, t.rotation_exempt, t.rotation_exempt_reason = (
                TeacherStatus.MATERNITY_LEAVE, True, EXEMPT_REASONS["nursing"])
        elif young_woman and draw < 0.08:
            t.rotation_exempt, t.rotation_exempt_reason = True, EXEMPT_REASONS["pregnancy"]
        elif 0.90 <= draw < 0.912:
            t.status, t.rotation_exempt, t.rotation_exempt_reason = (
                TeacherStatus.SICK_LEAVE, True, EXEMPT_REASONS["illness"])
        elif 0.92 <= draw < 0.93 and years_between(t.service_start, self.ref) >= 5:
            t.status = TeacherStatus.SECONDED  # e.g. to the bureau or the teachers' training school
        elif 0.95 <= draw < 0.962:
            t.rotation_exempt, t.rotation_exempt_reason = True, EXEMPT_REASONS["family"]


def _close(periods: list[Period]) -> None:
    """Each period ends the day before the next one starts; the last stays open."""
    for before, after in itertools.pairwise(periods):
        before.end = after.start - timedelta(days=1)
    periods[-1].end = None


def generate(seed: int = DEMO_SEED, reference: date = REFERENCE_DATE) -> DemoCounty:
    """The demo county as plain values: same seed and reference date, same county."""
    gen = _Generator(seed, reference)
    schools = gen.schools()
    teachers = gen.teachers(schools)
    return DemoCounty(schools=schools, teachers=teachers)


# ---------------------------------------------------------------- writing


def database_is_empty() -> bool:
    """Whether no county, school, teacher or user row exists (the only state the demo may be written into)."""
    return all(db.session.scalar(select(model.id).limit(1)) is None for model in (County, School, Teacher, User))


def seed_demo(seed: int = DEMO_SEED, reference: date = REFERENCE_DATE) -> dict[str, int]:
    """Fill an empty database with the demo county and its accounts; flush, never commit.

    Raises DatabaseNotEmpty, touching nothing, when any county, school, teacher or user exists.
    """
    from teachers.auth.services import hash_password

    if not database_is_empty():
        raise DatabaseNotEmpty()
    demo = generate(seed, reference)
    county = County(**COUNTY, policy={})
    db.session.add(county)
    db.session.flush()

    school_columns = ("code", "name", "kind", "area", "subdistrict", "school_district", "is_teaching_point",
                      "longitude", "latitude", "principal_name", "phone", "address", "staffing_quota",
                      *(f"pupils_{s.value}" for s in Stage))
    centrals = [s for s in demo.schools if not s["central"]]
    points = [s for s in demo.schools if s["central"]]
    _bulk(School, [{**{c: s[c] for c in school_columns}, "county_id": county.id} for s in centrals])
    school_id = _ids(School.code, School.id)
    _bulk(School, [{**{c: s[c] for c in school_columns}, "county_id": county.id,
                    "central_school_id": school_id[s["central"]]} for s in points])
    school_id = _ids(School.code, School.id)

    _bulk(Teacher, [{
        "staff_no": t.staff_no, "name": t.name, "gender": t.gender, "birth_date": t.birth_date,
        "id_number": t.id_number, "phone": t.phone, "service_start": t.service_start,
        "personnel_school_id": school_id[t.school], "working_school_id": school_id[t.working_school],
        "stage": t.stage, "subject": t.subject, "other_subjects": t.other_subjects, "degree": t.degree,
        "title": t.title,
        "status": t.status, "rotation_exempt": t.rotation_exempt, "rotation_exempt_reason": t.rotation_exempt_reason,
    } for t in demo.teachers])
    teacher_id = _ids(Teacher.staff_no, Teacher.id)
    # Tiers and backbone levels are derived: from tier awards and honours.
    _bulk(TierAward, [{"teacher_id": teacher_id[t.staff_no], "tier": t.tier, "awarded_on": _tier_date(t),
                       "reason": TIER_REASONS[t.tier]} for t in demo.teachers if t.tier != Tier.NONE])
    _bulk(Honour, [{"teacher_id": teacher_id[t.staff_no], "kind": HonourKind.BACKBONE, "level": Level(t.backbone.value),
                    "recognised_on": t.backbone_since, "review_on": _add_years(t.backbone_since, 3)}
                   for t in demo.teachers if t.backbone != Backbone.NONE])

    assignments = [{"teacher_id": teacher_id[t.staff_no], "school_id": school_id[p.school], "kind": p.kind,
                    "start_date": p.start, "end_date": p.end, "note": p.note}
                   for t in demo.teachers for p in t.history]
    _bulk(Assignment, assignments)

    # One hash for every demo account: hashing ~1,300 times would take minutes.
    password_hash = hash_password(DEMO_PASSWORD)

    def account(username: str, display_name: str, role: Role, county_id=None, school=None, teacher=None) -> dict:
        return {"username": username, "display_name": display_name, "password_hash": password_hash, "role": role,
                "county_id": county_id, "school_id": school, "teacher_id": teacher}

    users = [account("admin", "系统管理员", Role.ADMIN),
             account("hr", "人事科", Role.HR, county.id),
             account("inspector", "督学", Role.INSPECTOR, county.id)]
    users += [account(f"principal-{s['code']}", s["principal_name"], Role.PRINCIPAL, school=school_id[s["code"]])
              for s in demo.schools]
    users += [account(t.staff_no, t.name, Role.TEACHER, teacher=teacher_id[t.staff_no]) for t in demo.teachers]
    _bulk(User, users)

    summary = {"counties": 1, "schools": len(demo.schools), "teaching_points": len(points),
               "teachers": len(demo.teachers), "users": len(users), "assignments": len(assignments)}
    summary.update(seed_development(county, reference, seed))
    audit.record(None, "demo.seeded", county, summary, actor_username="seed-demo")
    return summary


TIER_REASONS = {Tier.NEW: "新入职", Tier.YOUNG: "完成新任教师两年跟踪指导", Tier.BACKBONE: "认定为教学骨干",
                Tier.LEADER: "评为学科带头人"}


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _tier_date(t: DemoTeacher) -> date:
    if t.tier == Tier.NEW:
        return t.service_start
    if t.tier == Tier.YOUNG:
        return _add_years(t.service_start, 2)
    return t.backbone_since or t.service_start


def _bulk(model: type, rows: list[dict[str, Any]]) -> None:
    if rows:
        db.session.execute(insert(model), rows)


def _ids(key_column, id_column) -> dict[str, int]:
    return {key: id_ for key, id_ in db.session.execute(select(key_column, id_column))}


# ------------------------------------------------------------------------------ teacher development

#: The demo county's training cycle began in 2025 (a county setting), so two school years of records fit.
DEMO_CYCLE_START = 2025
DEMO_TRAININGS = (
    # (title, level, provider, hours, days)
    ("国培计划—乡村教师能力提升培训", ProgrammeLevel.NATIONAL, "教育部 国培计划", 80, 10),
    ("吉林省中小学骨干教师省级培训", ProgrammeLevel.PROVINCIAL, "吉林省教育学院", 60, 8),
    ("白山市新课程标准解读培训", ProgrammeLevel.CITY, "白山市教育科学研究院", 24, 3),
    ("临江市中小学教师全员培训", ProgrammeLevel.COUNTY, "临江市教师进修学校", 40, 5),
    ("临江市班主任工作专题培训", ProgrammeLevel.COUNTY, "临江市教师进修学校", 16, 2),
    ("片区联合教研：大单元教学设计", ProgrammeLevel.CLUSTER, "片区教研共同体", 12, 2),
    ("校本研修：作业设计与课堂观察", ProgrammeLevel.SCHOOL, "本校教研室", 20, 5),
    ("校本研修：信息技术与学科融合", ProgrammeLevel.SCHOOL, "本校教研室", 16, 4),
)
REJECT_REASONS = ("证书上的学时与申报不符，请按证书填写。", "证明材料不清晰，请重新上传。", "缺少主办单位公章。")


def seed_development(county: County, reference: date, seed: int = DEMO_SEED) -> dict[str, int]:
    """Two school years of training records in every state (with their history and the to-dos they
    open), further honours, verified achievements and mentoring pairs for the new teachers.
    Deterministic; flush, never commit."""
    from teachers.development import notices
    from teachers.notifications.services import notify

    notices.register()
    rnd = random.Random(seed + 7)
    county.policy = {**(county.policy or {}), "training_cycle_start_year": DEMO_CYCLE_START}
    hr_users = list(db.session.scalars(select(User.id).where(User.role == Role.HR, User.county_id == county.id)))
    principal_of = dict(db.session.execute(select(User.school_id, User.id).where(User.role == Role.PRINCIPAL)).all())
    account_of = dict(db.session.execute(select(User.teacher_id, User.id).where(User.role == Role.TEACHER)).all())
    teachers = list(db.session.scalars(
        select(Teacher).join(School, School.id == Teacher.personnel_school_id)
        .where(School.county_id == county.id, Teacher.status != TeacherStatus.RETIRED).order_by(Teacher.staff_no)))
    start = date(DEMO_CYCLE_START, 1, 1)
    records, events, pending = [], [], []
    for t in teachers:
        first = max(start, t.service_start)
        span = (reference - first).days
        if span < 30:
            continue
        for title, level, provider, hours, days in rnd.sample(DEMO_TRAININGS, rnd.randint(2, 6)):
            begin = first + timedelta(days=rnd.randrange(max(1, span - days - 1)))
            end = begin + timedelta(days=days - 1)
            if end >= reference:
                continue
            draw = rnd.random()
            state = (TrainingState.CONFIRMED if draw < 0.78 else TrainingState.VERIFIED if draw < 0.86
                     else TrainingState.SUBMITTED if draw < 0.95 else TrainingState.REJECTED)
            outside = level in (ProgrammeLevel.NATIONAL, ProgrammeLevel.PROVINCIAL, ProgrammeLevel.CITY)
            records.append({
                "teacher_id": t.id, "source": TrainingSource.OUTSIDE if outside else TrainingSource.IMPORT,
                "title": title, "level": level, "provider": provider, "hours": float(hours), "start_on": begin,
                "end_on": end, "state": state, "version": {TrainingState.SUBMITTED: 1, TrainingState.VERIFIED: 2,
                                                           TrainingState.CONFIRMED: 3, TrainingState.REJECTED: 2}[state],
                "reject_reason": rnd.choice(REJECT_REASONS) if state == TrainingState.REJECTED else "",
                "submitted_by_id": account_of.get(t.id) if outside else None,
            })
    catalogue = _demo_catalogue(county, reference, random.Random(seed + 11), teachers, hr_users, account_of)
    records += catalogue.pop("records")
    _bulk(TrainingRecord, records)
    by_teacher = {t.id: t for t in teachers}
    for r in db.session.scalars(select(TrainingRecord).order_by(TrainingRecord.id)):
        principal = principal_of.get(by_teacher[r.teacher_id].working_school_id)
        events.append({"record_id": r.id, "action": "submit", "from_state": None, "to_state": "submitted",
                       "actor_id": r.submitted_by_id, "reason": "", "changes": {}})
        if r.state in (TrainingState.VERIFIED, TrainingState.CONFIRMED):
            events.append({"record_id": r.id, "action": "verify", "from_state": "submitted", "to_state": "verified",
                           "actor_id": principal, "reason": "", "changes": {}})
        if r.state == TrainingState.CONFIRMED:
            events.append({"record_id": r.id, "action": "confirm", "from_state": "verified", "to_state": "confirmed",
                           "actor_id": hr_users[0] if hr_users else None, "reason": "", "changes": {}})
        if r.state == TrainingState.REJECTED:
            events.append({"record_id": r.id, "action": "reject", "from_state": "submitted", "to_state": "rejected",
                           "actor_id": principal, "reason": r.reject_reason, "changes": {}})
        if r.state != TrainingState.CONFIRMED:
            pending.append((r, principal))
    _bulk(TrainingEvent, events)
    for r, principal in pending:
        params = {"teacher": by_teacher[r.teacher_id].name, "title": r.title}
        if r.state == TrainingState.SUBMITTED and principal:
            notify([principal], "training.to_verify", object_type="training_record", object_id=r.id, params=params,
                   todo=True)
        elif r.state == TrainingState.VERIFIED:
            notify(hr_users, "training.to_confirm", object_type="training_record", object_id=r.id, params=params,
                   todo=True)
        elif r.state == TrainingState.REJECTED and account_of.get(r.teacher_id):
            notify([account_of[r.teacher_id]], "training.rejected", object_type="training_record", object_id=r.id,
                   params={**params, "reason": r.reject_reason}, todo=True)

    # Honours beside the backbone levels: 特级教师, studios (host and members), 领军人物; and achievements.
    honours, achievements = [], []
    backbones = sorted((t for t in teachers if t.backbone in (Backbone.CITY, Backbone.PROVINCE)),
                       key=lambda t: (t.backbone != Backbone.PROVINCE, t.staff_no))
    for i, t in enumerate(backbones[:12]):
        kind = (HonourKind.SPECIAL if i < 2 else HonourKind.STUDIO_HOST if i < 8 else HonourKind.LEADING)
        level = Level.PROVINCE if kind == HonourKind.SPECIAL else Level(t.backbone.value)
        recognised = date(rnd.randint(2017, reference.year - 1), rnd.choice((5, 9, 12)), 1)
        studio = f"{t.name}{t.subject}名师工作室" if kind == HonourKind.STUDIO_HOST else ""
        honours.append({"teacher_id": t.id, "kind": kind, "level": level, "recognised_on": recognised,
                        "review_on": _add_years(recognised, 3), "studio_name": studio})
        if kind == HonourKind.STUDIO_HOST:
            members = [m for m in teachers if m.working_school_id == t.working_school_id and m.id != t.id
                       and m.subject == t.subject][:3]
            honours += [{"teacher_id": m.id, "kind": HonourKind.STUDIO_MEMBER, "level": level,
                         "recognised_on": recognised, "review_on": _add_years(recognised, 3), "studio_name": studio}
                        for m in members]
    _bulk(Honour, honours)
    kinds = list(AchievementKind)
    for t in teachers:
        years = years_between(t.service_start, reference)
        if years < 3 or rnd.random() > 0.45:
            continue
        for n in range(rnd.randint(1, 5)):
            level = rnd.choices(list(Level)[:4], weights=(5, 4, 2, 1))[0]
            kind = rnd.choice(kinds)
            achievements.append({
                "teacher_id": t.id, "kind": kind, "level": level, "title": ACHIEVEMENT_TITLES[kind].format(
                    subject=t.subject, n=n + 1), "achieved_on": date(rnd.randint(max(t.service_start.year + 1, 2015),
                                                                                 reference.year - 1),
                                                                     rnd.randint(3, 12), rnd.randint(1, 28)),
                "state": ReviewState.VERIFIED if rnd.random() < 0.85 else ReviewState.SUBMITTED})
    _bulk(Achievement, achievements)
    for a in db.session.scalars(select(Achievement).where(Achievement.state == ReviewState.SUBMITTED)
                                .order_by(Achievement.id)):
        principal = principal_of.get(by_teacher[a.teacher_id].working_school_id)
        if principal:
            notify([principal], "achievement.to_verify", object_type="achievement", object_id=a.id, todo=True,
                   params={"teacher": by_teacher[a.teacher_id].name, "title": a.title, "teacher_id": a.teacher_id})
    db.session.flush()
    pairs, logs = _demo_mentoring(county, reference, rnd)
    growth = _demo_growth(reference, random.Random(seed + 13), teachers, principal_of)
    from teachers.development.mentoring import remind_sign_offs
    from teachers.development.tiers import remind_reviews

    remind_reviews(reference)
    remind_sign_offs(reference)
    return {"training_records": len(records), "training_events": len(events), **catalogue, "honours": len(honours),
            "achievements": len(achievements), "mentor_pairs": pairs, "mentor_logs": logs, **growth}


MENTOR_LOG_TEXTS = ("听导师示范课，课后交流教学设计。", "导师听我的汇报课并逐段点评。", "与导师一起备课，修改教案。",
                    "学习班级管理方法，参加导师主持的班会。", "导师指导作业设计与批改。", "参加教研组活动，导师点评说课。")


def _demo_mentoring(county: County, reference: date, rnd: random.Random) -> tuple[int, int]:
    """Pairs for the new teachers, proposed by the mentoring model, each with dated logs."""
    from teachers.development import mentoring

    hr = db.session.scalar(select(User).where(User.role == Role.HR, User.county_id == county.id))
    proposal = mentoring.propose(hr, county.id)
    years = int(policy.effective(county.policy)["new_teacher_mentoring_years"])
    principal_of = dict(db.session.execute(select(User.school_id, User.id).where(User.role == Role.PRINCIPAL)).all())
    rows = []
    for mentee, mentor in proposal.pairs:
        start = min(reference, mentee.service_start)
        done = _add_years(start, years)
        # Most pairs whose two years have passed were signed off by the principal; the rest wait for it.
        signed = done if done <= reference and rnd.random() < 0.7 else None
        rows.append({"mentee_id": mentee.id, "mentor_id": mentor.id, "created_by_id": hr.id, "start_on": start,
                     "end_on": signed, "signed_off_on": signed,
                     "signed_off_by_id": principal_of.get(mentee.working_school_id) if signed else None})
    _bulk(MentorPair, rows)
    logs = []
    for pair in db.session.scalars(select(MentorPair)):
        day = pair.start_on + timedelta(days=20)
        while day < (pair.end_on or reference):
            logs.append({"pair_id": pair.id, "log_on": day, "text": rnd.choice(MENTOR_LOG_TEXTS),
                         "countersigned_at": datetime.combine(day + timedelta(days=3), datetime.min.time(), UTC)
                         if day + timedelta(days=40) < reference else None})
            day += timedelta(days=rnd.randint(25, 45))
    _bulk(MentorLog, logs)
    from teachers.notifications.services import notify

    account_of = dict(db.session.execute(select(User.teacher_id, User.id).where(User.role == Role.TEACHER)).all())
    pairs = {p.id: p for p in db.session.scalars(select(MentorPair))}
    for log in db.session.scalars(select(MentorLog).where(MentorLog.countersigned_at.is_(None)).order_by(MentorLog.id)):
        pair = pairs[log.pair_id]
        if account_of.get(pair.mentor_id):
            notify([account_of[pair.mentor_id]], "mentoring.to_countersign", object_type="mentor_log",
                   object_id=log.id, params={"mentee": pair.mentee.name, "day": log.log_on.isoformat(),
                                             "pair_id": pair.id}, todo=True)
    return len(rows), len(logs)


# (title, level, mode, hours, credits, provider, start, end, target, capacity, who, share, completion)
# ``who`` names the target group (see _demo_catalogue), ``share`` the part of it that enrolled;
# completion "done": ended and marked, "open": ended, not marked yet, "future": enrolment still open.
DEMO_PROGRAMMES = (
    ("国培计划（2025）—乡村小学骨干教师工作坊研修", ProgrammeLevel.NATIONAL, DeliveryMode.ONLINE, 50, None,
     "教育部 国培计划项目办", date(2025, 4, 7), date(2025, 6, 27), "乡村学校小学骨干教师", 60, "rural_backbone", 0.9,
     "done"),
    ("国培计划（2026）—信息技术应用能力提升工程2.0", ProgrammeLevel.NATIONAL, DeliveryMode.ONLINE, None, 3,
     "国家智慧教育公共服务平台", date(2026, 3, 2), date(2026, 6, 30), "全县中小学教师", None, "all", 0.15, "done"),
    ("吉林省中小学学科带头人高级研修班", ProgrammeLevel.PROVINCIAL, DeliveryMode.IN_PERSON, 72, None, "吉林省教育学院",
     date(2025, 10, 13), date(2025, 10, 24), "学科带头人、教学骨干", 30, "leaders", 1.0, "done"),
    ("吉林省乡村教师支持计划：送教下乡", ProgrammeLevel.PROVINCIAL, DeliveryMode.IN_PERSON, 24, None, "吉林省教育学院",
     date(2026, 5, 11), date(2026, 5, 15), "乡村学校教师", 80, "rural", 0.5, "done"),
    ("白山市中小学心理健康教育专题网络研修", ProgrammeLevel.CITY, DeliveryMode.ONLINE, 20, None, "白山市教育科学研究院",
     date(2025, 11, 3), date(2025, 12, 19), "中小学教师（班主任优先）", 100, "all", 0.1, "done"),
    ("临江市新任教师入职培训（2025）", ProgrammeLevel.COUNTY, DeliveryMode.IN_PERSON, 40, None, "临江市教师进修学校",
     date(2025, 10, 20), date(2025, 10, 31), "2025年新任教师", 60, "new", 1.0, "done"),
    ("临江市青年教师成长营", ProgrammeLevel.COUNTY, DeliveryMode.IN_PERSON, 30, None, "临江市教师进修学校",
     date(2026, 3, 16), date(2026, 6, 26), "青年教师（教龄3—5年）", 50, "young", 0.5, "done"),
    ("临江市全员培训：新课标与大单元教学", ProgrammeLevel.COUNTY, DeliveryMode.IN_PERSON, 24, None, "临江市教师进修学校",
     date(2026, 7, 13), date(2026, 7, 17), "全县在职教师", None, "all", 0.25, "open"),
    ("片区联合教研：城乡结对同课异构", ProgrammeLevel.CLUSTER, DeliveryMode.IN_PERSON, 12, None, "片区教研共同体",
     date(2025, 11, 10), date(2025, 11, 14), "小学语文、数学教师", 40, "primary_core", 0.3, "done"),
    ("校本研修示范项目：作业设计与评价", ProgrammeLevel.SCHOOL, DeliveryMode.IN_PERSON, 18, None, "临江市第一中学教研室",
     date(2026, 4, 1), date(2026, 6, 24), "本校教师", 40, "first_school", 0.8, "done"),
    ("国培计划（2027）—乡村教师访名校跟岗研修", ProgrammeLevel.NATIONAL, DeliveryMode.IN_PERSON, 60, None, "东北师范大学",
     date(2027, 3, 15), date(2027, 3, 26), "乡村学校中青年骨干教师", 20, "rural_backbone", 0.5, "future"),
    ("吉林省2027年中小学班主任能力提升网络研修", ProgrammeLevel.PROVINCIAL, DeliveryMode.ONLINE, None, 2,
     "吉林省教育学院", date(2027, 3, 1), date(2027, 5, 31), "班主任", 200, "all", 0.05, "future"),
    ("临江市2027年新任教师跟岗实践", ProgrammeLevel.COUNTY, DeliveryMode.IN_PERSON, 40, None, "临江市教师进修学校",
     date(2027, 4, 6), date(2027, 4, 17), "新任教师", 30, "new", 0.3, "future"),
    ("白山市2027年骨干教师示范课展评", ProgrammeLevel.CITY, DeliveryMode.IN_PERSON, 16, None, "白山市教育科学研究院",
     date(2027, 5, 10), date(2027, 5, 12), "教学骨干、学科带头人", 12, "leaders", 1.0, "future"),  # full
)


def _demo_catalogue(county: County, reference: date, rnd: random.Random, teachers: list[Teacher],
                    hr_users: list[int], account_of: dict[int, int]) -> dict[str, Any]:
    """The county's training catalogue: past programmes with enrolments, completions and the training
    records completion created (in every state but rejected), one ended programme whose completions
    are still to be marked, and 2027 programmes open for enrolment (one full). Returns the counts and
    the record rows for the caller to write with the others."""
    hr = hr_users[0] if hr_users else None
    area_of = dict(db.session.execute(select(School.id, School.area)).all())
    first_school = db.session.scalar(select(School.id).where(School.county_id == county.id, School.name.like("%第一中学"))
                                     .order_by(School.code))
    groups = {
        "all": lambda t: True,
        "rural": lambda t: area_of[t.working_school_id] == Area.RURAL,
        "rural_backbone": lambda t: area_of[t.working_school_id] == Area.RURAL and t.backbone != Backbone.NONE,
        "leaders": lambda t: t.tier in (Tier.LEADER, Tier.BACKBONE),
        "new": lambda t: t.tier == Tier.NEW,
        "young": lambda t: t.tier == Tier.YOUNG,
        "primary_core": lambda t: t.stage == Stage.PRIMARY and t.subject in ("语文", "数学"),
        "first_school": lambda t: t.working_school_id == first_school,
    }
    _bulk(Programme, [{"county_id": county.id, "title": title, "level": level, "mode": mode,
                       "hours": float(hours) if hours else None, "credits": float(credits) if credits else None,
                       "provider": provider, "start_on": start, "end_on": end, "target": target, "capacity": capacity,
                       "organiser_id": hr}
                      for title, level, mode, hours, credits, provider, start, end, target, capacity, *_ in
                      DEMO_PROGRAMMES])
    programme_id = dict(db.session.execute(select(Programme.title, Programme.id)
                                           .where(Programme.county_id == county.id)).all())
    enrolments, records = [], []
    for title, level, _mode, hours, credits, provider, start, end, _target, capacity, who, share, completion \
            in DEMO_PROGRAMMES:
        group = [t for t in teachers if groups[who](t) and t.service_start <= start]
        n = min(len(group), capacity or len(group), max(1, round(len(group) * share)))
        if capacity and share >= 1.0:
            n = min(len(group), capacity)  # a popular programme fills up
        for t in sorted(rnd.sample(group, n), key=lambda t: t.staff_no):
            completed = None
            if completion == "done" and rnd.random() < 0.92:
                completed = min(reference, end + timedelta(days=rnd.randint(3, 20)))
            self_enrolled = who in ("all", "rural") and account_of.get(t.id) and rnd.random() < 0.5
            enrolments.append({"programme_id": programme_id[title], "teacher_id": t.id, "completed_on": completed,
                               "enrolled_by_id": account_of[t.id] if self_enrolled else hr})
            if completed is None:
                continue
            draw = rnd.random()
            recent = (reference - completed).days < 90
            state = (TrainingState.SUBMITTED if draw < (0.25 if recent else 0.04)
                     else TrainingState.VERIFIED if draw < (0.45 if recent else 0.10) else TrainingState.CONFIRMED)
            records.append({
                "teacher_id": t.id, "programme_id": programme_id[title], "source": TrainingSource.PROGRAMME,
                "title": title, "level": level, "provider": provider, "hours": float(hours) if hours else None,
                "credits": float(credits) if credits else None, "start_on": start, "end_on": end, "state": state,
                "version": {TrainingState.SUBMITTED: 1, TrainingState.VERIFIED: 2, TrainingState.CONFIRMED: 3}[state],
                "reject_reason": "", "submitted_by_id": hr})
    _bulk(Enrolment, enrolments)
    return {"programmes": len(DEMO_PROGRAMMES), "enrolments": len(enrolments), "records": records}


GROWTH_GOALS = (
    "第一年站稳{subject}课堂，形成规范的教学常规；第二年在校级公开课中获得好评；第三年上一节县级{subject}公开课。",
    "系统研读{subject}课程标准，三年内完成一项校级小课题，撰写两篇教学反思或论文。",
    "跟随骨干教师学习{subject}大单元教学设计，三年内参加县级优质课评比并争取获奖。",
    "提升班级管理与家校沟通能力，三年内独立承担班主任工作，{subject}教学成绩稳定在年级前列。",
)
GROWTH_ENTRIES = ("完成校级公开课，教研组评课认为教学环节清晰。", "参加县级教研活动并作交流发言。",
                  "读完一本教育专著，写读书笔记一篇。", "完成校级小课题开题。", "撰写教学反思三篇，一篇在校刊发表。",
                  "参加市级网络研修，完成全部学习任务。", "在片区同课异构活动中执教一节课。",
                  "指导学生参加县级学科竞赛，两人获奖。")
GROWTH_COMMENTS = ("目标明确，进展扎实，下一步争取承担县级公开课。", "成长较快，建议多听骨干教师的课，注意课堂评价语言。",
                   "规划切实可行，请按学期记录进展，学校将提供展示机会。", "态度认真，建议把小课题与日常教学结合起来。")


def _demo_growth(reference: date, rnd: random.Random, teachers: list[Teacher],
                 principal_of: dict[int, int]) -> dict[str, int]:
    """Growth plans for the young teachers (years 3–5): goals, dated progress entries and, for most, the
    principal's comment (the rest wait in the principal's to-dos); a few teachers have none yet, so
    HR's list of teachers without a plan has names on it. Deterministic; flushes."""
    from teachers.notifications.services import notify

    young = [t for t in teachers if t.tier == Tier.YOUNG]
    with_plan = [t for i, t in enumerate(young) if i % 17 != 5]  # every 17th (from the 6th) has no plan yet
    plans, planned = [], []
    for t in with_plan:
        since = _add_years(t.service_start, 2)
        written = since + timedelta(days=rnd.randint(10, 40))
        created = datetime.combine(written, datetime.min.time(), UTC)
        plans.append({"teacher_id": t.id, "goals": rnd.choice(GROWTH_GOALS).format(subject=t.subject),
                      "principal_comment": rnd.choice(GROWTH_COMMENTS) if rnd.random() < 0.75 else "",
                      "created_at": created, "updated_at": created})
        planned.append((t, written))
    _bulk(GrowthPlan, plans)
    plan_of = {p.teacher_id: p for p in db.session.scalars(select(GrowthPlan))}
    entries = []
    for t, written in planned:
        day = written + timedelta(days=rnd.randint(30, 90))
        for text in rnd.sample(GROWTH_ENTRIES, 6):
            if day >= reference:
                break
            entries.append({"plan_id": plan_of[t.id].id, "entry_on": day, "text": text})
            day += timedelta(days=rnd.randint(60, 150))
    _bulk(GrowthEntry, entries)
    for t, _written in planned:
        plan = plan_of[t.id]
        if not plan.principal_comment and principal_of.get(t.working_school_id):
            notify([principal_of[t.working_school_id]], "growth.to_comment", object_type="growth_plan",
                   object_id=plan.id, params={"teacher": t.name, "teacher_id": t.id}, todo=True)
    return {"growth_plans": len(plans), "growth_entries": len(entries), "young_without_plan": len(young) - len(plans)}


ACHIEVEMENT_TITLES = {
    AchievementKind.OPEN_LESSON: "{subject}公开课（第{n}次）",
    AchievementKind.RESEARCH: "{subject}教学课题研究（{n}）",
    AchievementKind.PAPER: "{subject}教学论文（{n}）",
    AchievementKind.AWARD: "{subject}优质课评比获奖（{n}）",
}


# ---------------------------------------------------------------- prefecture scale (load tests)

#: The six county-level divisions of 白山市 (GB/T 2260) for ``flask seed-demo --scale prefecture``.
PREFECTURE_COUNTIES = (("220602", "浑江区", "HJ"), ("220605", "江源区", "JY"), ("220621", "抚松县", "FS"),
                       ("220622", "靖宇县", "JZ"), ("220623", "长白朝鲜族自治县", "CB"), ("220681", "临江市", "LJ"))
#: The prefecture itself, and the prefix of its prefecture-wide accounts (``hr-BS``, ``inspector-BS``).
PREFECTURE, PREFECTURE_PREFIX = "白山市", "BS"
PREFECTURE_COPIES = 3  # each county holds three draws of the demo county's schools: ~3,200 teachers


def seed_prefecture(seed: int = DEMO_SEED, reference: date = REFERENCE_DATE) -> dict[str, int]:
    """Six counties of about 3,200 teachers each (about 20,000), deterministic, written with bulk inserts.

    Each county is three draws of the demo county (seeds derived from ``seed``) with codes, staff numbers
    and ID numbers made unique: school codes ``<county prefix><copy>-<demo code>``, staff numbers
    ``<prefix><copy><demo staff number>``, ID numbers in the county's own region code. Accounts:
    ``admin``; ``hr-<prefix>`` and ``inspector-<prefix>`` per county; ``hr-BS`` and ``inspector-BS`` for the
    whole prefecture (scope ``prefecture = 白山市``: every county of it, nothing else); a principal per school
    (``principal-<school code>``) and a teacher account per teacher (the staff number), all with the
    demo password. Flush, never commit; refuses a database that is not empty.
    """
    from teachers.auth.services import hash_password

    if not database_is_empty():
        raise DatabaseNotEmpty()
    password_hash = hash_password(DEMO_PASSWORD)
    users: list[dict[str, Any]] = [
        {"username": "admin", "display_name": "系统管理员", "password_hash": password_hash, "role": Role.ADMIN},
        {"username": f"hr-{PREFECTURE_PREFIX}", "display_name": f"{PREFECTURE}教育局人事科",
         "password_hash": password_hash, "role": Role.HR, "prefecture": PREFECTURE},
        {"username": f"inspector-{PREFECTURE_PREFIX}", "display_name": f"{PREFECTURE}督学",
         "password_hash": password_hash, "role": Role.INSPECTOR, "prefecture": PREFECTURE}]
    totals = {"counties": 0, "schools": 0, "teachers": 0, "assignments": 0}
    school_columns = ("name", "kind", "area", "subdistrict", "school_district", "is_teaching_point",
                      "longitude", "latitude", "principal_name", "phone", "staffing_quota",
                      *(f"pupils_{s.value}" for s in Stage))
    for k, (region, county_name, prefix) in enumerate(PREFECTURE_COUNTIES):
        county = County(code=region, name=county_name, prefecture=PREFECTURE, province="吉林省", policy={})
        db.session.add(county)
        db.session.flush()
        totals["counties"] += 1
        users += [{"username": f"hr-{prefix}", "display_name": f"{county_name}人事科", "password_hash": password_hash,
                   "role": Role.HR, "county_id": county.id},
                  {"username": f"inspector-{prefix}", "display_name": f"{county_name}督学",
                   "password_hash": password_hash, "role": Role.INSPECTOR, "county_id": county.id}]
        serials: set[tuple[date, int]] = set()
        for copy in range(PREFECTURE_COPIES):
            demo = generate(seed + 100 * k + copy, reference)
            code = {s["code"]: f"{prefix}{copy}-{s['code']}" for s in demo.schools}
            suffix = "" if copy == 0 else ("二分校", "三分校")[copy - 1]

            def school_row(s: dict[str, Any], central_id: int | None = None, *, _code=code, _suffix=suffix,
                           _county=county, _name=county_name) -> dict[str, Any]:
                return {**{c: s[c] for c in school_columns}, "code": _code[s["code"]], "name": s["name"] + _suffix,
                        "address": f"吉林省白山市{_name}{s['subdistrict']}", "county_id": _county.id,
                        "central_school_id": central_id}

            _bulk(School, [school_row(s) for s in demo.schools if not s["central"]])
            school_id = _ids(School.code, School.id)
            _bulk(School, [school_row(s, school_id[code[s["central"]]]) for s in demo.schools if s["central"]])
            school_id = _ids(School.code, School.id)
            rows = []
            for t in demo.teachers:
                serial = int(t.id_number[14:17])
                while (t.birth_date, serial) in serials:
                    serial = (serial + 2) % 1000 or (1 if serial % 2 else 2)
                serials.add((t.birth_date, serial))
                rows.append({
                    "staff_no": f"{prefix}{copy}{t.staff_no}", "name": t.name, "gender": t.gender,
                    "birth_date": t.birth_date, "id_number": id_number(region, t.birth_date, serial), "phone": t.phone,
                    "service_start": t.service_start, "personnel_school_id": school_id[code[t.school]],
                    "working_school_id": school_id[code[t.working_school]], "stage": t.stage, "subject": t.subject,
                    "other_subjects": t.other_subjects, "degree": t.degree, "title": t.title, "status": t.status,
                    "rotation_exempt": t.rotation_exempt, "rotation_exempt_reason": t.rotation_exempt_reason,
                })
            _bulk(Teacher, rows)
            teacher_id = {no: tid for no, tid in db.session.execute(
                select(Teacher.staff_no, Teacher.id).where(Teacher.staff_no.startswith(f"{prefix}{copy}")))}
            assignments = [{"teacher_id": teacher_id[f"{prefix}{copy}{t.staff_no}"],
                            "school_id": school_id[code[p.school]], "kind": p.kind, "start_date": p.start,
                            "end_date": p.end, "note": p.note} for t in demo.teachers for p in t.history]
            _bulk(Assignment, assignments)
            # Tiers and backbone levels are derived: from tier awards and honours, as in the demo county.
            _bulk(TierAward, [{"teacher_id": teacher_id[f"{prefix}{copy}{t.staff_no}"], "tier": t.tier,
                               "awarded_on": _tier_date(t), "reason": TIER_REASONS[t.tier]}
                              for t in demo.teachers if t.tier != Tier.NONE])
            _bulk(Honour, [{"teacher_id": teacher_id[f"{prefix}{copy}{t.staff_no}"], "kind": HonourKind.BACKBONE,
                            "level": Level(t.backbone.value), "recognised_on": t.backbone_since,
                            "review_on": _add_years(t.backbone_since, 3)}
                           for t in demo.teachers if t.backbone != Backbone.NONE])
            users += [{"username": f"principal-{code[s['code']]}", "display_name": s["principal_name"],
                       "password_hash": password_hash, "role": Role.PRINCIPAL, "school_id": school_id[code[s["code"]]]}
                      for s in demo.schools]
            users += [{"username": f"{prefix}{copy}{t.staff_no}", "display_name": t.name, "password_hash": password_hash,
                       "role": Role.TEACHER, "teacher_id": teacher_id[f"{prefix}{copy}{t.staff_no}"]}
                      for t in demo.teachers]
            totals["schools"] += len(demo.schools)
            totals["teachers"] += len(demo.teachers)
            totals["assignments"] += len(assignments)
    for row in users:
        for key in ("county_id", "prefecture", "school_id", "teacher_id"):
            row.setdefault(key, None)
    _bulk(User, users)
    summary = {**totals, "users": len(users)}
    audit.record(None, "demo.seeded", None, summary, object_type="prefecture", object_id=PREFECTURE,
                 actor_username="seed-demo")
    return summary

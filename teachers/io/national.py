"""The basic-information layout (教职工基本信息) of the national teacher management information system
(全国教师管理信息系统): our fields and codes mapped to theirs, for the ``national`` export.

``docs/national-fields.md`` is the mapping table with the status of each field (verified against a
published description of the national collection, or not) and its source. In short:

* names of the fields follow the national collection sheets (姓名, 性别, 国籍/地区, 身份证件类型,
  身份证件号, 出生日期, 参加工作年月, 进本校年月, 学校标识码 …);
* coded values are written ``代码-名称`` (``1-男``, ``156-中国``), the way the collection sheets list
  their choices; where the national code list is not verified (professional title, stage, subject)
  only the name is written, for a person to pick the code in the national system;
* fields the national system wants that we do not hold (民族, 政治面貌 …) are left empty columns, so the
  sheet has the national layout and someone fills them in.

The one function that writes a coded value is ``coded()``: if the national import turns out to want
the bare code, it changes there.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from teachers.io.writer import Column
from teachers.labels import label
from teachers.models import Degree, Gender, Teacher

#: GB/T 2261.1-2003 (人的性别代码): 1 男, 2 女 (0 未知的性别, 9 未说明的性别 are not held).
GENDER_CODES = {Gender.MALE: ("1", "男"), Gender.FEMALE: ("2", "女")}

#: GB/T 4658-2006 (学历代码), the "graduated" code of each level. Our ``secondary`` (中专及以下) is wider
#: than 41 (中等专科毕业): it is written as 41 and flagged unverified in the mapping table.
DEGREE_CODES = {
    Degree.DOCTOR: ("11", "博士研究生毕业"), Degree.MASTER: ("14", "硕士研究生毕业"),
    Degree.BACHELOR: ("21", "大学本科毕业"), Degree.ASSOCIATE: ("31", "大学专科毕业"),
    Degree.SECONDARY: ("41", "中等专科毕业"),
}

#: GB/T 2659 (世界各国和地区名称代码): 156 中国, for a mainland resident ID number.
CHINA = ("156", "中国")
#: 身份证件类型 1 居民身份证. Residence permits of Hong Kong, Macao and Taiwan residents (ID numbers
#: beginning 81, 82, 83) have a type of their own whose code is not verified: left empty.
RESIDENT_ID = ("1", "居民身份证")

COLUMNS = (
    Column(_l("学校标识码"), text=True), Column(_l("学校名称")), Column(_l("教职工号"), text=True),
    Column(_l("姓名")), Column(_l("性别")), Column(_l("国籍/地区")), Column(_l("身份证件类型")),
    Column(_l("身份证件号"), text=True), Column(_l("出生日期")), Column(_l("民族")), Column(_l("政治面貌")),
    Column(_l("参加工作年月")), Column(_l("进本校年月")), Column(_l("最高学历")), Column(_l("专业技术职务")),
    Column(_l("任教学段")), Column(_l("任教学科")), Column(_l("手机号码"), text=True),
)


def coded(pair: tuple[str, str] | None) -> str:
    """A coded value as the national sheets list their choices: ``1-男``."""
    return f"{pair[0]}-{pair[1]}" if pair else ""


def _month(day: date | None) -> str:
    """A 年月 field: ``YYYY-MM``."""
    return day.strftime("%Y-%m") if day else ""


def _mainland(id_number: str | None) -> bool:
    return bool(id_number) and id_number[:2].isdigit() and int(id_number[:2]) < 80


def row(teacher: Teacher, shown: Any, arrival: date | None, label_of: Callable[[Any], str] = label) -> list[Any]:
    """One teacher in the national layout; ``shown`` is ``personal(viewer, teacher)`` (masked as the viewer
    must see it), ``arrival`` the date the teacher came to the personnel school, ``label_of`` the enum
    labeller (``label``, or a remembering one)."""
    school = teacher.personnel_school
    mainland = _mainland(teacher.id_number)
    birth = teacher.birth_date if len(shown.birth_date) == 10 else shown.birth_date
    return [
        school.code, school.name, teacher.staff_no, teacher.name, coded(GENDER_CODES.get(teacher.gender)),
        coded(CHINA) if mainland else "", coded(RESIDENT_ID) if mainland else "", shown.id_number, birth,
        "", "", _month(teacher.service_start), _month(arrival), coded(DEGREE_CODES.get(teacher.degree)),
        label_of(teacher.title), label_of(teacher.stage), teacher.subject, shown.phone,
    ]

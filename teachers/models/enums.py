"""Enumerations of the domain. Values are stored; Chinese labels live with the views (i18n)."""

from __future__ import annotations

import enum


class Area(str, enum.Enum):
    URBAN = "urban"  # 城区
    TOWN = "town"  # 镇区
    RURAL = "rural"  # 乡村


class SchoolKind(str, enum.Enum):
    PRIMARY = "primary"  # 小学
    JUNIOR = "junior"  # 初中
    NINE_YEAR = "nine_year"  # 九年一贯制
    SENIOR = "senior"  # 高中
    VOCATIONAL = "vocational"  # 职业学校
    KINDERGARTEN = "kindergarten"  # 幼儿园


class Stage(str, enum.Enum):
    PRESCHOOL = "preschool"
    PRIMARY = "primary"
    JUNIOR = "junior"
    SENIOR = "senior"
    VOCATIONAL = "vocational"


#: Stages a school of each kind teaches.
KIND_STAGES = {
    SchoolKind.PRIMARY: (Stage.PRIMARY,),
    SchoolKind.JUNIOR: (Stage.JUNIOR,),
    SchoolKind.NINE_YEAR: (Stage.PRIMARY, Stage.JUNIOR),
    SchoolKind.SENIOR: (Stage.SENIOR,),
    SchoolKind.VOCATIONAL: (Stage.VOCATIONAL,),
    SchoolKind.KINDERGARTEN: (Stage.PRESCHOOL,),
}


class Gender(str, enum.Enum):
    MALE = "M"
    FEMALE = "F"


class Degree(str, enum.Enum):
    SECONDARY = "secondary"  # 中专/高中及以下
    ASSOCIATE = "associate"  # 大专
    BACHELOR = "bachelor"  # 本科
    MASTER = "master"  # 硕士研究生
    DOCTOR = "doctor"  # 博士研究生


class Title(str, enum.Enum):
    NONE = "none"  # 未定级
    THIRD = "third"  # 三级教师
    SECOND = "second"  # 二级教师
    FIRST = "first"  # 一级教师
    SENIOR = "senior"  # 高级教师
    PROFESSOR = "professor"  # 正高级教师


class Backbone(str, enum.Enum):
    NONE = "none"
    SCHOOL = "school"  # 校级骨干
    COUNTY = "county"  # 县级骨干
    CITY = "city"  # 市级骨干
    PROVINCE = "province"  # 省级骨干


class Tier(str, enum.Enum):
    """The four-tier echelon (四级梯队)."""

    NEW = "new"  # 新任教师
    YOUNG = "young"  # 青年教师
    BACKBONE = "backbone"  # 教学骨干
    LEADER = "leader"  # 学科带头人
    NONE = "none"  # 未入梯队: experienced, but neither in the growth years nor recognised as a backbone


class TeacherStatus(str, enum.Enum):
    ACTIVE = "active"  # 在岗
    SICK_LEAVE = "sick_leave"  # 病假
    MATERNITY_LEAVE = "maternity_leave"  # 产假
    SECONDED = "seconded"  # 借调
    ON_EXCHANGE = "on_exchange"  # 交流中
    RETIRED = "retired"  # 退休


class AssignmentKind(str, enum.Enum):
    HIRE = "hire"  # 入职
    TRANSFER = "transfer"  # 调动
    EXCHANGE = "exchange"  # 交流
    RETURN = "return"  # 交流期满返回


class Role(str, enum.Enum):
    ADMIN = "admin"
    HR = "hr"
    PRINCIPAL = "principal"
    TEACHER = "teacher"
    INSPECTOR = "inspector"

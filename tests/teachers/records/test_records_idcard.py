"""GB 11643-1999 ID number checks, with numbers built by the formula in the test."""

from __future__ import annotations

from datetime import date

import pytest

from teachers.records import idcard

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def make(body17: str) -> str:
    return body17 + "10X98765432"[sum(int(c) * w for c, w in zip(body17, WEIGHTS)) % 11]


def test_known_valid_number_from_the_formula():
    number = make("11010519491231002")
    assert number == "11010519491231002X"  # the example printed in GB 11643-1999
    assert idcard.validate(number) == date(1949, 12, 31)


def test_lower_case_x_and_spaces_are_normalised():
    assert idcard.normalise(" 11010519491231002x ") == "11010519491231002X"
    assert idcard.normalise("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"
    assert idcard.validate("11010519491231002x") == date(1949, 12, 31)


def test_wrong_check_digit():
    good = make("22062119850314123")
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValueError, match="校验位错误"):
        idcard.validate(wrong)


@pytest.mark.parametrize("number, reason", [
    ("2206211985031412", "长度应为18位"),
    ("2206211985031412345", "长度应为18位"),
    ("22062119850314A23X", "前17位应为数字"),
    ("22062119850314123Y", "最后一位应为数字或X"),
    ("", "请填写身份证号"),
])
def test_shape_errors(number, reason):
    with pytest.raises(ValueError, match=reason):
        idcard.validate(number)


def test_impossible_and_future_birth_dates():
    with pytest.raises(ValueError, match="出生日期无效"):
        idcard.validate(make("22062120230230123"))  # 30 February
    with pytest.raises(ValueError, match="出生日期无效"):
        idcard.validate(make("22062118991231123"))
    with pytest.raises(ValueError, match="出生日期晚于今天"):
        idcard.validate(make("22062120300101123"), today=date(2025, 1, 1))


def test_province_code_sanity_is_optional():
    number = make("99062119850314123")
    with pytest.raises(ValueError, match="省级行政区划代码"):
        idcard.validate(number)
    assert idcard.validate(number, check_province=False) == date(1985, 3, 14)


def test_birth_date_matches():
    number = make("22062119850314123")
    assert idcard.birth_date_matches(number, date(1985, 3, 14))
    assert not idcard.birth_date_matches(number, date(1985, 3, 15))
    assert not idcard.birth_date_matches(None, date(1985, 3, 14))
    assert not idcard.birth_date_matches(number[:17] + "x", None)


def test_gender_digit():
    assert idcard.is_male(make("22062119850314123"))
    assert not idcard.is_male(make("22062119850314124"))

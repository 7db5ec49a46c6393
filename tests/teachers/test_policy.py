"""Policy defaults: one place, each with a source, validated when a county changes them."""

import pytest

from teachers import policy


def test_every_setting_has_a_source_and_a_valid_default():
    for setting in policy.SETTINGS:
        assert setting.source, setting.key
        assert setting.label_zh and setting.label_en, setting.key
        assert policy.validate({setting.key: setting.default}) == {setting.key: setting.default}


def test_defaults_match_the_policy_facts():
    d = policy.DEFAULTS
    assert (d["rotation_share"], d["backbone_share"], d["min_years_at_school"]) == (0.10, 0.20, 6)
    assert (d["cv_limit_primary"], d["cv_limit_junior"]) == (0.50, 0.45)
    assert (d["training_hours_per_cycle"], d["training_hours_probation"]) == (360, 120)


def test_unverified_sources_are_marked():
    assert not policy.BY_KEY["training_hours_per_cycle"].verified
    assert not policy.BY_KEY["required_degree_primary"].verified


@pytest.mark.parametrize("values, key", [
    ({"rotation_share": 1.5}, "rotation_share"),
    ({"min_years_at_school": "six"}, "min_years_at_school"),
    ({"min_years_at_school": 2.5}, "min_years_at_school"),
    ({"backbone_share_base": "teachers"}, "backbone_share_base"),
    ({"no_such_setting": 1}, "no_such_setting"),
    ({"rotation_share": 0.2, "max_rotation_share": 0.15}, "max_rotation_share"),
])
def test_validate_names_the_bad_setting(values, key):
    with pytest.raises(policy.PolicyError) as err:
        policy.validate(values)
    assert err.value.key == key


def test_validate_coerces_and_effective_overlays():
    clean = policy.validate({"min_years_at_school": "5", "required_subjects_primary": "语文，数学, 体育"})
    assert clean == {"min_years_at_school": 5, "required_subjects_primary": ["语文", "数学", "体育"]}
    merged = policy.effective({**clean, "stale_key": 1})
    assert merged["min_years_at_school"] == 5 and "stale_key" not in merged
    assert merged["rotation_share"] == policy.DEFAULTS["rotation_share"]


@pytest.mark.parametrize("degree, stage, expected", [
    ("associate", "primary", True), ("secondary", "primary", False),
    ("associate", "junior", False), ("bachelor", "junior", True), ("master", "junior", True), (None, "junior", False),
])
def test_above_required_degree(degree, stage, expected):
    assert policy.above_required_degree(degree, stage, policy.DEFAULTS) is expected


def test_sources_read_in_english_without_chinese_left():
    import re

    for setting in policy.SETTINGS:
        english = policy.source_text(setting, "en")
        assert not re.search(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", english), (setting.key, english)
        assert policy.source_text(setting, "zh") == setting.source


@pytest.mark.parametrize("raw, expected", [
    (True, True), (False, False), ("True", True), ("False", False), ("false", False), ("FALSE", False),
    ("on", True), ("off", False), ("1", True), ("0", False), (" yes ", True), ("", False),
])
def test_a_yes_no_setting_reads_words_as_meant(raw, expected):
    """bool("False") is True: a yes/no setting sent or stored as text must not flip."""
    assert policy.validate({"mentor_related_subjects": raw}) == {"mentor_related_subjects": expected}


@pytest.mark.parametrize("raw", ["maybe", "2", "nan"])
def test_a_yes_no_setting_refuses_other_words(raw):
    with pytest.raises(policy.PolicyError):
        policy.validate({"mentor_related_subjects": raw})

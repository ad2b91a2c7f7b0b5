"""GB 32100 unified social credit codes."""

import pytest

from app.directories.services.credit_code import normalise, problem


@pytest.mark.parametrize("value", ["91330100716105852F", "9144030071526726XG", "91110108MA01ABCDEN"])
def test_real_and_constructed_codes_pass(value):
    assert problem(value) is None


@pytest.mark.parametrize(("value", "reason"), [
    ("91330100716105852E", "校验位"),
    ("9133010071610585", "18 位"),
    ("91330100716105852I", "不允许的字符"),
    ("91AB0100716105852F", "行政区划"),
])
def test_bad_codes_say_why(value, reason):
    assert reason in problem(value)


def test_normalise_strips_spaces_and_upper_cases():
    assert normalise(" 9144 0300 7152 6726xg ") == "9144030071526726XG"

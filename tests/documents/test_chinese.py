"""Money in 大写 and figures, dates in the body and at the signature."""

from datetime import date

import pytest

from app.documents.services.chinese import date_numerals, date_text, money, money_figures, money_upper


@pytest.mark.parametrize(("amount", "upper"), [
    (150000, "人民币壹拾伍万元整"),
    (100000, "人民币壹拾万元整"),
    (20000, "人民币贰万元整"),
    (500, "人民币伍佰元整"),
    (105, "人民币壹佰零伍元整"),
    (1005, "人民币壹仟零伍元整"),
    (1050, "人民币壹仟零伍拾元整"),
    (100500, "人民币壹拾万零伍佰元整"),
    (20005000, "人民币贰仟万伍仟元整"),
    (100000005, "人民币壹亿零伍元整"),
    (101000000, "人民币壹亿零壹佰万元整"),
    (10, "人民币壹拾元整"),
    (0, "人民币零元整"),
    ("1680.32", "人民币壹仟陆佰捌拾元叁角贰分"),
    ("1.05", "人民币壹元零伍分"),
    ("3000.50", "人民币叁仟元伍角"),
    ("0.5", "人民币伍角"),
    ("0.07", "人民币柒分"),
    (3000.0, "人民币叁仟元整"),
    ("12345.675", "人民币壹万贰仟叁佰肆拾伍元陆角捌分"),  # rounded half up to the fen
])
def test_money_in_capitals(amount, upper):
    assert money_upper(amount) == upper


def test_money_figures_and_both():
    assert money_figures(150000) == "¥150,000.00"
    assert money_figures(3000.5) == "¥3,000.50"
    assert money(20000) == "人民币贰万元整（¥20,000.00）"
    with pytest.raises(ValueError):
        money_upper(-1)
    with pytest.raises(ValueError):
        money_upper("abc")


def test_dates():
    assert date_text("2026-11-22") == "2026年11月22日"
    assert date_text(date(2027, 3, 5)) == "2027年3月5日"
    assert date_numerals("2026-11-22") == "二〇二六年十一月二十二日"
    assert date_numerals("2030-10-10") == "二〇三〇年十月十日"
    assert date_numerals("2027-01-31") == "二〇二七年一月三十一日"
    assert date_text("") == "" and date_numerals(None) == ""

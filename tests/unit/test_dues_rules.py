"""The dues rules (services/members/dues/domain.py): bands, rounding, months, payments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.infra.errors import InvalidInput
from services.members.dues.domain import (
    Charge,
    add_months,
    check_amount,
    due_date,
    monthly_fen,
    on_time,
    payment_months,
    to_fen,
    yuan,
)
from tests.unit.fakes_dues import RULES


@pytest.mark.parametrize(
    ("income", "fen"),
    [
        ("0", 0),
        ("2000.00", 1000),  # 0.5 %
        ("3000.00", 1500),  # the boundary belongs to the lower band
        ("3000.01", 3000),  # 1 % of 3000.01 = 30.0001 -> 30.00
        ("5000.00", 5000),
        ("5000.01", 7500),  # 1.5 % = 75.00015 -> 75.00
        ("10000.00", 15000),
        ("10000.01", 20000),  # 2 % = 200.0002
        ("4567.50", 4568),  # 45.675 rounds half up to 45.68
        ("2345.10", 1173),  # 11.7255 -> 11.73
    ],
)
def test_bands_rate_the_income_and_round_half_up(income: str, fen: int) -> None:
    assert monthly_fen("income", Decimal(income), RULES) == fen


def test_reduced_categories_pay_their_fixed_amount() -> None:
    assert monthly_fen("retiree", None, RULES) == 50
    assert monthly_fen("student", None, RULES) == 20
    assert monthly_fen("no_income", None, RULES) == 20


def test_an_income_category_needs_the_income() -> None:
    with pytest.raises(InvalidInput):
        monthly_fen("income", None, RULES)


def test_money_and_months() -> None:
    assert to_fen(Decimal("0.005")) == 1
    assert yuan(1250) == "12.50"
    assert yuan(-5) == "-0.05"
    assert add_months("2026-11", 2) == "2027-01"
    assert add_months("2026-01", -1) == "2025-12"
    assert due_date("2026-02", RULES) == date(2026, 2, 28)
    assert on_time("2026-11", date(2026, 11, 30), RULES)
    assert not on_time("2026-11", date(2026, 12, 1), RULES)


def _charge(month: str, fen: int = 1500, paid_by: str | None = None) -> Charge:
    return Charge("m1", "b1", "/hj/s1/b1", month, fen, paid_by=paid_by)


def test_payment_months_charged_or_prepaid_within_the_window() -> None:
    charges = {"2026-10": _charge("2026-10"), "2026-11": _charge("2026-11")}
    prepay = {"2026-12": 1500, "2027-01": 1600}
    covered = payment_months(
        ["2027-01", "2026-10", "2026-12"], charges, prepay, "2026-11", RULES, "r1"
    )
    assert covered == [("2026-10", 1500), ("2026-12", 1500), ("2027-01", 1600)]
    check_amount(covered, 4600)
    with pytest.raises(InvalidInput) as wrong:
        check_amount(covered, 4500)
    assert wrong.value.details["fields"] == {"amount": ["46.00"]}


@pytest.mark.parametrize(
    "months",
    [
        [],  # nothing chosen
        ["2026-10", "2026-10"],  # twice
        ["2026-09"],  # a past month never charged
        ["2027-12"],  # beyond the months ahead
        ["2027-02"],  # not declared
    ],
)
def test_payment_months_refused(months: list[str]) -> None:
    charges = {"2026-10": _charge("2026-10")}
    with pytest.raises(InvalidInput):
        payment_months(months, charges, {"2026-12": 1}, "2026-11", RULES, "r1")


def test_a_month_paid_by_another_reference_is_refused_but_a_retry_passes() -> None:
    charges = {"2026-10": _charge("2026-10", paid_by="r0")}
    with pytest.raises(InvalidInput):
        payment_months(["2026-10"], charges, {}, "2026-11", RULES, "r1")
    assert payment_months(["2026-10"], charges, {}, "2026-11", RULES, "r0") == [("2026-10", 1500)]

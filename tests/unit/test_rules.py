from datetime import UTC, datetime, timedelta

import pytest

from services.infra.scope import ancestors, in_subtree
from services.members.domain import SignInWindow, child_path
from services.members.idcard import check_digit, is_valid, make_id_number
from services.scoring.rules import AwardRule, gaps, rules_from_config

NOV = datetime(2026, 11, 13, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("points", "cap", "already", "expected"),
    [(2, 8, 0, 2), (2, 8, 6, 2), (2, 8, 7, 1), (2, 8, 8, 0), (3, None, 300, 3), (3, 12, 13, 0)],
)
def test_award_respects_the_cap(points, cap, already, expected):
    assert AwardRule("base", "theme_day", points, cap).award(already) == expected


def test_caps_count_per_period():
    yearly = AwardRule("base", "org_life", 3, 12, "year")
    monthly = AwardRule("contribution", "study", 1, 5, "month")
    assert yearly.counter(NOV) == "org_life@2026"
    assert monthly.counter(NOV) == "study@2026-11"


def test_rules_come_from_configuration():
    rules = rules_from_config(
        {"theme_day": {"category": "base", "item": "theme_day", "points": 2, "cap": 8}}
    )
    assert rules["theme_day"] == AwardRule("base", "theme_day", 2, 8, "year")


def test_gaps_to_the_annual_requirement_never_go_negative():
    assert gaps({"base": 62, "contribution": 9}, {"base": 60, "contribution": 40}) == {
        "base": 0,
        "contribution": 31,
    }


@pytest.mark.parametrize(
    ("minutes_from_start", "is_open"),
    [(-21, False), (-20, True), (0, True), (20, True), (21, False)],
)
def test_sign_in_window(minutes_from_start, is_open):
    window = SignInWindow(NOV, 20, 20)
    assert window.is_open(NOV + timedelta(minutes=minutes_from_start)) is is_open


def test_org_paths_and_subtrees():
    assert child_path(None, "hj") == "/hj"
    assert child_path("/hj", "hj-s01") == "/hj/hj-s01"
    assert in_subtree("/hj/hj-s01/x", "/hj/hj-s01")
    assert not in_subtree("/hj/hj-s010", "/hj/hj-s01")  # a sibling sharing a prefix is outside
    assert ancestors("/hj/hj-s01/g1") == ["/hj", "/hj/hj-s01", "/hj/hj-s01/g1"]


def test_id_numbers():
    assert check_digit("11010519491231002") == "X"  # the standard's documentation example
    assert is_valid("11010519491231002X") and is_valid("11010519491231002x")
    assert not is_valid("110105194912310021")  # wrong check digit
    assert not is_valid("110105194902300029")  # 30 February
    made = make_id_number("410108", datetime(1980, 5, 4).date(), 7, "female")
    assert is_valid(made) and made.startswith("41010819800504") and int(made[16]) % 2 == 0

"""The yearly plan's rules (services/members/plans/domain.py): periods, states, theme days,
warnings and gaps, with no store."""

from __future__ import annotations

from datetime import date

import pytest

from services.infra.errors import InvalidInput
from services.members.plans.domain import (
    Period,
    PlanOrg,
    PlanRules,
    Rule,
    ThemeDayRule,
    gaps_in,
    parse_month,
    periods_of,
    year_plan,
)

BRANCH = ("branch", "general_branch")
RULES = PlanRules(
    rules=(
        Rule("general_meeting", "quarter", 1, BRANCH),
        Rule("committee_meeting", "month", 1, BRANCH),
        Rule("group_meeting", "month", 1, ("group",)),
        Rule("lecture", "year", 2, BRANCH),
        Rule("theme_day", "month", 1, BRANCH),
        Rule("org_life_meeting", "year", 1, BRANCH),
        Rule("democratic_appraisal", "year", 1, BRANCH),
    ),
    theme_day=ThemeDayRule.named("friday", 2),
    warn_days=14,
)
B1 = PlanOrg("b1", "一支部", "branch", "/hj/s1/b1")


def test_periods_of_a_year():
    assert [p.key for p in periods_of(2026, "quarter")] == [
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
        "2026-Q4",
    ]
    assert len(periods_of(2026, "month")) == 12
    half = periods_of(2026, "half")[1]
    assert (half.key, half.first, half.last) == ("2026-H2", date(2026, 7, 1), date(2026, 12, 31))
    feb = Period.containing(date(2028, 2, 10), "month")
    assert (feb.key, feb.last) == ("2028-02", date(2028, 2, 29))
    assert Period.containing(date(2026, 11, 5), "quarter").months == ["10", "11", "12"]


def test_states_done_due_missing_upcoming():
    q = Period.of(2026, "quarter", 1)  # April-June
    assert q.state(1, 1, date(2026, 5, 1)) == "done"
    assert q.state(1, 0, date(2026, 5, 1)) == "due"
    assert q.state(1, 0, date(2026, 7, 1)) == "missing"
    assert q.state(1, 0, date(2026, 3, 31)) == "upcoming"
    assert q.state(2, 1, date(2026, 6, 30)) == "due"  # held, but fewer than required


def test_theme_day_rule_second_friday_and_last():
    rule = ThemeDayRule.named("friday", 2)
    days = rule.days_of(2026)
    assert len(days) == 12
    assert days[0] == date(2026, 1, 9) and days[10] == date(2026, 11, 13)
    assert all(d.weekday() == 4 and 8 <= d.day <= 14 for d in days)
    assert ThemeDayRule.named("monday", -1).day_in(2026, 11) == date(2026, 11, 30)
    assert ThemeDayRule.named("friday", 5).day_in(2026, 2) is None  # no fifth Friday
    with pytest.raises(ValueError):
        ThemeDayRule.named("someday", 1)
    with pytest.raises(ValueError):
        ThemeDayRule(4, 6)


def test_rules_refuse_unknown_kinds_and_periods():
    with pytest.raises(ValueError):
        Rule("picnic", "month", 1, BRANCH)
    with pytest.raises(ValueError):
        Rule("lecture", "week", 1, BRANCH)
    with pytest.raises(ValueError):
        Rule("lecture", "year", 1, ("club",))


def test_which_kinds_apply_to_which_organizations():
    assert {r.kind for r in RULES.for_org("group")} == {"group_meeting"}
    assert RULES.for_org("committee") == []
    assert "general_meeting" in {r.kind for r in RULES.for_org("branch")}
    assert RULES.org_kinds() == ["branch", "general_branch", "group"]


def test_year_plan_counts_held_meetings_per_period():
    held = {"01": {"committee_meeting": 1}, "02": {"general_meeting": 1, "lecture": 1}}
    plan = year_plan(B1, 2026, held, date(2026, 5, 20), RULES)
    by = {(e.kind, e.key): e for e in plan.entries}
    assert by[("committee_meeting", "2026-01")].state == "done"
    assert by[("committee_meeting", "2026-02")].state == "missing"
    assert by[("committee_meeting", "2026-05")].state == "due"
    assert by[("committee_meeting", "2026-06")].state == "upcoming"
    assert by[("general_meeting", "2026-Q1")].state == "done"
    assert by[("general_meeting", "2026-Q2")].state == "due"
    lecture = by[("lecture", "2026")]
    assert (lecture.required, lecture.held, lecture.state) == (2, 1, "due")
    assert by[("theme_day", "2026-03")].theme_day == date(2026, 3, 13)
    assert len(plan.entries) == 4 + 12 + 1 + 12 + 1 + 1
    assert plan.theme_days == RULES.theme_day.days_of(2026)  # type: ignore[union-attr]
    assert (plan.org_id, plan.org_kind, plan.year) == ("b1", "branch", 2026)


def test_warnings_missing_first_then_due_within_the_days():
    plan = year_plan(B1, 2026, {}, date(2026, 5, 10), RULES)
    states = [w.state for w in plan.warnings]
    assert states == sorted(states, key=lambda s: s != "missing")
    keys = {(w.kind, w.key) for w in plan.warnings}
    assert ("committee_meeting", "2026-04") in keys  # missing
    assert ("committee_meeting", "2026-05") not in keys  # due, 21 days left (warn_days 14)
    late = year_plan(B1, 2026, {}, date(2026, 5, 17), RULES)  # 14 days left
    assert ("committee_meeting", "2026-05") in {(w.kind, w.key) for w in late.warnings}
    assert ("lecture", "2026") not in {(w.kind, w.key) for w in late.warnings}  # far off
    assert ("committee_meeting", "2026-06") not in {(w.kind, w.key) for w in late.warnings}


def test_gaps_of_a_month_are_the_due_and_missing_requirements():
    held = {"11": {"committee_meeting": 1}, "10": {"general_meeting": 1}}
    gaps = gaps_in("branch", date(2026, 11, 1), held, date(2026, 11, 20), RULES)
    assert {(g.kind, g.state) for g in gaps} == {
        ("theme_day", "due"),
        ("lecture", "due"),
        ("org_life_meeting", "due"),
        ("democratic_appraisal", "due"),
    }
    past = gaps_in("branch", date(2026, 10, 1), held, date(2026, 11, 20), RULES)
    assert ("committee_meeting", "missing") in {(g.kind, g.state) for g in past}
    assert gaps_in("committee", date(2026, 11, 1), {}, date(2026, 11, 20), RULES) == []
    future = gaps_in("group", date(2027, 1, 1), {}, date(2026, 11, 20), RULES)
    assert future == []  # upcoming is not a gap


def test_a_period_must_be_a_month():
    assert parse_month("2026-03") == date(2026, 3, 1)
    with pytest.raises(InvalidInput):
        parse_month("2026-13")

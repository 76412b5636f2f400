"""Lapse warnings over the fakes: a member inactive for a threshold's months is warned once per
threshold and streak, a new activity starts a new streak, members out of the register are not
warned, the list shows the current warnings in scope longest inactive first."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from services.infra.errors import Forbidden
from services.members.activity import ORG_LIFE
from services.members.mobile import commands
from services.members.mobile.lapse import list_lapse_warnings, raise_lapse_warnings
from tests.unit.fakes_lifecycle import READER1, SECRETARY1, SECRETARY2, registered
from tests.unit.fakes_mobile import mobile_settings, world


@pytest.fixture
def uow():
    return world()


def inactive_since(uow, member, month):
    uow.activity.rows[member.member_id] = {"registered": month, "last_active": month}


def run(uow, today):
    return raise_lapse_warnings(uow, mobile_settings(today))


def warnings(uow):
    return [e["payload"] for e in uow.lapse.events]


def test_registration_marks_the_member_seen_in_its_month(uow):
    member = registered(uow)
    assert uow.activity.of([member.member_id])[member.member_id]["last_active"] == "2026-11"


def test_warned_once_at_each_threshold_of_a_streak(uow):
    member = registered(uow)
    inactive_since(uow, member, "2026-03")
    assert run(uow, date(2026, 5, 20)) == 0  # 2 months
    assert run(uow, date(2026, 6, 1)) == 1  # 3 months
    assert run(uow, date(2026, 6, 30)) == 0  # the same threshold and streak again
    assert run(uow, date(2026, 7, 15)) == 0  # 4 months: nothing new
    assert run(uow, date(2026, 8, 2)) == 1  # 5 months
    assert run(uow, date(2026, 9, 2)) == 0
    (first, second) = warnings(uow)
    assert first == {
        **first,
        "member_id": member.member_id,
        "org_id": "b1",
        "months_inactive": 3,
        "threshold": 3,
        "last_active": "2026-03",
    }
    assert (second["threshold"], second["months_inactive"]) == (5, 5)
    assert member.name not in str(warnings(uow))


def test_a_new_activity_starts_a_new_streak(uow):
    member = registered(uow)
    inactive_since(uow, member, "2026-03")
    run(uow, date(2026, 6, 1))
    uow.activity.record([member.member_id], ORG_LIFE, "2026-06")
    assert run(uow, date(2026, 8, 1)) == 0
    assert run(uow, date(2026, 9, 1)) == 1
    assert [w["last_active"] for w in warnings(uow)] == ["2026-03", "2026-06"]


def test_a_month_the_timer_missed_is_caught_up(uow):
    member = registered(uow)
    inactive_since(uow, member, "2026-03")
    assert run(uow, date(2026, 7, 3)) == 1  # 4 months: threshold 3 still raised (catch-up 1)
    assert warnings(uow)[0]["months_inactive"] == 4


def test_members_out_of_the_register_are_not_warned(uow):
    member = registered(uow)
    inactive_since(uow, member, "2026-03")
    uow.members.rows[member.member_id] = replace(member, status="lapsed")
    assert run(uow, date(2026, 6, 1)) == 0


def test_thresholds_are_configuration(uow):
    member = registered(uow)
    inactive_since(uow, member, "2026-03")
    assert raise_lapse_warnings(uow, mobile_settings(date(2026, 5, 1), lapse_thresholds=(2,))) == 1


def test_the_list_current_warnings_longest_inactive_first_in_scope(uow):
    a = registered(uow)
    b = registered(uow, seq=2, card="A0000002")
    c = registered(uow, seq=3, card="A0000003", org_id="b3")
    d = registered(uow, seq=4, card="A0000004")
    inactive_since(uow, a, "2026-05")
    inactive_since(uow, b, "2026-03")
    inactive_since(uow, c, "2026-03")
    inactive_since(uow, d, "2026-05")
    run(uow, date(2026, 8, 1))
    run(uow, date(2026, 9, 10))
    uow.activity.record([d.member_id], ORG_LIFE, "2026-09")  # active again: off the list
    settings = mobile_settings(date(2026, 9, 10))
    found, _ = list_lapse_warnings(commands.ListLapseWarnings("b1"), uow, SECRETARY1, settings)
    assert [(w.member.member_id, w.months_inactive, w.threshold) for w in found] == [
        (b.member_id, 6, 5),
        (a.member_id, 4, 3),
    ]
    assert [w.rule_reached for w in found] == [True, False]
    in_s1, _ = list_lapse_warnings(commands.ListLapseWarnings("s1"), uow, READER1, settings)
    assert c.member_id not in {w.member.member_id for w in in_s1}
    with pytest.raises(Forbidden):
        list_lapse_warnings(commands.ListLapseWarnings("b1"), uow, SECRETARY2, settings)

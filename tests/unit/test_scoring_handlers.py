"""Points rules and the scoring handlers over in-memory fakes."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from services.infra.errors import Forbidden, InvalidInput
from services.infra.scope import Caller
from services.scoring import commands, handlers
from services.scoring.ledger import Ledger, Source, Totals
from services.scoring.rules import AwardRule
from tests.unit.fakes_scoring import FakeScoringUoW

SETTINGS = handlers.Settings(
    meeting_points={
        "theme_day": AwardRule("base", "theme_day", 2, 8),
        "general_meeting": AwardRule("base", "org_life", 3, 12),
    },
    requirement={"base": 60, "contribution": 40},
    timezone=ZoneInfo("Asia/Shanghai"),
)
SECRETARY = Caller("sec", "branch_secretary", "/hj/s1/b1")
OTHER_STREET = Caller("s2", "org_admin", "/hj/s2")


def checked_in(kind="theme_day", member="mb-1", at=None, device="k1"):
    return commands.AwardMeetingAttendance(
        event_id=str(uuid.uuid4()),
        member_id=member,
        member_org_path="/hj/s1/b1",
        meeting_kind=kind,
        checked_in_at=at or datetime(2026, 11, 13, 1, 0, tzinfo=UTC),
        device_id=device,
    )


def test_an_attendance_earns_its_points_and_announces_them():
    uow = FakeScoringUoW()
    entry = handlers.award_meeting_attendance(checked_in(), uow, SETTINGS)
    assert entry is not None and (entry.points, entry.seq, entry.total_after) == (2, 1, 2)
    [event] = uow.ledger.events
    assert event["type"] == "points_awarded" and event["payload"]["points"] == 2
    assert uow.totals.get("mb-1", 2026).total == 2


def test_a_redelivered_event_awards_nothing_more():
    uow = FakeScoringUoW()
    cmd = checked_in()
    first = handlers.award_meeting_attendance(cmd, uow, SETTINGS)
    again = handlers.award_meeting_attendance(cmd, uow, SETTINGS)
    assert first == again and len(uow.ledger.entries) == 1
    assert uow.totals.get("mb-1", 2026).total == 2


def test_a_redelivery_after_later_awards_returns_the_stored_entry_unchanged():
    uow = FakeScoringUoW()
    cmd = checked_in()
    first = handlers.award_meeting_attendance(cmd, uow, SETTINGS)
    handlers.award_meeting_attendance(checked_in(), uow, SETTINGS)  # the totals move on
    again = handlers.award_meeting_attendance(cmd, uow, SETTINGS)
    assert again == first and (again.seq, again.total_after) == (1, 2)
    assert len(uow.ledger.entries) == 2 and uow.totals.get("mb-1", 2026).total == 4


def test_the_yearly_cap_is_shared_by_the_item_and_never_exceeded():
    uow = FakeScoringUoW()
    points = [
        handlers.award_meeting_attendance(checked_in(), uow, SETTINGS).points for _ in range(6)
    ]
    assert points == [2, 2, 2, 2, 0, 0]
    entry = list(uow.ledger.entries.values())[-1]
    assert entry.capped and uow.totals.get("mb-1", 2026).total == 8


def test_unknown_meeting_kinds_earn_nothing():
    uow = FakeScoringUoW()
    assert handlers.award_meeting_attendance(checked_in("lecture"), uow, SETTINGS) is None
    assert not uow.ledger.entries


def test_the_year_is_the_china_year():
    uow = FakeScoringUoW()
    new_year_in_china = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)  # 01:00 on 1 January 2027
    entry = handlers.award_meeting_attendance(checked_in(at=new_year_in_china), uow, SETTINGS)
    assert entry is not None and entry.year == 2027


def test_a_concurrent_award_makes_the_loser_recompute_from_the_winner():
    """Two workers read the same totals (6 of 8 theme-day points); the one that stores first
    wins seq 7, the other must recompute and is capped instead of exceeding the cap."""
    uow = FakeScoringUoW()
    for _ in range(3):
        handlers.award_meeting_attendance(checked_in(), uow, SETTINGS)
    rival = checked_in()

    def rival_stores_first(_entry):
        stale = uow.totals.get("mb-1", 2026)
        source = Source("member_checked_in", rival.event_id, "mb-1", "/hj/s1/b1", _entry.at, "r")
        entry, events = Ledger(stale).post(source, SETTINGS.meeting_points["theme_day"])
        uow.ledger.add(entry, events)  # stored, but the rival "crashes" before applying it

    uow.ledger.before_add = rival_stores_first
    mine = handlers.award_meeting_attendance(checked_in(), uow, SETTINGS)
    assert mine is not None and mine.seq == 5 and mine.points == 0
    totals = uow.totals.get("mb-1", 2026)
    assert (totals.total, totals.version) == (8, 5)  # the crashed rival's entry applied once


def test_totals_follow_entries_in_order_only():
    totals = Totals("mb-1", 2026)
    source = Source("x", "1", "mb-1", "/a", datetime(2026, 1, 1, tzinfo=UTC), "r")
    entry, _ = Ledger(totals).post(source, AwardRule("base", "a", 1, None))
    with pytest.raises(ValueError):
        totals.after(replace(entry, seq=2))


def test_scorecard_shows_gaps_and_is_scoped():
    uow = FakeScoringUoW()
    handlers.award_meeting_attendance(checked_in("general_meeting"), uow, SETTINGS)
    card = handlers.scorecard(commands.ListEntries("mb-1", 2026), uow, SECRETARY, SETTINGS)
    assert card.gaps == {"base": 57, "contribution": 40} and card.counts == {"org_life": 1}
    with pytest.raises(Forbidden):
        handlers.scorecard(commands.ListEntries("mb-1", 2026), uow, OTHER_STREET, SETTINGS)
    me = Caller("mb-1", "member", "/hj/s1/b1")
    assert handlers.scorecard(commands.ListEntries("mb-1", 2026), uow, me, SETTINGS).total == 3
    with pytest.raises(Forbidden):
        handlers.scorecard(
            commands.ListEntries("mb-1", 2026), uow, Caller("mb-2", "member", "/"), SETTINGS
        )


def test_entries_page_newest_first_with_a_cursor():
    uow = FakeScoringUoW()
    for _ in range(5):
        handlers.award_meeting_attendance(checked_in(), uow, SETTINGS)
    first, cursor = handlers.list_entries(
        commands.ListEntries("mb-1", 2026, limit=2), uow, SECRETARY, SETTINGS
    )
    assert [e.seq for e in first] == [5, 4] and cursor
    rest, end = handlers.list_entries(
        commands.ListEntries("mb-1", 2026, cursor=cursor, limit=10), uow, SECRETARY, SETTINGS
    )
    assert [e.seq for e in rest] == [3, 2, 1] and end is None
    with pytest.raises(InvalidInput):
        handlers.list_entries(
            commands.ListEntries("mb-1", 2026, cursor="garbage"), uow, SECRETARY, SETTINGS
        )


def test_check_in_points_pending_then_awarded_and_only_for_the_recording_kiosk():
    uow = FakeScoringUoW()
    cmd = checked_in()
    kiosk = Caller("k1", "kiosk", "/hj/s1", device="k1")
    assert handlers.check_in_points(cmd.event_id, uow, kiosk)["status"] == "pending"
    handlers.award_meeting_attendance(cmd, uow, SETTINGS)
    assert handlers.check_in_points(cmd.event_id, uow, kiosk) == {
        "status": "awarded",
        "points": 2,
        "category": "base",
        "total": 2,
    }
    with pytest.raises(Forbidden):
        handlers.check_in_points(cmd.event_id, uow, Caller("k2", "kiosk", "/hj/s1", device="k2"))
    with pytest.raises(Forbidden):
        handlers.check_in_points(cmd.event_id, uow, OTHER_STREET)

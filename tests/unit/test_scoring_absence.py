"""Scoring deducts points for each unexcused absence from a closed meeting (meeting_closed)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from marshmallow import ValidationError

from services.infra.events import isoformat
from services.infra.schemas import shared
from services.scoring import commands, handlers, schemas
from services.scoring.rules import AwardRule, rules_from_config
from services.scoring.service import settings as settings_from_config
from tests.unit.fakes_scoring import FakeScoringUoW

SETTINGS = handlers.Settings(
    meeting_points={"theme_day": AwardRule("base", "theme_day", 2, 8)},
    requirement={"base": 60, "contribution": 40},
    timezone=ZoneInfo("Asia/Shanghai"),
    absence={"theme_day": AwardRule("base", "absence", -1, None)},
)
CLOSED_AT = datetime(2026, 11, 13, 2, 0, tzinfo=UTC)


def closed(kind="theme_day", absent=("mb-1", "mb-2"), meeting="mt-1"):
    return commands.DeductAbsences(meeting, kind, "/hj/s1/b1", CLOSED_AT, tuple(absent))


def test_each_unexcused_absence_is_a_negative_entry_with_its_reason():
    uow = FakeScoringUoW()
    entries = handlers.deduct_absences(closed(), uow, SETTINGS)
    assert [(e.member_id, e.points, e.reason) for e in entries] == [
        ("mb-1", -1, "meeting_absent:theme_day"),
        ("mb-2", -1, "meeting_absent:theme_day"),
    ]
    assert entries[0].entry_id == "meeting_closed:mt-1:mb-1"
    assert uow.totals.get("mb-1", 2026).total == -1
    assert [e["payload"]["points"] for e in uow.ledger.events] == [-1, -1]


def test_a_redelivered_or_repeated_closing_deducts_nothing_more():
    uow = FakeScoringUoW()
    handlers.deduct_absences(closed(), uow, SETTINGS)
    again = handlers.deduct_absences(closed(absent=("mb-1", "mb-1", "mb-3")), uow, SETTINGS)
    assert [e.member_id for e in again] == ["mb-1", "mb-3"]
    assert uow.totals.get("mb-1", 2026).total == -1
    assert uow.totals.get("mb-3", 2026).total == -1
    assert len(uow.ledger.events) == 3


def test_a_kind_without_a_deduction_deducts_nothing():
    uow = FakeScoringUoW()
    assert handlers.deduct_absences(closed(kind="lecture"), uow, SETTINGS) == []


def test_the_deduction_follows_the_members_points_card_org():
    uow = FakeScoringUoW()
    attended = commands.AwardMeetingAttendance(
        str(uuid.uuid4()), "mb-1", "/hj/s2/b3", "theme_day", CLOSED_AT
    )
    handlers.award_meeting_attendance(attended, uow, SETTINGS)
    [entry] = handlers.deduct_absences(closed(absent=("mb-1",), meeting="mt-2"), uow, SETTINGS)
    assert entry.org_path == "/hj/s2/b3" and uow.totals.get("mb-1", 2026).total == 1


def test_the_event_copy_loads_into_the_command():
    payload = {
        "event_id": str(uuid.uuid4()),
        "occurred_at": isoformat(CLOSED_AT),
        "version": 1,
        "org_path": "/hj/s1/b1",
        "meeting_id": "mt-1",
        "org_id": "b1",
        "kind": "theme_day",
        "month": "2026-11",
        "closed_at": isoformat(CLOSED_AT),
        "expected": 3,
        "present": 1,
        "excused": 0,
        "absent": 2,
        "rate": 0.3333,
        "absent_member_ids": ["mb-1", "mb-2"],
    }
    cmd = shared(schemas.MeetingClosed).load(payload)
    assert cmd == closed()
    with pytest.raises(ValidationError):
        shared(schemas.MeetingClosed).load({**payload, "absent_member_ids": None})


def test_the_configured_deductions_are_read():
    config = {
        "MEETING_POINTS": {},
        "ANNUAL_REQUIREMENT": {"base": 60},
        "MEETING_ABSENCE": {"theme_day": {"category": "base", "item": "absence", "points": -1}},
    }
    assert settings_from_config(config).absence == rules_from_config(config["MEETING_ABSENCE"])

"""Meetings held over the in-memory fakes: leave, closing with the sheet, rates, minutes."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import date, timedelta

import pytest

from services.infra.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.infra.pii import PiiCipher
from services.infra.scope import Caller
from services.members import commands, handlers
from services.members.domain import MobileStay
from services.members.idcard import make_id_number
from services.members.orglife import closing, leave
from services.members.orglife import commands as ol
from services.members.orglife.domain import attendance_rate, photo_type
from tests.unit.fakes_orglife import NOW, Clock, FakeOrgLifeUoW, orglife_settings

OPERATOR = Caller("op", "county_operator", "/hj")
SECRETARY1 = Caller("sec", "branch_secretary", "/hj/s1/b1")
SECRETARY3 = Caller("sec3", "branch_secretary", "/hj/s2/b3")
KIOSK1 = Caller("k1", "kiosk", "/hj/s1", device="k1")
STARTS = NOW + timedelta(days=1)
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"1" * 100


@pytest.fixture
def clock():
    return Clock(NOW)


@pytest.fixture
def settings(clock):
    return orglife_settings(clock)


@pytest.fixture
def msettings(clock):
    key = base64.b64decode(base64.b64encode(b"k" * 32))
    return handlers.Settings(cipher=PiiCipher(key, b"h" * 32), clock=clock)


def person(org_id, seq):
    birth = date(1980, 5, 6)
    return commands.RegisterMember(
        org_id=org_id,
        name=f"党员{seq}",
        gender="male",
        birth_date=birth,
        id_number=make_id_number("410108", birth, seq, "male"),
        phone="13800001234",
        join_date=date(2005, 7, 1),
        card_uid=f"A{seq:07d}",
    )


@pytest.fixture
def uow(msettings):
    uow = FakeOrgLifeUoW()
    for org_id, parent in [("hj", None), ("s1", "hj"), ("s2", "hj"), ("b1", "s1"), ("b3", "s2")]:
        handlers.create_org(
            commands.CreateOrg(org_id, org_id, "branch", parent_id=parent), uow, OPERATOR
        )
    for seq in range(1, 6):  # m1..m5 in b1
        member, _ = handlers.register_member(person("b1", seq), uow, OPERATOR, msettings)
        uow.members.rows[f"m{seq}"] = replace(member, member_id=f"m{seq}")
        del uow.members.rows[member.member_id]
    mobile, _ = handlers.register_member(person("b3", 6), uow, OPERATOR, msettings)
    del uow.members.rows[mobile.member_id]
    stay = MobileStay("郑州", date(2026, 1, 1), date(2027, 1, 1), "b1", "/hj/s1/b1")
    uow.members.rows["m6"] = replace(mobile, member_id="m6", mobile=stay)  # hosted by b1
    other, _ = handlers.register_member(person("b3", 7), uow, OPERATOR, msettings)
    del uow.members.rows[other.member_id]
    uow.members.rows["m7"] = replace(other, member_id="m7")  # not expected
    handlers.enroll_kiosk(commands.EnrollKiosk("k1", "s1", "党群服务中心"), uow, OPERATOR)
    handlers.schedule_meeting(
        commands.ScheduleMeeting(
            org_id="b1", kind="theme_day", title="主题党日", starts_at=STARTS, meeting_id="mt1"
        ),
        uow,
        SECRETARY1,
        msettings,
    )
    return uow


def ask(uow, settings, member_id, caller=SECRETARY1, reason="出差"):
    return leave.request_leave(ol.RequestLeave("mt1", member_id, reason), uow, caller, settings)


def decide(uow, settings, member_id, approve=True, reason=None, caller=SECRETARY1):
    cmd = ol.DecideLeave("mt1", member_id, approve, reason)
    return leave.decide_leave(cmd, uow, caller, settings)


def sign_in(uow, msettings, seq):
    handlers.check_in(commands.CheckIn(f"A{seq:07d}", "mt1"), uow, KIOSK1, msettings)


def close(uow, settings, caller=SECRETARY1):
    return closing.close_meeting(ol.CloseMeeting("mt1"), uow, caller, settings)


# -- leave -------------------------------------------------------------------------------------


def test_a_member_requests_leave_for_themselves_once(uow, settings):
    me = Caller("m1", "member", "/hj/s1/b1")
    request, created = ask(uow, settings, "m1", caller=me)
    assert created and request.status == "pending" and request.requested_by == "m1"
    again, created_again = ask(uow, settings, "m1", caller=me, reason="另一理由")
    assert not created_again and again == request
    with pytest.raises(Forbidden):
        ask(uow, settings, "m2", caller=me)


def test_leave_only_for_expected_members_in_scope(uow, settings):
    assert ask(uow, settings, "m6")[1]  # the mobile member hosted by b1
    with pytest.raises(Forbidden):
        ask(uow, settings, "m7")  # outside the secretary's scope and not expected
    with pytest.raises(Forbidden):
        ask(uow, settings, "m7", caller=SECRETARY3)  # b3's secretary: not expected at b1
    with pytest.raises(NotFound):
        ask(uow, settings, "nobody")


def test_leave_needs_a_reason_and_comes_before_the_start(uow, settings, clock):
    with pytest.raises(InvalidInput):
        ask(uow, settings, "m1", reason="  ")
    clock.now = STARTS
    with pytest.raises(Conflict):
        ask(uow, settings, "m1")


def test_the_organizer_approves_or_declines_with_a_reason(uow, settings):
    ask(uow, settings, "m1")
    ask(uow, settings, "m2")
    approved = decide(uow, settings, "m1")
    assert approved.status == "approved" and approved.decided_by == "sec"
    assert decide(uow, settings, "m1") == approved  # the same decision again: nothing more
    with pytest.raises(Conflict):
        decide(uow, settings, "m1", approve=False, reason="不行")
    with pytest.raises(InvalidInput):
        decide(uow, settings, "m2", approve=False)
    declined = decide(uow, settings, "m2", approve=False, reason="会议重要")
    assert declined.status == "declined" and declined.decline_reason == "会议重要"
    with pytest.raises(Forbidden):
        decide(uow, settings, "m2", caller=SECRETARY3)


def test_declined_or_withdrawn_leave_may_be_requested_again_before_the_start(uow, settings):
    ask(uow, settings, "m1")
    decide(uow, settings, "m1", approve=False, reason="会议重要")
    again, created = ask(uow, settings, "m1", reason="生病")
    assert created and again.status == "pending" and again.reason == "生病"
    withdrawn = leave.withdraw_leave(ol.WithdrawLeave("mt1", "m1"), uow, SECRETARY1, settings)
    assert withdrawn.status == "withdrawn"
    assert ask(uow, settings, "m1")[1]


def test_pending_lists_follow_the_scope(uow, settings):
    ask(uow, settings, "m1")
    ask(uow, settings, "m2")
    decide(uow, settings, "m2")
    items, _ = leave.list_pending_leave(ol.ListPendingLeave(), uow, SECRETARY1)
    assert [r.member_id for r in items] == ["m1"]
    assert leave.list_pending_leave(ol.ListPendingLeave(), uow, SECRETARY3)[0] == []
    listed, _ = leave.list_meeting_leave(ol.ListMeetingLeave("mt1"), uow, SECRETARY1)
    assert {r.member_id for r in listed} == {"m1", "m2"}
    with pytest.raises(Forbidden):
        leave.list_meeting_leave(ol.ListMeetingLeave("mt1"), uow, SECRETARY3)


# -- closing -----------------------------------------------------------------------------------


@pytest.fixture
def held(uow, settings, msettings, clock):
    """m1 approved leave, m2 declined; m3, m4 and the mobile m6 sign in; m5 absent."""
    ask(uow, settings, "m1")
    decide(uow, settings, "m1")
    ask(uow, settings, "m2")
    decide(uow, settings, "m2", approve=False, reason="会议重要")
    clock.now = STARTS
    for seq in (3, 4, 6):
        sign_in(uow, msettings, seq)
    clock.now = STARTS + timedelta(minutes=30)
    return uow


def test_a_meeting_closes_only_after_its_sign_in_window(uow, settings, clock):
    clock.now = STARTS + timedelta(minutes=10)
    with pytest.raises(Conflict):
        close(uow, settings)


def test_closing_computes_the_sheet_the_rate_and_the_event(held, settings):
    closed, created = close(held, settings)
    assert created
    assert (closed.expected, closed.present, closed.excused, closed.absent) == (6, 3, 1, 2)
    assert closed.absent_ids == ("m2", "m5") and closed.rate == round(3 / 5, 4)
    [event] = held.orglife.events
    assert event["type"] == "meeting_closed"
    payload = event["payload"]
    assert payload["absent_member_ids"] == ["m2", "m5"] and payload["month"] == "2026-11"
    assert payload["rate"] == 0.6 and "name" not in str(payload)
    rows = {r.member_id: r for r in held.orglife.sheets["mt1"]}
    assert rows["m1"].outcome == "excused" and rows["m6"].outcome == "present"
    assert rows["m6"].member_org_path == "/hj/s2/b3"  # the mobile member's home sees it


def test_closing_again_returns_the_same_and_counts_once(held, settings):
    first, _ = close(held, settings)
    again, created = close(held, settings)
    assert again == first and not created
    assert len(held.orglife.events) == 1
    assert held.orglife.rate_rows[("hj", "2026-11")].meetings == 1
    assert held.orglife.rate_rows[("b1", "2026-11")].present == 3
    assert held.activity.rows["m3"]["org_life"] == "2026-11"
    assert "m5" not in held.activity.rows


def test_a_closed_meeting_takes_no_sign_ins_and_no_leave(held, settings, msettings, clock):
    close(held, settings)
    with pytest.raises(Conflict):
        sign_in(held, msettings, 5)
    with pytest.raises(Conflict):
        decide(held, settings, "m1", approve=False, reason="x")
    with pytest.raises(Conflict):
        ask(held, settings, "m5")


def test_only_the_organizer_in_scope_closes(held, settings):
    with pytest.raises(Forbidden):
        close(held, settings, caller=SECRETARY3)
    with pytest.raises(Forbidden):
        close(held, settings, caller=Caller("m1", "member", "/hj/s1/b1"))


def test_an_open_to_all_meeting_expects_those_present(uow, settings, msettings, clock):
    handlers.schedule_meeting(
        commands.ScheduleMeeting(
            org_id="b1",
            kind="lecture",
            title="党课",
            starts_at=STARTS,
            meeting_id="mt2",
            open_to_all=True,
        ),
        uow,
        SECRETARY1,
        msettings,
    )
    clock.now = STARTS
    handlers.check_in(commands.CheckIn("A0000007", "mt2"), uow, KIOSK1, msettings)
    clock.now = STARTS + timedelta(hours=1)
    closed, _ = closing.close_meeting(ol.CloseMeeting("mt2"), uow, SECRETARY1, settings)
    assert (closed.expected, closed.present, closed.absent, closed.rate) == (1, 1, 0, 1.0)


def test_the_sheet_shows_masked_names_and_a_home_org_its_mobile_members(held, settings):
    close(held, settings)
    found, items, _ = closing.get_sheet(ol.GetSheet("mt1"), held, SECRETARY1)
    assert found.expected == 6 and len(items) == 6
    assert all("*" in i["name_masked"] for i in items)
    _, home, _ = closing.get_sheet(ol.GetSheet("mt1"), held, SECRETARY3)
    assert [i["member_id"] for i in home] == ["m6"]


def test_rates_of_an_org_and_its_children(held, settings):
    close(held, settings)
    cmd = ol.GetRates("s1", "2026-10", "2026-11", children=True)
    items, _ = closing.get_rates(cmd, held, OPERATOR, settings)
    assert [i["org_id"] for i in items] == ["s1", "b1"]
    november = items[0]["months"][1]
    assert (november.meetings, november.expected, november.present, november.rate) == (
        1,
        6,
        3,
        0.6,
    )
    assert items[0]["months"][0].rate is None
    with pytest.raises(InvalidInput):
        closing.get_rates(ol.GetRates("s1", "2026-11", "2026-10"), held, OPERATOR, settings)
    with pytest.raises(Forbidden):
        closing.get_rates(ol.GetRates("s1", "2026-11", "2026-11"), held, SECRETARY3, settings)


# -- minutes -----------------------------------------------------------------------------------


def test_minutes_with_photos_checked_by_content(held, settings):
    with pytest.raises(NotFound):  # not closed yet
        closing.put_minutes(ol.PutMinutes("mt1", "主题", "内容", []), held, SECRETARY1, settings)
    close(held, settings)
    cmd = ol.PutMinutes("mt1", "学习二十大", "内容", [JPEG, PNG])
    minutes = closing.put_minutes(cmd, held, SECRETARY1, settings)
    assert [p.content_type for p in minutes.photos] == ["image/jpeg", "image/png"]
    again = closing.put_minutes(cmd, held, SECRETARY1, settings)  # the same photos: kept once
    assert len(again.photos) == 2
    photo, content = closing.read_photo(
        ol.ReadPhoto("mt1", minutes.photos[0].photo_id), held, SECRETARY1, settings
    )
    assert content == JPEG and photo.content_type == "image/jpeg"
    with pytest.raises(InvalidInput):
        closing.put_minutes(
            ol.PutMinutes("mt1", "t", "c", [b"GIF89a..."]), held, SECRETARY1, settings
        )
    small = orglife_settings(settings.clock, photo_max_bytes=50, photo_max_count=3)
    with pytest.raises(InvalidInput):
        closing.put_minutes(ol.PutMinutes("mt1", "t", "c", [JPEG + b"x"]), held, SECRETARY1, small)
    with pytest.raises(InvalidInput):
        closing.put_minutes(
            ol.PutMinutes("mt1", "t", "c", [PNG + b"a", PNG + b"b"]), held, SECRETARY1, small
        )


@pytest.mark.parametrize(
    ("present", "expected", "excused", "rate"),
    [(55, 60, 3, 0.9649), (0, 3, 3, None), (3, 3, 0, 1.0), (0, 5, 1, 0.0)],
)
def test_attendance_rate(present, expected, excused, rate):
    assert attendance_rate(present, expected, excused) == rate


@pytest.mark.parametrize(
    ("content", "found"),
    [(JPEG, "image/jpeg"), (PNG, "image/png"), (b"GIF89a", None), (b"", None)],
)
def test_photo_type_by_content(content, found):
    assert photo_type(content) == found

"""Every rule and branch of the members handlers, over in-memory fakes (no broker, no store)."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, timedelta

import pytest

from services.infra.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.infra.pii import PiiCipher
from services.infra.scope import Caller
from services.members import commands, handlers
from services.members.idcard import make_id_number
from tests.unit.fakes import FakeMembersUoW

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
OPERATOR = Caller("op", "county_operator", "/hj")
STREET1 = Caller("s1", "org_admin", "/hj/s1")
STREET2 = Caller("s2", "org_admin", "/hj/s2")
SECRETARY1 = Caller("sec", "branch_secretary", "/hj/s1/b1")
KIOSK1 = Caller("k1", "kiosk", "/hj/s1", device="k1")


@pytest.fixture
def settings():
    key = base64.b64decode(base64.b64encode(b"k" * 32))
    return handlers.Settings(cipher=PiiCipher(key, b"h" * 32), clock=lambda: NOW)


@pytest.fixture
def uow():
    uow = FakeMembersUoW()
    for org_id, parent, caller in [
        ("hj", None, OPERATOR),
        ("s1", "hj", OPERATOR),
        ("s2", "hj", OPERATOR),
        ("b1", "s1", OPERATOR),
        ("b2", "s1", OPERATOR),
        ("b3", "s2", OPERATOR),
    ]:
        handlers.create_org(
            commands.CreateOrg(org_id, org_id, "branch", parent_id=parent), uow, caller
        )
    return uow


def person(org_id="b1", card="A0000001", seq=1, **overrides):
    birth = date(1980, 5, 6)
    fields = dict(
        org_id=org_id,
        name="张三丰",
        gender="male",
        birth_date=birth,
        id_number=make_id_number("410108", birth, seq, "male"),
        phone="13800001234",
        join_date=date(2005, 7, 1),
        card_uid=card,
    )
    return commands.RegisterMember(**{**fields, **overrides})


def meeting_cmd(org_id="b1", starts_at=NOW, **overrides):
    fields = dict(
        org_id=org_id, kind="theme_day", title="主题党日", starts_at=starts_at, meeting_id="m1"
    )
    return commands.ScheduleMeeting(**{**fields, **overrides})


def enroll(uow, device="k1", org_id="s1"):
    return handlers.enroll_kiosk(
        commands.EnrollKiosk(device, org_id, "党群服务中心"), uow, OPERATOR
    )


# -- organizations ----------------------------------------------------------------------------


def test_org_paths_follow_the_parent(uow):
    assert uow.orgs.get("b1").path == "/hj/s1/b1"


def test_creating_an_existing_org_returns_it_once_in_scope(uow):
    org, created = handlers.create_org(
        commands.CreateOrg("b1", "x", "branch", parent_id="s1"), uow, STREET1
    )
    assert (org.path, created) == ("/hj/s1/b1", False)


def test_creating_with_the_key_of_an_org_in_another_street_is_refused(uow):
    with pytest.raises(Forbidden):
        handlers.create_org(commands.CreateOrg("b3", "x", "branch", parent_id="s1"), uow, STREET1)


def test_an_org_under_a_parent_outside_scope_is_refused(uow):
    with pytest.raises(Forbidden):
        handlers.create_org(commands.CreateOrg("b9", "x", "branch", parent_id="s2"), uow, STREET1)


def test_a_secretary_may_not_create_orgs(uow):
    with pytest.raises(Forbidden):
        handlers.create_org(commands.CreateOrg("g1", "x", "group", parent_id="b1"), uow, SECRETARY1)


def test_unknown_parent_is_not_found(uow):
    with pytest.raises(NotFound):
        handlers.create_org(commands.CreateOrg("x", "x", "branch", parent_id="nope"), uow, OPERATOR)


# -- members -----------------------------------------------------------------------------------


def test_registration_encrypts_masks_and_raises_the_event(uow, settings):
    member, created = handlers.register_member(person(), uow, SECRETARY1, settings)
    assert created and member.org_path == "/hj/s1/b1"
    assert "13800001234" not in repr(member) and member.phone_masked == "138****1234"
    assert member.name_masked == "张*丰"
    [event] = uow.events()
    assert event["type"] == "member_registered"
    assert event["payload"]["member_id"] == member.member_id


def test_registering_the_same_person_again_returns_the_record(uow, settings):
    first, _ = handlers.register_member(person(), uow, SECRETARY1, settings)
    again, created = handlers.register_member(person(), uow, SECRETARY1, settings)
    assert (again.member_id, created) == (first.member_id, False)
    assert len(uow.events()) == 1


def test_registering_a_person_of_another_street_reveals_nothing(uow, settings):
    handlers.register_member(person(org_id="b3"), uow, OPERATOR, settings)
    with pytest.raises(Forbidden):
        handlers.register_member(person(org_id="b1"), uow, SECRETARY1, settings)


def test_a_card_of_another_member_is_a_conflict(uow, settings):
    handlers.register_member(person(), uow, SECRETARY1, settings)
    with pytest.raises(Conflict):
        handlers.register_member(person(seq=2, phone="13800005678"), uow, SECRETARY1, settings)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"birth_date": date(1980, 5, 7)}, "birth_date"),
        ({"join_date": date(2027, 1, 1)}, "join_date"),
        ({"join_date": date(1990, 1, 1)}, "join_date"),
    ],
)
def test_dates_must_agree_with_the_id_number_and_today(uow, settings, overrides, field):
    with pytest.raises(InvalidInput) as error:
        handlers.register_member(person(**overrides), uow, SECRETARY1, settings)
    assert field in error.value.details["fields"]


def test_register_in_an_org_outside_scope_is_refused(uow, settings):
    with pytest.raises(Forbidden):
        handlers.register_member(person(org_id="b2"), uow, SECRETARY1, settings)


def test_members_read_only_themselves(uow, settings):
    member, _ = handlers.register_member(person(), uow, SECRETARY1, settings)
    me = Caller(member.member_id, "member", "/hj/s1/b1")
    assert handlers.get_member(member.member_id, uow, me) == member
    with pytest.raises(Forbidden):
        handlers.get_member(member.member_id, uow, Caller("mb-other", "member", "/hj/s1/b1"))
    with pytest.raises(Forbidden):
        handlers.get_member(member.member_id, uow, STREET2)
    with pytest.raises(NotFound):
        handlers.get_member("mb-none", uow, OPERATOR)


def test_full_personal_data_is_audited_and_staff_only(uow, settings):
    member, _ = handlers.register_member(person(), uow, SECRETARY1, settings)
    with pytest.raises(Forbidden):
        handlers.read_personal_data(
            commands.ReadPersonalData(member.member_id, "核对"), uow, SECRETARY1, settings
        )
    found = handlers.read_personal_data(
        commands.ReadPersonalData(member.member_id, "核对身份"), uow, STREET1, settings
    )
    assert found["phone"] == "13800001234"
    [entry] = uow.audit.entries
    assert entry["actor"]["subject"] == "s1" and entry["reason"] == "核对身份"


# -- meetings and sign-in ----------------------------------------------------------------------


def test_meeting_window_comes_from_settings_unless_given(uow, settings):
    meeting, created = handlers.schedule_meeting(meeting_cmd(), uow, SECRETARY1, settings)
    assert created and meeting.opens_at == NOW - timedelta(minutes=20)
    other, _ = handlers.schedule_meeting(
        meeting_cmd(meeting_id="m2", window_before_min=5), uow, SECRETARY1, settings
    )
    assert other.opens_at == NOW - timedelta(minutes=5)


def test_a_meeting_beyond_the_horizon_is_invalid(uow, settings):
    with pytest.raises(InvalidInput):
        handlers.schedule_meeting(
            meeting_cmd(starts_at=datetime(9999, 1, 1, tzinfo=UTC)), uow, SECRETARY1, settings
        )


def test_scheduling_with_the_key_of_a_meeting_elsewhere_is_refused(uow, settings):
    handlers.schedule_meeting(meeting_cmd(org_id="b3"), uow, OPERATOR, settings)
    with pytest.raises(Forbidden):
        handlers.schedule_meeting(meeting_cmd(), uow, SECRETARY1, settings)


def test_re_binding_a_kiosk_of_another_street_is_refused(uow):
    enroll(uow, org_id="s2")
    with pytest.raises(Forbidden):
        handlers.enroll_kiosk(commands.EnrollKiosk("k1", "s1", "x"), uow, STREET1)


def test_a_kiosk_stays_bound_to_its_place(uow):
    enroll(uow)
    assert enroll(uow)[1] is False
    with pytest.raises(Conflict):
        handlers.enroll_kiosk(commands.EnrollKiosk("k1", "b1", "elsewhere"), uow, OPERATOR)


@pytest.fixture
def signed_up(uow, settings):
    enroll(uow)
    member, _ = handlers.register_member(person(), uow, SECRETARY1, settings)
    handlers.schedule_meeting(meeting_cmd(), uow, SECRETARY1, settings)
    return member


def test_first_swipe_records_and_raises_the_event_repeat_records_nothing(uow, settings, signed_up):
    attendance, member, _meeting, created = handlers.check_in(
        commands.CheckIn("a0000001", "m1"), uow, KIOSK1, settings
    )
    assert created and member == signed_up and attendance.device_id == "k1"
    again = handlers.check_in(commands.CheckIn("A0000001", "m1"), uow, KIOSK1, settings)
    assert again[0] == attendance and again[3] is False
    checked_in = [e for e in uow.events() if e["type"] == "member_checked_in"]
    assert len(checked_in) == 1
    assert checked_in[0]["payload"]["event_id"] == attendance.check_in_id


def test_a_member_of_another_street_is_not_expected(uow, settings, signed_up):
    handlers.register_member(
        person(org_id="b3", card="B0000001", seq=3, phone="13900000000"), uow, OPERATOR, settings
    )
    with pytest.raises(Forbidden):
        handlers.check_in(commands.CheckIn("B0000001", "m1"), uow, KIOSK1, settings)


@pytest.mark.parametrize(
    "invitation",
    [{"invited_org_ids": ["s2"]}, {"guest_member_ids": ["GUEST"]}, {"open_to_all": True}],
)
def test_invited_guests_and_open_meetings_admit_others(uow, settings, invitation):
    enroll(uow)
    guest, _ = handlers.register_member(
        person(org_id="b3", card="B0000001", seq=3), uow, OPERATOR, settings
    )
    if invitation.get("guest_member_ids"):
        invitation = {"guest_member_ids": [guest.member_id]}
    handlers.schedule_meeting(meeting_cmd(**invitation), uow, SECRETARY1, settings)
    assert handlers.check_in(commands.CheckIn("B0000001", "m1"), uow, KIOSK1, settings)[3]


def test_outside_the_window_the_swipe_is_a_conflict(uow, settings, signed_up):
    late = handlers.Settings(cipher=settings.cipher, clock=lambda: NOW + timedelta(minutes=21))
    with pytest.raises(Conflict):
        handlers.check_in(commands.CheckIn("A0000001", "m1"), uow, KIOSK1, late)
    edge = handlers.Settings(cipher=settings.cipher, clock=lambda: NOW + timedelta(minutes=20))
    assert handlers.check_in(commands.CheckIn("A0000001", "m1"), uow, KIOSK1, edge)[3]


def at(settings, when):
    return handlers.Settings(
        cipher=settings.cipher,
        clock=lambda: when,
        offline_tolerance_min=settings.offline_tolerance_min,
    )


def test_a_queued_swipe_counts_at_its_own_time_and_is_marked_offline(uow, settings, signed_up):
    hours_later = at(settings, NOW + timedelta(hours=5))
    swiped = NOW + timedelta(minutes=3)
    attendance, _, _, created = handlers.check_in(
        commands.CheckIn("A0000001", "m1", swiped_at=swiped), uow, KIOSK1, hours_later
    )
    assert created and attendance.recorded_offline and attendance.checked_in_at == swiped
    [event] = [e for e in uow.events() if e["type"] == "member_checked_in"]
    assert event["payload"]["recorded_offline"] is True
    assert event["payload"]["checked_in_at"].startswith("2026-11-23T10:03:00")


def test_a_live_swipe_is_not_marked_offline(uow, settings, signed_up):
    attendance = handlers.check_in(commands.CheckIn("A0000001", "m1"), uow, KIOSK1, settings)[0]
    [event] = [e for e in uow.events() if e["type"] == "member_checked_in"]
    assert not attendance.recorded_offline and event["payload"]["recorded_offline"] is False


def test_a_queued_swipe_made_outside_the_window_is_a_conflict(uow, settings, signed_up):
    with pytest.raises(Conflict):
        handlers.check_in(
            commands.CheckIn("A0000001", "m1", swiped_at=NOW + timedelta(minutes=21)),
            uow,
            KIOSK1,
            at(settings, NOW + timedelta(hours=1)),
        )


def test_a_queued_swipe_is_taken_until_the_close_plus_the_tolerance(uow, settings, signed_up):
    closes = NOW + timedelta(minutes=20)
    tolerance = timedelta(minutes=settings.offline_tolerance_min)
    swipe = commands.CheckIn("A0000001", "m1", swiped_at=NOW)
    with pytest.raises(Conflict) as late:
        handlers.check_in(
            swipe, uow, KIOSK1, at(settings, closes + tolerance + timedelta(seconds=1))
        )
    assert late.value.message == "离线刷卡上传过晚，已超过本次会议的签到时限"
    assert handlers.check_in(swipe, uow, KIOSK1, at(settings, closes + tolerance))[3]


def test_a_queued_swipe_from_the_future_is_invalid(uow, settings, signed_up):
    ahead = commands.CheckIn("A0000001", "m1", swiped_at=NOW + timedelta(minutes=3))
    with pytest.raises(InvalidInput) as refused:
        handlers.check_in(ahead, uow, KIOSK1, settings)
    assert "swiped_at" in refused.value.details["fields"]
    slightly = commands.CheckIn("A0000001", "m1", swiped_at=NOW + timedelta(minutes=1))
    assert handlers.check_in(slightly, uow, KIOSK1, settings)[3]  # clocks differ a little


def test_a_repeated_queued_swipe_returns_the_first_attendance(uow, settings, signed_up):
    first = handlers.check_in(commands.CheckIn("A0000001", "m1"), uow, KIOSK1, settings)[0]
    replay = commands.CheckIn("A0000001", "m1", swiped_at=NOW - timedelta(minutes=1))
    again = handlers.check_in(replay, uow, KIOSK1, at(settings, NOW + timedelta(days=3)))
    assert again[0] == first and again[3] is False


def test_kiosk_rules(uow, settings, signed_up):
    with pytest.raises(Forbidden):  # not a kiosk
        handlers.check_in(commands.CheckIn("A0000001", "m1"), uow, SECRETARY1, settings)
    with pytest.raises(Forbidden):  # not enrolled
        handlers.check_in(
            commands.CheckIn("A0000001", "m1"), uow, Caller("k9", "kiosk", "/hj", "k9"), settings
        )
    enroll(uow, device="k2", org_id="s2")
    with pytest.raises(Forbidden):  # enrolled for another street
        handlers.check_in(
            commands.CheckIn("A0000001", "m1"), uow, Caller("k2", "kiosk", "/hj/s2", "k2"), settings
        )
    with pytest.raises(NotFound):
        handlers.check_in(commands.CheckIn("FFFFFFFF", "m1"), uow, KIOSK1, settings)
    with pytest.raises(NotFound):
        handlers.check_in(commands.CheckIn("A0000001", "nope"), uow, KIOSK1, settings)


def test_a_caller_is_required():
    with pytest.raises(Forbidden):
        Caller.from_context(None)
    with pytest.raises(Forbidden):
        Caller.from_context({"subject": "x", "role": "", "scope": "/"})
    assert Caller.from_context({"subject": "x", "role": "kiosk", "scope": "/a"}).covers("/a/b")


@pytest.mark.parametrize(
    ("days", "valid"), [(-366, False), (-365, True), (730, True), (731, False)]
)
def test_the_meeting_range_is_a_year_back_and_two_years_ahead(uow, settings, days, valid):
    cmd = meeting_cmd(starts_at=NOW + timedelta(days=days), meeting_id=f"m{days}")
    if valid:
        assert handlers.schedule_meeting(cmd, uow, SECRETARY1, settings)[1]
    else:
        with pytest.raises(InvalidInput):
            handlers.schedule_meeting(cmd, uow, SECRETARY1, settings)


def test_a_member_joins_on_the_eighteenth_birthday_at_the_earliest(uow, settings):
    leap = date(1988, 2, 29)
    id_number = make_id_number("410108", leap, 4, "male")
    with pytest.raises(InvalidInput):
        handlers.register_member(
            person(birth_date=leap, id_number=id_number, join_date=date(2006, 2, 28)),
            uow,
            SECRETARY1,
            settings,
        )
    member, _ = handlers.register_member(
        person(birth_date=leap, id_number=id_number, join_date=date(2006, 3, 1)),
        uow,
        SECRETARY1,
        settings,
    )
    assert member.join_date == date(2006, 3, 1)

"""Mobile members (流动党员) over the fakes: registering a stay within the configured months, the
host anywhere in the deployment, changing it, the return, retries, the home's and the host's
lists, overdue stays, both organizations reading the sign-ins, and the kiosk accepting a hosted
member at the host's meeting only."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from services.infra.errors import Conflict, Forbidden, InvalidInput, NotFound, Stale
from services.infra.schemas import load
from services.members import commands as member_commands
from services.members import handlers
from services.members.mobile import commands, schemas
from services.members.mobile.stays import (
    change_host,
    end_mobile,
    list_mobile,
    list_mobile_attendance,
    register_mobile,
    remind_overdue,
)
from tests.unit.fakes_lifecycle import (
    KIOSK1,
    NOW,
    OPERATOR,
    READER1,
    SECRETARY1,
    SECRETARY2,
    members_settings,
    registered,
)
from tests.unit.fakes_mobile import TODAY, mobile_settings, world

SETTINGS = mobile_settings()


@pytest.fixture
def uow():
    return world()


def register(uow, member, until=TODAY + timedelta(days=90), host="b3", caller=SECRETARY1, **more):
    cmd = commands.RegisterMobile(
        member.member_id, more.pop("place", "广东省深圳市"), more.pop("since", TODAY), until, host
    )
    return register_mobile(cmd, uow, caller, SETTINGS)


def mobile_events(uow):
    return [e for e in uow.events() if e["type"].startswith("mobile_member")]


def test_a_secretary_registers_a_member_as_mobile_with_a_host_outside_their_area(uow):
    member = registered(uow)
    saved = register(uow, member)
    assert saved.mobile.host_org_path == "/hj/s2/b3"  # b3 lies outside SECRETARY1's scope
    assert saved.mobile.place == "广东省深圳市"
    assert saved.version == member.version + 1
    (event,) = mobile_events(uow)
    assert event["type"] == "mobile_member_registered"
    event = event["payload"]
    assert {k: event[k] for k in ("member_id", "home_org_id", "host_org_id", "until")} == {
        "member_id": member.member_id,
        "home_org_id": "b1",
        "host_org_id": "b3",
        "until": (TODAY + timedelta(days=90)).isoformat(),
    }
    assert "深圳" not in str(event) and member.name not in str(event)


def test_the_host_may_be_chosen_later(uow):
    saved = register(uow, registered(uow), host=None)
    assert saved.mobile.host_org_id is None
    assert mobile_events(uow)[0]["payload"]["host_org_id"] is None


def test_the_same_request_again_changes_nothing_more(uow):
    member = registered(uow)
    first = register(uow, member)
    again = register(uow, member)
    assert again.version == first.version
    assert len(mobile_events(uow)) == 1


@pytest.mark.parametrize(
    ("since", "until", "field"),
    [
        (TODAY, TODAY, "until"),  # the end must come after the start
        (TODAY, TODAY - timedelta(days=1), "until"),
        (date(2026, 1, 31), date(2026, 8, 1), "until"),  # past 6 months (2026-07-31)
    ],
)
def test_bad_dates_are_refused_with_a_field_message(uow, since, until, field):
    member = registered(uow)
    with pytest.raises(InvalidInput) as refused:
        register(uow, member, since=since, until=until)
    assert field in refused.value.details["fields"]
    assert uow.members.get(member.member_id).mobile is None
    assert mobile_events(uow) == []


def test_six_months_to_the_day_is_allowed_and_the_limit_is_configuration(uow):
    member = registered(uow)
    assert register(uow, member, since=date(2026, 1, 31), until=date(2026, 7, 31)).mobile
    other = registered(uow, seq=2, card="A0000002")
    cmd = commands.RegisterMobile(other.member_id, "x", TODAY, TODAY + timedelta(days=40), "b3")
    with pytest.raises(InvalidInput):
        register_mobile(cmd, uow, SECRETARY1, mobile_settings(max_months=1))


def test_the_host_must_be_another_existing_current_organization(uow):
    member = registered(uow)
    with pytest.raises(InvalidInput):
        register(uow, member, host="b1")
    with pytest.raises(NotFound):
        register(uow, member, host="nope")
    uow.orgs.rows["b3"] = replace(uow.orgs.get("b3"), dissolved_on=TODAY)
    with pytest.raises(Conflict):
        register(uow, member)


def test_a_blank_place_is_refused(uow):
    with pytest.raises(InvalidInput) as refused:
        register(uow, registered(uow), place="   ")
    assert "place" in refused.value.details["fields"]


def test_only_members_in_the_register_and_not_yet_mobile(uow):
    member = registered(uow)
    uow.members.rows[member.member_id] = replace(member, status="lapsed")
    with pytest.raises(Conflict):
        register(uow, member)
    other = registered(uow, seq=2, card="A0000002")
    register(uow, other)
    with pytest.raises(Conflict):  # another stay while one runs
        register(uow, other, until=TODAY + timedelta(days=30))


def test_scope_and_role_are_checked(uow):
    member = registered(uow)
    with pytest.raises(Forbidden):
        register(uow, member, caller=SECRETARY2)
    with pytest.raises(Forbidden):
        register(uow, member, caller=READER1)
    assert mobile_events(uow) == []


def test_a_concurrent_change_is_retried_from_a_fresh_read(uow):
    member = registered(uow)
    save = uow.members.save
    calls = []

    def once_stale(m, events):
        calls.append(m.version)
        if len(calls) == 1:
            stored = uow.members.rows[m.member_id]
            uow.members.rows[m.member_id] = replace(stored, version=stored.version + 1)
            raise Stale(m.member_id)
        return save(m, events)

    uow.members.save = once_stale
    saved = register(uow, member)
    assert saved.mobile is not None and calls == [0, 1]


def test_changing_the_host_and_the_return(uow):
    member = registered(uow)
    register(uow, member, host=None)
    moved = change_host(commands.ChangeHost(member.member_id, "b2"), uow, SECRETARY1, SETTINGS)
    assert moved.mobile.host_org_path == "/hj/s1/b2"
    change_host(commands.ChangeHost(member.member_id, "b2"), uow, SECRETARY1, SETTINGS)  # again
    back = end_mobile(commands.EndMobile(member.member_id), uow, SECRETARY1, SETTINGS)
    assert back.mobile is None
    end_mobile(commands.EndMobile(member.member_id), uow, SECRETARY1, SETTINGS)  # a retry
    kinds = [e["type"] for e in mobile_events(uow)]
    assert kinds == [
        "mobile_member_registered",
        "mobile_member_host_changed",
        "mobile_member_returned",
    ]
    assert mobile_events(uow)[-1]["payload"]["host_org_id"] == "b2"
    with pytest.raises(Conflict):
        change_host(commands.ChangeHost(member.member_id, "b3"), uow, SECRETARY1, SETTINGS)


def test_the_homes_list_soonest_end_first_and_the_overdue(uow):
    a = registered(uow)
    b = registered(uow, seq=2, card="A0000002", org_id="b2")
    c = registered(uow, seq=3, card="A0000003", org_id="b3")
    register(uow, a, until=TODAY + timedelta(days=60))
    past = dict(since=TODAY - timedelta(days=100), until=TODAY - timedelta(days=3))
    register(uow, b, host="b1", caller=OPERATOR, **past)
    register(uow, c, host="b1", caller=OPERATOR)
    found, _ = list_mobile(commands.ListMobile("s1"), uow, READER1, SETTINGS)
    assert [m.member_id for m in found] == [b.member_id, a.member_id]
    overdue, _ = list_mobile(commands.ListMobile("s1", overdue=True), uow, READER1, SETTINGS)
    assert [m.member_id for m in overdue] == [b.member_id]
    hosted, _ = list_mobile(commands.ListMobile("b1", hosted=True), uow, SECRETARY1, SETTINGS)
    assert {m.member_id for m in hosted} == {b.member_id, c.member_id}
    with pytest.raises(Forbidden):
        list_mobile(commands.ListMobile("b3"), uow, SECRETARY1, SETTINGS)


def _meeting(uow, org_id, meeting_id):
    cmd = member_commands.ScheduleMeeting(org_id, "theme_day", "主题党日", NOW, meeting_id)
    handlers.schedule_meeting(cmd, uow, OPERATOR, members_settings())


def test_the_kiosk_accepts_a_hosted_member_at_the_hosts_meetings_only(uow):
    """A card swipe at the host's kiosk for the host's meeting is accepted; at an unrelated
    organization's meeting it is refused."""
    member = registered(uow, org_id="b3", card="C0000001")
    register(uow, member, host="b1", caller=OPERATOR)
    handlers.enroll_kiosk(member_commands.EnrollKiosk("k1", "s1", "服务中心"), uow, OPERATOR)
    _meeting(uow, "b1", "m-host")
    _meeting(uow, "b2", "m-other")
    checked = handlers.check_in(
        member_commands.CheckIn("C0000001", "m-host"), uow, KIOSK1, members_settings()
    )
    assert checked[3] is True
    with pytest.raises(Forbidden):
        handlers.check_in(
            member_commands.CheckIn("C0000001", "m-other"), uow, KIOSK1, members_settings()
        )


def test_both_organizations_read_the_sign_ins_the_host_those_of_the_stay(uow):
    member = registered(uow, org_id="b3", card="C0000001")
    handlers.enroll_kiosk(member_commands.EnrollKiosk("k1", "s1", "服务中心"), uow, OPERATOR)
    _meeting(uow, "b1", "m-host")
    register(uow, member, host="b1", caller=OPERATOR, since=TODAY)
    handlers.check_in(
        member_commands.CheckIn("C0000001", "m-host"), uow, KIOSK1, members_settings()
    )
    query = commands.ListMobileAttendance(member.member_id)
    as_host, _ = list_mobile_attendance(query, uow, SECRETARY1)
    as_home, _ = list_mobile_attendance(query, uow, SECRETARY2)
    assert [s.meeting.meeting_id for s in as_host] == ["m-host"]
    assert [s.meeting.meeting_id for s in as_home] == ["m-host"]
    later = replace(uow.members.get(member.member_id).mobile, since=TODAY + timedelta(days=1))
    uow.members.rows[member.member_id] = replace(uow.members.get(member.member_id), mobile=later)
    assert (
        list_mobile_attendance(query, uow, SECRETARY1)[0] == []
    )  # before the stay: not the host's
    end_mobile(commands.EndMobile(member.member_id), uow, OPERATOR, SETTINGS)
    with pytest.raises(Forbidden):  # returned: the host no longer reads them
        list_mobile_attendance(query, uow, SECRETARY1)


def test_the_region_is_kept_and_checked_by_the_contract(uow):
    member = registered(uow)
    body = {
        "member_id": member.member_id,
        "place": "南山区",
        "since": TODAY.isoformat(),
        "until": (TODAY + timedelta(days=30)).isoformat(),
        "region": "440305",
    }
    saved = register_mobile(load(schemas.RegisterMobile, body), uow, SECRETARY1, SETTINGS)
    assert saved.mobile.region == "440305"
    assert "440305" not in str(mobile_events(uow))
    with pytest.raises(InvalidInput):
        load(schemas.RegisterMobile, {**body, "region": "4403"})


def test_a_stay_past_its_end_is_reminded_once(uow):
    member = registered(uow)
    register(uow, member, since=TODAY - timedelta(days=60), until=TODAY - timedelta(days=2))
    other = registered(uow, seq=2, card="A0000002")
    register(uow, other, since=TODAY - timedelta(days=60), until=TODAY + timedelta(days=2))
    assert remind_overdue(uow, SETTINGS) == 1
    assert remind_overdue(uow, SETTINGS) == 0
    (event,) = uow.mobile.events
    assert event["type"] == "mobile_stay_overdue"
    assert event["payload"]["member_id"] == member.member_id
    later = mobile_settings(TODAY + timedelta(days=30))  # past the look-back: nothing more
    assert remind_overdue(uow, later) == 0

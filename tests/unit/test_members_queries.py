"""The console's reads of the members service and the counters behind them, over the in-memory
fakes: the tree level by level, an organization's members and meetings, a member's sign-ins,
a meeting's live attendance, the home page's figures, and every scope and role rule."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import litemongo
import pytest
from marshmallow import ValidationError

from services.infra import paging
from services.infra.errors import Forbidden, InvalidInput, NotFound
from services.infra.pii import PiiCipher
from services.infra.schemas import dump
from services.infra.scope import Caller
from services.infra.storage import ensure_indexes
from services.members import commands, handlers, queries, schemas
from services.members.domain import Attendance, Kiosk, Org
from services.members.idcard import make_id_number
from services.members.store import MembersStore
from tests.unit.fakes import FakeMembersUoW

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
OPERATOR = Caller("op", "county_operator", "/hj")
EVERYWHERE = Caller("loader", "county_operator", "/")
STREET1 = Caller("s1", "org_admin", "/hj/s1")
STREET2 = Caller("s2", "org_admin", "/hj/s2")
SECRETARY1 = Caller("sec", "branch_secretary", "/hj/s1/b1")
GRID1 = Caller("g", "grid_worker", "/hj/s1/b1")
KIOSK1 = Caller("k1", "kiosk", "/hj/s1", device="k1")
TREE = [("hj", None), ("s1", "hj"), ("s2", "hj"), ("b1", "s1"), ("b2", "s1"), ("b3", "s2")]
NAMES = ["张伟", "张三丰", "李娜", "王芳", "张敏"]


@pytest.fixture
def clock():
    return {"now": NOW}


@pytest.fixture
def settings(clock):
    key = base64.b64decode(base64.b64encode(b"k" * 32))
    return handlers.Settings(cipher=PiiCipher(key, b"h" * 32), clock=lambda: clock["now"])


@pytest.fixture(params=["fake", "store"])
def uow(request, tmp_path):
    """Every test over the in-memory fake and over the store on the embedded engine: one
    contract (orders, cursors, counters)."""
    client = None
    if request.param == "fake":
        uow = FakeMembersUoW()
    else:
        client = litemongo.connect(str(tmp_path))
        ensure_indexes(client["members"], MembersStore.INDEXES)
        uow = MembersStore(client["members"])
    for org_id, parent in TREE:
        handlers.create_org(commands.CreateOrg(org_id, org_id, "branch", parent), uow, OPERATOR)
    yield uow
    if client is not None:
        client.close()


def person(org_id="b1", seq=1, name="张三丰", card=None):
    birth = date(1980, 5, 6)
    return commands.RegisterMember(
        org_id=org_id,
        name=name,
        gender="male",
        birth_date=birth,
        id_number=make_id_number("410108", birth, seq, "male"),
        phone=f"138{seq:08d}",
        join_date=date(2005, 7, 1),
        card_uid=card or f"A{seq:07d}",
    )


def register(uow, settings, org_id="b1", seq=1, name="张三丰", card=None):
    member, _ = handlers.register_member(person(org_id, seq, name, card), uow, OPERATOR, settings)
    return member


def schedule(uow, settings, meeting_id="m1", org_id="b1", starts_at=NOW, **overrides):
    cmd = commands.ScheduleMeeting(
        org_id=org_id,
        kind="theme_day",
        title="主题党日",
        starts_at=starts_at,
        meeting_id=meeting_id,
        **overrides,
    )
    return handlers.schedule_meeting(cmd, uow, OPERATOR, settings)[0]


def swipe(uow, settings, card, meeting_id="m1", fold=True):
    """A card swipe at the kiosk; then (``fold``) the sign-ins counted, as the timer does."""
    handlers.enroll_kiosk(commands.EnrollKiosk("k1", "s1", "党群服务中心"), uow, OPERATOR)
    found = handlers.check_in(commands.CheckIn(card, meeting_id), uow, KIOSK1, settings)
    if fold:
        handlers.count_sign_ins(uow, settings)
    return found


def counts(uow, org_id):
    return uow.orgs.get(org_id).counts


# -- counters ----------------------------------------------------------------------------------


def test_creating_orgs_raises_the_counters_of_the_parent_and_every_ancestor(uow):
    assert counts(uow, "hj") == replace(counts(uow, "hj"), children=2, orgs_below=5)
    assert (counts(uow, "s1").children, counts(uow, "s1").orgs_below) == (2, 2)
    assert not uow.orgs.get("b1").has_children and uow.orgs.get("s1").has_children


def test_an_org_created_again_is_not_counted_again(uow):
    handlers.create_org(commands.CreateOrg("b1", "b1", "branch", "s1"), uow, STREET1)
    assert (counts(uow, "s1").children, counts(uow, "hj").orgs_below) == (2, 5)


def test_an_org_whose_counting_a_crash_cut_short_is_counted_by_the_retry(uow):
    parent = uow.orgs.get("b1")
    uow.orgs.add(Org.found("g1", "党小组", "group", [], parent))  # stored, then the crash
    assert counts(uow, "b1").children == 0
    handlers.create_org(commands.CreateOrg("g1", "党小组", "group", "b1"), uow, STREET1)
    assert (counts(uow, "b1").children, counts(uow, "hj").orgs_below) == (1, 6)


def test_registering_counts_the_member_in_the_org_and_above_once(uow, settings):
    register(uow, settings)
    register(uow, settings)  # the same person again
    register(uow, settings, org_id="s1", seq=2)
    assert (counts(uow, "b1").own_members, counts(uow, "b1").members) == (1, 1)
    assert (counts(uow, "s1").own_members, counts(uow, "s1").members) == (1, 2)
    assert counts(uow, "hj").members == 2 and counts(uow, "s2").members == 0


def test_a_batch_is_counted_once_per_org_also_when_one_of_it_is_refused(uow, settings):
    batch = [person("b1", 1), person("b1", 2), person("b2", 3), person("b3", 4), person("b1", 5)]
    with pytest.raises(Forbidden):  # b3 lies in another street: the batch stops there
        handlers.register_members(batch, uow, STREET1, settings)
    assert (counts(uow, "b1").own_members, counts(uow, "b2").own_members) == (2, 1)
    assert (counts(uow, "s1").members, counts(uow, "hj").members) == (3, 3)
    handlers.register_members(batch[:3] + batch[4:], uow, STREET1, settings)  # the retry
    assert (counts(uow, "b1").own_members, counts(uow, "hj").members) == (3, 4)


def test_meetings_and_first_sign_ins_are_tallied_for_their_month_in_china(uow, settings):
    register(uow, settings, card="A0000001")
    schedule(uow, settings)
    schedule(uow, settings)  # again: counted once
    late = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 1 December, 01:00 in China
    schedule(uow, settings, meeting_id="m2", starts_at=late)
    swipe(uow, settings, "A0000001")
    swipe(uow, settings, "a0000001")  # a repeated swipe records and counts nothing
    assert uow.tallies.of(["hj", "b1", "s2"], "2026-11") == {"hj": (1, 1), "b1": (1, 1)}
    assert uow.tallies.of(["hj"], "2026-12") == {"hj": (1, 0)}
    assert uow.meetings.get("m1").signed_in == 1


def test_sign_ins_are_counted_off_the_swipe_path_once_each(uow, settings):
    for seq in (1, 2):
        register(uow, settings, seq=seq)
    schedule(uow, settings)
    for card in ("A0000001", "A0000002", "A0000001"):
        swipe(uow, settings, card, fold=False)
    assert uow.meetings.get("m1").signed_in == 0  # not yet folded
    assert handlers.count_sign_ins(uow, settings, limit=1) == 1
    assert handlers.count_sign_ins(uow, settings) == 1
    assert handlers.count_sign_ins(uow, settings) == 0
    assert uow.meetings.get("m1").signed_in == 2
    assert uow.tallies.of(["hj"], "2026-11") == {"hj": (1, 2)}


# -- the tree ----------------------------------------------------------------------------------


def page_of(cmd, uow, caller):
    return queries.list_orgs(cmd, uow, caller)


def test_the_roots_are_the_org_at_the_callers_scope(uow):
    [own], cursor = page_of(commands.ListOrgs(), uow, STREET1)
    assert (own.org_id, own.counts.orgs_below, cursor) == ("s1", 2, None)
    [root], _ = page_of(commands.ListOrgs(), uow, EVERYWHERE)
    assert root.org_id == "hj"
    assert page_of(commands.ListOrgs(), uow, Caller("x", "org_admin", "/gone")) == ([], None)


def test_children_come_level_by_level_by_id_a_page_at_a_time(uow):
    first, cursor = page_of(commands.ListOrgs("hj", limit=1), uow, OPERATOR)
    rest, end = page_of(commands.ListOrgs("hj", cursor=cursor, limit=1), uow, OPERATOR)
    assert [o.org_id for o in first + rest] == ["s1", "s2"] and end is None
    assert page_of(commands.ListOrgs("b1"), uow, OPERATOR) == ([], None)


@pytest.mark.parametrize(
    ("caller", "error"),
    [
        (STREET2, Forbidden),  # another street
        (Caller("sec2", "branch_secretary", "/hj/s1/b2"), Forbidden),  # a sibling branch
        (Caller("mb-1", "member", "/hj/s1"), Forbidden),  # not staff
        (KIOSK1, Forbidden),
    ],
)
def test_the_tree_is_read_by_staff_within_their_scope(uow, caller, error):
    with pytest.raises(error):
        page_of(commands.ListOrgs("s1"), uow, caller)
    with pytest.raises(error):
        queries.get_org_node("s1", uow, caller)


def test_an_org_node_carries_its_counters_and_the_dump_says_has_children(uow):
    node = dump(schemas.OrgNodeOut, queries.get_org_node("s1", uow, STREET1))
    assert node["has_children"] and node["depth"] == 2
    assert node["counts"] == {"children": 2, "orgs_below": 2, "own_members": 0, "members": 0}
    with pytest.raises(NotFound):
        queries.get_org_node("nope", uow, OPERATOR)


# -- members -----------------------------------------------------------------------------------


@pytest.fixture
def roster(uow, settings):
    members = [register(uow, settings, seq=i + 1, name=n) for i, n in enumerate(NAMES)]
    register(uow, settings, org_id="b2", seq=9, name="张强")
    return members


def names(found):
    return [m.name for m in found[0]]


def test_an_orgs_members_by_name_a_page_at_a_time(uow, roster):
    first = queries.list_members(commands.ListMembers("b1", limit=2), uow, SECRETARY1)
    rest = queries.list_members(commands.ListMembers("b1", cursor=first[1]), uow, SECRETARY1)
    assert names(first) + names(rest) == sorted(NAMES) and rest[1] is None


def test_the_cursor_names_no_member(uow, roster):
    _found, cursor = queries.list_members(commands.ListMembers("b1", limit=1), uow, SECRETARY1)
    assert "张" not in base64.urlsafe_b64decode(cursor + "==").decode()


def test_a_cursor_holds_sort_values_only(uow, roster):
    forged = paging.encode({"_id": {"$ne": None}})
    with pytest.raises(InvalidInput):
        queries.list_members(commands.ListMembers("b1", cursor=forged), uow, SECRETARY1)


def test_members_are_searched_by_name_prefix_and_shown_masked(uow, roster):
    found = queries.list_members(commands.ListMembers("b1", q="张"), uow, SECRETARY1)
    assert names(found) == ["张三丰", "张伟", "张敏"]
    page = dump(schemas.MembersPage, {"items": found[0], "next_cursor": None})
    assert "张三丰" not in str(page) and page["items"][0]["name_masked"] == "张*丰"
    assert "138" + "00000001" not in str(page)


def test_a_subtree_is_searched_by_name_or_card_only(uow, roster):
    found = queries.list_members(commands.ListMembers("s1", q="张", subtree=True), uow, STREET1)
    assert names(found) == ["张三丰", "张伟", "张强", "张敏"]
    with pytest.raises(InvalidInput) as refused:
        queries.list_members(commands.ListMembers("s1", subtree=True), uow, STREET1)
    assert "q" in refused.value.details["fields"]


def test_a_card_finds_its_member_where_they_are_listed(uow, roster):
    by_card = commands.ListMembers("b1", card_uid="a0000002")
    assert names(queries.list_members(by_card, uow, SECRETARY1)) == ["张三丰"]
    elsewhere = commands.ListMembers("b2", card_uid="A0000002")
    assert queries.list_members(elsewhere, uow, OPERATOR) == ([], None)
    in_subtree = commands.ListMembers("s1", card_uid="A0000009", subtree=True)
    assert names(queries.list_members(in_subtree, uow, STREET1)) == ["张强"]
    unknown = commands.ListMembers("b1", card_uid="FFFFFFFF")
    assert queries.list_members(unknown, uow, SECRETARY1) == ([], None)


def test_members_are_listed_by_status_or_those_in_the_register(uow, roster):
    left, suspended = roster[0], roster[1]
    uow.members.save(replace(uow.members.get(left.member_id), status="deceased"), [])
    uow.members.save(replace(uow.members.get(suspended.member_id), status="suspended"), [])
    by = {
        status: names(
            queries.list_members(commands.ListMembers("b1", status=status), uow, SECRETARY1)
        )
        for status in ("in_register", "deceased", "full")
    }
    assert by["deceased"] == [left.name]
    assert sorted(by["in_register"]) == sorted(set(NAMES) - {left.name})
    assert suspended.name not in by["full"] and left.name not in by["full"]
    by_card = commands.ListMembers("b1", card_uid=left.card_uid, status="in_register")
    assert queries.list_members(by_card, uow, SECRETARY1) == ([], None)
    with pytest.raises(ValidationError):
        schemas.ListMembers().load({"org_id": "b1", "status": "gone"})


def test_members_of_an_org_outside_scope_are_refused(uow, roster):
    with pytest.raises(Forbidden):
        queries.list_members(commands.ListMembers("b2"), uow, SECRETARY1)
    with pytest.raises(Forbidden):
        queries.list_members(commands.ListMembers("b1", q="张"), uow, STREET2)


# -- meetings ----------------------------------------------------------------------------------


def test_an_orgs_meetings_by_start_time_within_a_range(uow, settings):
    for day in (1, 5, 9):
        schedule(uow, settings, f"m{day}", starts_at=NOW + timedelta(days=day))
    newest = queries.list_meetings(commands.ListMeetings("b1"), uow, SECRETARY1)
    assert [m.meeting_id for m in newest[0]] == ["m9", "m5", "m1"]
    ranged = commands.ListMeetings(
        "b1", since=NOW + timedelta(days=2), until=NOW + timedelta(days=9), newest_first=False
    )
    assert [m.meeting_id for m in queries.list_meetings(ranged, uow, SECRETARY1)[0]] == ["m5"]
    first = queries.list_meetings(commands.ListMeetings("b1", limit=2), uow, SECRETARY1)
    rest = queries.list_meetings(commands.ListMeetings("b1", cursor=first[1]), uow, SECRETARY1)
    assert [m.meeting_id for m in rest[0]] == ["m1"] and rest[1] is None
    backwards = commands.ListMeetings("b1", since=NOW, until=NOW)
    with pytest.raises(InvalidInput):
        queries.list_meetings(backwards, uow, SECRETARY1)


def test_a_meeting_says_who_is_expected_and_how_many_signed_in(uow, settings, roster):
    schedule(uow, settings)
    schedule(uow, settings, "m-inv", invited_org_ids=["b2", "s1"], guest_member_ids=["mb-x"])
    schedule(uow, settings, "m-all", open_to_all=True)
    swipe(uow, settings, roster[0].card_uid)
    plain = queries.get_meeting("m1", uow, SECRETARY1)
    assert (plain.expected, plain.signed_in, plain.title) == (5, 1, "主题党日")
    # s1 holds b1 and b2: each member counted once, the guest on top
    assert queries.get_meeting("m-inv", uow, SECRETARY1).expected == 7
    assert queries.get_meeting("m-all", uow, SECRETARY1).expected is None
    with pytest.raises(NotFound):
        queries.get_meeting("nope", uow, SECRETARY1)
    with pytest.raises(Forbidden):
        queries.get_meeting("m1", uow, STREET2)
    with pytest.raises(Forbidden):
        queries.get_meeting("m1", uow, Caller(roster[0].member_id, "member", "/hj/s1/b1"))


# -- attendance --------------------------------------------------------------------------------


def follow(uow, settings, after=None, limit=100):
    cmd = commands.FollowAttendance("m1", after=after, limit=limit)
    return queries.follow_attendance(cmd, uow, SECRETARY1, settings)


def test_the_live_list_continues_after_the_rows_seen_in_sign_in_order(uow, settings, clock, roster):
    schedule(uow, settings)
    for member in roster[:3]:
        swipe(uow, settings, member.card_uid)
        clock["now"] += timedelta(seconds=30)
    seen = follow(uow, settings)
    assert [s.member.name for s in seen.items] == NAMES[:3] and not seen.more
    assert (seen.meeting.expected, seen.meeting.signed_in) == (5, 3)
    assert follow(uow, settings, seen.next_cursor).items == []
    swipe(uow, settings, roster[3].card_uid)
    clock["now"] += timedelta(seconds=30)
    newer = follow(uow, settings, seen.next_cursor)
    assert [s.member.name for s in newer.items] == [NAMES[3]]
    answer = dump(schemas.LiveAttendanceOut, newer)
    assert answer["items"][0]["name_masked"] == "王*" and "王芳" not in str(answer)
    assert (answer["expected"], answer["signed_in"]) == (5, 4)


def test_rows_of_the_last_moments_come_again_in_the_next_poll(uow, settings, clock, roster):
    schedule(uow, settings)
    swipe(uow, settings, roster[0].card_uid)
    clock["now"] += timedelta(seconds=1)  # within settle_seconds: another process may be behind
    first = follow(uow, settings)
    again = follow(uow, settings, first.next_cursor)
    assert [s.member.member_id for s in again.items] == [roster[0].member_id]
    clock["now"] += timedelta(seconds=5)
    settled = follow(uow, settings, first.next_cursor)
    assert follow(uow, settings, settled.next_cursor).items == []


def test_a_full_page_says_more_and_moves_on(uow, settings, roster):
    schedule(uow, settings)
    for member in roster:
        swipe(uow, settings, member.card_uid)
    first = follow(uow, settings, limit=2)
    assert first.more and len(first.items) == 2
    rest = follow(uow, settings, first.next_cursor, limit=10)
    assert len(rest.items) == 3 and not rest.more


def test_a_members_sign_ins_newest_first_with_their_meetings(uow, settings, clock, roster):
    me = roster[0]
    for n, meeting_id in enumerate(("m1", "m2")):
        at = NOW + timedelta(days=n)
        clock["now"] = at
        schedule(uow, settings, meeting_id, starts_at=at)
        swipe(uow, settings, me.card_uid, meeting_id)
    found, cursor = queries.list_member_attendance(
        commands.ListMemberAttendance(me.member_id), uow, Caller(me.member_id, "member", "/x")
    )
    assert [s.meeting.meeting_id for s in found] == ["m2", "m1"] and cursor is None
    item = dump(schemas.MemberSignInOut, found[0])
    assert (item["title"], item["kind"], item["recorded_offline"]) == (
        "主题党日",
        "theme_day",
        False,
    )
    first = queries.list_member_attendance(
        commands.ListMemberAttendance(me.member_id, limit=1), uow, SECRETARY1
    )
    rest = queries.list_member_attendance(
        commands.ListMemberAttendance(me.member_id, cursor=first[1]), uow, SECRETARY1
    )
    assert [s.meeting.meeting_id for s in first[0] + rest[0]] == ["m2", "m1"]
    for stranger in (STREET2, Caller(roster[1].member_id, "member", "/hj/s1/b1")):
        with pytest.raises(Forbidden):
            queries.list_member_attendance(
                commands.ListMemberAttendance(me.member_id), uow, stranger
            )


def test_sign_ins_recorded_before_the_recording_time_was_kept_are_listed(uow, settings, roster):
    schedule(uow, settings)
    old = Attendance("m1:" + roster[0].member_id, "m1", roster[0].member_id, NOW, "k1", "e1")
    uow.attendance.add(old, [])
    assert [s.member.name for s in follow(uow, settings).items] == [roster[0].name]


# -- a kiosk's meetings of the day -------------------------------------------------------------


def kiosk_meetings(uow, settings, caller=KIOSK1):
    handlers.enroll_kiosk(commands.EnrollKiosk("k1", "s1", "党群服务中心"), uow, OPERATOR)
    return queries.kiosk_meetings(uow, caller, settings)


def test_a_kiosk_lists_the_meetings_it_serves_open_now_or_later_today(uow, settings):
    # NOW is 18:00 in China: the day ends at 16:00 UTC
    schedule(uow, settings, "open", starts_at=NOW)
    schedule(uow, settings, "later", starts_at=NOW + timedelta(hours=3))
    schedule(uow, settings, "street", org_id="s1", starts_at=NOW - timedelta(minutes=10))
    # opened yesterday (another UTC day) and still open
    long = timedelta(hours=20)
    schedule(uow, settings, "long", starts_at=NOW - long, window_after_min=24 * 60)
    schedule(uow, settings, "closed", starts_at=NOW - timedelta(hours=1))
    schedule(uow, settings, "tomorrow", starts_at=NOW + timedelta(hours=6, minutes=30))
    schedule(uow, settings, "other-street", org_id="b3", starts_at=NOW)
    schedule(uow, settings, "above", org_id="hj", starts_at=NOW)  # not the kiosk's to serve
    found = kiosk_meetings(uow, settings)
    assert [(m.meeting_id, m.open_now) for m in found] == [
        ("long", True),
        ("street", True),
        ("open", True),
        ("later", False),
    ]
    assert dump(schemas.KioskMeetingsOut, {"items": found})["items"][3] == {
        "meeting_id": "later",
        "title": "主题党日",
        "kind": "theme_day",
        "starts_at": "2026-11-23T13:00:00+00:00",
        "opens_at": "2026-11-23T12:40:00+00:00",
        "closes_at": "2026-11-23T13:20:00+00:00",
        "open_now": False,
    }


def test_the_day_is_chinas_also_when_it_spans_two_utc_days(uow, settings, clock):
    clock["now"] = datetime(2026, 11, 22, 17, 0, tzinfo=UTC)  # 01:00 on the 23rd in China
    schedule(uow, settings, "evening", starts_at=datetime(2026, 11, 23, 15, 30, tzinfo=UTC))
    schedule(uow, settings, "next-day", starts_at=datetime(2026, 11, 23, 16, 30, tzinfo=UTC))
    assert [m.meeting_id for m in kiosk_meetings(uow, settings)] == ["evening"]


def test_a_kiosk_that_check_in_refuses_is_refused_its_meetings_too(uow, settings):
    schedule(uow, settings, "open", starts_at=NOW)
    uow.kiosks.add(Kiosk("k9", "s1", "/hj/s1", "党群服务中心", revoked_at=NOW))
    for caller in (
        Caller("k9", "kiosk", "/hj/s1", device="k9"),  # revoked
        Caller("k8", "kiosk", "/hj/s1", device="k8"),  # never enrolled
        Caller("k1", "kiosk", "/hj/s2", device="k1"),  # a token for another place
        SECRETARY1,  # not a kiosk
    ):
        with pytest.raises(Forbidden):
            kiosk_meetings(uow, settings, caller)
        with pytest.raises(Forbidden):
            handlers.check_in(commands.CheckIn("A0000001", "open"), uow, caller, settings)


# -- the home page -----------------------------------------------------------------------------


def test_the_overview_adds_up_the_counters_of_the_scope(uow, settings, roster):
    schedule(uow, settings)
    schedule(uow, settings, "m-s2", org_id="b3")
    swipe(uow, settings, roster[0].card_uid)
    county = queries.overview(uow, OPERATOR, settings)
    assert (county.organizations, county.members, county.month) == (6, 6, "2026-11")
    assert (county.meetings_this_month, county.attendance_this_month) == (2, 1)
    street = queries.overview(uow, STREET1, settings)
    assert (street.organizations, street.members, street.meetings_this_month) == (3, 6, 1)
    branch = queries.overview(uow, GRID1, settings)
    assert [o.org_id for o in branch.roots] == ["b1"] and branch.members == 5
    with pytest.raises(Forbidden):
        queries.overview(uow, Caller("mb", "member", "/hj/s1/b1"), settings)


# -- rebuilding the counters -------------------------------------------------------------------


def test_an_older_database_is_upgraded_once_to_the_same_counters(uow, settings, roster):
    if isinstance(uow, FakeMembersUoW):
        pytest.skip("the rebuild reads the store's documents")
    schedule(uow, settings)
    swipe(uow, settings, roster[0].card_uid)
    db = uow.db

    def snapshot():
        return (
            {d["_id"]: d["counts"] for d in db.orgs.find()},
            {d["_id"]: d["signed_in"] for d in db.meetings.find()},
            sorted((d["_id"], d["meetings"], d["attendance"]) for d in db.tallies.find()),
        )

    kept = snapshot()
    # as stored by the version before the counters: none of the fields the reads are served by
    db.orgs.update_many({}, {"$unset": {"counts": "", "depth": ""}})
    db.members.update_many({}, {"$unset": {"ancestors": "", "name_keys": ""}})
    db.meetings.update_many({}, {"$unset": {"signed_in": "", "window_keys": ""}})
    db.attendance.update_many({}, {"$unset": {"recorded_at": ""}})
    db.tallies.delete_many({})
    uow.prepare({"TIMEZONE": "Asia/Shanghai"})
    assert snapshot() == kept
    found = queries.list_members(commands.ListMembers("s1", q="张", subtree=True), uow, STREET1)
    assert len(found[0]) == 4
    assert [s.member.name for s in follow(uow, settings).items] == [roster[0].name]
    assert [m.meeting_id for m in queries.kiosk_meetings(uow, KIOSK1, settings)] == ["m1"]
    db.tallies.delete_many({})
    uow.prepare({})  # done once: the marker says so
    assert db.tallies.count_documents({}) == 0

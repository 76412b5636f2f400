"""Every rule and branch of the notify handlers, over in-memory fakes (no broker); the inbox
repository's paging also on the embedded store, so the fake and the store keep one contract."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import litemongo
import pytest

from services.infra.errors import Forbidden, InvalidInput
from services.infra.scope import Caller
from services.notify import commands, handlers, schemas
from services.notify.messages import Message
from services.notify.store import NotifyStore
from tests.unit.fakes_notify_volunteer import FakeNotifyUoW

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
MEMBER = Caller("mb-1", "member", "/hj/s1/b1")
SECRETARY = Caller("sec", "branch_secretary", "/hj/s1/b1")
STREET1 = Caller("s1", "org_admin", "/hj/s1")
STREET2 = Caller("s2", "org_admin", "/hj/s2")


def awarded(points=2, total=2, member_id="mb-1", org_path="/hj/s1/b1", event_id=None):
    return commands.TellPointsAwarded(
        event_id=event_id or str(uuid.uuid4()),
        member_id=member_id,
        org_path=org_path,
        category="base",
        item="theme_day",
        points=points,
        total_after=total,
    )


def settings(at=NOW, locale="zh_CN"):
    return handlers.Settings(locale=locale, clock=lambda: at)


def inbox(uow, caller, member_id="mb-1", cursor=None, limit=50):
    return handlers.list_inbox(commands.ListInbox(member_id, cursor, limit), uow, caller)


@pytest.fixture
def uow():
    return FakeNotifyUoW()


# -- telling members -------------------------------------------------------------------------


def test_points_are_told_in_chinese_addressed_under_the_members_organization(uow):
    cause = awarded(points=2, total=6)
    assert handlers.tell_points_awarded(cause, uow, settings()) is True
    [message] = uow.inbox.rows.values()
    assert message.message_id == f"points_awarded:{cause.event_id}"
    assert (message.member_id, message.org_path, message.kind) == ("mb-1", "/hj/s1/b1", "points")
    assert message.title == "党员积分变动" and message.at == NOW and message.read is False
    assert message.body == "您因参加主题党日获得2分（基本分），今年以来党员卡总分6分。"


def test_a_capped_award_says_the_cap_is_reached(uow):
    handlers.tell_points_awarded(awarded(points=0, total=8), uow, settings())
    [message] = uow.inbox.rows.values()
    assert "上限" in message.body and "8分" in message.body


def test_the_locale_comes_from_the_settings(uow):
    handlers.tell_points_awarded(awarded(points=2, total=2), uow, settings(locale="en"))
    [message] = uow.inbox.rows.values()
    assert message.body.startswith("You earned 2 points (base points) for the theme day.")


def test_a_redelivered_event_is_told_once(uow):
    cause = awarded()
    assert handlers.tell_points_awarded(cause, uow, settings()) is True
    later = settings(at=NOW + timedelta(minutes=5))
    assert handlers.tell_points_awarded(cause, uow, later) is False
    assert len(uow.inbox.rows) == 1 and next(iter(uow.inbox.rows.values())).at == NOW


# -- reading the inbox -----------------------------------------------------------------------


def test_a_member_reads_their_own_inbox_only(uow):
    handlers.tell_points_awarded(awarded(), uow, settings())
    assert len(inbox(uow, MEMBER)[0]) == 1
    with pytest.raises(Forbidden):
        inbox(uow, MEMBER, member_id="mb-2")


def test_staff_read_inboxes_addressed_within_their_area(uow):
    handlers.tell_points_awarded(awarded(), uow, settings())
    assert len(inbox(uow, SECRETARY)[0]) == 1
    assert len(inbox(uow, STREET1)[0]) == 1
    with pytest.raises(Forbidden):
        inbox(uow, STREET2)


def test_an_empty_inbox_reveals_nothing_to_anyone_on_staff(uow):
    assert inbox(uow, STREET2) == ([], None)


def test_a_message_addressed_outside_the_area_refuses_the_whole_page(uow):
    """A member who moved from s2 to s1: s1's staff may not read what was sent in s2."""
    handlers.tell_points_awarded(awarded(org_path="/hj/s2/b3"), uow, settings())
    handlers.tell_points_awarded(awarded(), uow, settings(at=NOW + timedelta(days=1)))
    assert len(inbox(uow, Caller("op", "county_operator", "/hj"))[0]) == 2
    assert len(inbox(uow, MEMBER)[0]) == 2
    with pytest.raises(Forbidden):
        inbox(uow, STREET1)


@pytest.mark.parametrize("role", ["grid_worker", "community_worker", "kiosk", "grid_leader"])
def test_other_roles_may_not_read_inboxes(uow, role):
    with pytest.raises(Forbidden):
        inbox(uow, Caller("x", role, "/hj"))


def test_the_inbox_pages_newest_first_with_a_cursor(uow):
    for minutes in (3, 1, 4, 2, 0):
        handlers.tell_points_awarded(
            awarded(total=minutes), uow, settings(at=NOW + timedelta(minutes=minutes))
        )
    seen, cursor, pages = [], None, 0
    while True:
        found, cursor = inbox(uow, MEMBER, cursor=cursor, limit=2)
        seen += [m.at for m in found]
        pages += 1
        if cursor is None:
            break
    assert pages == 3 and seen == [NOW + timedelta(minutes=m) for m in (4, 3, 2, 1, 0)]


def test_a_forged_cursor_is_invalid_input(uow):
    with pytest.raises(InvalidInput):
        inbox(uow, MEMBER, cursor="not-a-cursor")


def test_the_limit_is_clamped(uow):
    for minutes in range(3):
        handlers.tell_points_awarded(awarded(), uow, settings(at=NOW + timedelta(minutes=minutes)))
    found, cursor = inbox(uow, MEMBER, limit=0)  # the default, not nothing
    assert len(found) == 3 and cursor is None


# -- contract --------------------------------------------------------------------------------


def test_the_event_copy_loads_into_the_command_with_the_envelopes_org_path():
    payload = {
        "event_id": str(uuid.uuid4()),
        "occurred_at": "2026-11-23T10:00:00Z",
        "version": 1,
        "org_path": "/hj/s1/b1",
        "member_id": "mb-1",
        "entry_id": "ignored",
        "category": "base",
        "item": "theme_day",
        "points": 2,
        "total_after": 2,
    }
    cmd = schemas.PointsAwarded().load(payload)
    assert cmd == commands.TellPointsAwarded(
        payload["event_id"], "mb-1", "/hj/s1/b1", "base", "theme_day", 2, 2
    )


def test_list_inbox_arguments_are_strict():
    assert schemas.ListInbox().load({"member_id": "mb-1"}) == commands.ListInbox("mb-1")
    with pytest.raises(Exception, match="limit"):
        schemas.ListInbox().load({"member_id": "mb-1", "limit": 500})


def test_results_show_no_storage_or_routing_field():
    message = Message("points_awarded:e1", "mb-1", "/hj/s1", "points", "t", "b", NOW)
    page = schemas.InboxPage().dump({"items": [message], "next_cursor": None})
    assert page == {
        "items": [
            {
                "message_id": "points_awarded:e1",
                "kind": "points",
                "title": "t",
                "body": "b",
                "at": "2026-11-23T10:00:00+00:00",
                "read": False,
            }
        ],
        "next_cursor": None,
    }


# -- the same paging contract on the embedded store ------------------------------------------


@pytest.fixture(params=["fake", "store"])
def repo(request, tmp_path):
    if request.param == "fake":
        yield FakeNotifyUoW().inbox
        return
    client = litemongo.connect(str(tmp_path))
    yield NotifyStore(client["notify"]).inbox
    client.close()


def test_the_store_and_the_fake_page_alike(repo):
    same_moment = NOW + timedelta(microseconds=500_000)
    for i, at in enumerate([NOW, same_moment, same_moment, NOW + timedelta(seconds=1)]):
        repo.add(Message(f"m{i}", "mb-1", "/hj", "points", "t", "b", at))
    repo.add(Message("other", "mb-2", "/hj", "points", "t", "b", NOW))
    assert repo.add(Message("m0", "mb-1", "/hj", "points", "t", "b", NOW)) is False
    seen, cursor = [], None
    while True:
        found, cursor = repo.page("mb-1", cursor, 3)
        seen += [m.message_id for m in found]
        if cursor is None:
            break
    assert seen == ["m3", "m2", "m1", "m0"]

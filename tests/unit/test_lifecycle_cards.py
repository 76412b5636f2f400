"""Cards over the fakes: issue (a UID nobody held), lost (blocked at once; the swipe refused and
recorded), replace (the old UID stays blocked), return, history, retries; and search."""

from __future__ import annotations

import pytest

from services.infra.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.members import commands, handlers
from services.members.idcard import make_id_number
from services.members.lifecycle.cards import (
    issue_card,
    list_cards,
    replace_card,
    report_card_lost,
    return_card,
)
from services.members.lifecycle.commands import (
    EndCard,
    IssueCard,
    ListCards,
    ReplaceCard,
    SearchMembers,
)
from services.members.lifecycle.search import search_members
from tests.unit.fakes_lifecycle import (
    KIOSK1,
    NOW,
    OPERATOR,
    READER1,
    SECRETARY1,
    SECRETARY2,
    lifecycle_settings,
    members_settings,
    registered,
    world,
)


@pytest.fixture
def uow():
    return world()


def card_events(uow):
    return [
        (e["type"], e["payload"]["card_uid_masked"], e["payload"].get("reason_code"))
        for e in uow.members.events
        if e["type"].startswith("card_")
    ]


def test_issue_normalises_the_uid_and_a_retry_answers_the_same(uow):
    member = registered(uow, card=None)
    cmd = IssueCard(member.member_id, "0a1b2c3d")
    first = issue_card(cmd, uow, SECRETARY1, lifecycle_settings())
    again = issue_card(cmd, uow, SECRETARY1, lifecycle_settings())
    assert first.card_uid == "0A1B2C3D" and again == first
    assert card_events(uow) == [("card_issued", "****2C3D", None)]
    assert uow.cards.get("0A1B2C3D").state == "issued"


def test_a_member_with_a_card_or_who_left_gets_none(uow):
    member = registered(uow, card="A0000001")
    with pytest.raises(Conflict):
        issue_card(IssueCard(member.member_id, "B0000001"), uow, SECRETARY1, lifecycle_settings())
    assert uow.cards.get("B0000001") is None  # nothing reserved


def test_lost_blocks_at_once_and_the_swipe_is_refused_and_recorded(uow):
    member = registered(uow, card="A0000001")
    lost = report_card_lost(
        EndCard(member.member_id, "遗失"), uow, SECRETARY1, lifecycle_settings()
    )
    assert lost.card_uid is None
    assert (
        report_card_lost(EndCard(member.member_id, "遗失"), uow, SECRETARY1, lifecycle_settings())
        == lost
    )  # a retry answers the same
    card = uow.cards.get("A0000001")
    assert (card.state, card.ended_reason, card.note) == ("blocked", "lost", "遗失")
    assert card_events(uow) == [("card_blocked", "****0001", "lost")]
    handlers.enroll_kiosk(commands.EnrollKiosk("k1", "s1", "党群服务中心"), uow, OPERATOR)
    handlers.schedule_meeting(
        commands.ScheduleMeeting("b1", "theme_day", "主题党日", NOW, meeting_id="m1"),
        uow,
        OPERATOR,
        members_settings(),
    )
    swipe = commands.CheckIn("a0000001", "m1")
    for _twice in range(2):
        with pytest.raises(Forbidden) as refused:
            handlers.check_in(swipe, uow, KIOSK1, members_settings())
        assert "挂失" in refused.value.message
    [refusal] = uow.cards.refusals.values()
    assert (refusal.card_uid, refusal.device_id, refusal.member_id) == (
        "A0000001",
        "k1",
        member.member_id,
    )
    with pytest.raises(NotFound):  # a card never issued is still unknown
        handlers.check_in(commands.CheckIn("FFFF0000", "m1"), uow, KIOSK1, members_settings())


def test_a_blocked_uid_is_never_issued_again(uow):
    member = registered(uow, card="A0000001")
    other = registered(uow, card=None, seq=2, name="李四")
    report_card_lost(EndCard(member.member_id, "遗失"), uow, SECRETARY1, lifecycle_settings())
    for who in (member, other):
        with pytest.raises(Conflict):
            issue_card(IssueCard(who.member_id, "A0000001"), uow, SECRETARY1, lifecycle_settings())


def test_a_uid_held_by_another_member_is_refused(uow):
    registered(uow, card="A0000001")
    other = registered(uow, card=None, seq=2)
    with pytest.raises(Conflict):
        issue_card(IssueCard(other.member_id, "A0000001"), uow, SECRETARY1, lifecycle_settings())


def test_replace_after_loss_and_directly(uow):
    member = registered(uow, card="A0000001")
    settings = lifecycle_settings()
    direct = replace_card(ReplaceCard(member.member_id, "B0000001"), uow, SECRETARY1, settings)
    assert direct.card_uid == "B0000001"
    assert (
        replace_card(ReplaceCard(member.member_id, "B0000001"), uow, SECRETARY1, settings) == direct
    )
    old = uow.cards.get("A0000001")
    assert (old.state, old.ended_reason, old.replaced_by) == ("blocked", "replaced", "B0000001")
    report_card_lost(EndCard(member.member_id, "遗失"), uow, SECRETARY1, settings)
    after_loss = replace_card(ReplaceCard(member.member_id, "C0000001"), uow, SECRETARY1, settings)
    assert after_loss.card_uid == "C0000001"
    assert uow.cards.get("B0000001").state == "blocked"
    assert card_events(uow) == [
        ("card_blocked", "****0001", "replaced"),
        ("card_issued", "****0001", None),
        ("card_blocked", "****0001", "lost"),
        ("card_issued", "****0001", None),
    ]
    cards, _next = list_cards(ListCards(member.member_id), uow, READER1)
    assert {c.card_uid for c in cards} == {"A0000001", "B0000001", "C0000001"}


def test_replace_without_any_card_is_refused(uow):
    member = registered(uow, card=None)
    with pytest.raises(Conflict):
        replace_card(
            ReplaceCard(member.member_id, "B0000001"), uow, SECRETARY1, lifecycle_settings()
        )


def test_return_and_nothing_to_return(uow):
    member = registered(uow, card="A0000001")
    returned = return_card(EndCard(member.member_id, "调离"), uow, SECRETARY1, lifecycle_settings())
    assert returned.card_uid is None and uow.cards.get("A0000001").state == "returned"
    other = registered(uow, card=None, seq=2)
    with pytest.raises(Conflict):
        return_card(EndCard(other.member_id, "调离"), uow, SECRETARY1, lifecycle_settings())


def test_cards_need_a_secretary_in_scope(uow):
    member = registered(uow, card=None)
    with pytest.raises(Forbidden):
        issue_card(IssueCard(member.member_id, "B0000001"), uow, SECRETARY2, lifecycle_settings())
    with pytest.raises(Forbidden):
        issue_card(IssueCard(member.member_id, "B0000001"), uow, READER1, lifecycle_settings())


# -- search ------------------------------------------------------------------------------------


def test_search_by_name_card_and_id_number_within_scope(uow):
    zhang = registered(uow, card="A0000001", name="张三丰")
    registered(uow, org_id="b3", card="A0000002", seq=2, name="张无忌")
    settings = lifecycle_settings()

    def found(q, caller=READER1, org_id="s1"):
        items, _next = search_members(SearchMembers(org_id, q), uow, caller, settings)
        return [m.member_id for m in items]

    assert found("张") == [zhang.member_id]
    assert found("a0000001") == [zhang.member_id]
    assert found("A0000002") == []  # another street's
    report_card_lost(EndCard(zhang.member_id, "遗失"), uow, SECRETARY1, settings)
    assert found("a0000001") == [zhang.member_id]  # a lost card names its last holder
    id_number = make_id_number("410108", zhang.birth_date, 1, "male")
    assert found(id_number.lower()) == [zhang.member_id]
    assert len(found("张", OPERATOR, "hj")) == 2
    with pytest.raises(Forbidden):
        found("张", READER1, "s2")
    with pytest.raises(InvalidInput):
        found("   ")

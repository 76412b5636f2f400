"""Transfers within the deployment over the fakes: issuing (letter numbers, validity, dues paid
up to, one open letter per member, scope), accepting (the move, counters, event, receipt,
retries), declining, cancelling, expiry and re-issue, the lists and their flags."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from services.infra.errors import Conflict, Forbidden, NotFound, Stale
from services.members.activity import DUES
from services.members.transfers.commands import (
    CloseTransfer,
    GetTransfer,
    IssueTransfer,
    ListTransfers,
    ReissueTransfer,
)
from services.members.transfers.domain import Destination, TransferRules
from services.members.transfers.domain import issue as make
from services.members.transfers.handling import (
    accept_transfer,
    cancel_transfer,
    decline_transfer,
    flags,
    get_transfer,
    issue_transfer,
    list_transfers,
    reissue_transfer,
)
from tests.unit.fakes_lifecycle import (
    OPERATOR,
    READER1,
    SECRETARY1,
    SECRETARY2,
    STREET1,
    registered,
)
from tests.unit.fakes_transfers import (
    SECRETARY3,
    TODAY,
    Clock,
    transfer_settings,
    transfers_world,
)


@pytest.fixture
def uow():
    return transfers_world()


@pytest.fixture
def member(uow):
    return registered(uow)


def issue(uow, member, request_id="req-00000001", to="b3", scope="within_city", caller=SECRETARY1):
    cmd = IssueTransfer(request_id, member.member_id, scope, "工作调动", to_org_id=to)
    return issue_transfer(cmd, uow, caller, transfer_settings())


def by_status(uow, org_id):
    return dict(uow.orgs.get(org_id).counts.by_status)


def test_issue_numbers_letters_by_year_and_sets_validity_and_dues(uow, member):
    uow.activity.record([member.member_id], DUES, "2026-10")
    letter = issue(uow, member)
    assert letter.letter_no == f"{TODAY.year}-000001"
    assert letter.state == "issued"
    assert (letter.valid_until - TODAY).days == 10
    assert letter.dues_paid_to == "2026-10"
    assert letter.from_org_id == "b1" and letter.to.org_id == "b3"
    other = registered(uow, seq=2, card="A0000002", name="李四")
    outside = issue(uow, other, "req-00000002", scope="outside_city")
    assert outside.letter_no == f"{TODAY.year}-000002"
    assert (outside.valid_until - TODAY).days == 30


@pytest.mark.parametrize(
    ("within", "outside", "max_days", "expect"), [(10, 30, 90, 30), (10, 200, 90, 90)]
)
def test_validity_never_exceeds_the_cap(within, outside, max_days, expect):
    rules = TransferRules(within, outside, max_days)
    assert rules.validity("outside_city") == expect


def test_the_same_request_answers_the_same_letter(uow, member):
    first = issue(uow, member)
    again = issue(uow, member)
    assert again == first
    assert uow.transfers.seq[TODAY.year] == 1


def test_one_open_letter_per_member(uow, member):
    issue(uow, member)
    with pytest.raises(Conflict) as refused:
        issue(uow, member, "req-00000002", to="b2")
    assert f"{TODAY.year}-000001" in refused.value.message


def test_issue_checks_scope_role_and_destination(uow, member):
    with pytest.raises(Forbidden):
        issue(uow, member, caller=SECRETARY2)
    with pytest.raises(Forbidden):
        issue(uow, member, caller=READER1)
    with pytest.raises(NotFound):
        issue(uow, member, to="nowhere")
    with pytest.raises(Conflict):
        issue(uow, member, to="b1")  # its own organization
    assert uow.transfers.rows == {}


def test_a_member_who_left_cannot_be_transferred(uow, member):
    uow.members.rows[member.member_id] = replace(member, status="withdrawn")
    with pytest.raises(Conflict):
        issue(uow, member)


def test_accept_moves_the_member_counts_and_records_the_receipt(uow, member):
    letter = issue(uow, member)
    assert by_status(uow, "b1") == {"full": 1}
    assert uow.members.get(member.member_id).org_id == "b1"  # the sender keeps them until then
    accepted = accept_transfer(
        CloseTransfer(letter.transfer_id), uow, SECRETARY3, transfer_settings()
    )
    moved = uow.members.get(member.member_id)
    assert (moved.org_id, moved.org_path, moved.card_uid) == ("b3", "/hj/s2/b3", "A0000001")
    assert accepted.state == "accepted" and accepted.receipt_on == TODAY
    assert by_status(uow, "b1") == {} and by_status(uow, "s1") == {}
    assert by_status(uow, "b3") == {"full": 1} and by_status(uow, "s2") == {"full": 1}
    assert by_status(uow, "hj") == {"full": 1}
    assert uow.orgs.get("b3").counts.own_members == 1
    [event] = [e for e in uow.members.events if e["type"] == "member_transferred"]
    assert event["payload"]["letter_no"] == letter.letter_no
    assert event["payload"]["from_org_id"] == "b1" and event["payload"]["to_org_id"] == "b3"
    assert "name" not in event["payload"]
    # asked again: nothing more
    again = accept_transfer(CloseTransfer(letter.transfer_id), uow, SECRETARY3, transfer_settings())
    assert again.state == "accepted"
    assert by_status(uow, "b3") == {"full": 1}
    assert len([e for e in uow.members.events if e["type"] == "member_transferred"]) == 1
    assert uow.transfers.holds == {}
    # a new letter may be issued from the new organization
    issue(uow, uow.members.get(member.member_id), "req-00000009", to="b1", caller=SECRETARY3)


def test_a_retry_completes_an_acceptance_cut_short(uow, member):
    letter = issue(uow, member)
    real_save = uow.members.save
    uow.members.save = lambda *a, **k: (_ for _ in ()).throw(RuntimeError("crash"))
    with pytest.raises(RuntimeError):
        accept_transfer(CloseTransfer(letter.transfer_id), uow, SECRETARY3, transfer_settings())
    uow.members.save = real_save
    assert uow.members.get(member.member_id).org_id == "b1"
    accept_transfer(CloseTransfer(letter.transfer_id), uow, SECRETARY3, transfer_settings())
    assert uow.members.get(member.member_id).org_id == "b3"
    assert by_status(uow, "b3") == {"full": 1} and by_status(uow, "b1") == {}


def test_a_concurrent_change_of_the_member_is_read_again_not_overwritten(uow, member):
    letter = issue(uow, member)
    real_save = uow.members.save
    calls = []

    def racing(saved, events):
        if not calls:  # someone else changes the member between the read and the write
            calls.append(1)
            stored = uow.members.rows[saved.member_id]
            uow.members.rows[saved.member_id] = replace(
                stored, skills=("修电器",), version=stored.version + 1
            )
            raise Stale(saved.member_id)
        return real_save(saved, events)

    uow.members.save = racing
    accept_transfer(CloseTransfer(letter.transfer_id), uow, SECRETARY3, transfer_settings())
    moved = uow.members.get(member.member_id)
    assert moved.org_id == "b3" and moved.skills == ("修电器",)


def test_only_the_receiver_accepts_and_declines(uow, member):
    letter = issue(uow, member)
    with pytest.raises(Forbidden):
        accept_transfer(CloseTransfer(letter.transfer_id), uow, SECRETARY1, transfer_settings())
    with pytest.raises(NotFound):  # neither side: not revealed
        accept_transfer(
            CloseTransfer(letter.transfer_id),
            uow,
            replace(SECRETARY1, scope="/hj/s1/b2"),
            transfer_settings(),
        )
    with pytest.raises(Forbidden):
        cancel_transfer(CloseTransfer(letter.transfer_id), uow, SECRETARY3, transfer_settings())
    assert uow.members.get(member.member_id).org_id == "b1"


def test_decline_needs_a_reason_and_frees_the_member(uow, member):
    letter = issue(uow, member)
    with pytest.raises(Conflict):
        decline_transfer(
            CloseTransfer(letter.transfer_id, " "), uow, SECRETARY3, transfer_settings()
        )
    declined = decline_transfer(
        CloseTransfer(letter.transfer_id, "不在本支部辖区"), uow, SECRETARY3, transfer_settings()
    )
    assert declined.state == "declined" and declined.decline_reason == "不在本支部辖区"
    assert uow.members.get(member.member_id).org_id == "b1"
    with pytest.raises(Conflict):
        accept_transfer(CloseTransfer(letter.transfer_id), uow, SECRETARY3, transfer_settings())
    issue(uow, member, "req-00000002", to="b2")  # free for another letter


def test_cancel_before_acceptance(uow, member):
    letter = issue(uow, member)
    cancelled = cancel_transfer(
        CloseTransfer(letter.transfer_id), uow, SECRETARY1, transfer_settings()
    )
    assert cancelled.state == "cancelled"
    again = cancel_transfer(CloseTransfer(letter.transfer_id), uow, SECRETARY1, transfer_settings())
    assert again.version == cancelled.version
    with pytest.raises(Conflict):
        accept_transfer(CloseTransfer(letter.transfer_id), uow, SECRETARY3, transfer_settings())


def test_an_expired_letter_is_refused_and_reissued_with_a_new_number(uow, member):
    clock = Clock()
    settings = transfer_settings(clock)
    cmd = IssueTransfer("req-00000001", member.member_id, "within_city", "工作调动", to_org_id="b3")
    letter = issue_transfer(cmd, uow, SECRETARY1, settings)
    with pytest.raises(Conflict):  # still valid: not re-issued
        reissue_transfer(
            ReissueTransfer(letter.transfer_id, "req-00000002"), uow, SECRETARY1, settings
        )
    clock.forward(11)
    assert flags(uow.transfers.get(letter.transfer_id), settings)["overdue"]
    with pytest.raises(Conflict):
        accept_transfer(CloseTransfer(letter.transfer_id), uow, SECRETARY3, settings)
    new = reissue_transfer(
        ReissueTransfer(letter.transfer_id, "req-00000002"), uow, SECRETARY1, settings
    )
    old = uow.transfers.get(letter.transfer_id)
    assert old.state == "expired" and old.replaced_by == new.letter_no
    assert new.letter_no != letter.letter_no and new.replaces == letter.letter_no
    assert new.valid_until == clock.now.date() + (letter.valid_until - letter.issued_on)
    again = reissue_transfer(
        ReissueTransfer(letter.transfer_id, "req-00000002"), uow, SECRETARY1, settings
    )
    assert again == new
    accept_transfer(CloseTransfer(new.transfer_id), uow, SECRETARY3, settings)
    assert uow.members.get(member.member_id).org_id == "b3"


def test_flags_expiring_and_receipt_overdue():
    rules = TransferRules()
    letter = make(
        transfer_id="t-00000001",
        letter_no="2026-000001",
        member_id="m",
        member_status="full",
        in_register=True,
        from_org_id="b1",
        from_org_path="/hj/s1/b1",
        to=Destination(org_name="外县某支部", deployment="other-county"),
        scope="outside_city",
        reason="工作调动",
        dues_paid_to=None,
        today=TODAY,
        issued_by="x",
        rules=rules,
    )
    assert letter.flags(TODAY, rules) == {
        "overdue": False,
        "expiring": False,
        "receipt_overdue": False,
    }
    assert letter.flags(TODAY + timedelta(days=28), rules)["expiring"]
    late = letter.flags(TODAY + timedelta(days=31), rules)
    assert late["overdue"] and late["receipt_overdue"]


def test_lists_outgoing_and_incoming_by_subtree(uow, member):
    other = registered(uow, seq=2, card="A0000002", name="李四", org_id="b2")
    first = issue(uow, member)
    second = issue(uow, other, "req-00000002", to="b3", caller=STREET1)
    out, _next = list_transfers(ListTransfers("s1", "outgoing"), uow, STREET1)
    assert [t.transfer_id for t in out] == [second.transfer_id, first.transfer_id]
    incoming, _next = list_transfers(ListTransfers("b3", "incoming"), uow, SECRETARY3)
    assert len(incoming) == 2
    page, cursor = list_transfers(ListTransfers("hj", "incoming", limit=1), uow, OPERATOR)
    assert len(page) == 1 and cursor
    rest, end = list_transfers(
        ListTransfers("hj", "incoming", cursor=cursor, limit=1), uow, OPERATOR
    )
    assert [t.transfer_id for t in rest] == [first.transfer_id] and end is None
    accept_transfer(CloseTransfer(first.transfer_id), uow, SECRETARY3, transfer_settings())
    open_only, _next = list_transfers(
        ListTransfers("b3", "incoming", open_only=True), uow, SECRETARY3
    )
    assert [t.transfer_id for t in open_only] == [second.transfer_id]
    with pytest.raises(Forbidden):
        list_transfers(ListTransfers("b3", "incoming"), uow, SECRETARY1)


def test_get_is_for_either_side_only(uow, member):
    letter = issue(uow, member)
    assert get_transfer(GetTransfer(letter.transfer_id), uow, SECRETARY3) == letter
    assert get_transfer(GetTransfer(letter.transfer_id), uow, SECRETARY1) == letter
    with pytest.raises(NotFound):
        get_transfer(
            GetTransfer(letter.transfer_id),
            uow,
            SECRETARY2.__class__("x", "branch_secretary", "/hj/s1/b2"),
        )

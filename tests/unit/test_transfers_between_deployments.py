"""Transfers between two deployments over the fakes: the sender's transfer_requested carries only
the sealed member record (opened by the receiver's shared key only, bound to its letter), the
receiver stores it once, accepts (a new member there, no card) or declines, and the sender
applies the answer to its letter once."""

from __future__ import annotations

import base64
from dataclasses import replace

import pytest

from services.infra.errors import Conflict, NotFound, PoisonMessage
from services.infra.pii import PiiCipher
from services.infra.scope import Caller
from services.members.transfers.commands import IssueTransfer
from services.members.transfers.crossing import (
    accept_incoming_transfer,
    apply_transfer_answer,
    decline_incoming_transfer,
    list_incoming_transfers,
    receive_transfer_requested,
)
from services.members.transfers.handling import issue_transfer
from tests.unit.fakes_lifecycle import (
    NOW,
    OPERATOR,
    SECRETARY1,
    cipher,
    lifecycle_settings,
    registered,
)
from tests.unit.fakes_transfers import transfer_settings, transfers_world

SHARED = PiiCipher(base64.b64decode(base64.b64encode(b"s" * 32)), b"")
OTHER_KEY = PiiCipher(b"o" * 32, b"")
RECEIVER = Caller("sec-b", "branch_secretary", "/hj/s2/b3")  # in deployment B
LIFECYCLE = lifecycle_settings()


def settings(me: str, peer: str, key: PiiCipher = SHARED):
    return replace(transfer_settings(), deployment_id=me, cipher=cipher(), peers={peer: key})


@pytest.fixture
def two():
    return transfers_world(), transfers_world()


def sent(a, to_org_name="b3"):
    member = registered(a)
    cmd = IssueTransfer(
        "req-00000001",
        member.member_id,
        "outside_city",
        "工作调动",
        to_deployment="county-b",
        to_org_name=to_org_name,
    )
    letter = issue_transfer(cmd, a, SECRETARY1, settings("county-a", "county-b"))
    [event] = [e for e in a.transfers.events if e["type"] == "transfer_requested"]
    return member, letter, event["payload"]


def test_the_request_carries_only_the_sealed_record(two):
    a, _b = two
    member, letter, payload = sent(a)
    text = str(payload)
    assert member.name not in text and "13800001234" not in text
    assert payload["letter_no"] == letter.letter_no and payload["to_deployment"] == "county-b"
    assert payload["member_sealed"].startswith("v1:")
    assert a.members.get(member.member_id).org_id == "b1"  # still the sender's


def test_a_letter_to_an_unknown_deployment_is_refused(two):
    a, _b = two
    member = registered(a)
    cmd = IssueTransfer(
        "req-00000001", member.member_id, "outside_city", "调动", None, "nowhere", "x"
    )
    with pytest.raises(Conflict):
        issue_transfer(cmd, a, SECRETARY1, settings("county-a", "county-b"))


def test_received_once_accepted_registers_and_answers(two):
    a, b = two
    member, letter, payload = sent(a)
    mine = settings("county-b", "county-a")
    incoming = receive_transfer_requested(payload, b, mine)
    assert receive_transfer_requested(payload, b, mine) == incoming  # redelivered: once
    assert incoming.to_org_path == "/hj/s2/b3" and incoming.member_name_masked.startswith("张")
    accepted = accept_incoming_transfer(incoming.key, "b3", b, RECEIVER, mine, LIFECYCLE)
    again = accept_incoming_transfer(incoming.key, "b3", b, RECEIVER, mine, LIFECYCLE)
    assert again == accepted
    there = b.members.get(accepted.member_id)
    assert there.org_id == "b3" and there.card_uid is None and there.name == member.name
    assert there.id_hash == member.id_hash  # the same person (same keys in this test)
    assert b.orgs.get("b3").counts.members == 1
    [answer] = [e for e in b.incoming_transfers.events if e["type"] == "transfer_accepted"]
    assert answer["payload"]["to_org_id"] == "b3"
    # back at the sender: the receipt, once
    sender = settings("county-a", "county-b")
    assert apply_transfer_answer("transfer_accepted", answer["payload"], a, sender, LIFECYCLE)
    assert not apply_transfer_answer("transfer_accepted", answer["payload"], a, sender, LIFECYCLE)
    done = a.transfers.get(letter.transfer_id)
    assert done.state == "accepted" and done.receipt_on == NOW.date()
    assert a.transfers.holds == {}
    # the member left the sender's register: an exit with its history, counters and card
    gone = a.members.get(member.member_id)
    assert gone.status == "transferred_out" and gone.card_uid is None
    assert a.orgs.get("b1").counts.members == 0
    [change] = [c for c in a.lifecycle.history.values() if c.member_id == member.member_id]
    assert (change.reason_code, change.reason, change.approved_by) == (
        "transferred_out",
        letter.letter_no,
        "county-b",
    )


def test_a_member_who_comes_back_returns_to_the_same_record(two):
    a, b = two
    member, _letter, payload = sent(a)
    there = settings("county-b", "county-a")
    incoming = receive_transfer_requested(payload, b, there)
    accept_incoming_transfer(incoming.key, "b3", b, RECEIVER, there, LIFECYCLE)
    [answer] = [e for e in b.incoming_transfers.events if e["type"] == "transfer_accepted"]
    here = settings("county-a", "county-b")
    apply_transfer_answer("transfer_accepted", answer["payload"], a, here, LIFECYCLE)
    # and back: B issues a letter for them to A's branch b2, which accepts it
    returned = b.members.get(b.incoming_transfers.get(incoming.key).member_id)
    cmd = IssueTransfer(
        "req-00000002",
        returned.member_id,
        "outside_city",
        "回原籍",
        to_deployment="county-a",
        to_org_name="b2",
    )
    issue_transfer(cmd, b, RECEIVER, there)
    [request] = [e for e in b.transfers.events if e["type"] == "transfer_requested"]
    arrived = receive_transfer_requested(request["payload"], a, here)
    accepted = accept_incoming_transfer(arrived.key, "b2", a, OPERATOR, here, LIFECYCLE)
    assert accepted.member_id == member.member_id  # the same record, not a second one
    home = a.members.get(member.member_id)
    assert (home.status, home.org_id) == ("full", "b2")
    assert a.orgs.get("b2").counts.members == 1 and a.orgs.get("b1").counts.members == 0
    assert a.orgs.get("b1").counts.by_status.get("transferred_out", 0) == 0


def test_declined_travels_back(two):
    a, b = two
    _member, letter, payload = sent(a)
    mine = settings("county-b", "county-a")
    incoming = receive_transfer_requested(payload, b, mine)
    with pytest.raises(Conflict):
        decline_incoming_transfer(incoming.key, "", b, RECEIVER, mine)
    declined = decline_incoming_transfer(incoming.key, "不属本支部", b, RECEIVER, mine)
    assert declined.state == "declined"
    with pytest.raises(Conflict):
        accept_incoming_transfer(incoming.key, "b3", b, RECEIVER, mine, LIFECYCLE)
    [answer] = [e for e in b.incoming_transfers.events if e["type"] == "transfer_declined"]
    apply_transfer_answer(
        "transfer_declined", answer["payload"], a, settings("county-a", "county-b"), LIFECYCLE
    )
    done = a.transfers.get(letter.transfer_id)
    assert done.state == "declined" and done.decline_reason == "不属本支部"


def test_a_wrong_key_or_another_deployment(two):
    a, b = two
    _member, _letter, payload = sent(a)
    assert receive_transfer_requested(payload, b, settings("county-c", "county-a")) is None
    with pytest.raises(PoisonMessage):
        receive_transfer_requested(payload, b, settings("county-b", "county-a", OTHER_KEY))
    moved = {**payload, "letter_no": "2026-999999"}  # the record bound to another letter
    with pytest.raises(PoisonMessage):
        receive_transfer_requested(moved, b, settings("county-b", "county-a"))


def test_received_letters_are_listed_for_the_named_organization(two):
    a, b = two
    _member, _letter, payload = sent(a)
    mine = settings("county-b", "county-a")
    incoming = receive_transfer_requested(payload, b, mine)
    found, _next = list_incoming_transfers("b3", None, 10, b, RECEIVER)
    assert [i.key for i in found] == [incoming.key]
    elsewhere, _next = list_incoming_transfers("b1", None, 10, b, SECRETARY1)
    assert elsewhere == []


def test_only_the_named_organizations_area_accepts(two):
    a, b = two
    _member, _letter, payload = sent(a)
    mine = settings("county-b", "county-a")
    incoming = receive_transfer_requested(payload, b, mine)
    with pytest.raises(NotFound):
        accept_incoming_transfer(incoming.key, "b3", b, SECRETARY1, mine, LIFECYCLE)

"""Status changes over the fakes: the allowed transitions and their rules, the history, the
counters moved once, exits returning the card and ending phone sessions, retries, the probation
list and its reminders."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from services.infra.errors import Conflict, Forbidden, InvalidInput
from services.infra.scope import Caller
from services.members.accounts.domain import Session
from services.members.accounts.errors import Unauthenticated
from services.members.lifecycle.commands import (
    ChangeStatus,
    ListProbationDue,
    ListStatusHistory,
)
from services.members.lifecycle.domain import reason_code_for
from services.members.lifecycle.status import (
    change_member_status,
    list_probation_due,
    list_status_history,
    remind_probation_ending,
)
from services.members.phone_sign_in.signing_in import get_me
from tests.unit.fakes_lifecycle import (
    NOW,
    OPERATOR,
    READER1,
    SECRETARY1,
    SECRETARY2,
    lifecycle_settings,
    registered,
    world,
)

TODAY = NOW.date()


@pytest.fixture
def uow():
    return world()


def change(member, to_status, effective_on=TODAY, **more):
    fields = dict(reason="支部大会讨论通过", approved_by="支部大会")
    return ChangeStatus(member.member_id, to_status, effective_on, **{**fields, **more})


def by_status(uow, org_id):
    return dict(uow.orgs.get(org_id).counts.by_status)


@pytest.mark.parametrize(
    ("now", "to", "role", "code"),
    [
        ("probationary", "full", "branch_secretary", "confirmed"),
        ("probationary", "probationary", "branch_secretary", "probation_extended"),
        ("probationary", "expelled", "branch_secretary", "disqualified"),
        ("probationary", "withdrawn", "branch_secretary", "disqualified"),
        ("full", "suspended", "branch_secretary", "suspended"),
        ("suspended", "full", "branch_secretary", "suspension_lifted"),
        ("full", "lapsed", "branch_secretary", "lapsed"),
        ("full", "withdrawn", "branch_secretary", "withdrew"),
        ("suspended", "deceased", "branch_secretary", "deceased"),
        ("expelled", "full", "county_operator", "reinstated"),
    ],
)
def test_allowed_transitions(uow, now, to, role, code):
    member = replace(registered(uow), status=now)
    assert reason_code_for(member, to, role) == code


@pytest.mark.parametrize(
    ("now", "to", "role", "error"),
    [
        ("full", "probationary", "branch_secretary", Conflict),
        ("suspended", "suspended", "branch_secretary", Conflict),
        ("lapsed", "withdrawn", "county_operator", Conflict),
        ("deceased", "full", "org_admin", Forbidden),
        # a transfer to another deployment is recorded by the transfer, never by hand
        ("full", "transferred_out", "county_operator", Conflict),
        ("transferred_out", "full", "county_operator", Conflict),
    ],
)
def test_refused_transitions(uow, now, to, role, error):
    member = replace(registered(uow), status=now)
    with pytest.raises(error):
        reason_code_for(member, to, role)


def test_confirmation_moves_counters_once_and_records_history(uow):
    member = registered(uow, status="probationary", join_date=date(2025, 12, 1))
    assert by_status(uow, "hj") == {"probationary": 1}
    cmd = change(member, "full", TODAY)
    confirmed = change_member_status(cmd, uow, SECRETARY1, lifecycle_settings())
    again = change_member_status(cmd, uow, SECRETARY1, lifecycle_settings())
    assert confirmed.status == "full" and confirmed.status_since == TODAY and again == confirmed
    for org_id in ("hj", "s1", "b1"):
        assert by_status(uow, org_id) == {"full": 1}
        assert uow.orgs.get(org_id).counts.members == 1
    events = [e for e in uow.members.events if e["type"] == "member_status_changed"]
    assert len(events) == 1
    payload = events[0]["payload"]
    assert {k: payload[k] for k in ("from_status", "to_status", "reason_code")} == {
        "from_status": "probationary",
        "to_status": "full",
        "reason_code": "confirmed",
    }
    assert "支部大会" not in str(payload)
    [entry], _next = list_status_history(ListStatusHistory(member.member_id), uow, READER1)
    assert (entry.approved_by, entry.actor) == ("支部大会", "branch_secretary:sec1")


def test_confirmation_only_near_the_end_of_the_probation_year(uow):
    member = registered(uow, status="probationary", join_date=date(2026, 3, 1))
    with pytest.raises(InvalidInput) as refused:
        change_member_status(change(member, "full"), uow, SECRETARY1, lifecycle_settings())
    assert "2027-01-30" in str(refused.value.details["fields"]["effective_on"])


def test_effective_date_neither_future_nor_before_the_current_status(uow):
    member = registered(uow)
    for day in (TODAY + timedelta(days=1), date(2005, 6, 30)):
        with pytest.raises(InvalidInput):
            change_member_status(
                change(member, "suspended", day), uow, SECRETARY1, lifecycle_settings()
            )


def test_probation_extended_once_by_at_most_a_year(uow):
    member = registered(uow, status="probationary", join_date=date(2026, 3, 1))
    settings = lifecycle_settings()
    with pytest.raises(InvalidInput):
        change_member_status(
            change(member, "probationary", extend_days=400), uow, SECRETARY1, settings
        )
    extended = change_member_status(
        change(member, "probationary", extend_days=180), uow, SECRETARY1, settings
    )
    assert extended.probation_ends == date(2027, 3, 1) + timedelta(days=180)
    assert by_status(uow, "b1") == {"probationary": 1}
    with pytest.raises(Conflict):
        change_member_status(
            change(member, "probationary", extend_days=10, reason="再次延长"),
            uow,
            SECRETARY1,
            settings,
        )


def test_an_exit_returns_the_card_and_ends_phone_sessions(uow):
    member = registered(uow, card="A0000001")
    session = Session(
        session_id="ms-1",
        kind="member",
        subject=member.member_id,
        generation=0,
        active_index=0,
        refresh_hash="x",
        used_hashes=(),
        created_at=NOW,
        last_seen_at=NOW,
        expires_at=NOW + timedelta(hours=12),
    )
    uow.sessions.rows[session.session_id] = session
    holder = Caller(member.member_id, "member", member.org_path)
    assert get_me("ms-1", uow, holder).session == session
    left = change_member_status(change(member, "deceased"), uow, SECRETARY1, lifecycle_settings())
    assert left.status == "deceased" and left.card_uid is None
    assert uow.members.get(member.member_id) is not None  # never deleted
    card = uow.cards.get("A0000001")
    assert (card.state, card.ended_reason) == ("returned", "returned")
    assert uow.sessions.get("ms-1").revoked_at is not None
    with pytest.raises(Unauthenticated):  # and the phone pages' own check refuses them too
        get_me("ms-1", uow, holder)
    assert by_status(uow, "hj") == {"deceased": 1} and uow.orgs.get("hj").counts.members == 0
    types = [e["type"] for e in uow.members.events]
    assert types.count("card_blocked") == 1 and types.count("member_status_changed") == 1


def test_reinstatement_by_a_county_operator_only(uow):
    member = registered(uow)
    change_member_status(change(member, "lapsed"), uow, SECRETARY1, lifecycle_settings())
    with pytest.raises(Forbidden):
        change_member_status(change(member, "full"), uow, SECRETARY1, lifecycle_settings())
    back = change_member_status(change(member, "full"), uow, OPERATOR, lifecycle_settings())
    assert back.status == "full" and by_status(uow, "hj") == {"full": 1}


def test_a_change_left_unsettled_is_completed_by_the_next_call(uow):
    member = registered(uow)
    settings = lifecycle_settings()
    uow.lifecycle.record_change = lambda change: None  # the history write is lost (a crash)
    uow.lifecycle.claim_change_count = lambda *args: False
    change_member_status(change(member, "suspended"), uow, SECRETARY1, settings)
    assert by_status(uow, "hj") == {"full": 1}  # not counted yet
    del uow.lifecycle.record_change, uow.lifecycle.claim_change_count
    change_member_status(change(member, "suspended"), uow, SECRETARY1, settings)  # the retry
    assert by_status(uow, "hj") == {"suspended": 1}
    assert len(uow.lifecycle.history) == 1


def test_same_status_with_another_request_is_refused(uow):
    member = registered(uow)
    change_member_status(change(member, "suspended"), uow, SECRETARY1, lifecycle_settings())
    with pytest.raises(Conflict):
        change_member_status(
            change(member, "suspended", reason="另一理由"), uow, SECRETARY1, lifecycle_settings()
        )


def test_scope_and_role(uow):
    member = registered(uow)
    with pytest.raises(Forbidden):
        change_member_status(change(member, "suspended"), uow, SECRETARY2, lifecycle_settings())
    with pytest.raises(Forbidden):
        change_member_status(change(member, "suspended"), uow, READER1, lifecycle_settings())


def test_probation_due_lists_those_ending_soon_in_scope(uow):
    soon = registered(uow, status="probationary", join_date=date(2025, 12, 1), seq=1, card=None)
    later = registered(uow, status="probationary", join_date=date(2026, 6, 1), seq=2, card=None)
    registered(
        uow, org_id="b3", status="probationary", join_date=date(2025, 12, 2), seq=3, card=None
    )
    settings = lifecycle_settings()
    found, _next = list_probation_due(ListProbationDue("s1"), uow, READER1, settings)
    assert [m.member_id for m in found] == [soon.member_id]
    found, _next = list_probation_due(
        ListProbationDue("hj", within_days=366), uow, OPERATOR, settings
    )
    assert later.member_id in [m.member_id for m in found] and len(found) == 3
    with pytest.raises(Forbidden):
        list_probation_due(ListProbationDue("s2"), uow, READER1, settings)


def test_probation_due_lists_undecided_overdue_probations_first_within_the_setting(uow):
    due = registered(uow, status="probationary", join_date=date(2025, 12, 1), seq=1, card=None)
    overdue = registered(uow, status="probationary", join_date=date(2025, 9, 1), seq=2, card=None)
    registered(uow, status="probationary", join_date=date(2024, 9, 1), seq=3, card=None)
    found, _next = list_probation_due(ListProbationDue("s1"), uow, READER1, lifecycle_settings())
    assert [m.member_id for m in found] == [overdue.member_id, due.member_id]
    recent_only = lifecycle_settings(probation_overdue_days=30)
    found, _next = list_probation_due(ListProbationDue("s1"), uow, READER1, recent_only)
    assert [m.member_id for m in found] == [due.member_id]


def test_probation_ending_is_published_once_per_member_and_end(uow):
    member = registered(uow, status="probationary", join_date=date(2025, 12, 1), card=None)
    settings = lifecycle_settings()
    assert remind_probation_ending(uow, settings) == 1
    assert remind_probation_ending(uow, settings) == 0
    [event] = uow.lifecycle.events
    assert event["type"] == "probation_ending"
    assert event["payload"]["member_id"] == member.member_id
    assert event["payload"]["probation_ends"] == "2026-12-01"

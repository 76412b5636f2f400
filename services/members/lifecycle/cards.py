"""Smart cards: issue, report lost (blocked at once), replace (a new UID; the old one stays
blocked), return (on exit), the card history, and the refusal of a blocked card at a kiosk.
No nameko, no pymongo.

The member's ``card_uid`` is what signs them in: a card is blocked in the same write that takes
it off the member (with ``card_blocked``) and given in the write that puts it on (with
``card_issued``). The ``cards`` register keeps every UID ever held (so none is given twice) and
how each ended; a UID is reserved there before it is given, and its end recorded after it was
taken off, so a crash between the two writes is completed by the same call retried.
"""

from __future__ import annotations

from services.infra.errors import AlreadyStored, Conflict, Stale
from services.infra.events import Event
from services.infra.i18n import _
from services.infra.scope import Caller
from services.members.domain import Member
from services.members.handlers import SECRETARIES, Page, get_member
from services.members.lifecycle import commands
from services.members.lifecycle.domain import Card, end_card, give_card
from services.members.lifecycle.ports import (
    LifecycleSettings,
    LifecycleUnitOfWork,
    retrying_member,
)


def _actor(caller: Caller) -> str:
    return f"{caller.role}:{caller.subject}"


def _held_card(member_id: str, card_uid: str, uow: LifecycleUnitOfWork) -> Card | None:
    """The card's record when the UID may be given to the member (never held by anyone, or
    reserved for this member by a call cut short); refused otherwise."""
    holder = uow.members.by_card(card_uid)
    if holder is not None and holder.member_id != member_id:
        raise Conflict(_("The card is already registered to another member"))
    card = uow.cards.get(card_uid)
    if card is not None and not (card.member_id == member_id and card.active):
        raise Conflict(_("This card was already used; give a new card"))
    return card


def _give(
    member: Member,
    given: tuple[Member, list[Event]],
    card_uid: str,
    uow: LifecycleUnitOfWork,
    caller: Caller,
    settings: LifecycleSettings,
) -> Member:
    """Reserve the UID for the member and save them holding it (Stale: read again)."""
    if _held_card(member.member_id, card_uid, uow) is None:
        try:
            uow.cards.reserve(Card.issue(member, card_uid, _actor(caller), settings.clock()))
        except AlreadyStored:
            raise Stale(card_uid) from None  # reserved meanwhile: decide again
    changed, events = given
    try:
        return uow.members.save(changed, events)
    except AlreadyStored:
        raise Conflict(_("The card is already registered to another member")) from None


def issue_card(
    cmd: commands.IssueCard,
    uow: LifecycleUnitOfWork,
    caller: Caller,
    settings: LifecycleSettings,
) -> Member:
    """Give a member without a card a UID nobody ever held (the same issue again answers the
    member as it is)."""
    caller.require_role(SECRETARIES)
    card_uid = cmd.card_uid.strip().upper()

    def issue() -> Member:
        member = get_member(cmd.member_id, uow, caller)
        caller.require(member.org_path)
        if member.card_uid == card_uid:
            return member
        return _give(member, give_card(member, card_uid), card_uid, uow, caller, settings)

    return retrying_member(issue, settings)


def replace_card(
    cmd: commands.ReplaceCard,
    uow: LifecycleUnitOfWork,
    caller: Caller,
    settings: LifecycleSettings,
) -> Member:
    """A new UID for the member's card (in use, or reported lost); the old UID stays blocked."""
    caller.require_role(SECRETARIES)
    card_uid = cmd.card_uid.strip().upper()

    def replace() -> Member:
        member = get_member(cmd.member_id, uow, caller)
        caller.require(member.org_path)
        if member.card_uid == card_uid:
            settle_card_end(member, "replaced", "", uow, caller, settings, replaced_by=card_uid)
            return member
        old = member.card_uid
        if old is None:
            latest = uow.cards.latest_of(member.member_id)
            if latest is None or latest.state != "blocked":
                raise Conflict(_("The member has no card to replace; issue one"))
            without, events = member, list[Event]()
        else:
            without, events = end_card(member, "replaced")
        given, issued = give_card(without, card_uid)
        saved = _give(member, (given, events + issued), card_uid, uow, caller, settings)
        settle_card_end(
            saved, "replaced", "", uow, caller, settings, ended_uid=old, replaced_by=card_uid
        )
        return saved

    return retrying_member(replace, settings)


def report_card_lost(
    cmd: commands.EndCard,
    uow: LifecycleUnitOfWork,
    caller: Caller,
    settings: LifecycleSettings,
) -> Member:
    """Block the member's card at once: the next swipe with it is refused (and recorded)."""
    return _take_card(cmd, "lost", uow, caller, settings)


def return_card(
    cmd: commands.EndCard,
    uow: LifecycleUnitOfWork,
    caller: Caller,
    settings: LifecycleSettings,
) -> Member:
    """Take the member's card back (an exit does this by itself); it signs nobody in again."""
    return _take_card(cmd, "returned", uow, caller, settings)


def _take_card(
    cmd: commands.EndCard,
    reason: str,
    uow: LifecycleUnitOfWork,
    caller: Caller,
    settings: LifecycleSettings,
) -> Member:
    caller.require_role(SECRETARIES)

    def take() -> Member:
        member = get_member(cmd.member_id, uow, caller)
        caller.require(member.org_path)
        if member.card_uid is None:  # done already (a retry), or nothing to take
            ended = settle_card_end(member, reason, cmd.reason, uow, caller, settings)
            latest = uow.cards.latest_of(member.member_id)
            if ended or (latest is not None and latest.ended_reason == reason):
                return member
            raise Conflict(_("The member has no card"))
        card_uid = member.card_uid
        saved = uow.members.save(*end_card(member, reason))
        settle_card_end(saved, reason, cmd.reason, uow, caller, settings, ended_uid=card_uid)
        return saved

    return retrying_member(take, settings)


def settle_card_end(
    member: Member,
    reason: str,
    note: str,
    uow: LifecycleUnitOfWork,
    caller: Caller,
    settings: LifecycleSettings,
    *,
    ended_uid: str | None = None,
    replaced_by: str | None = None,
) -> bool:
    """Record the end of each card of the member still recorded as issued but no longer theirs
    (and of ``ended_uid``, recorded or not: a card given at registration has no record yet).
    Whether any was ended."""
    ending = {c.card_uid: c for c in uow.cards.active_of(member.member_id)}
    ending.pop(member.card_uid or "", None)
    if ended_uid and ended_uid not in ending:
        card = uow.cards.get(ended_uid)
        if card is None:
            card = Card(ended_uid, member.member_id, member.org_path, "issued", None)
        if card.active:
            ending[ended_uid] = card
    now = settings.clock()
    for card in ending.values():
        uow.cards.end(card.ended(reason, note, _actor(caller), now, replaced_by))
    return bool(ending)


def list_cards(cmd: commands.ListCards, uow: LifecycleUnitOfWork, caller: Caller) -> Page:
    """The member's cards, newest first: each UID with when it was issued and how it ended."""
    get_member(cmd.member_id, uow, caller)
    return uow.cards.of_member(cmd.member_id, cmd.cursor, cmd.limit)

"""Mobile members (流动党员): registering a stay, changing its host, the return, the lists, and
a mobile member's sign-ins read by the home's or the host's staff. No nameko, no pymongo.

A stay is saved with the member (Members.save: versioned, the events in the same write); a save
met by a concurrent change is done again from a fresh read (services/infra/errors.retrying).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from services.infra import paging
from services.infra.errors import NotFound, retrying
from services.infra.events import Event
from services.infra.i18n import _
from services.infra.scope import Caller
from services.members.domain import Member, Org
from services.members.handlers import READERS, SECRETARIES, Page, get_member, get_org
from services.members.mobile import commands, domain
from services.members.mobile.ports import MobileSettings, MobileUnitOfWork
from services.members.queries import SignIn

T = TypeVar("T")


def _retrying(attempt: Callable[[], T], settings: MobileSettings) -> T:
    message = _("Too many concurrent changes to this member; try again")
    return retrying(attempt, message, settings.retries)


def _host(host_org_id: str | None, uow: MobileUnitOfWork) -> Org | None:
    """The host organization anywhere in the deployment (its secretary need not be in the
    home's scope)."""
    if host_org_id is None:
        return None
    host = uow.orgs.get(host_org_id)
    if host is None:
        raise NotFound(_("Unknown organization"), org_id=host_org_id)
    return host


def _change(
    member_id: str,
    uow: MobileUnitOfWork,
    caller: Caller,
    settings: MobileSettings,
    decide: Callable[[Member], tuple[Member, list[Event]]],
) -> Member:
    caller.require_role(SECRETARIES)

    def attempt() -> Member:
        member = get_member(member_id, uow, caller)
        changed, events = decide(member)
        if not events:
            return member  # asked again: nothing more to do
        return uow.members.save(changed, events)

    return _retrying(attempt, settings)


def register_mobile(
    cmd: commands.RegisterMobile,
    uow: MobileUnitOfWork,
    caller: Caller,
    settings: MobileSettings,
) -> Member:
    host = _host(cmd.host_org_id, uow)

    def decide(member: Member) -> tuple[Member, list[Event]]:
        stay = member.mobile
        asked = (cmd.place.strip(), cmd.since, cmd.until, cmd.host_org_id, cmd.region)
        if (
            stay is not None
            and (
                stay.place,
                stay.since,
                stay.until,
                stay.host_org_id,
                stay.region,
            )
            == asked
        ):
            return member, []  # the same request again
        return domain.register_stay(
            member,
            place=cmd.place,
            since=cmd.since,
            until=cmd.until,
            host=host,
            max_months=settings.max_months,
            region=cmd.region,
        )

    return _change(cmd.member_id, uow, caller, settings, decide)


def change_host(
    cmd: commands.ChangeHost, uow: MobileUnitOfWork, caller: Caller, settings: MobileSettings
) -> Member:
    host = _host(cmd.host_org_id, uow)
    return _change(cmd.member_id, uow, caller, settings, lambda m: domain.change_host(m, host))


def end_mobile(
    cmd: commands.EndMobile, uow: MobileUnitOfWork, caller: Caller, settings: MobileSettings
) -> Member:
    def decide(member: Member) -> tuple[Member, list[Event]]:
        if member.mobile is None:
            return member, []  # returned already (a retried request)
        return domain.end_stay(member)

    return _change(cmd.member_id, uow, caller, settings, decide)


def remind_overdue(uow: MobileUnitOfWork, settings: MobileSettings) -> int:
    """Publish ``mobile_stay_overdue`` once for each stay that ended (its ``until`` in the last
    ``overdue_days`` days) without a return (an hourly timer); how many were reminded."""
    today = settings.today()
    days = [today - timedelta(days=n) for n in range(1, settings.overdue_days + 1)]
    reminded = 0
    for member in uow.mobile.overdue_due(days, settings.lapse_batch):
        if member.mobile is not None and uow.mobile.mark_overdue(
            member, domain.stay_overdue(member)
        ):
            reminded += 1
    return reminded


def list_mobile(
    cmd: commands.ListMobile, uow: MobileUnitOfWork, caller: Caller, settings: MobileSettings
) -> Page:
    """The members of a subtree who are away (soonest end first; ``overdue``: only stays past
    their end), or the mobile members taking part in a subtree (``hosted``)."""
    caller.require_role(READERS)
    org = get_org(cmd.org_id, uow, caller)
    limit = paging.clamp(cmd.limit)
    if cmd.hosted:
        return uow.mobile.hosted(org, cmd.cursor, limit)
    overdue_before = settings.today() if cmd.overdue else None
    return uow.mobile.away(org, overdue_before, cmd.cursor, limit)


def _reader_of_stay(member_id: str, uow: MobileUnitOfWork, caller: Caller) -> tuple[Member, bool]:
    """The member, once the caller may read them: the member themselves or the home's readers
    (False), or the readers of the host's area while the stay lasts (True)."""
    member = uow.members.get(member_id)
    if member is None:
        raise NotFound(_("Unknown member"), member_id=member_id)
    stay = member.mobile
    as_host = (
        caller.role != "member"
        and not caller.covers(member.org_path)
        and stay is not None
        and stay.host_org_path is not None
        and caller.covers(stay.host_org_path)
    )
    if not as_host:
        get_member(member_id, uow, caller)  # the member themselves, or the home's readers
    else:
        caller.require_role(READERS)
    return member, as_host


def get_mobile_member(member_id: str, uow: MobileUnitOfWork, caller: Caller) -> Member:
    """A member with their stay, for the home's or the host's readers."""
    return _reader_of_stay(member_id, uow, caller)[0]


def list_mobile_attendance(
    cmd: commands.ListMobileAttendance, uow: MobileUnitOfWork, caller: Caller
) -> Page:
    """A mobile member's sign-ins, newest first: for the home's staff all of them, for the
    host's staff those since the stay began."""
    member, as_host = _reader_of_stay(cmd.member_id, uow, caller)
    stay = member.mobile
    rows, cursor = uow.attendance.of_member(member.member_id, cmd.cursor, paging.clamp(cmd.limit))
    if as_host and stay is not None:
        rows = [a for a in rows if a.checked_in_at.date() >= stay.since]
    meetings = uow.meetings.many([a.meeting_id for a in rows])
    found = [SignIn(a, meeting=meetings[a.meeting_id]) for a in rows if a.meeting_id in meetings]
    return found, cursor

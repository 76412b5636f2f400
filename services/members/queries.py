"""The console's reads of the members service: the organization tree level by level, an
organization's members and meetings, a member's sign-ins, a meeting's live attendance and the
home page's figures; and a kiosk's meetings of the day. Each is served by an index or a
maintained counter (services/members/recount.py), never by counting or sorting a whole
collection; every object is checked against the caller's scope. No nameko, no pymongo: unit
tests run these over tests/unit/fakes.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from services.infra import paging
from services.infra.errors import InvalidInput, NotFound
from services.infra.i18n import _
from services.infra.scope import Caller, in_subtree
from services.members import commands
from services.members.domain import Attendance, Meeting, Member, Org, month_of, statuses_of
from services.members.handlers import (
    READERS,
    Settings,
    UnitOfWork,
    calling_kiosk,
    get_member,
    get_org,
)

KIOSK_MEETINGS = 50  # a kiosk's list of the day: more would not fit on its screen


@dataclass(frozen=True)
class MeetingView:
    """A meeting with how many are expected (None when open to all) and signed in so far."""

    meeting: Meeting
    expected: int | None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.meeting, name)


@dataclass(frozen=True)
class KioskMeeting:
    """A meeting a kiosk may sign members in to today, and whether its window is open now."""

    meeting: Meeting
    open_now: bool

    def __getattr__(self, name: str) -> Any:
        return getattr(self.meeting, name)


@dataclass(frozen=True)
class SignIn:
    """One sign-in with the member (a meeting's list) or the meeting (a member's list)."""

    attendance: Attendance
    member: Member | None = None
    meeting: Meeting | None = None


@dataclass(frozen=True)
class LiveAttendance:
    meeting: MeetingView
    items: list[SignIn]
    next_cursor: str | None
    more: bool


@dataclass(frozen=True)
class Overview:
    scope: str
    month: str
    roots: list[Org]
    organizations: int
    members: int
    meetings_this_month: int
    attendance_this_month: int


# -- the organization tree -------------------------------------------------------------------


def list_orgs(
    cmd: commands.ListOrgs, uow: UnitOfWork, caller: Caller
) -> tuple[list[Org], str | None]:
    """An organization's direct sub-organizations by id; without one, the organization(s) at
    the caller's scope (every root organization for a deployment-wide scope)."""
    caller.require_role(READERS)
    limit = paging.clamp(cmd.limit)
    if cmd.org_id is not None:
        return uow.orgs.children(get_org(cmd.org_id, uow, caller).org_id, cmd.cursor, limit)
    scope = caller.scope.rstrip("/")
    if not scope:
        return uow.orgs.roots(cmd.cursor, limit)
    own = uow.orgs.by_path(scope)
    return ([own] if own is not None and cmd.cursor is None else []), None


def get_org_node(org_id: str, uow: UnitOfWork, caller: Caller) -> Org:
    caller.require_role(READERS)
    return get_org(org_id, uow, caller)


# -- members ---------------------------------------------------------------------------------


def list_members(
    cmd: commands.ListMembers, uow: UnitOfWork, caller: Caller
) -> tuple[list[Member], str | None]:
    """The organization's own members (or its subtree's, which must be searched by name or
    card), by name; by card: the one member holding it, if they are listed here."""
    caller.require_role(READERS)
    org = get_org(cmd.org_id, uow, caller)
    if cmd.card_uid:
        member = uow.members.by_card(cmd.card_uid.upper())
        listed = member is not None and (
            in_subtree(member.org_path, org.path) if cmd.subtree else member.org_id == org.org_id
        )
        wanted = statuses_of(cmd.status)
        if member is None or not listed or (cmd.q and not member.name.startswith(cmd.q)):
            return [], None
        return ([member], None) if wanted is None or member.status in wanted else ([], None)
    if cmd.subtree and not cmd.q:
        raise InvalidInput(
            _("Some fields are missing or invalid"),
            fields={"q": [_("Search a subtree by a name or a card")]},
        )
    return uow.members.listed(
        org, cmd.subtree, cmd.q, cmd.cursor, paging.clamp(cmd.limit), statuses_of(cmd.status)
    )


def list_member_attendance(
    cmd: commands.ListMemberAttendance, uow: UnitOfWork, caller: Caller
) -> tuple[list[SignIn], str | None]:
    """A member's sign-ins, newest first, each with its meeting (read in one batch)."""
    member = get_member(cmd.member_id, uow, caller)
    rows, cursor = uow.attendance.of_member(member.member_id, cmd.cursor, paging.clamp(cmd.limit))
    meetings = uow.meetings.many([a.meeting_id for a in rows])
    found = [SignIn(a, meeting=meetings[a.meeting_id]) for a in rows if a.meeting_id in meetings]
    return found, cursor


# -- meetings --------------------------------------------------------------------------------


def list_meetings(
    cmd: commands.ListMeetings, uow: UnitOfWork, caller: Caller
) -> tuple[list[MeetingView], str | None]:
    """An organization's meetings starting in [since, until), by start time."""
    caller.require_role(READERS)
    org = get_org(cmd.org_id, uow, caller)
    if cmd.since is not None and cmd.until is not None and cmd.since >= cmd.until:
        raise InvalidInput(
            _("Some fields are missing or invalid"),
            fields={"until": [_("The end must come after the start")]},
        )
    meetings, cursor = uow.meetings.of_org(
        org.path, cmd.since, cmd.until, cmd.newest_first, cmd.cursor, paging.clamp(cmd.limit)
    )
    return _views(meetings, uow), cursor


def get_meeting(meeting_id: str, uow: UnitOfWork, caller: Caller) -> MeetingView:
    caller.require_role(READERS)
    meeting = uow.meetings.get(meeting_id)
    if meeting is None:
        raise NotFound(_("Unknown meeting"), meeting_id=meeting_id)
    caller.require(meeting.org_path)
    return _views([meeting], uow)[0]


def follow_attendance(
    cmd: commands.FollowAttendance, uow: UnitOfWork, caller: Caller, settings: Settings
) -> LiveAttendance:
    """A meeting's sign-ins in the order recorded, after the cursor, with masked names, for a
    live list that polls every few seconds. The cursor stays ``settle_seconds`` behind now, so
    the newest rows may come again: a client keys rows by member_id."""
    meeting = get_meeting(cmd.meeting_id, uow, caller)
    settled_before = settings.clock() - timedelta(seconds=settings.settle_seconds)
    rows, cursor, more = uow.attendance.of_meeting(
        meeting.meeting_id, cmd.after, paging.clamp(cmd.limit, 100), settled_before
    )
    members = uow.members.many([a.member_id for a in rows])
    items = [SignIn(a, member=members[a.member_id]) for a in rows if a.member_id in members]
    return LiveAttendance(meeting, items, cursor, more)


def kiosk_meetings(uow: UnitOfWork, caller: Caller, settings: Settings) -> list[KioskMeeting]:
    """The meetings the calling kiosk may sign members in to (those check-in lets it serve)
    whose sign-in window is open now or opens later today, by window opening."""
    kiosk = calling_kiosk(uow, caller)
    now = settings.clock()
    today = now.astimezone(settings.timezone).date()
    tomorrow = datetime.combine(today + timedelta(days=1), time(), settings.timezone)
    found = uow.meetings.open_for_sign_in(kiosk.org_path, now, tomorrow, KIOSK_MEETINGS)
    return [KioskMeeting(m, m.window.is_open(now)) for m in found if kiosk.serves(m)]


def _views(meetings: list[Meeting], uow: UnitOfWork) -> list[MeetingView]:
    """The meetings with their expected counts, from the counters of every organization they
    name (one batch read)."""
    paths = {p for m in meetings if not m.open_to_all for p in (m.org_path, *m.invited_org_paths)}
    under = uow.orgs.members_under(sorted(paths)) if paths else {}
    return [MeetingView(m, m.expected_count(under)) for m in meetings]


# -- the home page ---------------------------------------------------------------------------


def overview(uow: UnitOfWork, caller: Caller, settings: Settings) -> Overview:
    """The caller's scope at a glance, from counters only: the organizations and members of the
    scope's subtree (organization counters) and this month's meetings and sign-ins at them
    (the month's tallies)."""
    roots, _cursor = list_orgs(commands.ListOrgs(limit=paging.MAX_LIMIT), uow, caller)
    month = month_of(settings.clock(), settings.timezone)
    tallies = uow.tallies.of([org.org_id for org in roots], month)
    return Overview(
        scope=caller.scope,
        month=month,
        roots=roots,
        organizations=sum(1 + org.counts.orgs_below for org in roots),
        members=sum(org.counts.members for org in roots),
        meetings_this_month=sum(tallies.get(org.org_id, (0, 0))[0] for org in roots),
        attendance_this_month=sum(tallies.get(org.org_id, (0, 0))[1] for org in roots),
    )

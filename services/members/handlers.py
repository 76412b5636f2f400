"""The members application layer: one handler per command, over a unit of work. No nameko, no
pymongo: unit tests run these with the in-memory fakes of tests/unit/fakes.py."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from services.infra.errors import AlreadyStored, Conflict, Forbidden, NotFound
from services.infra.events import Event
from services.infra.i18n import _
from services.infra.pii import PiiCipher
from services.infra.scope import Caller
from services.members import commands
from services.members.activity import Activity
from services.members.domain import (
    Attendance,
    Kiosk,
    Meeting,
    Member,
    Org,
    QueuedSwipe,
    month_of,
)
from services.members.lifecycle.domain import Card, CardRefusal
from services.members.lifecycle.profile import change_profile
from services.members.plans.counters import PlanCounters
from services.members.tree import domain as tree_rules
from services.members.tree.history import record_created

STAFF = frozenset({"county_operator", "org_admin"})
SECRETARIES = STAFF | {"branch_secretary"}
READERS = SECRETARIES | {"grid_leader", "grid_worker", "community_worker"}
CHINA = ZoneInfo("Asia/Shanghai")


Page = tuple[list[Any], str | None]
"""A page of a list: the items and the cursor of the next page (None on the last one)."""


class OrgRepository(Protocol):
    def get(self, org_id: str) -> Org | None: ...
    def by_path(self, path: str) -> Org | None: ...
    def add(self, org: Org) -> tuple[Org, bool]: ...
    def children(self, parent_id: str, cursor: str | None, limit: int) -> Page: ...
    def roots(self, cursor: str | None, limit: int) -> Page: ...
    def members_under(self, paths: list[str]) -> dict[str, int]:
        """The member counter of each organization path's subtree."""

    def claim_count(self, org_id: str) -> bool:
        """True for the one call that takes the new organization's counting on itself."""

    def count_org(self, org: Org) -> None: ...
    def count_members(self, org_path: str, by_status: Mapping[str, int]) -> None:
        """Raise (or lower) the member counters of the organization at ``org_path`` and of each
        one above it by the members of each status (``members`` and ``own_members`` count
        those in the register, ``by_status`` every status)."""


class MemberRepository(Protocol):
    def get(self, member_id: str) -> Member | None: ...
    def by_card(self, card_uid: str) -> Member | None: ...
    def by_id_hash(self, id_hash: str) -> Member | None: ...
    def add(self, member: Member, events: list[Event]) -> None:
        """Raises AlreadyStored when the person or the card is already registered."""

    def claim_count(self, member_id: str) -> bool: ...
    def many(self, member_ids: list[str]) -> dict[str, Member]: ...
    def listed(
        self,
        org: Org,
        subtree: bool,
        name_prefix: str | None,
        cursor: str | None,
        limit: int,
        statuses: tuple[str, ...] | None = None,
    ) -> Page:
        """The organization's (or its subtree's) members by name, from the cursor; only those
        of ``statuses`` when given."""


class MeetingRepository(Protocol):
    def get(self, meeting_id: str) -> Meeting | None: ...
    def get_recent(self, meeting_id: str) -> Meeting | None:
        """``get``, possibly as read a few seconds ago (the card-swipe path)."""

    def add(self, meeting: Meeting) -> tuple[Meeting, bool]: ...
    def many(self, meeting_ids: list[str]) -> dict[str, Meeting]: ...
    def of_org(
        self,
        org_path: str,
        since: datetime | None,
        until: datetime | None,
        newest_first: bool,
        cursor: str | None,
        limit: int,
    ) -> Page: ...
    def open_for_sign_in(
        self, org_path: str, since: datetime, until: datetime, limit: int
    ) -> list[Meeting]:
        """Meetings in the subtree of ``org_path`` whose sign-in window is open at some moment
        in [since, until), by window opening (an index key per day and organization above)."""

    def claim_count(self, meeting_id: str) -> bool: ...
    def count_sign_ins(self, meeting_id: str, n: int) -> None: ...


class AttendanceRepository(Protocol):
    def get(self, attendance_id: str) -> Attendance | None: ...
    def add(self, attendance: Attendance, events: list[Event]) -> tuple[Attendance, bool]: ...
    def claim_uncounted(self, limit: int) -> list[Attendance]:
        """Up to ``limit`` sign-ins not yet counted, each claimed by this call only."""

    def of_member(self, member_id: str, cursor: str | None, limit: int) -> Page:
        """The member's sign-ins, newest first."""

    def of_meeting(
        self, meeting_id: str, cursor: str | None, limit: int, settled_before: datetime
    ) -> tuple[list[Attendance], str | None, bool]:
        """The meeting's sign-ins in the order recorded, the cursor to poll on from, and
        whether more are waiting now."""


class TallyRepository(Protocol):
    def add(self, org_path: str, month: str, *, meetings: int = 0, attendance: int = 0) -> None:
        """Raise the month's tallies of the organization at ``org_path`` and those above it."""

    def of(self, org_ids: list[str], month: str) -> dict[str, tuple[int, int]]:
        """(meetings, attendance) of each organization's subtree in the month."""


class KioskRepository(Protocol):
    def get(self, device_id: str) -> Kiosk | None: ...
    def get_recent(self, device_id: str) -> Kiosk | None:
        """``get``, possibly as read a few seconds ago (the card-swipe path)."""

    def add(self, kiosk: Kiosk) -> tuple[Kiosk, bool]: ...


class BlockedCards(Protocol):
    """What check-in asks of the card register (lifecycle/ keeps it)."""

    def get(self, card_uid: str) -> Card | None: ...
    def refuse(self, refusal: CardRefusal) -> None:
        """Record a refused swipe (once per kiosk, card and minute)."""

    def purge(self, before: datetime) -> int:
        """Remove the refused swipes recorded before the UTC day of ``before`` (retention)."""


class AuditLog(Protocol):
    def record(self, entry: dict[str, Any]) -> None: ...


class UnitOfWork(Protocol):
    """The repositories a handler works over. Each write stores a document together with the
    events it raises (the outbox rides in the same document), so every write is atomic on its
    own and handlers order their writes so that a crash between two leaves nothing half-done
    that a retry would not complete."""

    @property
    def orgs(self) -> OrgRepository: ...

    @property
    def members(self) -> MemberRepository: ...

    @property
    def meetings(self) -> MeetingRepository: ...

    @property
    def attendance(self) -> AttendanceRepository: ...

    @property
    def kiosks(self) -> KioskRepository: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def tallies(self) -> TallyRepository: ...

    @property
    def cards(self) -> BlockedCards: ...

    @property
    def activity(self) -> Activity: ...

    @property
    def plan_counts(self) -> PlanCounters: ...


@dataclass(frozen=True)
class Settings:
    cipher: PiiCipher
    window_before_min: int = 20
    window_after_min: int = 20
    offline_tolerance_min: int = 1440  # a queued swipe is taken until the window's close + this
    meeting_days_back: int = 365
    meeting_days_ahead: int = 730
    timezone: tzinfo = CHINA  # where "this month" is
    settle_seconds: float = 2.0  # a live attendance list's cursor stays this far behind now
    clock: Callable[[], datetime] = lambda: datetime.now().astimezone()


# -- organizations ---------------------------------------------------------------------------


def create_org(cmd: commands.CreateOrg, uow: UnitOfWork, caller: Caller) -> tuple[Org, bool]:
    caller.require_role(STAFF)
    parent = get_org(cmd.parent_id, uow, caller) if cmd.parent_id else None
    if parent is None:
        caller.require("/" + cmd.org_id)
    existing = uow.orgs.get(cmd.org_id)
    if existing is None:  # the register's rules (kinds, tags, grids, end dates): tree/domain.py
        tags = tree_rules.check_new_org(
            cmd.kind, cmd.tags, parent, cmd.ends_on, datetime.now(CHINA).date()
        )
        found = Org.found(cmd.org_id, cmd.name, cmd.kind, list(tags), parent)
        existing = replace(found, ends_on=cmd.ends_on)
    org, created = uow.orgs.add(existing)
    caller.require(org.path)  # an existing org of that id elsewhere is not revealed
    if uow.orgs.claim_count(org.org_id):  # counted once, by a retry if a crash cut it short
        uow.orgs.count_org(org)
        record_created(uow, caller, org)
    return org, created


def get_org(org_id: str, uow: UnitOfWork, caller: Caller) -> Org:
    org = uow.orgs.get(org_id)
    if org is None:
        raise NotFound(_("Unknown organization"), org_id=org_id)
    caller.require(org.path)
    return org


# -- members ---------------------------------------------------------------------------------


def register_member(
    cmd: commands.RegisterMember, uow: UnitOfWork, caller: Caller, settings: Settings
) -> tuple[Member, bool]:
    [registered] = register_members([cmd], uow, caller, settings)
    return registered


def register_members(
    cmds: list[commands.RegisterMember], uow: UnitOfWork, caller: Caller, settings: Settings
) -> list[tuple[Member, bool]]:
    """Register each member (a person already registered is found again, within the caller's
    scope); the organization counters are raised once per organization for the batch, also for
    the members stored before one of the batch was refused."""
    registered: list[tuple[Member, bool]] = []
    orgs: dict[str, Org] = {}  # read and checked against the caller once per batch
    try:
        for cmd in cmds:
            registered.append(_register(cmd, uow, caller, settings, orgs))
    finally:
        _count_members([member for member, _created in registered], uow)
        month = settings.clock().astimezone(settings.timezone).strftime("%Y-%m")
        uow.activity.seen([m.member_id for m, created in registered if created], month)
    return registered


def _register(
    cmd: commands.RegisterMember,
    uow: UnitOfWork,
    caller: Caller,
    settings: Settings,
    orgs: dict[str, Org],
) -> tuple[Member, bool]:
    caller.require_role(SECRETARIES)
    org = orgs.get(cmd.org_id) or orgs.setdefault(cmd.org_id, get_org(cmd.org_id, uow, caller))
    tree_rules.require_current(org)  # a dissolved organization takes no new members
    member, events = Member.register(
        org=org,
        name=cmd.name,
        gender=cmd.gender,
        birth_date=cmd.birth_date,
        id_number=cmd.id_number,
        phone=cmd.phone,
        status=cmd.status,
        join_date=cmd.join_date,
        card_uid=cmd.card_uid,
        skills=cmd.skills,
        cipher=settings.cipher,
        today=settings.clock().date(),
    )
    if cmd.profile():  # checked as a profile change is; its member_updated is not published
        today = settings.clock().date()
        member, _updated = change_profile(
            member, cmd.profile(), settings.cipher, today, find_org=uow.orgs.get
        )
    try:  # a person already registered is refused by the store's unique index on id_hash
        uow.members.add(member, events)
        return member, True
    except AlreadyStored:
        existing = uow.members.by_id_hash(member.id_hash)
        if existing is None:
            raise Conflict(_("The card is already registered to another member")) from None
    caller.require(existing.org_path)  # registered elsewhere: say nothing about them
    return existing, False


def _count_members(members: list[Member], uow: UnitOfWork) -> None:
    """Count the members whose counting this call claims (a repeated or concurrent registration
    of the same person claims nothing), one counter write per organization."""
    claimed = Counter(
        (m.org_path, m.status) for m in members if uow.members.claim_count(m.member_id)
    )
    by_org: dict[str, dict[str, int]] = {}
    for (org_path, status), n in claimed.items():
        by_org.setdefault(org_path, {})[status] = n
    for org_path, by_status in by_org.items():
        uow.orgs.count_members(org_path, by_status)


def get_member(member_id: str, uow: UnitOfWork, caller: Caller) -> Member:
    member = uow.members.get(member_id)
    if member is None:
        raise NotFound(_("Unknown member"), member_id=member_id)
    caller.require_reader_of(member_id, READERS, [member.org_path])
    return member


def read_personal_data(
    cmd: commands.ReadPersonalData, uow: UnitOfWork, caller: Caller, settings: Settings
) -> dict[str, str]:
    caller.require_role(STAFF)
    member = get_member(cmd.member_id, uow, caller)
    uow.audit.record(
        {
            "at": settings.clock(),
            "actor": caller.as_context(),
            "member_id": member.member_id,
            "fields": ["id_number", "phone"],
            "reason": cmd.reason,
        }
    )
    return {
        "member_id": member.member_id,
        "name": member.name,
        "id_number": settings.cipher.decrypt(member.id_number_enc, "id_number"),
        "phone": settings.cipher.decrypt(member.phone_enc, "phone"),
    }


# -- meetings, kiosks, sign-in ---------------------------------------------------------------


def schedule_meeting(
    cmd: commands.ScheduleMeeting, uow: UnitOfWork, caller: Caller, settings: Settings
) -> tuple[Meeting, bool]:
    caller.require_role(SECRETARIES)
    org = get_org(cmd.org_id, uow, caller)
    if cmd.meeting_id:
        existing = uow.meetings.get(cmd.meeting_id)
        if existing is not None:
            caller.require(existing.org_path)
            _count_meeting(existing, uow, settings)
            return existing, False
    tree_rules.require_current(org)  # a dissolved organization holds no new meetings
    invited = [_known_org(org_id, uow) for org_id in cmd.invited_org_ids]
    meeting = Meeting.schedule(
        meeting_id=cmd.meeting_id,
        org=org,
        kind=cmd.kind,
        title=cmd.title,
        starts_at=cmd.starts_at,
        window_before_min=_default(cmd.window_before_min, settings.window_before_min),
        window_after_min=_default(cmd.window_after_min, settings.window_after_min),
        invited=invited,
        guest_member_ids=cmd.guest_member_ids,
        open_to_all=cmd.open_to_all,
        now=settings.clock(),
        days_back=settings.meeting_days_back,
        days_ahead=settings.meeting_days_ahead,
    )
    stored, created = uow.meetings.add(meeting)
    caller.require(stored.org_path)
    _count_meeting(stored, uow, settings)
    return stored, created


def _count_meeting(meeting: Meeting, uow: UnitOfWork, settings: Settings) -> None:
    if uow.meetings.claim_count(meeting.meeting_id):
        month = month_of(meeting.starts_at, settings.timezone)
        uow.tallies.add(meeting.org_path, month, meetings=1)
        uow.plan_counts.add(meeting.org_id, meeting.kind, month)  # plans/: the subtree's gaps


def enroll_kiosk(cmd: commands.EnrollKiosk, uow: UnitOfWork, caller: Caller) -> tuple[Kiosk, bool]:
    caller.require_role(STAFF)
    org = get_org(cmd.org_id, uow, caller)
    kiosk, created = uow.kiosks.add(Kiosk(cmd.device_id, org.org_id, org.path, cmd.place))
    caller.require(kiosk.org_path)  # a device enrolled elsewhere is not re-bound
    if not created and (kiosk.org_id, kiosk.place) != (org.org_id, cmd.place):
        raise Conflict(_("This device is already enrolled at another place"))
    if kiosk.revoked:
        raise Conflict(_("This device was revoked; pair a new one"))
    return kiosk, created


def calling_kiosk(uow: UnitOfWork, caller: Caller) -> Kiosk:
    """The enrolled, unrevoked kiosk the caller is (its token's device, within its scope)."""
    caller.require_role({"kiosk"})
    kiosk = uow.kiosks.get_recent(caller.device or "")
    if kiosk is None or kiosk.revoked or not caller.covers(kiosk.org_path):
        raise Forbidden(_("This kiosk is not enrolled"))
    return kiosk


def check_in(
    cmd: commands.CheckIn, uow: UnitOfWork, caller: Caller, settings: Settings
) -> tuple[Attendance, Member, Meeting, bool]:
    kiosk = calling_kiosk(uow, caller)
    meeting = uow.meetings.get_recent(cmd.meeting_id)
    if meeting is None:
        raise NotFound(_("Unknown meeting"), meeting_id=cmd.meeting_id)
    if not kiosk.serves(meeting):
        raise Forbidden(_("This kiosk is not enrolled for the meeting's organization"))
    member = uow.members.by_card(cmd.card_uid.upper())
    if member is None:
        _refuse_if_blocked(uow.cards, cmd.card_uid.upper(), kiosk, meeting, settings.clock())
        raise NotFound(_("Unknown card"))
    existing = uow.attendance.get(f"{meeting.meeting_id}:{member.member_id}")
    if existing is not None:
        return existing, member, meeting, False
    queued = (
        QueuedSwipe(cmd.swiped_at, timedelta(minutes=settings.offline_tolerance_min))
        if cmd.swiped_at is not None
        else None
    )
    attendance, events = meeting.sign_in(member, kiosk, settings.clock(), queued)
    stored, created = uow.attendance.add(attendance, events)
    return stored, member, meeting, created


def _refuse_if_blocked(
    cards: BlockedCards, card_uid: str, kiosk: Kiosk, meeting: Meeting, now: datetime
) -> None:
    """A UID no member holds: a card that was blocked or returned is refused with a clear
    message and the swipe recorded; an unknown UID is left to the caller."""
    card = cards.get(card_uid)
    if card is None:
        return
    refusal = CardRefusal(
        card_uid=card_uid,
        device_id=kiosk.device_id,
        at=now,
        member_id=card.member_id,
        kiosk_org_path=kiosk.org_path,
        meeting_id=meeting.meeting_id,
    )
    cards.refuse(refusal)
    raise Forbidden(_("This card is blocked; ask the branch secretary for a new card"))


def count_sign_ins(uow: UnitOfWork, settings: Settings, limit: int = 1000) -> int:
    """Fold the sign-ins recorded since the last run into their counters (every few seconds,
    off the card-swipe path): each meeting's signed_in and the month's tallies of its
    organization and those above, one write per meeting. Each sign-in is claimed first, so it
    is counted once whichever process folds it."""
    claimed = Counter(a.meeting_id for a in uow.attendance.claim_uncounted(limit))
    meetings = uow.meetings.many(list(claimed))
    for meeting_id, n in claimed.items():
        meeting = meetings.get(meeting_id)
        if meeting is not None:
            uow.meetings.count_sign_ins(meeting_id, n)
            month = month_of(meeting.starts_at, settings.timezone)
            uow.tallies.add(meeting.org_path, month, attendance=n)
    return sum(claimed.values())


def _known_org(org_id: str, uow: UnitOfWork) -> Org:
    """An invited organization may lie outside the organizer's scope: it only has to exist."""
    org = uow.orgs.get(org_id)
    if org is None:
        raise NotFound(_("Unknown organization"), org_id=org_id)
    return org


def _default(value: int | None, default: int) -> int:
    return default if value is None else value

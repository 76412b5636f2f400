"""Rules of the organization tree, members, meetings and card sign-in. No framework imports:
objects take plain values, enforce their rules, and return new state plus the events it raises."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, tzinfo

from services.infra.errors import Conflict, Forbidden, InvalidInput
from services.infra.events import Event, isoformat, new_event
from services.infra.i18n import _
from services.infra.pii import PiiCipher, mask_id_number, mask_name, mask_phone
from services.infra.scope import in_subtree

ORG_KINDS = ("committee", "working_committee", "general_branch", "branch", "group", "grid")
MEETING_KINDS = (
    "general_meeting",
    "committee_meeting",
    "group_meeting",
    "lecture",
    "theme_day",
    "org_life_meeting",
    "democratic_appraisal",
)
ORG_TAGS = (
    "two_new",
    "building",
    "village",
    "community",
    "enterprise",
    "school",
    "institution",
    "hospital",
    "temporary",
    "action",
    "grid",  # a grid's own tag (the demo county's grids carry it)
)
REGISTERED_STATUSES = ("full", "probationary")  # what a newly registered member may be
IN_REGISTER = (*REGISTERED_STATUSES, "suspended")  # members counted in their organization
# states, never deletions; transferred_out: registered in another deployment (transfers/)
EXITS = ("lapsed", "withdrawn", "expelled", "deceased", "transferred_out")
TRANSFERRED_OUT = "transferred_out"
MEMBER_STATUSES = (*IN_REGISTER, *EXITS)
IN_REGISTER_FILTER = "in_register"  # a list's filter: every status in IN_REGISTER
STATUS_FILTERS = (IN_REGISTER_FILTER, *MEMBER_STATUSES)


def statuses_of(status_filter: str | None) -> tuple[str, ...] | None:
    """The statuses a list's filter stands for (None: every member)."""
    if status_filter is None:
        return None
    return IN_REGISTER if status_filter == IN_REGISTER_FILTER else (status_filter,)


def child_path(parent_path: str | None, org_id: str) -> str:
    return f"{parent_path}/{org_id}" if parent_path else f"/{org_id}"


def org_ids_on(path: str) -> list[str]:
    """The ids of the organizations from the root down to ``path``'s own ('/a/b' -> [a, b]):
    a path is made of org ids (``child_path``)."""
    return [part for part in path.split("/") if part]


def month_of(moment: datetime, zone: tzinfo) -> str:
    """The calendar month of a moment where the organizations are ('2026-11')."""
    return f"{moment.astimezone(zone):%Y-%m}"


def month_bounds(month: str, zone: tzinfo) -> tuple[datetime, datetime]:
    """The first moment of a month ('2026-11') and of the next one, in ``zone``."""
    year, number = (int(part) for part in month.split("-"))
    first = datetime(year, number, 1, tzinfo=zone)
    after = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=zone)
    return first, after


@dataclass(frozen=True)
class OrgCounts:
    """Counters kept on an organization as its subtree grows (never counted on a request):
    direct sub-organizations, organizations below it, its own members, members in its subtree
    (its own included)."""

    children: int = 0
    orgs_below: int = 0
    own_members: int = 0
    members: int = 0
    by_status: Mapping[str, int] = field(default_factory=dict)  # the subtree's, every status

    @property
    def has_children(self) -> bool:
        return self.children > 0


@dataclass(frozen=True)
class Grid:
    """What a grid organization covers: its leader and workers (member ids) and households."""

    leader_id: str | None = None
    worker_ids: tuple[str, ...] = ()
    households: int = 0


@dataclass(frozen=True)
class Org:
    org_id: str
    parent_id: str | None
    name: str
    kind: str
    tags: tuple[str, ...]
    path: str
    counts: OrgCounts = OrgCounts()
    ends_on: date | None = None  # a temporary or action branch's planned end
    dissolved_on: date | None = None  # dissolved (or merged into ``merged_into``): history kept
    merged_into: str | None = None
    grid: Grid | None = None  # kind "grid" only
    version: int = 0  # the stored version this was read at (a write from stale state fails)

    @property
    def dissolved(self) -> bool:
        return self.dissolved_on is not None

    @property
    def depth(self) -> int:
        return len(org_ids_on(self.path))

    @property
    def has_children(self) -> bool:
        return self.counts.has_children

    @classmethod
    def found(cls, org_id: str, name: str, kind: str, tags: list[str], parent: Org | None) -> Org:
        return cls(
            org_id,
            parent.org_id if parent else None,
            name,
            kind,
            tuple(tags),
            child_path(parent.path if parent else None, org_id),
        )


@dataclass(frozen=True)
class MobileStay:
    """A mobile member (流动党员): away at ``place`` until ``until``, keeping their organization and
    taking part at the host organization (services/members/mobile/)."""

    place: str
    since: date
    until: date
    host_org_id: str | None = None
    host_org_path: str | None = None
    region: str | None = None  # the administrative division code (6 digits) of the place


@dataclass(frozen=True)
class Member:
    member_id: str
    org_id: str
    org_path: str
    name: str
    gender: str
    birth_date: date
    status: str
    join_date: date
    card_uid: str | None
    skills: tuple[str, ...]
    id_hash: str
    id_number_enc: str
    id_number_masked: str
    phone_hash: str
    phone_enc: str
    phone_masked: str
    status_since: date | None = None  # when the current status began (None: at join_date)
    ethnicity: str = ""
    education: str = ""
    work_unit: str = ""
    duties: tuple[str, ...] = ()  # 书记, 委员, ...
    grid_id: str | None = None  # the grid organization of the home address
    address_enc: str = ""  # the home address, encrypted (personal data)
    address_masked: str = ""
    home_org_id: str | None = None  # while in a temporary branch: the branch to return to
    home_org_path: str | None = None
    version: int = 0  # the stored version this was read at (a write from stale state fails)
    probation_ends: date | None = None  # while probationary: a year from joining, or extended
    mobile: MobileStay | None = None  # while a mobile member (流动党员)

    @property
    def name_masked(self) -> str:
        return mask_name(self.name)

    @property
    def in_register(self) -> bool:
        return self.status in IN_REGISTER

    @classmethod
    def register(
        cls,
        *,
        org: Org,
        name: str,
        gender: str,
        birth_date: date,
        id_number: str,
        phone: str,
        status: str,
        join_date: date,
        card_uid: str | None,
        skills: list[str],
        cipher: PiiCipher,
        today: date,
    ) -> tuple[Member, list[Event]]:
        id_number = id_number.upper()
        _check_dates(id_number, birth_date, join_date, today)
        member = cls(
            member_id="mb-" + uuid.uuid4().hex[:16],
            org_id=org.org_id,
            org_path=org.path,
            name=name,
            gender=gender,
            birth_date=birth_date,
            status=status,
            join_date=join_date,
            card_uid=card_uid.upper() if card_uid else None,
            skills=tuple(skills),
            id_hash=cipher.lookup_hash(id_number, "id_number"),
            id_number_enc=cipher.encrypt(id_number, "id_number"),
            id_number_masked=mask_id_number(id_number),
            phone_hash=cipher.lookup_hash(phone, "phone"),
            phone_enc=cipher.encrypt(phone, "phone"),
            phone_masked=mask_phone(phone),
            probation_ends=probation_end(join_date) if status == "probationary" else None,
        )
        event = new_event(
            "member_registered",
            org.path,
            {
                "member_id": member.member_id,
                "org_id": org.org_id,
                "status": status,
                "join_date": join_date.isoformat(),
            },
        )
        return member, [event]


def eighteenth_birthday(born: date) -> date:
    try:
        return born.replace(year=born.year + 18)
    except ValueError:  # born on 29 February
        return date(born.year + 18, 3, 1)


def probation_end(join_date: date) -> date:
    """A year from the join date (DOMAIN.md): the day a probationary member's probation ends."""
    try:
        return join_date.replace(year=join_date.year + 1)
    except ValueError:  # joined on 29 February
        return date(join_date.year + 1, 3, 1)


def _check_dates(id_number: str, birth_date: date, join_date: date, today: date) -> None:
    problems: dict[str, list[str]] = {}
    if id_number[6:14] != f"{birth_date:%Y%m%d}":
        problems["birth_date"] = [_("The birth date does not match the ID number")]
    if join_date > today:
        problems["join_date"] = [_("The join date cannot be in the future")]
    elif join_date < eighteenth_birthday(birth_date):
        problems["join_date"] = [_("A member joins at 18 or older")]
    if problems:
        raise InvalidInput(_("Some fields are missing or invalid"), fields=problems)


@dataclass(frozen=True)
class SignInWindow:
    starts_at: datetime
    minutes_before: int
    minutes_after: int

    @property
    def opens_at(self) -> datetime:
        return self.starts_at - timedelta(minutes=self.minutes_before)

    @property
    def closes_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes_after)

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now <= self.closes_at


@dataclass(frozen=True)
class QueuedSwipe:
    """A swipe a kiosk kept while it could not reach the system, sent when it could again."""

    swiped_at: datetime
    tolerance: timedelta  # how long after the window closes a queued swipe is still taken
    clock_skew: timedelta = timedelta(minutes=2)  # a kiosk's clock may run a little ahead

    def check(self, meeting: Meeting, now: datetime) -> None:
        if self.swiped_at > now + self.clock_skew:
            raise InvalidInput(
                _("The swipe's time lies in the future; check the kiosk's clock"),
                fields={"swiped_at": [_("The swipe's time lies in the future")]},
            )
        if now > meeting.closes_at + self.tolerance:
            raise Conflict(
                _("This offline swipe arrived too late for the meeting's sign-in"),
                closes_at=isoformat(meeting.closes_at),
            )


@dataclass(frozen=True)
class Kiosk:
    """An enrolled device, bound to its place for good; a revoked one signs nobody in."""

    device_id: str
    org_id: str
    org_path: str
    place: str
    revoked_at: datetime | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def revoke(self, now: datetime) -> Kiosk:
        return self if self.revoked else replace(self, revoked_at=now)

    def serves(self, meeting: Meeting) -> bool:
        return not self.revoked and in_subtree(meeting.org_path, self.org_path)


@dataclass(frozen=True)
class Attendance:
    attendance_id: str
    meeting_id: str
    member_id: str
    checked_in_at: datetime
    device_id: str
    check_in_id: str
    recorded_offline: bool = False  # queued by the kiosk while offline, sent later
    recorded_at: datetime | None = None  # when the system recorded it (sign-in order)


@dataclass(frozen=True)
class Meeting:
    meeting_id: str
    org_id: str
    org_path: str
    kind: str
    title: str
    window: SignInWindow
    invited_org_paths: tuple[str, ...] = ()
    guest_member_ids: tuple[str, ...] = ()
    open_to_all: bool = False
    signed_in: int = 0  # members signed in so far (a counter kept with each first sign-in)
    closed_at: datetime | None = None  # closed with its attendance sheet (orglife/): no sign-ins

    @property
    def starts_at(self) -> datetime:
        return self.window.starts_at

    @property
    def opens_at(self) -> datetime:
        return self.window.opens_at

    @property
    def closes_at(self) -> datetime:
        return self.window.closes_at

    @classmethod
    def schedule(
        cls,
        *,
        meeting_id: str | None,
        org: Org,
        kind: str,
        title: str,
        starts_at: datetime,
        window_before_min: int,
        window_after_min: int,
        invited: list[Org],
        guest_member_ids: list[str],
        open_to_all: bool,
        now: datetime,
        days_back: int,
        days_ahead: int,
    ) -> Meeting:
        starts_at = starts_at.astimezone(UTC)
        if not now - timedelta(days=days_back) <= starts_at <= now + timedelta(days=days_ahead):
            message = _(
                "A meeting must start between {back} days ago and {ahead} days from now",
                back=days_back,
                ahead=days_ahead,
            )
            raise InvalidInput(
                _("Some fields are missing or invalid"), fields={"starts_at": [message]}
            )
        return cls(
            meeting_id=meeting_id or "mt-" + uuid.uuid4().hex[:16],
            org_id=org.org_id,
            org_path=org.path,
            kind=kind,
            title=title,
            window=SignInWindow(starts_at, window_before_min, window_after_min),
            invited_org_paths=tuple(o.path for o in invited),
            guest_member_ids=tuple(guest_member_ids),
            open_to_all=open_to_all,
        )

    def expects(self, member: Member) -> bool:
        """Who is expected: the organization's subtree, invited organizations, visiting members,
        mobile members taking part here, or anyone when the meeting is open to all."""
        return (
            self.open_to_all
            or in_subtree(member.org_path, self.org_path)
            or any(in_subtree(member.org_path, p) for p in self.invited_org_paths)
            or member.member_id in self.guest_member_ids
            or self._hosts(member)
        )

    def _hosts(self, member: Member) -> bool:
        """A mobile member taking part at an organization this meeting expects."""
        host = member.mobile.host_org_path if member.mobile else None
        return host is not None and any(
            in_subtree(host, p) for p in (self.org_path, *self.invited_org_paths)
        )

    def sign_in(
        self,
        member: Member,
        kiosk: Kiosk,
        now: datetime,
        queued: QueuedSwipe | None = None,
    ) -> tuple[Attendance, list[Event]]:
        """Sign the member in now, or at the time a kiosk queued the swipe while offline (then
        accepted only until the window's close plus the queue's tolerance)."""
        if not kiosk.serves(self):
            raise Forbidden(_("This kiosk is not enrolled for the meeting's organization"))
        if not self.expects(member):
            raise Forbidden(_("This member is not expected at this meeting"))
        if self.closed_at is not None:
            raise Conflict(_("The meeting is closed"), closed_at=isoformat(self.closed_at))
        recorded_at = now
        if queued is not None:
            queued.check(self, now)
            now = queued.swiped_at
        if not self.window.is_open(now):
            raise Conflict(
                _("The meeting is not open for sign-in"),
                opens_at=isoformat(self.opens_at),
                closes_at=isoformat(self.closes_at),
            )
        event = new_event(
            "member_checked_in",
            self.org_path,
            {
                "member_id": member.member_id,
                "member_org_path": member.org_path,
                "meeting_id": self.meeting_id,
                "meeting_kind": self.kind,
                "meeting_org_id": self.org_id,
                "checked_in_at": isoformat(now),
                "device_id": kiosk.device_id,
                "recorded_offline": queued is not None,
            },
        )
        attendance = Attendance(
            attendance_id=f"{self.meeting_id}:{member.member_id}",
            meeting_id=self.meeting_id,
            member_id=member.member_id,
            checked_in_at=now,
            device_id=kiosk.device_id,
            check_in_id=event["payload"]["event_id"],
            recorded_offline=queued is not None,
            recorded_at=recorded_at,
        )
        return attendance, [event]

    def expected_count(self, members_under: Mapping[str, int]) -> int | None:
        """How many members are expected (``members_under``: members in the subtree of each of
        the meeting's and invited organizations' paths): the organization's subtree, each
        invited subtree that lies outside the others, and the visiting members; None when the
        meeting is open to all. A count of the current membership, not of the day."""
        if self.open_to_all:
            return None
        paths = list(dict.fromkeys((self.org_path, *self.invited_org_paths)))
        outermost = [p for p in paths if not any(q != p and in_subtree(p, q) for q in paths)]
        return sum(members_under.get(p, 0) for p in outermost) + len(self.guest_member_ids)

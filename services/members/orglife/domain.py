"""Rules of meetings held: leave requests and their decisions, closing a meeting with its
attendance sheet, the attendance rate, minutes. No framework imports: objects take plain values,
enforce their rules and return new state plus the events it raises.

Closing: a meeting may be closed once its sign-in window has closed (``closes_at``), not merely
after it started: members may still sign in until then, and a sheet closed before would call
them absent. A closed meeting takes no sign-ins (Meeting.sign_in) and no leave."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo

from services.infra.errors import Conflict, Forbidden, InvalidInput
from services.infra.events import Event, isoformat, new_event
from services.infra.i18n import _
from services.members.domain import Meeting, Member, month_of

PENDING, APPROVED, DECLINED, WITHDRAWN = "pending", "approved", "declined", "withdrawn"
LEAVE_STATES = (PENDING, APPROVED, DECLINED, WITHDRAWN)
ACTIVE = (PENDING, APPROVED)  # a request that stands: asking again finds it
PRESENT, EXCUSED, ABSENT = "present", "excused", "absent"
OUTCOMES = (PRESENT, EXCUSED, ABSENT)


def leave_id(meeting_id: str, member_id: str) -> str:
    """One request per member and meeting: its key."""
    return f"{meeting_id}:{member_id}"


@dataclass(frozen=True)
class LeaveRequest:
    leave_id: str
    meeting_id: str
    meeting_org_path: str
    member_id: str
    member_org_path: str
    reason: str
    status: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    decline_reason: str = ""

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


def _require_not_closed(meeting: Meeting) -> None:
    if meeting.closed_at is not None:
        raise Conflict(_("The meeting is closed"), closed_at=isoformat(meeting.closed_at))


def _require_not_started(meeting: Meeting, now: datetime) -> None:
    _require_not_closed(meeting)
    if now >= meeting.starts_at:
        raise Conflict(
            _("Leave is requested before the meeting starts"),
            starts_at=isoformat(meeting.starts_at),
        )


def request_leave(
    meeting: Meeting,
    member: Member,
    reason: str,
    by: str,
    now: datetime,
    existing: LeaveRequest | None,
) -> tuple[LeaveRequest, bool]:
    """A request for an expected member before the start; a standing one (pending or approved)
    is found again, a declined or withdrawn one is replaced by the new request."""
    if existing is not None and existing.active:
        return existing, False
    _require_not_started(meeting, now)
    if meeting.open_to_all or not meeting.expects(member):
        raise Forbidden(_("This member is not expected at this meeting"))
    if not reason.strip():
        raise InvalidInput(
            _("Some fields are missing or invalid"), fields={"reason": [_("Give a reason")]}
        )
    request = LeaveRequest(
        leave_id=leave_id(meeting.meeting_id, member.member_id),
        meeting_id=meeting.meeting_id,
        meeting_org_path=meeting.org_path,
        member_id=member.member_id,
        member_org_path=member.org_path,
        reason=reason.strip(),
        status=PENDING,
        requested_by=by,
        requested_at=now,
    )
    return request, True


def decide_leave(
    request: LeaveRequest,
    meeting: Meeting,
    approve: bool,
    reason: str | None,
    by: str,
    now: datetime,
) -> tuple[LeaveRequest, bool]:
    """The organizer approves or declines (with a reason) a pending request until the meeting
    is closed; the same decision again changes nothing (False), another one is refused."""
    target = APPROVED if approve else DECLINED
    if request.status == target:
        return request, False
    _require_not_closed(meeting)
    if request.status != PENDING:
        raise Conflict(_("This leave request was already decided"), status=request.status)
    if not approve and not (reason or "").strip():
        raise InvalidInput(
            _("Some fields are missing or invalid"),
            fields={"reason": [_("Give the reason for declining")]},
        )
    decided = replace(
        request,
        status=target,
        decided_by=by,
        decided_at=now,
        decline_reason="" if approve else (reason or "").strip(),
    )
    return decided, True


def withdraw_leave(
    request: LeaveRequest, meeting: Meeting, now: datetime
) -> tuple[LeaveRequest, bool]:
    """Withdrawn before the start (then it may be requested again)."""
    if request.status == WITHDRAWN:
        return request, False
    _require_not_started(meeting, now)
    if not request.active:
        raise Conflict(_("This leave request was already decided"), status=request.status)
    return replace(request, status=WITHDRAWN, decided_at=now), True


@dataclass(frozen=True)
class SheetRow:
    """One expected member's outcome; ``member_org_path`` is the member's own organization, so
    a mobile member's home organization finds the attendance too."""

    meeting_id: str
    member_id: str
    member_org_path: str
    outcome: str


def attendance_rate(present: int, expected: int, excused: int) -> float | None:
    """present / (expected - excused); None when nobody was due (everyone excused)."""
    due = expected - excused
    return round(present / due, 4) if due > 0 else None


@dataclass(frozen=True)
class Closing:
    meeting_id: str
    org_id: str
    org_path: str
    kind: str
    month: str
    closed_at: datetime
    closed_by: str
    expected: int
    present: int
    excused: int
    absent: int
    absent_ids: tuple[str, ...]

    @property
    def rate(self) -> float | None:
        return attendance_rate(self.present, self.expected, self.excused)


def close_meeting(
    meeting: Meeting,
    expected: Iterable[Member],
    present: Iterable[Member],
    approved_leave: set[str],
    by: str,
    now: datetime,
    zone: tzinfo,
) -> tuple[Closing, list[SheetRow], list[Event]]:
    """The attendance sheet: every expected member (``expected``: the members the meeting
    expects now; an open-to-all meeting expects those present) plus anyone who signed in,
    present / excused (approved leave, not present) / absent; the counts, the rate and the
    ``meeting_closed`` event (no names: the absent members' ids)."""
    _require_not_closed(meeting)
    if now <= meeting.closes_at:
        raise Conflict(
            _("A meeting is closed once its sign-in window has closed"),
            closes_at=isoformat(meeting.closes_at),
        )
    present_by_id = {m.member_id: m for m in present}
    due: dict[str, Member] = {}
    if not meeting.open_to_all:
        due.update((m.member_id, m) for m in expected if meeting.expects(m) and m.in_register)
    due.update(present_by_id)
    rows = [
        SheetRow(
            meeting.meeting_id, m.member_id, m.org_path, _outcome(m, present_by_id, approved_leave)
        )
        for m in sorted(due.values(), key=lambda m: m.member_id)
    ]
    absent_ids = tuple(r.member_id for r in rows if r.outcome == ABSENT)
    closing = Closing(
        meeting_id=meeting.meeting_id,
        org_id=meeting.org_id,
        org_path=meeting.org_path,
        kind=meeting.kind,
        month=month_of(meeting.starts_at, zone),
        closed_at=now,
        closed_by=by,
        expected=len(rows),
        present=len(present_by_id),
        excused=sum(1 for r in rows if r.outcome == EXCUSED),
        absent=len(absent_ids),
        absent_ids=absent_ids,
    )
    return closing, rows, [meeting_closed(closing)]


def _outcome(member: Member, present: dict[str, Member], approved_leave: set[str]) -> str:
    if member.member_id in present:
        return PRESENT
    return EXCUSED if member.member_id in approved_leave else ABSENT


def meeting_closed(closing: Closing) -> Event:
    return new_event(
        "meeting_closed",
        closing.org_path,
        {
            "meeting_id": closing.meeting_id,
            "org_id": closing.org_id,
            "kind": closing.kind,
            "month": closing.month,
            "closed_at": isoformat(closing.closed_at),
            "expected": closing.expected,
            "present": closing.present,
            "excused": closing.excused,
            "absent": closing.absent,
            "rate": closing.rate,
            "absent_member_ids": list(closing.absent_ids),
        },
    )


@dataclass(frozen=True)
class MonthRates:
    """An organization's subtree in a month: the sums over its closed meetings."""

    org_id: str
    month: str
    meetings: int = 0
    expected: int = 0
    excused: int = 0
    present: int = 0

    @property
    def rate(self) -> float | None:
        return attendance_rate(self.present, self.expected, self.excused)


PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def photo_type(content: bytes) -> str | None:
    """JPEG or PNG by the content's signature (never by the file's name)."""
    return next((t for sig, t in PHOTO_TYPES.items() if content.startswith(sig)), None)


@dataclass(frozen=True)
class Photo:
    photo_id: str
    meeting_id: str
    content_type: str
    size: int


@dataclass(frozen=True)
class Minutes:
    """纪实: the topic, the content and the photos of a held meeting."""

    meeting_id: str
    topic: str
    content: str
    photos: tuple[Photo, ...]
    updated_by: str
    updated_at: datetime


def check_photos(photos: list[bytes], already: int, max_count: int, max_bytes: int) -> list[str]:
    """The content type of each photo; refused when one is not a JPEG or PNG, is too large, or
    there would be too many."""
    if already + len(photos) > max_count:
        raise InvalidInput(
            _("Too many photos: at most {n} per meeting", n=max_count),
            fields={"photos": [_("Too many photos: at most {n} per meeting", n=max_count)]},
        )
    types = []
    for n, content in enumerate(photos):
        found = photo_type(content)
        if found is None:
            message = _("Photo {n} is not a JPEG or PNG image", n=n + 1)
            raise InvalidInput(message, fields={"photos": [message]})
        if len(content) > max_bytes:
            message = _("Photo {n} is larger than {mb} MB", n=n + 1, mb=round(max_bytes / 2**20, 1))
            raise InvalidInput(message, fields={"photos": [message]})
        types.append(found)
    return types

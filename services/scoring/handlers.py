"""The scoring application layer: award points for events, read points cards. No nameko, no
pymongo: unit tests run these with in-memory fakes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from services.infra import paging
from services.infra.errors import AlreadyStored, Conflict, Forbidden
from services.infra.events import Event
from services.infra.i18n import _
from services.infra.scope import Caller
from services.scoring import commands
from services.scoring.ledger import Entry, Ledger, Source, Totals, source_key
from services.scoring.rules import AwardRule

STAFF = frozenset(
    {"county_operator", "org_admin", "branch_secretary", "grid_leader", "grid_worker"}
)
MAX_ATTEMPTS = 20


class LedgerRepository(Protocol):
    def get(self, entry_id: str) -> Entry | None: ...
    def at_seq(self, member_id: str, year: int, seq: int) -> Entry | None: ...
    def add(self, entry: Entry, events: list[Event]) -> None:
        """Raises AlreadyStored when the source or the seq is already taken."""

    def page(
        self, member_id: str, year: int, cursor: str | None, limit: int
    ) -> tuple[list[Entry], str | None]:
        """Newest first; raises InvalidInput for a cursor it did not issue."""


class TotalsRepository(Protocol):
    def get(self, member_id: str, year: int) -> Totals: ...
    def apply(self, entry: Entry) -> None:
        """Apply ``entry`` if the stored totals are at ``entry.seq - 1``; else do nothing."""


class UnitOfWork(Protocol):
    @property
    def ledger(self) -> LedgerRepository: ...

    @property
    def totals(self) -> TotalsRepository: ...


@dataclass(frozen=True)
class Settings:
    meeting_points: dict[str, AwardRule]
    requirement: dict[str, int]
    timezone: ZoneInfo
    absence: dict[str, AwardRule] = field(default_factory=dict)  # meeting kind -> deduction


def award_meeting_attendance(
    cmd: commands.AwardMeetingAttendance, uow: UnitOfWork, settings: Settings
) -> Entry | None:
    rule = settings.meeting_points.get(cmd.meeting_kind)
    if rule is None:
        return None
    at = cmd.checked_in_at.astimezone(settings.timezone)
    source = Source(
        "member_checked_in",
        cmd.event_id,
        cmd.member_id,
        cmd.member_org_path,
        at,
        f"meeting_attended:{cmd.meeting_kind}",
        cmd.device_id,
    )
    return post(source, rule, uow)


def deduct_absences(
    cmd: commands.DeductAbsences, uow: UnitOfWork, settings: Settings
) -> list[Entry]:
    """A negative entry for each unexcused absent member of a closed meeting, with its reason;
    keyed by meeting and member (``meeting_closed:<meeting>:<member>``), so a redelivered event
    or a second closing deducts nothing more. Filed under the member's organization when the
    points card knows it, else the meeting's."""
    rule = settings.absence.get(cmd.meeting_kind)
    if rule is None:
        return []
    at = cmd.closed_at.astimezone(settings.timezone)
    entries = []
    for member_id in dict.fromkeys(cmd.absent_member_ids):
        org_path = uow.totals.get(member_id, at.year).org_path or cmd.org_path
        source = Source(
            "meeting_closed",
            f"{cmd.meeting_id}:{member_id}",
            member_id,
            org_path,
            at,
            f"meeting_absent:{cmd.meeting_kind}",
        )
        entries.append(post(source, rule, uow))
    return entries


def post(source: Source, rule: AwardRule, uow: UnitOfWork) -> Entry:
    """Append the source's entry once, computed from the member's totals. The store refuses a
    second entry for a source (its id) and a second entry at a ``seq``: a redelivered source gets
    its stored entry back; the loser of a race between two sources catches up (applying whatever
    the winner, or a worker that crashed after storing its entry, left unapplied) and recomputes.
    No read before the write: a first delivery, the common case, costs one read and two writes."""
    for _attempt in range(MAX_ATTEMPTS):
        entry, events = Ledger(uow.totals.get(source.member_id, source.at.year)).post(source, rule)
        try:
            uow.ledger.add(entry, events)
        except AlreadyStored:  # this source's entry (a redelivery), or the seq taken by another
            existing = uow.ledger.get(source.key)
            catch_up(source.member_id, entry.year, uow)
            if existing is not None:
                return existing
            continue
        uow.totals.apply(entry)
        return entry
    raise Conflict(_("Too many concurrent changes to this points card; try again"))


def catch_up(member_id: str, year: int, uow: UnitOfWork) -> Totals:
    """Totals with every stored entry applied (an entry stored by a worker that crashed before
    applying it is applied here, exactly once)."""
    totals = uow.totals.get(member_id, year)
    while (pending := uow.ledger.at_seq(member_id, year, totals.version + 1)) is not None:
        uow.totals.apply(pending)
        totals = uow.totals.get(member_id, year)
    return totals


@dataclass(frozen=True)
class Scorecard:
    member_id: str
    year: int
    total: int
    by_category: dict[str, int]
    counts: dict[str, int]
    requirement: dict[str, int]
    gaps: dict[str, int]


def scorecard(
    cmd: commands.ListEntries, uow: UnitOfWork, caller: Caller, settings: Settings
) -> Scorecard:
    year = cmd.year or _this_year(settings)
    totals = catch_up(cmd.member_id, year, uow)
    _may_read(caller, cmd.member_id, totals.org_path)
    return Scorecard(
        totals.member_id,
        year,
        totals.total,
        totals.by_category,
        totals.counts,
        settings.requirement,
        totals.gaps(settings.requirement),
    )


def list_entries(
    cmd: commands.ListEntries, uow: UnitOfWork, caller: Caller, settings: Settings
) -> tuple[list[Entry], str | None]:
    year = cmd.year or _this_year(settings)
    totals = uow.totals.get(cmd.member_id, year)
    _may_read(caller, cmd.member_id, totals.org_path)
    return uow.ledger.page(cmd.member_id, year, cmd.cursor, paging.clamp(cmd.limit))


def check_in_points(check_in_id: str, uow: UnitOfWork, caller: Caller) -> dict[str, Any]:
    """The points a sign-in earned, once scoring has awarded them ("pending" until then)."""
    entry = uow.ledger.get(source_key("member_checked_in", check_in_id))
    if entry is None:
        return {"status": "pending", "points": None, "category": None, "total": None}
    if caller.role == "kiosk":
        if caller.device != entry.device_id:
            raise Forbidden(_("This kiosk did not record this sign-in"))
    else:
        _may_read(caller, entry.member_id, entry.org_path)
    return {
        "status": "capped" if entry.capped else "awarded",
        "points": entry.points,
        "category": entry.category,
        "total": entry.total_after,
    }


def _may_read(caller: Caller, member_id: str, org_path: str) -> None:
    # no entries yet (no org path known): an empty card reveals nothing
    caller.require_reader_of(member_id, STAFF, [org_path] if org_path else [])


def _this_year(settings: Settings) -> int:
    return datetime.now(settings.timezone).year

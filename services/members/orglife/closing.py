"""Closing a meeting with its attendance sheet, the minutes, and the attendance rates per
organization and month rolled up the tree."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from services.infra.errors import InvalidInput, NotFound
from services.infra.i18n import _
from services.infra.scope import Caller, in_subtree
from services.members.activity import ORG_LIFE
from services.members.handlers import READERS, get_org
from services.members.orglife import commands, domain
from services.members.orglife.leave import meeting_of, organizer_meeting
from services.members.orglife.ports import OrgLifeSettings, OrgLifeUnitOfWork


def close_meeting(
    cmd: commands.CloseMeeting,
    uow: OrgLifeUnitOfWork,
    caller: Caller,
    settings: OrgLifeSettings,
) -> tuple[domain.Closing, bool]:
    """Close once: the sheet's rows first, then the meeting with its counts and
    ``meeting_closed`` in one write (which claims the closing), then the rates and the members'
    organizational life (claimed once: a retried close finishes what a crash left, never counts
    twice). Closing again returns the stored closing."""
    meeting = organizer_meeting(cmd.meeting_id, uow, caller)
    closing = uow.orglife.closing(meeting.meeting_id)
    created = False
    if closing is None:
        present = uow.orglife.present_members(meeting.meeting_id)
        closing, rows, events = domain.close_meeting(
            meeting,
            uow.orglife.expected_members(meeting),
            present,
            uow.orglife.approved_leave(meeting.meeting_id),
            caller.subject,
            settings.clock(),
            settings.timezone,
        )
        uow.orglife.put_sheet(meeting.meeting_id, rows)
        created = uow.orglife.close(closing, events)
        closing = uow.orglife.closing(meeting.meeting_id) or closing
    if uow.orglife.claim_rates(meeting.meeting_id):
        uow.orglife.add_rates(closing)
        present_ids = [
            r.member_id for r in _all_rows(meeting.meeting_id, uow) if r.outcome == domain.PRESENT
        ]
        uow.activity.record(present_ids, ORG_LIFE, closing.month)
    return closing, created


def _all_rows(meeting_id: str, uow: OrgLifeUnitOfWork) -> list[domain.SheetRow]:
    rows: list[domain.SheetRow] = []
    cursor: str | None = None
    while True:
        found, cursor = uow.orglife.sheet(meeting_id, cursor, 1000)
        rows.extend(found)
        if cursor is None:
            return rows


def get_closing(meeting_id: str, uow: OrgLifeUnitOfWork, caller: Caller) -> domain.Closing:
    caller.require_role(READERS)
    meeting = meeting_of(meeting_id, uow)
    caller.require(meeting.org_path)
    closing = uow.orglife.closing(meeting_id)
    if closing is None:
        raise NotFound(_("The meeting is not closed yet"), meeting_id=meeting_id)
    return closing


def get_sheet(
    cmd: commands.GetSheet, uow: OrgLifeUnitOfWork, caller: Caller
) -> tuple[domain.Closing, list[dict[str, Any]], str | None]:
    """The closing and a page of the sheet with the members' masked names. The meeting's
    organization reads every row; a mobile member's home organization (outside it) reads the
    rows of its own members."""
    caller.require_role(READERS)
    meeting = meeting_of(cmd.meeting_id, uow)
    closing = uow.orglife.closing(meeting.meeting_id)
    if closing is None:
        raise NotFound(_("The meeting is not closed yet"), meeting_id=meeting.meeting_id)
    rows, cursor = uow.orglife.sheet(meeting.meeting_id, cmd.cursor, cmd.limit)
    if not caller.covers(meeting.org_path):
        rows = [r for r in rows if in_subtree(r.member_org_path, caller.scope)]
        if not rows and cmd.cursor is None:
            caller.require(meeting.org_path)
    names = uow.members.many([r.member_id for r in rows])
    items = [
        {
            "member_id": r.member_id,
            "member_org_path": r.member_org_path,
            "outcome": r.outcome,
            "name_masked": names[r.member_id].name_masked if r.member_id in names else "",
        }
        for r in rows
    ]
    return closing, items, cursor


def put_minutes(
    cmd: commands.PutMinutes,
    uow: OrgLifeUnitOfWork,
    caller: Caller,
    settings: OrgLifeSettings,
) -> domain.Minutes:
    """The minutes of a closed meeting (at closing or after); photos are added to those there,
    each once by its content."""
    meeting = organizer_meeting(cmd.meeting_id, uow, caller)
    if uow.orglife.closing(meeting.meeting_id) is None:
        raise NotFound(_("The meeting is not closed yet"), meeting_id=meeting.meeting_id)
    before = uow.orglife.minutes(meeting.meeting_id)
    have = {p.photo_id: p for p in before.photos} if before else {}
    new = {f"{meeting.meeting_id}-{hashlib.sha256(c).hexdigest()[:24]}": c for c in cmd.photos}
    new = {k: v for k, v in new.items() if k not in have}
    types = domain.check_photos(
        list(new.values()), len(have), settings.photo_max_count, settings.photo_max_bytes
    )
    photos = tuple(have.values()) + tuple(
        domain.Photo(pid, meeting.meeting_id, t, len(content))
        for (pid, content), t in zip(new.items(), types, strict=True)
    )
    minutes = domain.Minutes(
        meeting.meeting_id, cmd.topic, cmd.content, photos, caller.subject, settings.clock()
    )
    sealed = {pid: _seal(content, settings) for pid, content in new.items()}
    uow.orglife.put_minutes(minutes, sealed)
    return minutes


PHOTO_FIELD = "minutes_photo"


def _seal(content: bytes, settings: OrgLifeSettings) -> str:
    """A photo as stored: encrypted (it shows people), as roster files are."""
    return settings.cipher.encrypt(base64.b64encode(content).decode("ascii"), PHOTO_FIELD)


def get_minutes(meeting_id: str, uow: OrgLifeUnitOfWork, caller: Caller) -> domain.Minutes:
    caller.require_role(READERS)
    meeting = meeting_of(meeting_id, uow)
    caller.require(meeting.org_path)
    minutes = uow.orglife.minutes(meeting_id)
    if minutes is None:
        raise NotFound(_("No minutes yet"), meeting_id=meeting_id)
    return minutes


def read_photo(
    cmd: commands.ReadPhoto, uow: OrgLifeUnitOfWork, caller: Caller, settings: OrgLifeSettings
) -> tuple[domain.Photo, bytes]:
    minutes = get_minutes(cmd.meeting_id, uow, caller)
    photo = next((p for p in minutes.photos if p.photo_id == cmd.photo_id), None)
    sealed = uow.orglife.photo(cmd.photo_id) if photo else None
    if photo is None or sealed is None:
        raise NotFound(_("Unknown photo"), photo_id=cmd.photo_id)
    return photo, base64.b64decode(settings.cipher.decrypt(sealed, PHOTO_FIELD))


def months_between(first: str, last: str, most: int) -> list[str]:
    """'2026-01'..'2026-03' -> the months in order; at most ``most``."""
    y1, m1 = (int(p) for p in first.split("-"))
    y2, m2 = (int(p) for p in last.split("-"))
    n = (y2 - y1) * 12 + (m2 - m1) + 1
    if n < 1 or n > most:
        message = _("Give a range of 1 to {n} months", n=most)
        raise InvalidInput(message, fields={"to_month": [message]})
    return [f"{y1 + (m1 - 1 + k) // 12}-{(m1 - 1 + k) % 12 + 1:02d}" for k in range(n)]


def get_rates(
    cmd: commands.GetRates,
    uow: OrgLifeUnitOfWork,
    caller: Caller,
    settings: OrgLifeSettings,
) -> tuple[list[dict[str, Any]], str | None]:
    """The organization's rates per month (and a page of its children's, for a table): point
    reads of the rolled-up counters, never a scan."""
    caller.require_role(READERS)
    org = get_org(cmd.org_id, uow, caller)
    months = months_between(cmd.from_month, cmd.to_month, settings.max_months)
    orgs, cursor = [org], None
    if cmd.children:
        children, cursor = uow.orgs.children(org.org_id, cmd.cursor, cmd.limit)
        orgs = [org, *children] if cmd.cursor is None else list(children)
    found = uow.orglife.rates([o.org_id for o in orgs], months)
    items = [
        {
            "org_id": o.org_id,
            "name": o.name,
            "path": o.path,
            "months": [found.get((o.org_id, m)) or domain.MonthRates(o.org_id, m) for m in months],
        }
        for o in orgs
    ]
    return items, cursor

"""Export of an organization's members as XLSX, in the template's columns (so an export, once
edited, imports back), with each member's id and status. Personal data is masked unless a
staff caller asks for it in full with a reason: then one audit entry lists the members read.
Members are paged through by the name index and written as they come: an export of the whole
county holds one page of documents at a time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from services.infra.i18n import _
from services.infra.scope import Caller
from services.members.domain import Member, Org
from services.members.handlers import SECRETARIES, STAFF, get_org
from services.members.roster import commands, sheets
from services.members.roster.columns import COLUMNS, SHEET, STATUS_LABELS
from services.members.roster.importing import keep_file
from services.members.roster.ports import RosterSettings, RosterUnitOfWork

PAGE = 200
EXPORT_HEADERS = ["党员编号", *(c.header for c in COLUMNS), "党员状态"]


def export_members(
    cmd: commands.ExportMembers, uow: RosterUnitOfWork, caller: Caller, settings: RosterSettings
) -> dict[str, Any]:
    caller.require_role(SECRETARIES)
    if cmd.full:
        caller.require_role(STAFF)  # who may read personal data (read_member_pii's rule)
    org = get_org(cmd.org_id, uow, caller)
    read: list[str] = []
    rows = _rows(org, cmd, uow, settings, read)
    content = sheets.write_xlsx(SHEET, EXPORT_HEADERS, rows)
    if cmd.full:
        uow.audit.record(
            {
                "at": settings.now(),
                "actor": caller.as_context(),
                "action": "roster_export",
                "org_id": org.org_id,
                "subtree": cmd.subtree,
                "status": cmd.status,
                "member_ids": read,
                "count": len(read),
                "fields": ["name", "id_number", "phone", "address"],
                "reason": cmd.reason,
            }
        )
    kind = "完整" if cmd.full else "脱敏"
    name = f"{org.name}-党员名册-{kind}-{settings.now():%Y%m%d}.xlsx"
    return keep_file(content, name, org.path, uow, caller, settings)


def _rows(
    org: Org,
    cmd: commands.ExportMembers,
    uow: RosterUnitOfWork,
    settings: RosterSettings,
    read: list[str],
) -> Iterator[list[Any]]:
    """The members organization by organization (the subtree's), each one's by name: every query is served by an index and small (a subtree-wide query by name would sort
    the whole subtree for every page on the embedded engine)."""
    for each in _orgs(org, cmd.subtree, uow):
        cursor: str | None = None
        while True:
            members, cursor = uow.members.listed(each, False, None, cursor, PAGE)
            for member in members:
                if cmd.status is None or member.status == cmd.status:
                    read.append(member.member_id)
                    yield _row(member, cmd.full, settings)
            settings.pause()
            if cursor is None:
                break


def _orgs(org: Org, subtree: bool, uow: RosterUnitOfWork) -> Iterator[Org]:
    """The organization, then (``subtree``) each one below it once: a parent's children a page
    at a time (index parent_id, _id), then theirs."""
    yield org
    if not subtree:
        return
    pending: list[tuple[Org, str | None]] = [(org, None)]
    while pending:
        parent, cursor = pending.pop()
        children, after = uow.orgs.children(parent.org_id, cursor, PAGE)
        if after is not None:
            pending.append((parent, after))
        for child in reversed(children):
            pending.append((child, None))
        for child in children:
            yield child


def _row(member: Member, full: bool, settings: RosterSettings) -> list[Any]:
    cipher = settings.members.cipher
    if full:
        name = member.name
        id_number = cipher.decrypt(member.id_number_enc, "id_number")
        phone = cipher.decrypt(member.phone_enc, "phone")
        address = cipher.decrypt(member.address_enc, "address") if member.address_enc else ""
    else:
        name, id_number = member.name_masked, member.id_number_masked
        phone, address = member.phone_masked, member.address_masked
    values = {
        "name": name,
        "gender": {"male": "男", "female": "女"}.get(member.gender, member.gender),
        "id_number": id_number,
        "phone": phone,
        "birth_date": member.birth_date.isoformat(),
        "ethnicity": member.ethnicity,
        "education": member.education,
        "join_date": member.join_date.isoformat(),
        "status": STATUS_LABELS.get(member.status, member.status)
        if member.status in ("full", "probationary")
        else "",
        "org_id": member.org_id,
        "work_unit": member.work_unit,
        "duties": "、".join(member.duties),
        "skills": "、".join(member.skills),
        "address": address,
        "card_uid": member.card_uid or "",
    }
    status = STATUS_LABELS.get(member.status, member.status)
    return [member.member_id, *(values[c.field] for c in COLUMNS), status]


def template(fmt: str, caller: Caller) -> bytes:
    caller.require_role(SECRETARIES)
    if fmt not in ("xlsx", "csv"):
        raise sheets.bad_file(_("Choose xlsx or csv"))
    return sheets.template(fmt)

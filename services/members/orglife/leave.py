"""Leave (请假): requested for an expected member before the start, decided by the organizer."""

from __future__ import annotations

from services.infra.errors import Forbidden, NotFound
from services.infra.i18n import _
from services.infra.scope import Caller
from services.members.domain import Meeting, Member
from services.members.handlers import READERS, SECRETARIES, Page, get_org
from services.members.orglife import commands, domain
from services.members.orglife.ports import OrgLifeSettings, OrgLifeUnitOfWork


def meeting_of(meeting_id: str, uow: OrgLifeUnitOfWork) -> Meeting:
    meeting = uow.meetings.get(meeting_id)
    if meeting is None:
        raise NotFound(_("Unknown meeting"), meeting_id=meeting_id)
    return meeting


def organizer_meeting(meeting_id: str, uow: OrgLifeUnitOfWork, caller: Caller) -> Meeting:
    """The meeting, for a secretary whose scope covers its organization."""
    caller.require_role(SECRETARIES)
    meeting = meeting_of(meeting_id, uow)
    caller.require(meeting.org_path)
    return meeting


def _for_member(
    meeting_id: str, member_id: str, uow: OrgLifeUnitOfWork, caller: Caller
) -> tuple[Meeting, Member]:
    """A member for themselves; a secretary for a member of, or a meeting in, their scope."""
    if caller.role == "member":
        if caller.subject != member_id:
            raise Forbidden(_("Members may only request leave for themselves"))
        member = uow.members.get(member_id)
        if member is None:
            raise NotFound(_("Unknown member"), member_id=member_id)
        return meeting_of(meeting_id, uow), member
    caller.require_role(SECRETARIES)
    meeting = meeting_of(meeting_id, uow)
    member = uow.members.get(member_id)
    if member is None:
        raise NotFound(_("Unknown member"), member_id=member_id)
    if not (caller.covers(member.org_path) or caller.covers(meeting.org_path)):
        caller.require(member.org_path)
    return meeting, member


def request_leave(
    cmd: commands.RequestLeave,
    uow: OrgLifeUnitOfWork,
    caller: Caller,
    settings: OrgLifeSettings,
) -> tuple[domain.LeaveRequest, bool]:
    meeting, member = _for_member(cmd.meeting_id, cmd.member_id, uow, caller)
    existing = uow.orglife.leave(domain.leave_id(meeting.meeting_id, member.member_id))
    request, created = domain.request_leave(
        meeting, member, cmd.reason, caller.subject, settings.clock(), existing
    )
    if created:
        uow.orglife.put_leave(request)
    return request, created


def withdraw_leave(
    cmd: commands.WithdrawLeave,
    uow: OrgLifeUnitOfWork,
    caller: Caller,
    settings: OrgLifeSettings,
) -> domain.LeaveRequest:
    meeting, member = _for_member(cmd.meeting_id, cmd.member_id, uow, caller)
    request = _request(meeting, member.member_id, uow)
    withdrawn, changed = domain.withdraw_leave(request, meeting, settings.clock())
    if changed:
        uow.orglife.put_leave(withdrawn)
    return withdrawn


def decide_leave(
    cmd: commands.DecideLeave,
    uow: OrgLifeUnitOfWork,
    caller: Caller,
    settings: OrgLifeSettings,
) -> domain.LeaveRequest:
    meeting = organizer_meeting(cmd.meeting_id, uow, caller)
    request = _request(meeting, cmd.member_id, uow)
    decided, changed = domain.decide_leave(
        request, meeting, cmd.approve, cmd.reason, caller.subject, settings.clock()
    )
    if changed:
        uow.orglife.put_leave(decided)
    return decided


def _request(meeting: Meeting, member_id: str, uow: OrgLifeUnitOfWork) -> domain.LeaveRequest:
    request = uow.orglife.leave(domain.leave_id(meeting.meeting_id, member_id))
    if request is None:
        raise NotFound(_("No leave was requested for this member"), member_id=member_id)
    return request


def list_meeting_leave(
    cmd: commands.ListMeetingLeave, uow: OrgLifeUnitOfWork, caller: Caller
) -> Page:
    caller.require_role(READERS)
    meeting = meeting_of(cmd.meeting_id, uow)
    caller.require(meeting.org_path)
    return uow.orglife.leave_of_meeting(meeting.meeting_id, cmd.cursor, cmd.limit)


def list_pending_leave(
    cmd: commands.ListPendingLeave, uow: OrgLifeUnitOfWork, caller: Caller
) -> Page:
    caller.require_role(SECRETARIES)
    path = get_org(cmd.org_id, uow, caller).path if cmd.org_id else caller.scope
    return uow.orglife.pending_leave(path, cmd.cursor, cmd.limit)

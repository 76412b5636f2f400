"""The scoring service's contract: its copy of the events it reads, the events it publishes, RPC
arguments and results."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from services.infra.schemas import EnvelopeSchema, Strict, Text
from services.scoring import commands


class MemberCheckedIn(EnvelopeSchema):
    """scoring's copy of members' member_checked_in: only the fields it reads."""

    member_id = fields.String(required=True)
    member_org_path = fields.String(required=True)
    meeting_kind = fields.String(required=True)
    checked_in_at = fields.AwareDateTime(required=True)
    device_id = fields.String(load_default=None, allow_none=True)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.AwardMeetingAttendance:
        return commands.AwardMeetingAttendance(
            event_id=str(data["event_id"]),
            member_id=data["member_id"],
            member_org_path=data["member_org_path"],
            meeting_kind=data["meeting_kind"],
            checked_in_at=data["checked_in_at"],
            device_id=data["device_id"],
        )


class MeetingClosed(EnvelopeSchema):
    """scoring's copy of members' meeting_closed: only the fields it reads."""

    org_path = fields.String(required=True)
    meeting_id = fields.String(required=True)
    kind = fields.String(required=True)
    closed_at = fields.AwareDateTime(required=True)
    absent_member_ids = fields.List(fields.String(), required=True)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.DeductAbsences:
        return commands.DeductAbsences(
            meeting_id=data["meeting_id"],
            meeting_kind=data["kind"],
            org_path=data["org_path"],
            closed_at=data["closed_at"],
            absent_member_ids=tuple(data["absent_member_ids"]),
        )


class OrgMoved(EnvelopeSchema):
    """scoring's copy of members' org_moved: the subtree's old and new path."""

    from_path = fields.String(required=True)
    to_path = fields.String(required=True)


class PointsAwarded(EnvelopeSchema):
    member_id = fields.String(required=True)
    entry_id = fields.String(required=True)
    category = fields.String(required=True, validate=validate.OneOf(("base", "contribution")))
    item = fields.String(required=True)
    points = fields.Integer(required=True)
    requested_points = fields.Integer(required=True)
    capped = fields.Boolean(required=True)
    year = fields.Integer(required=True)
    total_after = fields.Integer(required=True)
    reason = fields.String(required=True)
    source_event_type = fields.String(required=True)
    source_event_id = fields.String(required=True)


PUBLISHED_EVENTS = {"points_awarded": PointsAwarded}


class ListEntries(Strict):
    member_id = Text(required=True, validate=validate.Length(1, 64))
    year = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(2000, 2100))
    cursor = Text(load_default=None, allow_none=True, validate=validate.Length(1, 200))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ListEntries:
        return commands.ListEntries(**data)


class ScorecardOut(Schema):
    member_id = fields.String()
    year = fields.Integer()
    total = fields.Integer()
    by_category = fields.Dict(keys=fields.String(), values=fields.Integer())
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    requirement = fields.Dict(keys=fields.String(), values=fields.Integer())
    gaps = fields.Dict(keys=fields.String(), values=fields.Integer())


class EntryOut(Schema):
    entry_id = fields.String()
    at = fields.AwareDateTime()
    category = fields.String()
    item = fields.String()
    points = fields.Integer()
    requested_points = fields.Integer()
    capped = fields.Boolean()
    reason = fields.String()
    total_after = fields.Integer()


class EntriesPage(Schema):
    items = fields.List(fields.Nested(EntryOut))
    next_cursor = fields.String(allow_none=True)


class CheckInPoints(Schema):
    status = fields.String()
    points = fields.Integer(allow_none=True)
    category = fields.String(allow_none=True)
    total = fields.Integer(allow_none=True)

"""The scoring service's contract: the events it reads (its own copy) and publishes, RPC results."""

from __future__ import annotations

from marshmallow import fields, validate

from services.infra.schemas import EnvelopeSchema


class MemberCheckedIn(EnvelopeSchema):
    """scoring's copy of members' member_checked_in: only the fields it reads."""

    member_id = fields.String(required=True)
    member_org_path = fields.String(required=True)
    meeting_id = fields.String(required=True)
    meeting_kind = fields.String(required=True)
    checked_in_at = fields.AwareDateTime(required=True)


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

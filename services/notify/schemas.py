"""notify's contract: its copy of the events it reads, and inbox results."""

from __future__ import annotations

from marshmallow import fields

from services.infra.schemas import EnvelopeSchema


class PointsAwarded(EnvelopeSchema):
    """notify's copy of scoring's points_awarded: only the fields it reads."""

    member_id = fields.String(required=True)
    category = fields.String(required=True)
    item = fields.String(required=True)
    points = fields.Integer(required=True)
    total_after = fields.Integer(required=True)


PUBLISHED_EVENTS: dict[str, type] = {}

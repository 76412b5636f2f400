"""Bodies and results of the HTTP API that are the gateway's own (the rest pass through to the
services, whose schemas validate them)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.members.schemas import CARD_UID


class KioskCheckInBody(Schema):
    card_uid = fields.String(required=True, validate=CARD_UID)
    meeting_id = fields.String(required=True, validate=validate.Length(1, 80))


class PointsResult(Schema):
    status = fields.String(metadata={"description": "awarded | capped | pending | none"})
    points = fields.Integer(allow_none=True)
    category = fields.String(allow_none=True)
    total = fields.Integer(allow_none=True)


class KioskCheckInResult(Schema):
    message = fields.String()
    first_sign_in = fields.Boolean()
    checked_in_at = fields.String()
    member = fields.Dict()
    meeting = fields.Dict()
    points = fields.Nested(PointsResult)


class KioskEnrolled(Schema):
    device_id = fields.String()
    org_path = fields.String()
    place = fields.String()
    token = fields.String()


class NeedsQuery(Schema):
    scope = fields.String(load_default=None)
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class ErrorBody(Schema):
    error = fields.Dict(metadata={"description": "{code, message, details?}"})

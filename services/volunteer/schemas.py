"""volunteer's contract: RPC arguments and results, the events it publishes."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.infra.schemas import EnvelopeSchema
from services.volunteer.needs import NEED_CATEGORIES

ORG_PATH = validate.Regexp(
    r"^(/[a-z0-9][a-z0-9-]{0,63})+$", error="an organization path like /hj/hj-s01"
)


class NeedIn(Schema):
    grid_path = fields.String(required=True, validate=ORG_PATH)
    title = fields.String(required=True, validate=validate.Length(1, 100))
    description = fields.String(load_default="", validate=validate.Length(0, 2000))
    category = fields.String(required=True, validate=validate.OneOf(NEED_CATEGORIES))
    resident_name = fields.String(required=True, validate=validate.Length(1, 50))
    resident_phone = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(r"^1\d{10}$")
    )
    recorded_by = fields.String(required=True, validate=validate.Length(1, 80))


class NeedOut(Schema):
    need_id = fields.String(attribute="_id")
    grid_path = fields.String()
    title = fields.String()
    description = fields.String()
    category = fields.String()
    status = fields.String()
    resident_name_masked = fields.String()
    resident_phone_masked = fields.String(allow_none=True)
    recorded_by = fields.String()
    recorded_at = fields.String()


class NeedRecorded(EnvelopeSchema):
    need_id = fields.String(required=True)
    grid_path = fields.String(required=True)
    category = fields.String(required=True, validate=validate.OneOf(NEED_CATEGORIES))
    title = fields.String(required=True)
    recorded_at = fields.AwareDateTime(required=True)


PUBLISHED_EVENTS = {"need_recorded": NeedRecorded}

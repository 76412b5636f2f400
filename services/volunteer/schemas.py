"""volunteer's contract: RPC arguments (loaded into commands), results, and the events it
publishes."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from services.infra.schemas import EnvelopeSchema, Strict, Text
from services.volunteer import commands
from services.volunteer.needs import NEED_CATEGORIES, NEED_STATUSES

ORG_PATH = validate.Regexp(
    r"^(/[a-z0-9][a-z0-9-]{0,63})+$", error="an organization path like /hj/hj-s01"
)
SCOPE = validate.Regexp(
    r"^(/|(/[a-z0-9][a-z0-9-]{0,63})+)$", error="an organization path like /hj/hj-s01, or /"
)


class NeedIn(Strict):
    """record_need's payload. Who records it is the caller (RPC context data), not a field."""

    grid_path = Text(required=True, validate=ORG_PATH)
    title = Text(required=True, validate=validate.Length(1, 100))
    description = Text(load_default="", validate=validate.Length(0, 2000))
    category = Text(required=True, validate=validate.OneOf(NEED_CATEGORIES))
    resident_name = Text(required=True, validate=validate.Length(1, 50))
    resident_phone = Text(
        load_default=None, allow_none=True, validate=validate.Regexp(r"^1[0-9]{10}$")
    )

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.RecordNeed:
        return commands.RecordNeed(**data)


class ListOpenNeeds(Strict):
    scope = Text(required=True, validate=SCOPE)
    cursor = Text(load_default=None, allow_none=True, validate=validate.Length(1, 400))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ListOpenNeeds:
        return commands.ListOpenNeeds(**data)


class ListNeeds(ListOpenNeeds):
    status = Text(load_default="open", allow_none=True, validate=validate.OneOf(NEED_STATUSES))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ListNeeds:
        return commands.ListNeeds(**data)


class CountNeeds(Strict):
    scope = Text(required=True, validate=SCOPE)
    status = Text(load_default="open", allow_none=True, validate=validate.OneOf(NEED_STATUSES))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.CountNeeds:
        return commands.CountNeeds(**data)


class NeedCountOut(Schema):
    scope = fields.String()
    status = fields.String(allow_none=True)
    count = fields.Integer()
    capped = fields.Boolean(metadata={"description": "at least count (counting stopped)"})


class NeedOut(Schema):
    """A need as shown to callers: the resident's name and phone masked."""

    need_id = fields.String()
    grid_path = fields.String()
    title = fields.String()
    description = fields.String()
    category = fields.String()
    status = fields.String()
    resident_name_masked = fields.String()
    resident_phone_masked = fields.String(allow_none=True)
    recorded_by = fields.String()
    recorded_at = fields.AwareDateTime()


class NeedsPage(Schema):
    items = fields.List(fields.Nested(NeedOut))
    next_cursor = fields.String(allow_none=True)


# -- events consumed -------------------------------------------------------------------------


class OrgMoved(EnvelopeSchema):
    """volunteer's copy of members' org_moved: the subtree's old and new path."""

    from_path = fields.String(required=True)
    to_path = fields.String(required=True)


# -- events published on volunteer.events ----------------------------------------------------


class NeedRecorded(EnvelopeSchema):
    need_id = fields.String(required=True)
    grid_path = fields.String(required=True)
    category = fields.String(required=True, validate=validate.OneOf(NEED_CATEGORIES))
    title = fields.String(required=True)
    recorded_at = fields.AwareDateTime(required=True)


PUBLISHED_EVENTS = {"need_recorded": NeedRecorded}

"""notify's contract: its copy of the events it reads, RPC arguments and results."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from services.infra.schemas import EnvelopeSchema, Strict, Text
from services.notify import commands
from services.notify.messages import SMS_TEMPLATES


class OrgMoved(EnvelopeSchema):
    """notify's copy of members' org_moved: the subtree's old and new path."""

    from_path = fields.String(required=True)
    to_path = fields.String(required=True)


class PointsAwarded(EnvelopeSchema):
    """notify's copy of scoring's points_awarded: only the fields it reads (``org_path``, the
    member's organization, comes with the envelope)."""

    member_id = fields.String(required=True)
    category = fields.String(required=True)
    item = fields.String(required=True)
    points = fields.Integer(required=True)
    total_after = fields.Integer(required=True)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.TellPointsAwarded:
        return commands.TellPointsAwarded(
            event_id=str(data["event_id"]),
            member_id=data["member_id"],
            org_path=data["org_path"],
            category=data["category"],
            item=data["item"],
            points=data["points"],
            total_after=data["total_after"],
        )


class ListInbox(Strict):
    member_id = Text(required=True, validate=validate.Length(1, 64))
    cursor = Text(load_default=None, allow_none=True, validate=validate.Length(1, 400))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ListInbox:
        return commands.ListInbox(**data)


class InboxItem(Schema):
    message_id = fields.String()
    kind = fields.String()
    title = fields.String()
    body = fields.String()
    at = fields.AwareDateTime()
    read = fields.Boolean()


class InboxPage(Schema):
    items = fields.List(fields.Nested(InboxItem))
    next_cursor = fields.String(allow_none=True)


class SendSms(Strict):
    key = Text(required=True, validate=validate.Regexp(r"^[A-Za-z0-9:_.-]{8,128}$"))
    phone = Text(required=True, validate=validate.Regexp(r"^1[3-9][0-9]{9}$"))
    template = fields.String(required=True, validate=validate.OneOf(sorted(SMS_TEMPLATES)))
    params = fields.Dict(
        keys=fields.String(validate=validate.Length(1, 32)),
        values=Text(validate=validate.Length(0, 64)),
        required=True,
    )

    @validates_schema
    def _params_fit_the_template(self, data: dict[str, Any], **_: Any) -> None:
        needed = SMS_TEMPLATES.get(data.get("template", ""))
        if needed is not None and set(data.get("params", {})) != needed:
            raise ValidationError(f"this template takes exactly {sorted(needed)}", "params")

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.SendSms:
        return commands.SendSms(**data)


class SmsSent(Schema):
    key = fields.String()
    status = fields.String()  # sent, or sending (an earlier call with this key is under way)
    provider = fields.String()


PUBLISHED_EVENTS: dict[str, type] = {}

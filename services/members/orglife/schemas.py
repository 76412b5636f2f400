"""The contract of meetings held: leave, closing with the attendance sheet and minutes, attendance rates rolled up the tree: RPC payloads and the events published."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate

from services.infra.schemas import EnvelopeSchema, Strict, Text
from services.members.domain import MEETING_KINDS
from services.members.orglife import commands
from services.members.schemas import MEETING_ID, MEMBER_ID, ORG_ID, Paged, page_of

REASON = validate.Length(1, 200)
MONTH = validate.Regexp(
    r"^\d{4}-(0[1-9]|1[0-2])$", error="The period must be a month such as 2026-03"
)


class RequestLeave(Strict):
    meeting_id = Text(required=True, validate=MEETING_ID)
    member_id = Text(required=True, validate=MEMBER_ID)
    reason = Text(required=True, validate=REASON)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.RequestLeave:
        return commands.RequestLeave(**data)


class DecideLeave(Strict):
    meeting_id = Text(required=True, validate=MEETING_ID)
    member_id = Text(required=True, validate=MEMBER_ID)
    approve = fields.Boolean(required=True)
    reason = Text(load_default=None, allow_none=True, validate=REASON)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.DecideLeave:
        return commands.DecideLeave(**data)


class WithdrawLeave(Strict):
    meeting_id = Text(required=True, validate=MEETING_ID)
    member_id = Text(required=True, validate=MEMBER_ID)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.WithdrawLeave:
        return commands.WithdrawLeave(**data)


class ListMeetingLeave(Paged):
    meeting_id = Text(required=True, validate=MEETING_ID)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ListMeetingLeave:
        return commands.ListMeetingLeave(**data)


class ListPendingLeave(Paged):
    org_id = Text(load_default=None, allow_none=True, validate=ORG_ID)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ListPendingLeave:
        return commands.ListPendingLeave(**data)


class CloseMeeting(Strict):
    meeting_id = Text(required=True, validate=MEETING_ID)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.CloseMeeting:
        return commands.CloseMeeting(**data)


class GetSheet(Paged):
    meeting_id = Text(required=True, validate=MEETING_ID)
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.GetSheet:
        return commands.GetSheet(**data)


class Base64Bytes(fields.Field):
    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bytes:
        if not isinstance(value, str):
            raise ValidationError("not base64 text")
        text = value
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError("not base64 text") from None


class PutMinutes(Strict):
    meeting_id = Text(required=True, validate=MEETING_ID)
    topic = Text(required=True, validate=validate.Length(1, 200))
    content = Text(required=True, validate=validate.Length(1, 20000))
    photos = fields.List(Base64Bytes(), load_default=list, validate=validate.Length(0, 50))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.PutMinutes:
        return commands.PutMinutes(**data)


class ReadPhoto(Strict):
    meeting_id = Text(required=True, validate=MEETING_ID)
    photo_id = Text(required=True, validate=validate.Length(1, 120))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ReadPhoto:
        return commands.ReadPhoto(**data)


class GetRates(Paged):
    org_id = Text(required=True, validate=ORG_ID)
    from_month = Text(required=True, validate=MONTH)
    to_month = Text(required=True, validate=MONTH)
    children = fields.Boolean(load_default=False)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.GetRates:
        return commands.GetRates(**data)


# -- results -----------------------------------------------------------------------------------


class LeaveOut(Schema):
    leave_id = fields.String()
    meeting_id = fields.String()
    meeting_org_path = fields.String()
    member_id = fields.String()
    member_org_path = fields.String()
    reason = fields.String()
    status = fields.String()
    requested_by = fields.String()
    requested_at = fields.AwareDateTime()
    decided_by = fields.String(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    decline_reason = fields.String()


LeavePage = page_of(LeaveOut, "LeavePage")


class ClosingOut(Schema):
    meeting_id = fields.String()
    org_id = fields.String()
    org_path = fields.String()
    kind = fields.String()
    month = fields.String()
    closed_at = fields.AwareDateTime()
    closed_by = fields.String()
    expected = fields.Integer()
    present = fields.Integer()
    excused = fields.Integer()
    absent = fields.Integer()
    rate = fields.Float(allow_none=True)
    absent_member_ids = fields.List(fields.String(), attribute="absent_ids")


class SheetRowOut(Schema):
    member_id = fields.String()
    member_org_path = fields.String()
    name_masked = fields.String()
    outcome = fields.String()


class SheetOut(Schema):
    closing = fields.Nested(ClosingOut)
    items = fields.List(fields.Nested(SheetRowOut))
    next_cursor = fields.String(allow_none=True)


class PhotoOut(Schema):
    photo_id = fields.String()
    content_type = fields.String()
    size = fields.Integer()


class MinutesOut(Schema):
    meeting_id = fields.String()
    topic = fields.String()
    content = fields.String()
    photos = fields.List(fields.Nested(PhotoOut))
    updated_by = fields.String()
    updated_at = fields.AwareDateTime()


class MonthRatesOut(Schema):
    month = fields.String()
    meetings = fields.Integer()
    expected = fields.Integer()
    excused = fields.Integer()
    present = fields.Integer()
    rate = fields.Float(allow_none=True)


class OrgRatesOut(Schema):
    org_id = fields.String()
    name = fields.String()
    path = fields.String()
    months = fields.List(fields.Nested(MonthRatesOut))


RatesPage = page_of(OrgRatesOut, "RatesPage")


# -- events ------------------------------------------------------------------------------------


class MeetingClosed(EnvelopeSchema):
    meeting_id = fields.String(required=True)
    org_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(MEETING_KINDS))
    month = fields.String(required=True, validate=MONTH)
    closed_at = fields.AwareDateTime(required=True)
    expected = fields.Integer(required=True)
    present = fields.Integer(required=True)
    excused = fields.Integer(required=True)
    absent = fields.Integer(required=True)
    rate = fields.Float(required=True, allow_none=True)
    absent_member_ids = fields.List(fields.String(), required=True)


PUBLISHED_EVENTS: dict[str, Any] = {"meeting_closed": MeetingClosed}

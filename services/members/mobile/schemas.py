"""The contract of mobile members (流动党员) and lapse warnings: RPC payloads (loaded into
commands), results, and the events published."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from services.infra.schemas import EnvelopeSchema, Strict, Text
from services.members.mobile import commands
from services.members.schemas import MEMBER_ID, ORG_ID, PAST_DATE, MemberOut, Paged, page_of

PLACE = validate.Length(1, 100)
REGION = validate.Regexp(r"^[0-9]{6}$", error="an administrative division code of 6 digits")
MONTH = validate.Regexp(r"^[0-9]{4}-[0-9]{2}$")


class RegisterMobile(Strict):
    member_id = Text(required=True, validate=MEMBER_ID)
    place = Text(required=True, validate=PLACE)
    since = fields.Date(required=True, validate=PAST_DATE)
    until = fields.Date(required=True, validate=PAST_DATE)
    host_org_id = Text(load_default=None, allow_none=True, validate=ORG_ID)
    region = Text(load_default=None, allow_none=True, validate=REGION)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.RegisterMobile:
        return commands.RegisterMobile(**data)


class ChangeHost(Strict):
    member_id = Text(required=True, validate=MEMBER_ID)
    host_org_id = Text(required=True, allow_none=True, validate=ORG_ID)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ChangeHost:
        return commands.ChangeHost(**data)


class EndMobile(Strict):
    member_id = Text(required=True, validate=MEMBER_ID)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.EndMobile:
        return commands.EndMobile(**data)


class ListMobile(Paged):
    org_id = Text(required=True, validate=ORG_ID)
    hosted = fields.Boolean(load_default=False)
    overdue = fields.Boolean(load_default=False)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ListMobile:
        return commands.ListMobile(**data)


class ListMobileAttendance(Paged):
    member_id = Text(required=True, validate=MEMBER_ID)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ListMobileAttendance:
        return commands.ListMobileAttendance(**data)


class ListLapseWarnings(Paged):
    org_id = Text(required=True, validate=ORG_ID)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ListLapseWarnings:
        return commands.ListLapseWarnings(**data)


class MobileStayOut(Schema):
    place = fields.String()
    since = fields.Date()
    until = fields.Date()
    host_org_id = fields.String(allow_none=True)
    host_org_path = fields.String(allow_none=True)
    region = fields.String(allow_none=True)


class MobileMemberOut(MemberOut):
    """A member (personal data masked) with their stay (null once returned)."""

    mobile = fields.Nested(MobileStayOut, allow_none=True)


MobileMembersPage = page_of(MobileMemberOut, "MobileMembersPage")


class LapseWarningOut(Schema):
    member = fields.Nested(MemberOut)
    last_active = fields.String()
    months_inactive = fields.Integer()
    threshold = fields.Integer()
    rule_months = fields.Integer()
    rule_reached = fields.Boolean()


LapseWarningsPage = page_of(LapseWarningOut, "LapseWarningsPage")


# -- events published on members.events ------------------------------------------------------


class MobileMemberChanged(EnvelopeSchema):
    """Ids and the stay's end only: never the place or personal data."""

    member_id = fields.String(required=True)
    home_org_id = fields.String(required=True)
    host_org_id = fields.String(required=True, allow_none=True)
    until = fields.Date(required=True)


class MemberLapseWarning(EnvelopeSchema):
    member_id = fields.String(required=True)
    org_id = fields.String(required=True)
    months_inactive = fields.Integer(required=True)
    threshold = fields.Integer(required=True)
    last_active = fields.String(required=True, validate=MONTH)


PUBLISHED_EVENTS: dict[str, Any] = {
    "mobile_member_registered": MobileMemberChanged,
    "mobile_member_host_changed": MobileMemberChanged,
    "mobile_member_returned": MobileMemberChanged,
    "mobile_stay_overdue": MobileMemberChanged,
    "member_lapse_warning": MemberLapseWarning,
}

"""The members service's contract: RPC arguments and results, and the events it publishes."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates

from services.infra.schemas import EnvelopeSchema
from services.members.domain import MEETING_KINDS, MEMBER_STATUSES, ORG_KINDS
from services.members.idcard import is_valid as is_valid_id_number

ORG_ID = validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,63}$", error="use lower-case letters, digits and -")
CARD_UID = validate.Regexp(r"^[0-9A-F]{8,20}$", error="card UID is 8-20 hex digits (upper case)")


class OrgIn(Schema):
    org_id = fields.String(required=True, validate=ORG_ID)
    parent_id = fields.String(load_default=None, allow_none=True, validate=ORG_ID)
    name = fields.String(required=True, validate=validate.Length(1, 100))
    kind = fields.String(required=True, validate=validate.OneOf(ORG_KINDS))
    tags = fields.List(fields.String(validate=validate.Length(1, 30)), load_default=list)


class OrgOut(Schema):
    org_id = fields.String(attribute="_id")
    parent_id = fields.String(allow_none=True)
    name = fields.String()
    kind = fields.String()
    tags = fields.List(fields.String())
    path = fields.String()


class MemberIn(Schema):
    org_id = fields.String(required=True, validate=ORG_ID)
    name = fields.String(required=True, validate=validate.Length(1, 50))
    gender = fields.String(required=True, validate=validate.OneOf(("male", "female")))
    birth_date = fields.Date(required=True)
    id_number = fields.String(required=True)
    phone = fields.String(required=True, validate=validate.Regexp(r"^1\d{10}$"))
    status = fields.String(load_default="full", validate=validate.OneOf(MEMBER_STATUSES))
    join_date = fields.Date(required=True)
    card_uid = fields.String(load_default=None, allow_none=True, validate=CARD_UID)
    skills = fields.List(fields.String(validate=validate.Length(1, 30)), load_default=list)

    @validates("id_number")
    def _valid_id_number(self, value: str, **_: object) -> None:
        if not is_valid_id_number(value):
            raise ValidationError("not a valid national ID number (check digit or date)")


class MemberOut(Schema):
    """A member as shown to callers: personal data masked."""

    member_id = fields.String(attribute="_id")
    org_id = fields.String()
    org_path = fields.String()
    name_masked = fields.String()
    gender = fields.String()
    status = fields.String()
    join_date = fields.String()
    card_uid = fields.String(allow_none=True)
    id_number_masked = fields.String()
    phone_masked = fields.String()
    skills = fields.List(fields.String())


class MeetingIn(Schema):
    meeting_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 80))
    org_id = fields.String(required=True, validate=ORG_ID)
    kind = fields.String(required=True, validate=validate.OneOf(MEETING_KINDS))
    title = fields.String(required=True, validate=validate.Length(1, 200))
    starts_at = fields.AwareDateTime(required=True)
    window_before_min = fields.Integer(load_default=None, validate=validate.Range(0, 24 * 60))
    window_after_min = fields.Integer(load_default=None, validate=validate.Range(0, 24 * 60))


class MeetingOut(Schema):
    meeting_id = fields.String(attribute="_id")
    org_id = fields.String()
    org_path = fields.String()
    kind = fields.String()
    title = fields.String()
    starts_at = fields.String()
    opens_at = fields.String()
    closes_at = fields.String()


class KioskIn(Schema):
    device_id = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9-]{3,64}$"))
    org_id = fields.String(required=True, validate=ORG_ID)
    place = fields.String(required=True, validate=validate.Length(1, 100))


class CheckInIn(Schema):
    card_uid = fields.String(required=True, validate=CARD_UID)
    meeting_id = fields.String(required=True, validate=validate.Length(1, 80))
    device_id = fields.String(required=True, validate=validate.Length(1, 64))


# -- events published on members.events ------------------------------------------------------


class MemberRegistered(EnvelopeSchema):
    member_id = fields.String(required=True)
    org_id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(MEMBER_STATUSES))
    join_date = fields.Date(required=True)


class MemberCheckedIn(EnvelopeSchema):
    member_id = fields.String(required=True)
    member_org_path = fields.String(required=True)
    meeting_id = fields.String(required=True)
    meeting_kind = fields.String(required=True, validate=validate.OneOf(MEETING_KINDS))
    meeting_org_id = fields.String(required=True)
    checked_in_at = fields.AwareDateTime(required=True)
    device_id = fields.String(allow_none=True)


PUBLISHED_EVENTS = {"member_registered": MemberRegistered, "member_checked_in": MemberCheckedIn}

"""The members service's contract: RPC arguments (loaded into commands), results, and the events
it publishes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates

from services.infra.schemas import EnvelopeSchema, Strict, Text, UpperText
from services.members import commands
from services.members.domain import MEETING_KINDS, ORG_KINDS, REGISTERED_STATUSES, STATUS_FILTERS
from services.members.idcard import is_valid as is_valid_id_number

ORG_ID = validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,63}$", error="use lower-case letters, digits and -")
CARD_UID = validate.Regexp(r"^[0-9A-F]{8,20}$", error="card UID is 8-20 hex digits")
PAST_DATE = validate.Range(date(1900, 1, 1), None, error="date out of range")


class CreateOrg(Strict):
    org_id = Text(required=True, validate=ORG_ID)
    parent_id = Text(load_default=None, allow_none=True, validate=ORG_ID)
    name = Text(required=True, validate=validate.Length(1, 100))
    kind = Text(required=True, validate=validate.OneOf(ORG_KINDS))
    tags = fields.List(Text(validate=validate.Length(1, 30)), load_default=list)
    ends_on = fields.Date(load_default=None, allow_none=True)  # temporary and action branches

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.CreateOrg:
        return commands.CreateOrg(**data)


class OrgGridOut(Schema):
    leader_id = fields.String(allow_none=True)
    worker_ids = fields.List(fields.String())
    households = fields.Integer()


class OrgOut(Schema):
    org_id = fields.String()
    parent_id = fields.String(allow_none=True)
    name = fields.String()
    kind = fields.String()
    tags = fields.List(fields.String())
    path = fields.String()
    ends_on = fields.Date(allow_none=True)
    dissolved = fields.Boolean()
    dissolved_on = fields.Date(allow_none=True)
    merged_into = fields.String(allow_none=True)
    grid = fields.Nested(OrgGridOut, allow_none=True)
    version = fields.Integer()


class RegisterMember(Strict):
    org_id = Text(required=True, validate=ORG_ID)
    name = Text(required=True, validate=validate.Length(1, 50))
    gender = Text(required=True, validate=validate.OneOf(("male", "female")))
    birth_date = fields.Date(required=True, validate=PAST_DATE)
    id_number = UpperText(required=True)
    phone = Text(required=True, validate=validate.Regexp(r"^1[0-9]{10}$"))
    status = Text(load_default="full", validate=validate.OneOf(REGISTERED_STATUSES))
    join_date = fields.Date(required=True, validate=PAST_DATE)
    card_uid = UpperText(load_default=None, allow_none=True, validate=CARD_UID)
    skills = fields.List(Text(validate=validate.Length(1, 30)), load_default=list)
    ethnicity = Text(load_default="", validate=validate.Length(0, 20))
    education = Text(load_default="", validate=validate.Length(0, 20))
    work_unit = Text(load_default="", validate=validate.Length(0, 200))
    duties = fields.List(Text(validate=validate.Length(1, 30)), load_default=list)
    address = Text(load_default="", validate=validate.Length(0, 400))
    grid_id = Text(load_default=None, allow_none=True, validate=ORG_ID)

    @validates("id_number")
    def _valid_id_number(self, value: str, **_: object) -> None:
        if not is_valid_id_number(value):
            raise ValidationError("not a valid national ID number (check digit or date)")

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.RegisterMember:
        return commands.RegisterMember(**data)


class MemberOut(Schema):
    """A member as shown to callers: personal data masked."""

    member_id = fields.String()
    org_id = fields.String()
    org_path = fields.String()
    name_masked = fields.String()
    gender = fields.String()
    status = fields.String()
    join_date = fields.Date()
    card_uid = fields.String(allow_none=True)
    id_number_masked = fields.String()
    phone_masked = fields.String()
    skills = fields.List(fields.String())
    status_since = fields.Date(allow_none=True)
    ethnicity = fields.String()
    education = fields.String()
    work_unit = fields.String()
    duties = fields.List(fields.String())
    grid_id = fields.String(allow_none=True)
    address_masked = fields.String()
    home_org_id = fields.String(allow_none=True)
    probation_ends = fields.Date(allow_none=True)  # while probationary
    version = fields.Integer()  # what a profile change is made from (lifecycle/)


class PersonalData(Schema):
    member_id = fields.String()
    name = fields.String()
    id_number = fields.String()
    phone = fields.String()


class ReadPersonalData(Strict):
    member_id = Text(required=True, validate=validate.Length(1, 64))
    reason = Text(required=True, validate=validate.Length(2, 200))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ReadPersonalData:
        return commands.ReadPersonalData(**data)


class ScheduleMeeting(Strict):
    meeting_id = Text(load_default=None, allow_none=True, validate=validate.Length(1, 80))
    org_id = Text(required=True, validate=ORG_ID)
    kind = Text(required=True, validate=validate.OneOf(MEETING_KINDS))
    title = Text(required=True, validate=validate.Length(1, 200))
    starts_at = fields.AwareDateTime(required=True)
    window_before_min = fields.Integer(load_default=None, validate=validate.Range(0, 24 * 60))
    window_after_min = fields.Integer(load_default=None, validate=validate.Range(0, 24 * 60))
    invited_org_ids = fields.List(
        Text(validate=ORG_ID), load_default=list, validate=validate.Length(0, 100)
    )
    guest_member_ids = fields.List(
        Text(validate=validate.Length(1, 64)), load_default=list, validate=validate.Length(0, 500)
    )
    open_to_all = fields.Boolean(load_default=False)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ScheduleMeeting:
        return commands.ScheduleMeeting(**data)


class MeetingOut(Schema):
    meeting_id = fields.String()
    org_id = fields.String()
    org_path = fields.String()
    kind = fields.String()
    title = fields.String()
    starts_at = fields.AwareDateTime()
    opens_at = fields.AwareDateTime()
    closes_at = fields.AwareDateTime()
    invited_org_paths = fields.List(fields.String())
    open_to_all = fields.Boolean()


class EnrollKiosk(Strict):
    device_id = Text(required=True, validate=validate.Regexp(r"^[A-Za-z0-9-]{3,64}$"))
    org_id = Text(required=True, validate=ORG_ID)
    place = Text(required=True, validate=validate.Length(1, 100))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.EnrollKiosk:
        return commands.EnrollKiosk(**data)


class KioskOut(Schema):
    device_id = fields.String()
    org_id = fields.String()
    org_path = fields.String()
    place = fields.String()


class CheckIn(Strict):
    card_uid = UpperText(required=True, validate=CARD_UID)
    meeting_id = Text(required=True, validate=validate.Length(1, 80))
    swiped_at = fields.AwareDateTime(load_default=None, allow_none=True)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.CheckIn:
        return commands.CheckIn(**data)


class CheckInOut(Schema):
    created = fields.Boolean()
    check_in_id = fields.String()
    checked_in_at = fields.AwareDateTime()
    recorded_offline = fields.Boolean()
    member = fields.Nested(MemberOut(only=("member_id", "name_masked", "org_path")))
    meeting = fields.Nested(MeetingOut(only=("meeting_id", "title", "kind", "starts_at")))


# -- events published on members.events ------------------------------------------------------


class MemberRegistered(EnvelopeSchema):
    member_id = fields.String(required=True)
    org_id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(REGISTERED_STATUSES))
    join_date = fields.Date(required=True)


class MemberCheckedIn(EnvelopeSchema):
    member_id = fields.String(required=True)
    member_org_path = fields.String(required=True)
    meeting_id = fields.String(required=True)
    meeting_kind = fields.String(required=True, validate=validate.OneOf(MEETING_KINDS))
    meeting_org_id = fields.String(required=True)
    checked_in_at = fields.AwareDateTime(required=True)
    device_id = fields.String(allow_none=True)
    recorded_offline = fields.Boolean()


PUBLISHED_EVENTS = {"member_registered": MemberRegistered, "member_checked_in": MemberCheckedIn}


# -- the console's reads ---------------------------------------------------------------------

CURSOR = validate.Length(1, 400)
MOMENTS = validate.Range(
    datetime(1970, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC), error="out of range"
)


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """A page of a list: ``{"items": [...], "next_cursor": str | None}``."""
    return Schema.from_dict(
        {"items": fields.List(fields.Nested(item)), "next_cursor": fields.String(allow_none=True)},
        name=name,
    )


MEMBER_ID = validate.Length(1, 64)
MEETING_ID = validate.Length(1, 80)


class Paged(Strict):
    cursor = Text(load_default=None, allow_none=True, validate=CURSOR)
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class ListOrgs(Paged):
    org_id = Text(load_default=None, allow_none=True, validate=ORG_ID)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ListOrgs:
        return commands.ListOrgs(**data)


class ListMembers(Paged):
    org_id = Text(required=True, validate=ORG_ID)
    q = Text(load_default=None, allow_none=True, validate=validate.Length(1, 50))
    card_uid = UpperText(load_default=None, allow_none=True, validate=CARD_UID)
    subtree = fields.Boolean(load_default=False)
    status = Text(load_default=None, allow_none=True, validate=validate.OneOf(STATUS_FILTERS))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ListMembers:
        return commands.ListMembers(**data)


class ListMeetings(Paged):
    org_id = Text(required=True, validate=ORG_ID)
    since = fields.AwareDateTime(load_default=None, allow_none=True, validate=MOMENTS)
    until = fields.AwareDateTime(load_default=None, allow_none=True, validate=MOMENTS)
    newest_first = fields.Boolean(load_default=True)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ListMeetings:
        return commands.ListMeetings(**data)


class ListMemberAttendance(Paged):
    member_id = Text(required=True, validate=MEMBER_ID)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ListMemberAttendance:
        return commands.ListMemberAttendance(**data)


class FollowAttendance(Strict):
    meeting_id = Text(required=True, validate=MEETING_ID)
    after = Text(load_default=None, allow_none=True, validate=CURSOR)
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 200))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.FollowAttendance:
        return commands.FollowAttendance(**data)


class OrgCountsOut(Schema):
    children = fields.Integer()
    orgs_below = fields.Integer()
    own_members = fields.Integer()
    members = fields.Integer()


class OrgNodeOut(OrgOut):
    """An organization in the tree, with its maintained counters."""

    depth = fields.Integer()
    has_children = fields.Boolean()
    counts = fields.Nested(OrgCountsOut)
    by_status = fields.Function(lambda org: dict(org.counts.by_status))  # the subtree's members


OrgsPage = page_of(OrgNodeOut, "OrgsPage")


MembersPage = page_of(MemberOut, "MembersPage")


class MeetingViewOut(MeetingOut):
    expected = fields.Integer(allow_none=True)
    signed_in = fields.Integer()


MeetingsPage = page_of(MeetingViewOut, "MeetingsPage")


class MemberSignInOut(Schema):
    """A member's sign-in with its meeting."""

    meeting_id = fields.String(attribute="meeting.meeting_id")
    title = fields.String(attribute="meeting.title")
    kind = fields.String(attribute="meeting.kind")
    starts_at = fields.AwareDateTime(attribute="meeting.starts_at")
    org_id = fields.String(attribute="meeting.org_id")
    org_path = fields.String(attribute="meeting.org_path")
    checked_in_at = fields.AwareDateTime(attribute="attendance.checked_in_at")
    recorded_offline = fields.Boolean(attribute="attendance.recorded_offline")


MemberSignInsPage = page_of(MemberSignInOut, "MemberSignInsPage")


class SignedInOut(Schema):
    """A meeting's sign-in with the member, the name masked."""

    member_id = fields.String(attribute="member.member_id")
    name_masked = fields.String(attribute="member.name_masked")
    org_path = fields.String(attribute="member.org_path")
    checked_in_at = fields.AwareDateTime(attribute="attendance.checked_in_at")
    recorded_at = fields.AwareDateTime(attribute="attendance.recorded_at", allow_none=True)
    recorded_offline = fields.Boolean(attribute="attendance.recorded_offline")


class LiveAttendanceOut(Schema):
    meeting_id = fields.String(attribute="meeting.meeting_id")
    org_path = fields.String(attribute="meeting.org_path")
    title = fields.String(attribute="meeting.title")
    kind = fields.String(attribute="meeting.kind")
    starts_at = fields.AwareDateTime(attribute="meeting.starts_at")
    opens_at = fields.AwareDateTime(attribute="meeting.opens_at")
    closes_at = fields.AwareDateTime(attribute="meeting.closes_at")
    expected = fields.Integer(attribute="meeting.expected", allow_none=True)
    signed_in = fields.Integer(attribute="meeting.signed_in")
    items = fields.List(fields.Nested(SignedInOut))
    next_cursor = fields.String(allow_none=True)
    more = fields.Boolean()


class KioskMeetingOut(MeetingOut):
    open_now = fields.Boolean()


KIOSK_MEETING = ("meeting_id", "title", "kind", "starts_at", "opens_at", "closes_at", "open_now")


class KioskMeetingsOut(Schema):
    items = fields.List(fields.Nested(KioskMeetingOut(only=KIOSK_MEETING)))


class OverviewOut(Schema):
    scope = fields.String()
    month = fields.String()
    roots = fields.List(fields.Nested(OrgNodeOut))
    organizations = fields.Integer()
    members = fields.Integer()
    meetings_this_month = fields.Integer()
    attendance_this_month = fields.Integer()

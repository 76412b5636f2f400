"""The HTTP API's own schemas: what each route accepts (query and body, unknown fields refused)
and what it answers, errors included. The OpenAPI document is derived from these through the
routes (flask-smorest). They are the gateway's, not the services': the services validate their
RPC arguments again with their own contracts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import current_app, has_app_context
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from services.infra.schemas import Text
from services.infra.scope import STAFF_ROLES

# the members service's sign-in outcomes, as this API documents them
SIGN_IN_OUTCOMES = ("ok", "bad_password", "locked", "disabled", "unknown_user")

ORG_KINDS = ("committee", "working_committee", "general_branch", "branch", "group", "grid")
MEETING_KINDS = (
    "general_meeting",
    "committee_meeting",
    "group_meeting",
    "lecture",
    "theme_day",
    "org_life_meeting",
    "democratic_appraisal",
)
MEMBER_STATUSES = ("full", "probationary")  # what a registration may give
MEMBER_STATES = (
    *MEMBER_STATUSES,
    "suspended",
    "lapsed",
    "withdrawn",
    "expelled",
    "deceased",
    "transferred_out",
)
GENDERS = ("male", "female")
NEED_CATEGORIES = ("elderly_care", "repair", "legal", "health", "education", "errand", "other")
NEED_STATUSES = ("open", "claimed", "in_progress", "done", "closed")
POINTS_STATUSES = ("awarded", "capped", "pending", "none")

ORG_ID = validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,63}$", error="use lower-case letters, digits and -")
ORG_PATH = validate.Regexp(
    r"^(/[a-z0-9][a-z0-9-]{0,63})+$", error="an organization path like /hj/hj-s01"
)
SCOPE = validate.Regexp(
    r"^(/|(/[a-z0-9][a-z0-9-]{0,63})+)$", error="an organization path like /hj/hj-s01, or /"
)
CARD_UID = validate.Regexp(r"^[0-9A-Fa-f]{8,20}$", error="card UID is 8-20 hex digits")
PHONE = validate.Regexp(r"^1[0-9]{10}$", error="a mobile number of 11 digits starting with 1")
ID_NUMBER = validate.Regexp(r"^[0-9]{17}[0-9Xx]$", error="a national ID number of 18 characters")
DEVICE_ID = validate.Regexp(r"^[A-Za-z0-9-]{3,64}$", error="3-64 letters, digits or -")
ISO_DAY = validate.Regexp(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", error="a date such as 2026-12-31")
FIRST_DATE = date(1900, 1, 1)
MAX_LIMIT = 200


def Timestamp(**kwargs: Any) -> fields.String:
    """An ISO 8601 date-time as the services send it (already formatted)."""
    return fields.String(metadata={"format": "date-time"}, **kwargs)


def Day(**kwargs: Any) -> fields.String:
    return fields.String(metadata={"format": "date"}, **kwargs)


def today() -> date:
    return datetime.now(UTC).date()


def past_date(value: date) -> None:
    """Birth and join dates: from 1900 on, and not in the future."""
    if value < FIRST_DATE:
        raise ValidationError("The date cannot be before 1900")
    if value > today() + timedelta(days=1):  # a day of slack for time zones east of UTC
        raise ValidationError("The date cannot be in the future")


def adult_on(born: date) -> date:
    try:
        return born.replace(year=born.year + 18)
    except ValueError:  # born on 29 February
        return date(born.year + 18, 3, 1)


def meeting_horizon(value: datetime) -> None:
    ahead, back = 730, 365
    if has_app_context():
        settings = current_app.config["SETTINGS"]
        ahead, back = settings.meeting_days_ahead, settings.meeting_days_back
    now = datetime.now(UTC)
    if not now - timedelta(days=back) <= value <= now + timedelta(days=ahead):
        raise ValidationError(
            f"A meeting must start between {back} days ago and {ahead} days from now"
        )


class Strict(Schema):
    """Undocumented fields do not exist: an unknown one is a 400."""

    class Meta:
        unknown = RAISE


# -- problems (every error answer) -----------------------------------------------------------


class Problem(Schema):
    """RFC 9457 problem details (application/problem+json)."""

    type = fields.String(
        required=True,
        metadata={"description": "URI of the problem type", "example": "about:blank"},
    )
    title = fields.String(required=True, metadata={"description": "Short summary of the type"})
    status = fields.Integer(required=True, metadata={"description": "HTTP status code"})
    detail = fields.String(
        required=True, metadata={"description": "What happened and what to do, in Chinese"}
    )
    code = fields.String(required=True, metadata={"description": "Short name of the problem type"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Validation failures: field → messages (in Chinese)"},
    )
    unlocks_at = fields.String(
        metadata={"format": "date-time", "description": "423 only: when the account unlocks"}
    )


# -- queries ---------------------------------------------------------------------------------


class NoQuery(Strict):
    """Routes without query parameters refuse any."""


class PageQuery(Strict):
    cursor = Text(
        validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,400}$", error="not a cursor this API gave"),
        metadata={"description": "next_cursor of the previous page (opaque)"},
    )
    limit = fields.Integer(
        load_default=50,
        validate=validate.Range(1, MAX_LIMIT),
        metadata={"description": "Items per page (1-200, default 50)"},
    )


class YearQuery(Strict):
    year = fields.Integer(
        validate=validate.Range(2000, 2100),
        metadata={"description": "Calendar year (default: this year)"},
    )


class EntriesQuery(PageQuery, YearQuery):
    pass


class PersonalDataQuery(Strict):
    reason = Text(
        required=True,
        validate=validate.Length(2, 200),
        metadata={"description": "Why the full data is read (kept in the audit log)"},
    )


class NeedsQuery(PageQuery):
    scope = Text(
        validate=SCOPE,
        metadata={
            "description": "Organization subtree, or a grid's path for that grid "
            "(default: the caller's scope)"
        },
    )
    status = Text(
        load_default="open",
        validate=validate.OneOf((*NEED_STATUSES, "all")),
        metadata={"description": "A need status, or all (default: open)"},
    )


# -- bodies ----------------------------------------------------------------------------------


class OrgIn(Strict):
    org_id = Text(required=True, validate=ORG_ID)
    parent_id = Text(load_default=None, allow_none=True, validate=ORG_ID)
    name = Text(required=True, validate=validate.Length(1, 100))
    kind = Text(required=True, validate=validate.OneOf(ORG_KINDS))
    tags = fields.List(
        Text(validate=validate.Length(1, 30)), load_default=list, validate=validate.Length(0, 20)
    )
    ends_on = Text(
        load_default=None,
        allow_none=True,
        validate=ISO_DAY,
        metadata={"format": "date", "description": "A temporary or action branch's end"},
    )


class MemberIn(Strict):
    org_id = Text(required=True, validate=ORG_ID)
    name = Text(required=True, validate=validate.Length(1, 50))
    gender = Text(required=True, validate=validate.OneOf(GENDERS))
    birth_date = fields.Date(required=True, validate=past_date)
    id_number = Text(required=True, validate=ID_NUMBER)
    phone = Text(required=True, validate=PHONE)
    status = Text(load_default="full", validate=validate.OneOf(MEMBER_STATUSES))
    join_date = fields.Date(required=True, validate=past_date)
    card_uid = Text(load_default=None, allow_none=True, validate=CARD_UID)
    skills = fields.List(
        Text(validate=validate.Length(1, 30)), load_default=list, validate=validate.Length(0, 20)
    )
    # the optional profile (the members service checks each field, in Chinese)
    ethnicity = Text(validate=validate.Length(0, 20))
    education = Text(validate=validate.Length(0, 20))
    work_unit = Text(validate=validate.Length(0, 100))
    duties = fields.List(Text(validate=validate.Length(1, 20)), validate=validate.Length(0, 10))
    address = Text(
        validate=validate.Length(0, 200),
        metadata={"description": "The home address: stored encrypted, answered masked"},
    )
    grid_id = Text(allow_none=True, validate=ORG_ID)

    @validates_schema(skip_on_field_errors=True)
    def _consistent(self, data: dict[str, Any], **_: Any) -> None:
        born = data["birth_date"]
        if data["id_number"][6:14] != born.strftime("%Y%m%d"):
            raise ValidationError("The birth date does not match the ID number", "birth_date")
        if data["join_date"] < adult_on(born):
            raise ValidationError("A member joins at 18 or older", "join_date")

    def dump_for_rpc(self, data: dict[str, Any]) -> dict[str, Any]:
        return {
            **data,
            "birth_date": data["birth_date"].isoformat(),
            "join_date": data["join_date"].isoformat(),
        }


class MeetingIn(Strict):
    meeting_id = Text(load_default=None, allow_none=True, validate=validate.Length(1, 80))
    org_id = Text(required=True, validate=ORG_ID)
    kind = Text(required=True, validate=validate.OneOf(MEETING_KINDS))
    title = Text(required=True, validate=validate.Length(1, 200))
    starts_at = fields.AwareDateTime(
        required=True,
        validate=meeting_horizon,
        metadata={"description": "With a UTC offset; within the configured horizon"},
    )
    window_before_min = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(0, 24 * 60)
    )
    window_after_min = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(0, 24 * 60)
    )
    invited_org_ids = fields.List(
        Text(validate=ORG_ID), load_default=list, validate=validate.Length(0, 100)
    )
    guest_member_ids = fields.List(
        Text(validate=validate.Length(1, 64)), load_default=list, validate=validate.Length(0, 500)
    )
    open_to_all = fields.Boolean(load_default=False)


class KioskIn(Strict):
    device_id = Text(required=True, validate=DEVICE_ID)
    org_id = Text(required=True, validate=ORG_ID)
    place = Text(required=True, validate=validate.Length(1, 100))


class CheckInIn(Strict):
    card_uid = Text(required=True, validate=CARD_UID)
    meeting_id = Text(required=True, validate=validate.Length(1, 80))
    swiped_at = fields.AwareDateTime(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "Only for a swipe the kiosk queued while offline: when it was made. "
            "Taken while the meeting's sign-in window plus the offline tolerance lasts; the "
            "attendance is marked recorded_offline."
        },
    )


class NeedIn(Strict):
    grid_path = Text(required=True, validate=ORG_PATH)
    title = Text(required=True, validate=validate.Length(1, 100))
    description = Text(load_default="", validate=validate.Length(0, 2000))
    category = Text(required=True, validate=validate.OneOf(NEED_CATEGORIES))
    resident_name = Text(required=True, validate=validate.Length(1, 50))
    resident_phone = Text(load_default=None, allow_none=True, validate=PHONE)


class EchoIn(Schema):
    """Bench only: any JSON object."""

    class Meta:
        unknown = "include"


# -- answers ---------------------------------------------------------------------------------


class GridOut(Schema):
    leader_id = fields.String(allow_none=True, metadata={"description": "Grid leader (member)"})
    worker_ids = fields.List(fields.String(), metadata={"description": "Grid workers (members)"})
    households = fields.Integer(metadata={"description": "Households covered"})


class OrgOut(Schema):
    org_id = fields.String(required=True)
    parent_id = fields.String(required=True, allow_none=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(ORG_KINDS))
    tags = fields.List(fields.String(), required=True)
    path = fields.String(required=True, metadata={"description": "Organization path"})
    ends_on = Day(allow_none=True)  # a temporary or action branch's end
    dissolved = fields.Boolean(metadata={"description": "Dissolved (kept, shown as such)"})
    dissolved_on = Day(allow_none=True)
    merged_into = fields.String(allow_none=True, metadata={"description": "Merged into (id)"})
    grid = fields.Nested(GridOut, allow_none=True, metadata={"description": "A grid's people"})
    version = fields.Integer(metadata={"description": "Send it back with a change (PATCH)"})


class MemberOut(Schema):
    """A member as shown to callers: personal data masked."""

    member_id = fields.String(required=True)
    org_id = fields.String(required=True)
    org_path = fields.String(required=True)
    name_masked = fields.String(required=True)
    gender = fields.String(required=True, validate=validate.OneOf(GENDERS))
    status = fields.String(required=True, validate=validate.OneOf(MEMBER_STATES))
    join_date = Day(required=True)
    card_uid = fields.String(required=True, allow_none=True)
    id_number_masked = fields.String(required=True)
    phone_masked = fields.String(required=True)
    skills = fields.List(fields.String(), required=True)
    status_since = Day(allow_none=True)
    ethnicity = fields.String()
    education = fields.String()
    work_unit = fields.String()
    duties = fields.List(fields.String())
    grid_id = fields.String(allow_none=True)
    address_masked = fields.String()
    probation_ends = Day(allow_none=True)
    version = fields.Integer(metadata={"description": "What a profile change is made from"})


class PersonalDataOut(Schema):
    member_id = fields.String(required=True)
    name = fields.String(required=True)
    id_number = fields.String(required=True)
    phone = fields.String(required=True)


class CountsByKey(fields.Dict):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(keys=fields.String(), values=fields.Integer(), **kwargs)


class ScorecardOut(Schema):
    member_id = fields.String(required=True)
    year = fields.Integer(required=True)
    total = fields.Integer(required=True)
    by_category = CountsByKey(required=True)
    counts = CountsByKey(required=True)
    requirement = CountsByKey(required=True)
    gaps = CountsByKey(required=True)


class EntryOut(Schema):
    entry_id = fields.String(required=True)
    at = Timestamp(required=True)
    category = fields.String(required=True)
    item = fields.String(required=True)
    points = fields.Integer(required=True)
    requested_points = fields.Integer(required=True)
    capped = fields.Boolean(required=True)
    reason = fields.String(required=True)
    total_after = fields.Integer(required=True)


class InboxItemOut(Schema):
    message_id = fields.String(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    at = Timestamp(required=True)
    read = fields.Boolean(required=True)


class MeetingOut(Schema):
    meeting_id = fields.String(required=True)
    org_id = fields.String(required=True)
    org_path = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(MEETING_KINDS))
    title = fields.String(required=True)
    starts_at = Timestamp(required=True)
    opens_at = Timestamp(required=True)
    closes_at = Timestamp(required=True)
    invited_org_paths = fields.List(fields.String(), required=True)
    open_to_all = fields.Boolean(required=True)


class KioskEnrolledOut(Schema):
    device_id = fields.String(required=True)
    org_id = fields.String(required=True)
    org_path = fields.String(required=True)
    place = fields.String(required=True)
    token = fields.String(required=True, metadata={"description": "The device's bearer token"})


class CheckedInMember(Schema):
    member_id = fields.String(required=True)
    name_masked = fields.String(required=True)
    org_path = fields.String(required=True)


class CheckedInMeeting(Schema):
    meeting_id = fields.String(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(MEETING_KINDS))
    starts_at = Timestamp(required=True)


class PointsLink(Schema):
    status = fields.String(required=True, validate=validate.OneOf(("pending",)))
    href = fields.String(
        required=True, metadata={"description": "GET it for the points once awarded"}
    )


class CheckInOut(Schema):
    message = fields.String(required=True, metadata={"description": "For the screen, in Chinese"})
    first_sign_in = fields.Boolean(required=True)
    check_in_id = fields.String(required=True)
    checked_in_at = Timestamp(required=True)
    recorded_offline = fields.Boolean(required=True)
    member = fields.Nested(CheckedInMember, required=True)
    meeting = fields.Nested(CheckedInMeeting, required=True)
    points = fields.Nested(PointsLink, required=True)


class CheckInPointsOut(Schema):
    status = fields.String(
        required=True,
        validate=validate.OneOf(POINTS_STATUSES),
        metadata={"description": "pending until scoring has awarded them"},
    )
    points = fields.Integer(required=True, allow_none=True)
    category = fields.String(required=True, allow_none=True)
    total = fields.Integer(required=True, allow_none=True)


class KioskMeetingOut(CheckedInMeeting):
    opens_at = Timestamp(required=True)
    closes_at = Timestamp(required=True)
    open_now = fields.Boolean(required=True, metadata={"description": "Sign-in is open now"})


class KioskMeetingsOut(Schema):
    items = fields.List(
        fields.Nested(KioskMeetingOut),
        required=True,
        metadata={
            "description": "Meetings this kiosk may sign members in to whose sign-in is open "
            "now or opens later today (China time), by the opening of sign-in; at most 50"
        },
    )


class NeedOut(Schema):
    """A need as shown to callers: the resident's name and phone masked."""

    need_id = fields.String(required=True)
    grid_path = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    category = fields.String(required=True, validate=validate.OneOf(NEED_CATEGORIES))
    status = fields.String(required=True, validate=validate.OneOf(NEED_STATUSES))
    resident_name_masked = fields.String(required=True)
    resident_phone_masked = fields.String(required=True, allow_none=True)
    recorded_by = fields.String(required=True)
    recorded_at = Timestamp(required=True)


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """A page of a cursor-paginated list: {"items": [...], "next_cursor": str | null}."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "next_cursor": fields.String(
                required=True,
                allow_none=True,
                metadata={"description": "cursor of the next page; null on the last one"},
            ),
        },
        name=name,
    )


EntriesPage = page_of(EntryOut, "EntriesPage")
InboxPage = page_of(InboxItemOut, "InboxPage")
NeedsPage = page_of(NeedOut, "NeedsPage")


# -- accounts, sessions, kiosk pairing -------------------------------------------------------

USERNAME = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{2,31}$",
    error="3-32 letters, digits, '.', '_' or '-', starting with a letter or digit",
)
PAIRING_CODE = validate.Regexp(r"^[0-9]{8}$", error="a pairing code of 8 digits")


def Password(**kwargs: Any) -> Text:
    """A password as typed: the members service judges it against the policy (in Chinese)."""
    return Text(validate=validate.Length(1, 1024), **kwargs)


class SignInIn(Strict):
    username = Text(required=True, validate=validate.Length(1, 64))
    password = Password(required=True)


class RefreshIn(Strict):
    refresh_token = Text(
        required=True,
        validate=validate.Length(1, 300),
        metadata={"description": "The refresh_token of the last pair (each is used once)"},
    )


class PasswordIn(Strict):
    current_password = Password(required=True)
    new_password = Password(
        required=True,
        metadata={
            "description": "At least 8 characters, three of: lower, upper, digit, other; "
            "not the current one"
        },
    )


class SwitchIn(Strict):
    index = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(0, 99),
        metadata={"description": "Position of the role in account.roles"},
    )


class RoleIn(Strict):
    role = Text(required=True, validate=validate.OneOf(STAFF_ROLES))
    org_id = Text(required=True, validate=ORG_ID)


class AccountIn(Strict):
    username = Text(required=True, validate=USERNAME)
    display_name = Text(required=True, validate=validate.Length(1, 50))
    roles = fields.List(fields.Nested(RoleIn), required=True, validate=validate.Length(1, 20))
    member_id = Text(load_default=None, allow_none=True, validate=validate.Length(1, 64))
    password = Password(
        load_default=None,
        allow_none=True,
        metadata={"description": "One-time password (omit it: one is made and answered once)"},
    )


class AccountsQuery(PageQuery):
    org_id = Text(
        validate=ORG_ID, metadata={"description": "Organization subtree (default: your scope)"}
    )


class PairingCodeIn(Strict):
    org_id = Text(required=True, validate=ORG_ID)
    place = Text(required=True, validate=validate.Length(1, 100))


class PairIn(Strict):
    code = Text(required=True, validate=PAIRING_CODE)


class RoleOut(Schema):
    role = fields.String(required=True, validate=validate.OneOf(STAFF_ROLES))
    org_id = fields.String(required=True)
    scope = fields.String(required=True, metadata={"description": "Organization path"})


class ActiveRoleOut(Schema):
    index = fields.Integer(required=True, allow_none=True)
    role = fields.String(required=True)
    org_id = fields.String(required=True, allow_none=True)
    scope = fields.String(required=True)


class AccountOut(Schema):
    account_id = fields.String(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    roles = fields.List(fields.Nested(RoleOut), required=True)
    member_id = fields.String(required=True, allow_none=True)
    org_path = fields.String(
        required=True, metadata={"description": "The lowest organization above all its roles"}
    )
    enabled = fields.Boolean(required=True)
    must_change_password = fields.Boolean(required=True)
    locked_until = Timestamp(required=True, allow_none=True)
    created_at = Timestamp(required=True)
    last_sign_in_at = Timestamp(required=True, allow_none=True)


class TokenPairOut(Schema):
    access_token = fields.String(required=True, metadata={"description": "Bearer token (JWT)"})
    token_type = fields.String(required=True, validate=validate.OneOf(("Bearer",)))
    expires_in = fields.Integer(required=True, metadata={"description": "Seconds"})
    refresh_token = fields.String(
        required=True, metadata={"description": "For POST /auth/refresh; used once"}
    )
    must_change_password = fields.Boolean(
        required=True,
        metadata={"description": "Until changed, only /auth/password, /auth/me, /auth/sign-out"},
    )
    account = fields.Nested(AccountOut, required=True)
    active_role = fields.Nested(ActiveRoleOut, required=True)


class MyRoleOut(RoleOut):
    org_name = fields.String(
        allow_none=True,
        metadata={"description": "The organization's name (a staff account's roles)"},
    )


class MeOut(AccountOut):
    roles = fields.List(fields.Nested(MyRoleOut), required=True)
    active_role = fields.Nested(ActiveRoleOut, required=True)


class AccountCreatedOut(AccountOut):
    initial_password = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The one-time password made for it (shown once), else null"},
    )


class PasswordResetOut(Schema):
    account = fields.Nested(AccountOut, required=True)
    one_time_password = fields.String(
        required=True, metadata={"description": "Shown once; changed at the next sign-in"}
    )


class AttemptOut(Schema):
    username = fields.String(required=True)
    at = Timestamp(required=True)
    ip = fields.String(required=True, allow_none=True)
    outcome = fields.String(required=True, validate=validate.OneOf(SIGN_IN_OUTCOMES))
    account_id = fields.String(required=True, allow_none=True)
    org_path = fields.String(required=True, allow_none=True)


class PairingCodeOut(Schema):
    code = fields.String(required=True, metadata={"description": "Type it on the kiosk, once"})
    expires_at = Timestamp(required=True)
    org_id = fields.String(required=True)
    org_path = fields.String(required=True)
    place = fields.String(required=True)


class KioskStateOut(Schema):
    device_id = fields.String(required=True)
    org_id = fields.String(required=True)
    org_path = fields.String(required=True)
    place = fields.String(required=True)
    revoked = fields.Boolean(required=True)
    revoked_at = Timestamp(required=True, allow_none=True)


class KioskPairedOut(Schema):
    device_id = fields.String(required=True)
    token = fields.String(required=True, metadata={"description": "The device's bearer token"})
    org_id = fields.String(required=True)
    org_path = fields.String(required=True)
    place = fields.String(required=True)


AccountsPage = page_of(AccountOut, "AccountsPage")
AttemptsPage = page_of(AttemptOut, "AttemptsPage")
KiosksPage = page_of(KioskStateOut, "KiosksPage")


# -- members' sign-in by SMS code ------------------------------------------------------------

SMS_CODE = validate.Regexp(r"^[0-9]{6}$", error="a code of 6 digits")


class MemberCodeIn(Strict):
    phone = Text(required=True, validate=PHONE, metadata={"description": "The member's mobile"})


class MemberCodeOut(Schema):
    """The same answer whether or not the number is a member's."""

    message = fields.String(required=True)
    expires_in = fields.Integer(
        required=True, metadata={"description": "Seconds a code is valid for, once texted"}
    )


class MemberSignInIn(Strict):
    phone = Text(required=True, validate=PHONE)
    code = Text(required=True, validate=SMS_CODE, metadata={"description": "From the text"})

"""The HTTP schemas of the console's reads (gateway/routes_console.py): the organization tree,
an organization's members and meetings, a member's sign-ins, a meeting's live attendance and
the home page. Shared pieces (pages, problems, members, meetings) are gateway/http_schemas.py's.
"""

from __future__ import annotations

from datetime import UTC, datetime

from marshmallow import Schema, fields, validate

from gateway.http_schemas import (
    CARD_UID,
    MAX_LIMIT,
    MEETING_KINDS,
    MEMBER_STATES,
    MeetingOut,
    MemberOut,
    OrgOut,
    PageQuery,
    Strict,
    Timestamp,
    page_of,
)
from services.infra.schemas import Text

CURSOR = validate.Regexp(r"^[A-Za-z0-9_-]{1,400}$", error="not a cursor this API gave")
MOMENTS = validate.Range(
    datetime(1970, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC), error="out of range"
)

# -- queries ---------------------------------------------------------------------------------


class MembersQuery(PageQuery):
    q = Text(
        validate=validate.Length(1, 50),
        metadata={"description": "The start of the name (a surname, or the full name)"},
    )
    card = Text(
        validate=CARD_UID,
        metadata={"description": "A card UID (hex, either case): the one member holding it"},
    )
    subtree = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Members of the whole subtree, not only the organization's own; "
            "needs q or card"
        },
    )
    status = Text(
        validate=validate.OneOf(("in_register", *MEMBER_STATES)),
        metadata={"description": "Only members of this status; in_register: those in the register"},
    )


class MeetingsQuery(PageQuery):
    since = fields.AwareDateTime(
        data_key="from",
        validate=MOMENTS,
        metadata={"description": "Starting at or after (ISO 8601 with an offset, URL-encoded)"},
    )
    until = fields.AwareDateTime(
        data_key="to",
        validate=MOMENTS,
        metadata={"description": "Starting before (ISO 8601 with an offset)"},
    )
    order = Text(
        load_default="desc",
        validate=validate.OneOf(("desc", "asc")),
        metadata={"description": "By start time: desc (latest first, the default) or asc"},
    )


class LiveAttendanceQuery(Strict):
    after = Text(
        validate=CURSOR,
        metadata={"description": "next_cursor of the previous answer (omit it the first time)"},
    )
    limit = fields.Integer(
        load_default=100,
        validate=validate.Range(1, MAX_LIMIT),
        metadata={"description": "Rows per answer (1-200, default 100)"},
    )


# -- answers ---------------------------------------------------------------------------------


class OrgCountsOut(Schema):
    """Counters kept as the tree grows (never counted on a request)."""

    children = fields.Integer(required=True, metadata={"description": "Direct sub-organizations"})
    orgs_below = fields.Integer(
        required=True, metadata={"description": "Organizations in its subtree, itself excluded"}
    )
    own_members = fields.Integer(required=True, metadata={"description": "Its own members"})
    members = fields.Integer(
        required=True, metadata={"description": "Members in its subtree, its own included"}
    )


class OrgNodeOut(OrgOut):
    depth = fields.Integer(required=True, metadata={"description": "1 for a root organization"})
    has_children = fields.Boolean(required=True)
    counts = fields.Nested(OrgCountsOut, required=True)
    by_status = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Members in its subtree by status (every status, exits too)"},
    )


class MeetingSummaryOut(MeetingOut):
    expected = fields.Integer(
        required=True,
        allow_none=True,
        metadata={
            "description": "Members expected: the organization's and invited organizations' "
            "subtrees (current membership) and visiting members; null when open to all"
        },
    )
    signed_in = fields.Integer(required=True, metadata={"description": "Members signed in"})


class MemberSignInOut(Schema):
    """A member's sign-in at a meeting."""

    meeting_id = fields.String(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(MEETING_KINDS))
    starts_at = Timestamp(required=True)
    org_id = fields.String(required=True, metadata={"description": "The meeting's organization"})
    org_path = fields.String(required=True)
    checked_in_at = Timestamp(required=True)
    recorded_offline = fields.Boolean(required=True)


class SignedInOut(Schema):
    """A meeting's sign-in, the member's name masked."""

    member_id = fields.String(required=True)
    name_masked = fields.String(required=True)
    org_path = fields.String(required=True, metadata={"description": "The member's organization"})
    checked_in_at = Timestamp(required=True)  # when the card was swiped
    recorded_at = Timestamp(required=True, allow_none=True)  # when the system recorded it
    recorded_offline = fields.Boolean(required=True)


class LiveAttendanceOut(Schema):
    """A meeting's sign-ins in the order recorded, for a list that polls every few seconds with
    ``after=next_cursor``. Rows of the last seconds may come again in the next answer: key the
    rows by member_id."""

    meeting_id = fields.String(required=True)
    org_path = fields.String(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(MEETING_KINDS))
    starts_at = Timestamp(required=True)
    opens_at = Timestamp(required=True)
    closes_at = Timestamp(required=True)
    expected = fields.Integer(required=True, allow_none=True)
    signed_in = fields.Integer(required=True)
    items = fields.List(fields.Nested(SignedInOut), required=True)
    next_cursor = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Send it as after= next time (null: send no after)"},
    )
    more = fields.Boolean(
        required=True, metadata={"description": "More rows are waiting: ask again at once"}
    )


class OverviewOut(Schema):
    """The caller's scope at a glance (each figure from a maintained counter or an index)."""

    scope = fields.String(required=True)
    month = fields.String(required=True, metadata={"description": "This month, YYYY-MM"})
    roots = fields.List(fields.Nested(OrgNodeOut), required=True)
    organizations = fields.Integer(
        required=True, metadata={"description": "Organizations in the scope, its root included"}
    )
    members = fields.Integer(required=True)
    meetings_this_month = fields.Integer(
        required=True, metadata={"description": "Meetings starting this month in the scope"}
    )
    attendance_this_month = fields.Integer(
        required=True, metadata={"description": "Sign-ins at this month's meetings"}
    )
    open_needs = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Open residents' needs; null while volunteer is unavailable"},
    )


OrgsPage = page_of(OrgNodeOut, "OrgsPage")
MembersPage = page_of(MemberOut, "MembersPage")
MeetingsPage = page_of(MeetingSummaryOut, "MeetingsPage")
MemberSignInsPage = page_of(MemberSignInOut, "MemberSignInsPage")

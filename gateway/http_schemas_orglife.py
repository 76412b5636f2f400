"""The HTTP schemas of meetings held (gateway/routes_orglife.py): leave requests and decisions,
closing a meeting with its attendance sheet, the minutes and the attendance rates. The members
service checks every field again (in Chinese)."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from gateway.http_schemas import PageQuery, Strict, Timestamp, page_of
from services.infra.schemas import Text

LEAVE_STATES = ("pending", "approved", "declined", "withdrawn")
OUTCOMES = ("present", "excused", "absent")
MONTH = validate.Regexp(
    r"^\d{4}-(0[1-9]|1[0-2])$", error="The period must be a month such as 2026-03"
)
REASON = validate.Length(1, 200)


class LeaveIn(Strict):
    member_id = Text(
        required=True,
        validate=validate.Length(1, 64),
        metadata={"description": "The member on leave (a member: their own id)"},
    )
    reason = Text(required=True, validate=REASON, metadata={"description": "请假事由"})


class LeaveDecisionIn(Strict):
    approve = fields.Boolean(required=True, metadata={"description": "true approves"})
    reason = Text(
        load_default=None,
        allow_none=True,
        validate=REASON,
        metadata={"description": "Required when declining"},
    )


class PendingLeaveQuery(PageQuery):
    org_id = Text(
        validate=validate.Length(1, 64),
        metadata={"description": "An organization of your area (default: all of it)"},
    )


class LeaveOut(Schema):
    leave_id = fields.String()
    meeting_id = fields.String()
    meeting_org_path = fields.String()
    member_id = fields.String()
    member_org_path = fields.String()
    reason = fields.String()
    status = fields.String(metadata={"enum": list(LEAVE_STATES)})
    requested_by = fields.String()
    requested_at = Timestamp()
    decided_by = fields.String(allow_none=True)
    decided_at = Timestamp(allow_none=True)
    decline_reason = fields.String()


LeavePage = page_of(LeaveOut, "LeavePage")


class ClosingOut(Schema):
    meeting_id = fields.String()
    org_id = fields.String()
    org_path = fields.String()
    kind = fields.String()
    month = fields.String(metadata={"description": "The month of the meeting's start (YYYY-MM)"})
    closed_at = Timestamp()
    closed_by = fields.String()
    expected = fields.Integer()
    present = fields.Integer()
    excused = fields.Integer(metadata={"description": "Approved leave and not present"})
    absent = fields.Integer()
    rate = fields.Float(
        allow_none=True,
        metadata={"description": "present / (expected - excused); null when all were excused"},
    )
    absent_member_ids = fields.List(fields.String())


class SheetQuery(PageQuery):
    limit = fields.Integer(
        load_default=100,
        validate=validate.Range(1, 500),
        metadata={"description": "Rows per page (1-500, default 100)"},
    )


class SheetRowOut(Schema):
    member_id = fields.String()
    member_org_path = fields.String(metadata={"description": "The member's own organization"})
    name_masked = fields.String()
    outcome = fields.String(metadata={"enum": list(OUTCOMES)})


class SheetOut(Schema):
    closing = fields.Nested(ClosingOut)
    items = fields.List(fields.Nested(SheetRowOut))
    next_cursor = fields.String(allow_none=True)


class MinutesForm(Strict):
    """A multipart form: the fields, and the photos as files (the same field repeated)."""

    topic = Text(required=True, validate=validate.Length(1, 200), metadata={"description": "主题"})
    content = Text(
        required=True, validate=validate.Length(1, 20000), metadata={"description": "内容"}
    )
    photos = fields.List(
        Upload(),
        metadata={"description": "Photos (JPEG or PNG, checked by content), repeat the field"},
    )


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
    updated_at = Timestamp()


class RatesQuery(PageQuery):
    from_month = Text(
        required=True,
        data_key="from",
        validate=MONTH,
        metadata={"description": "The first month (YYYY-MM)"},
    )
    to_month = Text(
        required=True,
        data_key="to",
        validate=MONTH,
        metadata={"description": "The last month (YYYY-MM), at most 24 months on"},
    )
    children = fields.Boolean(
        load_default=False,
        metadata={"description": "Also the child organizations (a page of them), for a table"},
    )


class MonthRatesOut(Schema):
    month = fields.String()
    meetings = fields.Integer(metadata={"description": "Closed meetings in the subtree"})
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

"""The HTTP schemas of mobile members (流动党员) and lapse warnings (gateway/routes_mobile.py).
The members service checks every field again (in Chinese)."""

from __future__ import annotations

from datetime import date

from marshmallow import Schema, fields, validate

from gateway.http_schemas import ORG_ID, Day, MemberOut, PageQuery, Strict, page_of, past_date
from services.infra.schemas import Text


class MobileIn(Strict):
    place = Text(
        required=True,
        validate=validate.Length(1, 100),
        metadata={"description": "Where the member is (省市县, a work site); never published"},
    )
    since = fields.Date(required=True, validate=past_date)
    until = fields.Date(
        required=True,
        validate=validate.Range(date(1900, 1, 1), None, error="date out of range"),
        metadata={"description": "At most MOBILE max_months (6) after since"},
    )
    host_org_id = Text(
        load_default=None,
        allow_none=True,
        validate=ORG_ID,
        metadata={"description": "Where they take part (any organization of the deployment)"},
    )

    region = Text(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(
            r"^[0-9]{6}$", error="an administrative division code of 6 digits"
        ),
        metadata={"description": "The place's administrative division code (行政区划代码)"},
    )


class HostIn(Strict):
    host_org_id = Text(
        required=True, allow_none=True, validate=ORG_ID, metadata={"description": "null: none"}
    )


class MobileQuery(PageQuery):
    hosted = fields.Boolean(
        load_default=False,
        metadata={"description": "true: members taking part in this subtree (在此参加)"},
    )
    overdue = fields.Boolean(
        load_default=False, metadata={"description": "Only stays past their end (the home's)"}
    )


class MobileStayOut(Schema):
    place = fields.String(required=True)
    since = Day(required=True)
    until = Day(required=True)
    host_org_id = fields.String(required=True, allow_none=True)
    host_org_path = fields.String(required=True, allow_none=True)
    region = fields.String(allow_none=True)


class MobileMemberOut(MemberOut):
    mobile = fields.Nested(
        MobileStayOut, allow_none=True, metadata={"description": "null: returned"}
    )


MobileMembersPage = page_of(MobileMemberOut, "MobileMembersPage")


class LapseWarningOut(Schema):
    member = fields.Nested(MemberOut, required=True)
    last_active = fields.String(
        required=True, metadata={"description": "The last month of organizational life or dues"}
    )
    months_inactive = fields.Integer(required=True)
    threshold = fields.Integer(required=True, metadata={"description": "The threshold warned"})
    rule_months = fields.Integer(required=True)
    rule_reached = fields.Boolean(
        required=True, metadata={"description": "Inactive for the rule's months: a person decides"}
    )


LapseWarningsPage = page_of(LapseWarningOut, "LapseWarningsPage")

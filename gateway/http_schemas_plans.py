"""The HTTP schemas of the yearly plan of meetings (gateway/routes_plans.py): an organization's
plan for a year and a subtree's organizations missing required meetings in a month. The members
service checks every field again (in Chinese)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from gateway.http_schemas import Day, PageQuery, YearQuery
from services.infra.schemas import Text

STATES = ("done", "due", "missing", "upcoming")


def _day(description: str, **kwargs: Any) -> fields.String:
    return fields.String(metadata={"format": "date", "description": description}, **kwargs)


class PlanQuery(YearQuery):
    pass


class PlanGapsQuery(PageQuery):
    period = Text(
        validate=validate.Regexp(
            r"^\d{4}-(0[1-9]|1[0-2])$", error="The period must be a month such as 2026-03"
        ),
        metadata={"description": "A month, YYYY-MM (default: this month, China time)"},
    )


class PlanEntryOut(Schema):
    kind = fields.String(metadata={"description": "Meeting kind (general_meeting, ...)"})
    period = fields.String(metadata={"description": "month, quarter, half or year"})
    key = fields.String(metadata={"description": "2026-03, 2026-Q1, 2026-H1 or 2026"})
    first = _day("The period's first day")
    last = _day("The period's last day")
    required = fields.Integer()
    held = fields.Integer(metadata={"description": "The organization's meetings of the kind"})
    state = fields.String(
        validate=validate.OneOf(STATES),
        metadata={"description": "done, due (current, not held), missing (over), upcoming"},
    )
    theme_day = _day("A theme day entry: the rule's day in its month", allow_none=True)


class PlanOut(Schema):
    org_id = fields.String(required=True)
    org_kind = fields.String(required=True)
    year = fields.Integer(required=True)
    today = _day("Today where the organizations are (China time)", required=True)
    entries = fields.List(fields.Nested(PlanEntryOut), required=True)
    theme_days = fields.List(Day(), required=True)
    warnings = fields.List(
        fields.Nested(PlanEntryOut),
        required=True,
        metadata={"description": "Missing, and due within the configured days"},
    )


class OrgGapsOut(Schema):
    org_id = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    path = fields.String(required=True)
    gaps = fields.List(fields.Nested(PlanEntryOut), required=True)


class PlanGapsPage(Schema):
    period = fields.String(required=True)
    items = fields.List(fields.Nested(OrgGapsOut), required=True)
    next_cursor = fields.String(allow_none=True, required=True)

"""The contract of the yearly plan of meetings per organization and what is due or missing: RPC
payloads and the events published (none: the plan is read, never stored)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from services.infra.schemas import Strict, Text
from services.members.plans import commands
from services.members.schemas import ORG_ID, Paged

PERIOD = validate.Regexp(
    r"^\d{4}-(0[1-9]|1[0-2])$", error="The period must be a month such as 2026-03"
)

PUBLISHED_EVENTS: dict[str, Any] = {}


class GetPlan(Strict):
    org_id = Text(required=True, validate=ORG_ID)
    year = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(2000, 2100))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.GetPlan:
        return commands.GetPlan(**data)


class ListPlanGaps(Paged):
    org_id = Text(required=True, validate=ORG_ID)
    period = Text(load_default=None, allow_none=True, validate=PERIOD)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ListPlanGaps:
        return commands.ListPlanGaps(**data)


class PlanEntryOut(Schema):
    kind = fields.String()  # the meeting kind
    period = fields.String()  # month, quarter, half or year
    key = fields.String()  # 2026-03, 2026-Q1, 2026-H1, 2026
    first = fields.Date()
    last = fields.Date()
    required = fields.Integer()
    held = fields.Integer()
    state = fields.String()  # done, due, missing, upcoming
    theme_day = fields.Date(allow_none=True)


class PlanOut(Schema):
    org_id = fields.String()
    org_kind = fields.String()
    year = fields.Integer()
    today = fields.Date()
    entries = fields.List(fields.Nested(PlanEntryOut))
    theme_days = fields.List(fields.Date())
    warnings = fields.List(fields.Nested(PlanEntryOut))


class OrgGapsOut(Schema):
    org_id = fields.String(attribute="org.org_id")
    name = fields.String(attribute="org.name")
    kind = fields.String(attribute="org.kind")
    path = fields.String(attribute="org.path")
    gaps = fields.List(fields.Nested(PlanEntryOut))


class PlanGapsPage(Schema):
    period = fields.String()
    items = fields.List(fields.Nested(OrgGapsOut))
    next_cursor = fields.String(allow_none=True)

"""The HTTP schemas of the members' lifecycle (gateway/routes_lifecycle.py): profile changes,
status changes and their history, probation due, search, cards and their history. Shared pieces
are gateway/http_schemas.py's; the members service checks every field again (in Chinese)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from gateway.http_schemas import (
    CARD_UID,
    GENDERS,
    MEMBER_STATES,
    ORG_ID,
    Day,
    MemberOut,
    PageQuery,
    Strict,
    Timestamp,
    page_of,
    past_date,
)
from services.infra.schemas import Text, UpperText

REASON = validate.Length(2, 200)


def _text(most: int, description: str) -> Text:
    return Text(
        allow_none=True, validate=validate.Length(0, most), metadata={"description": description}
    )


class ProfileIn(Strict):
    """The profile fields to change (those left out stay as they are; null or "" clears an
    optional one), and the member's ``version`` they were made from."""

    version = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(0),
        metadata={"description": "The version read; a change made from an older one is 409"},
    )
    gender = Text(validate=validate.OneOf(GENDERS))
    birth_date = fields.Date(
        validate=past_date, metadata={"description": "Must match the ID number"}
    )
    ethnicity = _text(20, "One of the 56 ethnic groups (汉族, 回族, ...) or 其他")
    education = _text(20, "大学本科, 大学专科, 普通高中, ... (the members service lists them)")
    join_date = fields.Date(validate=past_date)
    work_unit = _text(100, "The work unit")
    duties = fields.List(
        Text(validate=validate.Length(1, 20)),
        validate=validate.Length(0, 10),
        metadata={"description": "Duties in the party (书记, 组织委员, ...)"},
    )
    skills = fields.List(
        Text(validate=validate.Length(1, 30)),
        validate=validate.Length(0, 20),
        metadata={"description": "Skills offered for volunteering"},
    )
    address = _text(200, "The home address in full: stored encrypted, answered masked")
    grid_id = Text(allow_none=True, validate=validate.Length(0, 64))

    def dump_for_rpc(self, data: dict[str, Any]) -> dict[str, Any]:
        return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in data.items()}


class StatusChangeIn(Strict):
    to_status = Text(required=True, validate=validate.OneOf(MEMBER_STATES))
    effective_on = fields.Date(required=True, validate=past_date)
    reason = Text(required=True, validate=REASON)
    approved_by = Text(
        required=True,
        validate=validate.Length(2, 100),
        metadata={"description": "Who approved it: 支部大会, 上级党委, ..."},
    )
    extend_days = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(1, 3650),
        metadata={
            "description": "An extended probation (to_status probationary): by how many days"
        },
    )


class CardIn(Strict):
    card_uid = UpperText(
        required=True,
        validate=CARD_UID,
        metadata={"description": "8-20 hex digits as the reader gives them (either case)"},
    )


class CardEndIn(Strict):
    reason = Text(required=True, validate=REASON)


class ProbationDueQuery(PageQuery):
    org_id = Text(required=True, validate=ORG_ID)
    within_days = fields.Integer(
        validate=validate.Range(0, 366),
        metadata={"description": "Probations ending within this many days (default 30)"},
    )


class SearchQuery(PageQuery):
    q = Text(
        required=True,
        validate=validate.Length(1, 50),
        metadata={
            "description": "An 18-character ID number, a card UID (8-20 hex digits, either case) "
            "or the start of a name"
        },
    )
    org_id = Text(
        validate=ORG_ID,
        metadata={"description": "The subtree to search (default: the caller's area)"},
    )


MembersFoundPage = page_of(MemberOut, "MembersFoundPage")


class StatusChangeOut(Schema):
    change_id = fields.String(required=True)
    member_id = fields.String(required=True)
    from_status = fields.String(required=True)
    to_status = fields.String(required=True)
    reason_code = fields.String(required=True)
    effective_on = Day(required=True)
    reason = fields.String(required=True)
    approved_by = fields.String(required=True)
    actor = fields.String(required=True)
    at = Timestamp(required=True)
    probation_ends = Day(allow_none=True)


StatusHistoryPage = page_of(StatusChangeOut, "StatusHistoryPage")


class CardOut(Schema):
    card_uid = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(("issued", "blocked", "returned")))
    issued_at = Timestamp(allow_none=True)
    issued_by = fields.String(allow_none=True)
    ended_at = Timestamp(allow_none=True)
    ended_reason = fields.String(allow_none=True)
    note = fields.String()
    ended_by = fields.String(allow_none=True)
    replaced_by = fields.String(allow_none=True)


CardsPage = page_of(CardOut, "CardsPage")

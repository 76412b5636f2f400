"""The lifecycle part of the members service's contract: RPC arguments (loaded into commands),
results, and the events it publishes."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from services.infra.schemas import EnvelopeSchema, Strict, Text, UpperText
from services.members.domain import MEMBER_STATUSES
from services.members.lifecycle import commands
from services.members.lifecycle.domain import CARD_ENDS, REASON_CODES
from services.members.lifecycle.profile import PROFILE_FIELDS
from services.members.schemas import CARD_UID, MEMBER_ID, ORG_ID, PAST_DATE, Paged, page_of

REASON = validate.Length(2, 200)
APPROVER = validate.Length(2, 100)


def _optional_text(most: int) -> Text:
    return Text(allow_none=True, validate=validate.Length(0, most))


class UpdateMemberProfile(Strict):
    """The fields to change (those left out stay as they are); each is checked by the profile's
    rules (lifecycle/profile.py), which answer in Chinese per field."""

    member_id = Text(required=True, validate=MEMBER_ID)
    version = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(0))
    gender = Text(validate=validate.Length(1, 10))
    birth_date = fields.Date(validate=PAST_DATE)
    ethnicity = _optional_text(20)
    education = _optional_text(20)
    join_date = fields.Date(validate=PAST_DATE)
    work_unit = _optional_text(200)
    duties = fields.List(Text(validate=validate.Length(0, 100)), validate=validate.Length(0, 50))
    skills = fields.List(Text(validate=validate.Length(0, 100)), validate=validate.Length(0, 50))
    address = _optional_text(400)
    grid_id = Text(allow_none=True, validate=validate.Length(0, 64))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.UpdateMemberProfile:
        changes = {k: v for k, v in data.items() if k in PROFILE_FIELDS}
        return commands.UpdateMemberProfile(data["member_id"], changes, data.get("version"))


class ChangeStatus(Strict):
    member_id = Text(required=True, validate=MEMBER_ID)
    to_status = Text(required=True, validate=validate.OneOf(MEMBER_STATUSES))
    effective_on = fields.Date(required=True, validate=PAST_DATE)
    reason = Text(required=True, validate=REASON)
    approved_by = Text(required=True, validate=APPROVER)
    extend_days = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(1, 3650)
    )

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ChangeStatus:
        return commands.ChangeStatus(**data)


class ListStatusHistory(Paged):
    member_id = Text(required=True, validate=MEMBER_ID)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ListStatusHistory:
        return commands.ListStatusHistory(**data)


class ListProbationDue(Paged):
    org_id = Text(required=True, validate=ORG_ID)
    within_days = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(0, 366)
    )

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ListProbationDue:
        return commands.ListProbationDue(**data)


class SearchMembers(Paged):
    org_id = Text(required=True, validate=ORG_ID)
    q = Text(required=True, validate=validate.Length(1, 50))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.SearchMembers:
        return commands.SearchMembers(**data)


class IssueCard(Strict):
    member_id = Text(required=True, validate=MEMBER_ID)
    card_uid = UpperText(required=True, validate=CARD_UID)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.IssueCard:
        return commands.IssueCard(**data)


class ReplaceCard(IssueCard):
    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ReplaceCard:  # type: ignore[override]
        return commands.ReplaceCard(**data)


class EndCard(Strict):
    member_id = Text(required=True, validate=MEMBER_ID)
    reason = Text(required=True, validate=REASON)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.EndCard:
        return commands.EndCard(**data)


class ListCards(Paged):
    member_id = Text(required=True, validate=MEMBER_ID)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ListCards:
        return commands.ListCards(**data)


class StatusChangeOut(Schema):
    change_id = fields.String()
    member_id = fields.String()
    org_path = fields.String()
    from_status = fields.String()
    to_status = fields.String()
    reason_code = fields.String()
    effective_on = fields.Date()
    reason = fields.String()
    approved_by = fields.String()
    actor = fields.String()
    at = fields.AwareDateTime()
    probation_ends = fields.Date(allow_none=True)


StatusHistoryPage = page_of(StatusChangeOut, "StatusHistoryPage")


class CardOut(Schema):
    card_uid = fields.String()
    member_id = fields.String()
    state = fields.String()
    issued_at = fields.AwareDateTime(allow_none=True)
    issued_by = fields.String(allow_none=True)
    ended_at = fields.AwareDateTime(allow_none=True)
    ended_reason = fields.String(allow_none=True)
    note = fields.String()
    ended_by = fields.String(allow_none=True)
    replaced_by = fields.String(allow_none=True)


CardsPage = page_of(CardOut, "CardsPage")


# -- events published on members.events ------------------------------------------------------


class MemberStatusChanged(EnvelopeSchema):
    member_id = fields.String(required=True)
    from_status = fields.String(required=True, validate=validate.OneOf(MEMBER_STATUSES))
    to_status = fields.String(required=True, validate=validate.OneOf(MEMBER_STATUSES))
    effective_on = fields.Date(required=True)
    reason_code = fields.String(required=True, validate=validate.OneOf(REASON_CODES))


class MemberUpdated(EnvelopeSchema):
    member_id = fields.String(required=True)
    changed = fields.List(fields.String(validate=validate.OneOf(PROFILE_FIELDS)), required=True)


class CardIssued(EnvelopeSchema):
    member_id = fields.String(required=True)
    card_uid_masked = fields.String(required=True)


class CardBlocked(EnvelopeSchema):
    member_id = fields.String(required=True)
    card_uid_masked = fields.String(required=True)
    reason_code = fields.String(required=True, validate=validate.OneOf(tuple(CARD_ENDS)))


class ProbationEnding(EnvelopeSchema):
    member_id = fields.String(required=True)
    org_id = fields.String(required=True)
    probation_ends = fields.Date(required=True)


PUBLISHED_EVENTS: dict[str, Any] = {
    "member_status_changed": MemberStatusChanged,
    "member_updated": MemberUpdated,
    "card_issued": CardIssued,
    "card_blocked": CardBlocked,
    "probation_ending": ProbationEnding,
}

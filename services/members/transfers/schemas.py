"""The contract of transfers between organizations (组织关系转接): RPC payloads (loaded into
commands), results, and the events published."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from services.infra.schemas import EnvelopeSchema, Strict, Text
from services.members.schemas import MEMBER_ID, ORG_ID, Paged, page_of
from services.members.transfers import commands
from services.members.transfers.domain import SCOPES, STATES

TRANSFER_ID = validate.Length(8, 64)
REASON = validate.Length(2, 200)
DEPLOYMENT = validate.Regexp(
    r"^[a-z0-9][a-z0-9-]{0,63}$", error="use lower-case letters, digits and -"
)


class IssueTransfer(Strict):
    request_id = Text(required=True, validate=TRANSFER_ID)
    member_id = Text(required=True, validate=MEMBER_ID)
    scope = Text(required=True, validate=validate.OneOf(SCOPES))
    reason = Text(required=True, validate=REASON)
    to_org_id = Text(load_default=None, allow_none=True, validate=ORG_ID)
    to_deployment = Text(load_default=None, allow_none=True, validate=DEPLOYMENT)
    to_org_name = Text(load_default="", validate=validate.Length(0, 100))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.IssueTransfer:
        return commands.IssueTransfer(**data)


class ReissueTransfer(Strict):
    transfer_id = Text(required=True, validate=TRANSFER_ID)
    request_id = Text(required=True, validate=TRANSFER_ID)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ReissueTransfer:
        return commands.ReissueTransfer(**data)


class CloseTransfer(Strict):
    transfer_id = Text(required=True, validate=TRANSFER_ID)
    reason = Text(load_default="", validate=validate.Length(0, 200))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.CloseTransfer:
        return commands.CloseTransfer(**data)


class GetTransfer(Strict):
    transfer_id = Text(required=True, validate=TRANSFER_ID)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.GetTransfer:
        return commands.GetTransfer(**data)


class ListTransfers(Paged):
    org_id = Text(required=True, validate=ORG_ID)
    direction = Text(required=True, validate=validate.OneOf(("outgoing", "incoming")))
    open_only = fields.Boolean(load_default=False)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ListTransfers:
        return commands.ListTransfers(**data)


class DestinationOut(Schema):
    org_id = fields.String(allow_none=True)
    org_path = fields.String(allow_none=True)
    org_name = fields.String()
    deployment = fields.String(allow_none=True)


class TransferFlags(Schema):
    overdue = fields.Boolean()  # an open letter past its end: re-issue it
    expiring = fields.Boolean()  # an open letter within ``expiring_days`` of its end
    receipt_overdue = fields.Boolean()  # no receipt ``receipt_days`` after issue


class TransferOut(Schema):
    transfer_id = fields.String()
    letter_no = fields.String()
    member_id = fields.String()
    member_name_masked = fields.String()
    member_status = fields.String()
    from_org_id = fields.String()
    from_org_path = fields.String()
    from_org_name = fields.String()
    to = fields.Nested(DestinationOut)
    scope = fields.String(validate=validate.OneOf(SCOPES))
    reason = fields.String()
    dues_paid_to = fields.String(allow_none=True)
    issued_on = fields.Date()
    valid_until = fields.Date()
    state = fields.String(validate=validate.OneOf(STATES))
    replaces = fields.String(allow_none=True)
    replaced_by = fields.String(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    decline_reason = fields.String(allow_none=True)
    receipt_on = fields.Date(allow_none=True)
    flags = fields.Nested(TransferFlags)


TransfersPage = page_of(TransferOut, "TransfersPage")


class AnswerIncoming(Strict):
    """Accept (into ``org_id``) or decline (with ``reason``) a letter from another deployment."""

    key = Text(required=True, validate=validate.Length(3, 200))
    org_id = Text(load_default=None, allow_none=True, validate=ORG_ID)
    reason = Text(load_default="", validate=validate.Length(0, 200))


class IncomingOut(Schema):
    key = fields.String()
    from_deployment = fields.String()
    letter_no = fields.String()
    from_org_id = fields.String()
    valid_until = fields.Date()
    to_org_name = fields.String()
    to_org_path = fields.String(allow_none=True)
    member_name_masked = fields.String()
    state = fields.String(validate=validate.OneOf(STATES))
    org_id = fields.String(allow_none=True)
    member_id = fields.String(allow_none=True)
    closed_on = fields.Date(allow_none=True)
    decline_reason = fields.String(allow_none=True)


class MemberTransferred(EnvelopeSchema):
    """A member moved to another organization of this deployment by an accepted letter (the
    envelope's org_path: the receiving organization's); never personal data."""

    member_id = fields.String(required=True)
    from_org_id = fields.String(required=True)
    from_org_path = fields.String(required=True)
    to_org_id = fields.String(required=True)
    letter_no = fields.String(required=True)


class TransferRequested(EnvelopeSchema):
    """A letter to another deployment (transfers/exchange.py): ``member_sealed`` is the member's
    record encrypted for the receiving deployment only; nothing else is personal."""

    letter_no = fields.String(required=True)
    valid_until = fields.Date(required=True)
    from_deployment = fields.String(required=True)
    from_org_id = fields.String(required=True)
    to_deployment = fields.String(required=True)
    to_org_name = fields.String(required=True)
    member_sealed = fields.String(required=True)


class TransferAccepted(EnvelopeSchema):
    letter_no = fields.String(required=True)
    from_deployment = fields.String(required=True)
    to_deployment = fields.String(required=True)
    to_org_id = fields.String(required=True)
    accepted_on = fields.Date(required=True)


class TransferDeclined(EnvelopeSchema):
    letter_no = fields.String(required=True)
    from_deployment = fields.String(required=True)
    to_deployment = fields.String(required=True)
    reason = fields.String(required=True)
    declined_on = fields.Date(required=True)


PUBLISHED_EVENTS: dict[str, Any] = {
    "member_transferred": MemberTransferred,
    "transfer_requested": TransferRequested,
    "transfer_accepted": TransferAccepted,
    "transfer_declined": TransferDeclined,
}


IncomingPage = page_of(IncomingOut, "IncomingTransfersPage")


class ListIncoming(Paged):
    org_id = Text(required=True, validate=ORG_ID)

"""The HTTP schemas of transfers between organizations (gateway/routes_transfers.py): issuing a
letter, accepting, declining, cancelling and re-issuing it, and the lists. The members service
checks every field again (in Chinese)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from gateway.http_schemas import ORG_ID, Day, PageQuery, Strict, Timestamp, page_of
from services.infra.schemas import Text

REQUEST_ID = validate.Regexp(r"^[A-Za-z0-9_-]{8,64}$", error="8-64 letters, digits, _ or -")
TRANSFER_ID = "<string(minlength=8, maxlength=64):transfer_id>"
DEPLOYMENT = validate.Regexp(
    r"^[a-z0-9][a-z0-9-]{0,63}$", error="use lower-case letters, digits and -"
)
SCOPES = ("within_city", "outside_city")
STATES = ("issued", "accepted", "declined", "cancelled", "expired")


class RequestIn(Strict):
    request_id = Text(
        validate=REQUEST_ID,
        metadata={
            "description": "The client's id of this request (a UUID): sent again, the same letter "
            "answers; made by the gateway when left out"
        },
    )


class TransferIn(RequestIn):
    member_id = Text(required=True, validate=validate.Length(1, 64))
    scope = Text(
        required=True,
        validate=validate.OneOf(SCOPES),
        metadata={"description": "within_city (10 days) or outside_city (30 days): the validity"},
    )
    reason = Text(required=True, validate=validate.Length(2, 200))
    to_org_id = Text(
        allow_none=True,
        validate=ORG_ID,
        metadata={"description": "The receiving organization of this deployment"},
    )
    to_deployment = Text(
        allow_none=True,
        validate=DEPLOYMENT,
        metadata={"description": "Or another deployment's id (with to_org_name)"},
    )
    to_org_name = Text(validate=validate.Length(0, 100))


class DeclineIn(Strict):
    reason = Text(required=True, validate=validate.Length(2, 200))


class TransfersQuery(PageQuery):
    org_id = Text(required=True, validate=ORG_ID)
    direction = Text(
        load_default="outgoing",
        validate=validate.OneOf(("outgoing", "incoming")),
        metadata={"description": "outgoing: issued by the subtree; incoming: addressed to it"},
    )
    open_only = fields.Boolean(
        load_default=False, metadata={"description": "Only letters still waiting (issued)"}
    )


class DestinationOut(Schema):
    org_id = fields.String(allow_none=True)
    org_path = fields.String(allow_none=True)
    org_name = fields.String()
    deployment = fields.String(allow_none=True, metadata={"description": "null: this one"})


class FlagsOut(Schema):
    overdue = fields.Boolean(metadata={"description": "Open past its end: re-issue it"})
    expiring = fields.Boolean(metadata={"description": "Open and near its end"})
    receipt_overdue = fields.Boolean(metadata={"description": "No receipt back in time"})


class TransferOut(Schema):
    transfer_id = fields.String(required=True)
    letter_no = fields.String(required=True)
    member_id = fields.String(required=True)
    member_name_masked = fields.String()
    member_status = fields.String()
    from_org_id = fields.String()
    from_org_path = fields.String()
    from_org_name = fields.String()
    to = fields.Nested(DestinationOut)
    scope = fields.String(validate=validate.OneOf(SCOPES))
    reason = fields.String()
    dues_paid_to = fields.String(
        allow_none=True, metadata={"description": "The last month the dues are paid for"}
    )
    issued_on = Day()
    valid_until = Day()
    state = fields.String(validate=validate.OneOf(STATES))
    replaces = fields.String(allow_none=True)
    replaced_by = fields.String(allow_none=True)
    closed_at = Timestamp(allow_none=True)
    decline_reason = fields.String(allow_none=True)
    receipt_on = Day(allow_none=True)  # the receipt (回执) the sender holds
    flags = fields.Nested(FlagsOut)


TransfersPage = page_of(TransferOut, "TransfersPage")


class IncomingQuery(PageQuery):
    org_id = Text(required=True, validate=ORG_ID)


class IncomingAcceptIn(Strict):
    key = Text(
        required=True,
        validate=validate.Length(3, 200),
        metadata={"description": "The letter's key: <sending deployment>|<letter number>"},
    )
    org_id = Text(required=True, validate=ORG_ID, metadata={"description": "Registered here"})


class IncomingDeclineIn(Strict):
    key = Text(required=True, validate=validate.Length(3, 200))
    reason = Text(required=True, validate=validate.Length(2, 200))


class IncomingOut(Schema):
    key = fields.String(required=True)
    from_deployment = fields.String()
    letter_no = fields.String()
    from_org_id = fields.String()
    valid_until = Day()
    to_org_name = fields.String()
    to_org_path = fields.String(allow_none=True)
    member_name_masked = fields.String()
    state = fields.String(validate=validate.OneOf(STATES))
    org_id = fields.String(allow_none=True)
    member_id = fields.String(allow_none=True)
    closed_on = Day(allow_none=True)
    decline_reason = fields.String(allow_none=True)


IncomingPage = page_of(IncomingOut, "IncomingTransfersPage")

"""The contract of dues (党费): income declarations, the monthly run, the payments ledger, paid
rates: RPC payloads (loaded into commands), results, and the events published. Money is in fen
(integers) here; the gateway shows yuan as decimal strings."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate
from marshmallow.utils import get_value

from services.infra.schemas import EnvelopeSchema, Strict, Text
from services.members.dues import commands
from services.members.dues.domain import CATEGORIES, METHODS, yuan
from services.members.schemas import MEMBER_ID, ORG_ID, Paged

MONTH = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="use YYYY-MM")
REFERENCE = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9_.:-]{5,79}$", error="6-80 letters, digits, _ . : -"
)
MAX_FEN = 100_000_000  # a million yuan


class DeclareIncome(Strict):
    member_id = Text(required=True, validate=MEMBER_ID)
    year = fields.Integer(required=True, validate=validate.Range(2000, 2100))
    category = Text(required=True, validate=validate.OneOf(CATEGORIES))
    monthly_income = fields.Decimal(
        load_default=None,
        allow_none=True,
        places=2,
        validate=validate.Range(0, 10_000_000),
        allow_nan=False,
    )

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.DeclareIncome:
        return commands.DeclareIncome(**data)


class StartRun(Strict):
    org_id = Text(required=True, validate=ORG_ID)
    month = Text(required=True, validate=MONTH)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.StartRun:
        return commands.StartRun(**data)


class RecordPayment(Strict):
    member_id = Text(required=True, validate=MEMBER_ID)
    reference = Text(required=True, validate=REFERENCE)
    months = fields.List(Text(validate=MONTH), required=True, validate=validate.Length(1, 24))
    amount_fen = fields.Integer(required=True, validate=validate.Range(0, MAX_FEN))
    method = Text(required=True, validate=validate.OneOf(METHODS))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.RecordPayment:
        return commands.RecordPayment(**{**data, "months": tuple(data["months"])})


class ReversePayment(Strict):
    reference = Text(required=True, validate=REFERENCE)
    reversal_reference = Text(required=True, validate=REFERENCE)
    reason = Text(required=True, validate=validate.Length(2, 200))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ReversePayment:
        return commands.ReversePayment(**data)


class MemberDues(Strict):
    member_id = Text(required=True, validate=MEMBER_ID)
    year = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(2000, 2100))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.MemberDues:
        return commands.MemberDues(**data)


class OrgMonth(Paged):
    org_id = Text(required=True, validate=ORG_ID)
    month = Text(load_default=None, allow_none=True, validate=MONTH)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.OrgMonth:
        return commands.OrgMonth(**data)


# -- results ---------------------------------------------------------------------------------


def money(path: str) -> fields.Function:
    """Fen (the value at ``path``) shown as a yuan decimal string ('12.50')."""
    return fields.Function(lambda obj: yuan(int(get_value(obj, path))))


class DeclarationOut(Schema):
    member_id = fields.String()
    year = fields.Integer()
    category = fields.String()
    amount_fen = fields.Integer()
    amount = money("amount_fen")
    effective_from = fields.String()
    declared_by = fields.String()
    declared_at = fields.AwareDateTime()


class ChargeOut(Schema):
    member_id = fields.String()
    org_id = fields.String()
    month = fields.String()
    amount_fen = fields.Integer()
    amount = money("amount_fen")
    undeclared = fields.Boolean()
    paid = fields.Boolean()
    paid_by = fields.String(allow_none=True)
    paid_on = fields.Date(allow_none=True)
    on_time = fields.Boolean(allow_none=True)


class EntryOut(Schema):
    reference = fields.String()
    kind = fields.String()
    member_id = fields.String()
    org_id = fields.String()
    months = fields.List(fields.String())
    amounts_fen = fields.List(fields.Integer())
    total_fen = fields.Integer()
    amount = money("total_fen")
    method = fields.String()
    recorded_by = fields.String()
    recorded_at = fields.AwareDateTime()
    reverses = fields.String(allow_none=True)
    reversed_by = fields.String(allow_none=True)
    reason = fields.String()
    on_time = fields.List(fields.Boolean())


class MemberDuesOut(Schema):
    member_id = fields.String()
    name_masked = fields.String()
    org_id = fields.String()
    year = fields.Integer()
    declaration = fields.Nested(DeclarationOut, allow_none=True)
    months = fields.List(fields.Nested(ChargeOut))
    arrears = fields.List(fields.Nested(ChargeOut))
    arrears_fen = fields.Integer()
    arrears_amount = money("arrears_fen")
    ledger = fields.List(fields.Nested(EntryOut))


class TallyOut(Schema):
    charged_members = fields.Integer()
    charged_fen = fields.Integer()
    charged_amount = money("charged_fen")
    paid_members = fields.Integer()
    paid_fen = fields.Integer()
    paid_amount = money("paid_fen")
    undeclared = fields.Integer()
    paid_rate = fields.Float(allow_none=True)


class RegisterRowOut(Schema):
    member_id = fields.String(attribute="charge.member_id")
    name_masked = fields.String()
    month = fields.String(attribute="charge.month")
    amount_fen = fields.Integer(attribute="charge.amount_fen")
    amount = money("charge.amount_fen")
    undeclared = fields.Boolean(attribute="charge.undeclared")
    paid = fields.Boolean(attribute="charge.paid")
    paid_by = fields.String(attribute="charge.paid_by", allow_none=True)
    on_time = fields.Boolean(attribute="charge.on_time", allow_none=True)
    arrears_months = fields.Integer()


class RegisterOut(Schema):
    org_id = fields.String()
    month = fields.String()
    tally = fields.Nested(TallyOut)
    items = fields.List(fields.Nested(RegisterRowOut))
    next_cursor = fields.String(allow_none=True)


class UndeclaredPage(Schema):
    items = fields.List(fields.Nested(RegisterRowOut))
    next_cursor = fields.String(allow_none=True)


class OrgRateOut(Schema):
    org_id = fields.String()
    name = fields.String()
    tally = fields.Nested(TallyOut)
    paid_rate = fields.Float(allow_none=True)


class PaidRatesOut(Schema):
    month = fields.String()
    org = fields.Nested(OrgRateOut)
    items = fields.List(fields.Nested(OrgRateOut))
    next_cursor = fields.String(allow_none=True)


class RunOut(Schema):
    run_id = fields.String()
    org_id = fields.String()
    month = fields.String()
    state = fields.String()
    orgs_done = fields.Integer()
    charged = fields.Integer()
    started_by = fields.String()
    started_at = fields.AwareDateTime()
    finished_at = fields.AwareDateTime(allow_none=True)


# -- events published on members.events ------------------------------------------------------


class DuesPaid(EnvelopeSchema):
    member_id = fields.String(required=True)
    org_id = fields.String(required=True)
    month = fields.String(required=True, validate=MONTH)
    amount_fen = fields.Integer(required=True)
    on_time = fields.Boolean(required=True)
    payment_reference = fields.String(required=True)


class DuesReversed(EnvelopeSchema):
    member_id = fields.String(required=True)
    org_id = fields.String(required=True)
    months = fields.List(fields.String(validate=MONTH), required=True)
    amount_fen = fields.Integer(required=True)
    payment_reference = fields.String(required=True)
    reversal_reference = fields.String(required=True)


PUBLISHED_EVENTS: dict[str, Any] = {"dues_paid": DuesPaid, "dues_reversed": DuesReversed}

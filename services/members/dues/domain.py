"""Rules of dues (党费): the monthly amount from a declaration, months, on time or late, a payment's
months and amount, a correction. No framework imports: plain values in, new state and events out.

Money is counted in fen (integers); a yuan amount is a ``Decimal`` with two places, rounded half
up to the fen (``to_fen``)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal

from services.infra.errors import InvalidInput
from services.infra.events import Event, new_event
from services.infra.i18n import _

INCOME, RETIREE, STUDENT, NO_INCOME = "income", "retiree", "student", "no_income"
CATEGORIES = (INCOME, RETIREE, STUDENT, NO_INCOME)
CASH, CHANNEL = "cash", "channel"
METHODS = (CASH, CHANNEL)
PAYMENT, REVERSAL = "payment", "reversal"
FEN = Decimal("0.01")


@dataclass(frozen=True)
class Band:
    """Incomes up to ``upto`` yuan a month (None: any above the previous band) pay ``rate``
    percent."""

    upto: Decimal | None
    rate_percent: Decimal


@dataclass(frozen=True)
class DuesRules:
    """The numbers of config.yml ``DUES`` (every one an example: configuration)."""

    bands: tuple[Band, ...]
    fixed_fen: dict[str, int]  # retiree, student, no_income: a reduced fixed monthly amount
    due_day: int = 31  # a month's dues are on time when paid by this day (capped at its last)
    months_ahead: int = 12  # a payment may prepay up to this many months after this one
    collect_at_host: bool = True  # a mobile member's host organization may record payments


def to_fen(yuan: Decimal) -> int:
    """Yuan to fen, rounded half up to the fen."""
    return int((yuan.quantize(FEN, rounding=ROUND_HALF_UP) * 100).to_integral_value())


def yuan(fen: int) -> str:
    """Fen as a decimal string in yuan: 1250 -> '12.50', -50 -> '-0.50'."""
    return str((Decimal(fen) / 100).quantize(FEN))


def monthly_fen(category: str, income: Decimal | None, rules: DuesRules) -> int:
    """The monthly dues: a band's rate of the income (a boundary value belongs to the lower
    band), or the category's fixed amount."""
    if category != INCOME:
        return rules.fixed_fen[category]
    if income is None or income < 0:
        raise InvalidInput(
            _("Give the monthly income after tax"), fields={"monthly_income": ["required"]}
        )
    for band in rules.bands:
        if band.upto is None or income <= band.upto:
            return to_fen(income * band.rate_percent / 100)
    raise InvalidInput(_("No dues band covers this income"))  # a configuration without a top


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def add_months(month: str, n: int) -> str:
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + number - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def due_date(month: str, rules: DuesRules) -> date:
    year, number = (int(part) for part in month.split("-"))
    last = calendar.monthrange(year, number)[1]
    return date(year, number, min(rules.due_day, last))


def on_time(month: str, paid_on: date, rules: DuesRules) -> bool:
    return paid_on <= due_date(month, rules)


@dataclass(frozen=True)
class Declaration:
    """A member's declaration for a year: the category, the income (encrypted, personal data)
    and the monthly amount it gives, from ``effective_from`` (the first month not yet charged
    when it was declared: months charged before keep their amounts)."""

    member_id: str
    org_path: str
    year: int
    category: str
    income_enc: str | None
    amount_fen: int
    effective_from: str
    declared_by: str
    declared_at: datetime

    @property
    def declaration_id(self) -> str:
        return f"{self.member_id}|{self.year}"


@dataclass(frozen=True)
class Charge:
    """One member's dues for one month (``_id`` member|month: one per member and month)."""

    member_id: str
    org_id: str
    org_path: str
    month: str
    amount_fen: int
    undeclared: bool = False
    paid_by: str | None = None  # the payment reference
    paid_on: date | None = None
    on_time: bool | None = None

    @property
    def charge_id(self) -> str:
        return f"{self.member_id}|{self.month}"

    @property
    def paid(self) -> bool:
        return self.paid_by is not None


@dataclass(frozen=True)
class LedgerEntry:
    """An entry of the append-only ledger, keyed by its reference: a payment, or a reversal
    pointing at the payment it corrects (never an edit or a delete)."""

    reference: str
    kind: str  # payment or reversal
    member_id: str
    org_id: str
    org_path: str
    months: tuple[str, ...]
    amounts_fen: tuple[int, ...]  # per month, as charged
    method: str
    recorded_by: str
    recorded_at: datetime
    reverses: str | None = None
    reversed_by: str | None = None
    reason: str = ""
    on_time: tuple[bool, ...] = field(default_factory=tuple)

    @property
    def total_fen(self) -> int:
        return sum(self.amounts_fen)

    def same_request(self, other: LedgerEntry) -> bool:
        """The same content asked again (a retry), whoever is asking."""
        keys = ("kind", "member_id", "months", "amounts_fen", "method", "reverses", "reason")
        return all(getattr(self, k) == getattr(other, k) for k in keys)


def payment_months(
    months: list[str],
    charges: dict[str, Charge],
    prepay_fen: dict[str, int],
    this_month: str,
    rules: DuesRules,
    reference: str,
) -> list[tuple[str, int]]:
    """Check the months a payment covers: each charged and unpaid (or paid by this same
    reference, a retry), or, not yet charged, a month from this one up to ``months_ahead`` after
    it whose amount is declared (``prepay_fen``). The months with their amounts, in order."""
    if not months:
        raise InvalidInput(_("Choose the months paid for"), fields={"months": ["required"]})
    if len(set(months)) != len(months):
        raise InvalidInput(_("A month is listed twice"), fields={"months": ["duplicate"]})
    last_allowed = add_months(this_month, rules.months_ahead)
    covered = []
    for month in sorted(months):
        charge = charges.get(month)
        if charge is not None:
            if charge.paid and charge.paid_by != reference:
                raise InvalidInput(
                    _("The dues of {month} are already paid", month=month),
                    fields={"months": [month]},
                )
            if charge.undeclared:
                raise InvalidInput(
                    _("The member's income for {year} is not declared", year=month[:4]),
                    fields={"months": [month]},
                )
            covered.append((month, charge.amount_fen))
            continue
        if not this_month <= month <= last_allowed:
            raise InvalidInput(
                _("{month} is not charged and cannot be prepaid", month=month),
                fields={"months": [month]},
            )
        if month not in prepay_fen:
            raise InvalidInput(
                _("The member's income for {year} is not declared", year=month[:4]),
                fields={"months": [month]},
            )
        covered.append((month, prepay_fen[month]))
    return covered


def check_amount(covered: list[tuple[str, int]], amount_fen: int) -> None:
    expected = sum(amount for _month, amount in covered)
    if amount_fen != expected:
        raise InvalidInput(
            _("The amount must be {amount} yuan for these months", amount=yuan(expected)),
            fields={"amount": [yuan(expected)]},
        )


def paid_events(entry: LedgerEntry) -> list[Event]:
    """``dues_paid`` once per month covered (no personal data)."""
    return [
        new_event(
            "dues_paid",
            entry.org_path,
            {
                "member_id": entry.member_id,
                "org_id": entry.org_id,
                "month": month,
                "amount_fen": amount,
                "on_time": punctual,
                "payment_reference": entry.reference,
            },
        )
        for month, amount, punctual in zip(
            entry.months, entry.amounts_fen, entry.on_time, strict=True
        )
    ]


def reverse(
    original: LedgerEntry, reference: str, reason: str, by: str, at: datetime
) -> tuple[LedgerEntry, list[Event]]:
    """The reversing entry of a payment, and its ``dues_reversed`` event."""
    if original.kind != PAYMENT:
        raise InvalidInput(_("Only a payment can be reversed"))
    entry = replace(
        original,
        reference=reference,
        kind=REVERSAL,
        amounts_fen=tuple(-n for n in original.amounts_fen),
        recorded_by=by,
        recorded_at=at,
        reverses=original.reference,
        reversed_by=None,
        reason=reason,
    )
    event = new_event(
        "dues_reversed",
        original.org_path,
        {
            "member_id": original.member_id,
            "org_id": original.org_id,
            "months": list(original.months),
            "amount_fen": original.total_fen,
            "payment_reference": original.reference,
            "reversal_reference": reference,
        },
    )
    return entry, [event]


@dataclass(frozen=True)
class Tally:
    """An organization's subtree's dues in a month."""

    charged_members: int = 0
    charged_fen: int = 0
    paid_members: int = 0
    paid_fen: int = 0
    undeclared: int = 0

    @property
    def paid_rate(self) -> float | None:
        return self.paid_members / self.charged_members if self.charged_members else None


def today_in(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()

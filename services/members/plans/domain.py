"""The rules of the yearly plan (no nameko, no pymongo): which meetings an organization of a
kind must hold how often (config.yml ``PLANS``), the periods of a year, each period's state from
the meetings held, the theme days' dates and the warnings.

States: ``done`` (held at least the required count), ``due`` (the period is current and not
yet done), ``missing`` (the period is over and not done), ``upcoming`` (the period has not begun).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from services.infra.errors import InvalidInput
from services.infra.i18n import _
from services.members.domain import MEETING_KINDS, ORG_KINDS

PERIODS = ("month", "quarter", "half", "year")
MONTHS_IN = {"month": 1, "quarter": 3, "half": 6, "year": 12}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DONE, DUE, MISSING, UPCOMING = "done", "due", "missing", "upcoming"
GAP_STATES = (DUE, MISSING)

Held = Mapping[str, Mapping[str, int]]  # "MM" -> meeting kind -> meetings held that month


@dataclass(frozen=True)
class Rule:
    """``count`` meetings of ``kind`` in each ``period`` for organizations of ``org_kinds``."""

    kind: str
    period: str
    count: int
    org_kinds: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.kind not in MEETING_KINDS or self.period not in PERIODS or self.count < 1:
            raise ValueError(f"bad plan rule {self}")
        if not set(self.org_kinds) <= set(ORG_KINDS):
            raise ValueError(f"bad organization kinds in plan rule {self}")


@dataclass(frozen=True)
class ThemeDayRule:
    """The ``nth`` (1-5, or -1 for the last) ``weekday`` (0 Monday) of every month."""

    weekday: int
    nth: int

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6 or self.nth not in (-1, 1, 2, 3, 4, 5):
            raise ValueError(f"bad theme day rule {self}")

    @classmethod
    def named(cls, weekday: str, nth: int) -> ThemeDayRule:
        return cls(WEEKDAYS.index(weekday.lower()), int(nth))

    def day_in(self, year: int, month: int) -> date | None:
        """The theme day of a month (None when the month has no such day, a fifth Friday)."""
        days = [
            date(year, month, d)
            for d in range(1, calendar.monthrange(year, month)[1] + 1)
            if date(year, month, d).weekday() == self.weekday
        ]
        if self.nth == -1:
            return days[-1]
        return days[self.nth - 1] if self.nth <= len(days) else None

    def days_of(self, year: int) -> list[date]:
        found = (self.day_in(year, month) for month in range(1, 13))
        return [day for day in found if day is not None]


@dataclass(frozen=True)
class PlanRules:
    rules: tuple[Rule, ...]
    theme_day: ThemeDayRule | None = None
    warn_days: int = 14  # a due meeting is warned about this many days before its period ends

    def for_org(self, org_kind: str) -> list[Rule]:
        return [rule for rule in self.rules if org_kind in rule.org_kinds]

    def org_kinds(self) -> list[str]:
        """The organization kinds some rule applies to."""
        return sorted({kind for rule in self.rules for kind in rule.org_kinds})


@dataclass(frozen=True)
class Period:
    key: str  # '2026-03', '2026-Q1', '2026-H1', '2026'
    first: date
    last: date  # inclusive

    @classmethod
    def of(cls, year: int, period: str, index: int) -> Period:
        """The ``index``-th (0-based) period of its kind in ``year``."""
        span = MONTHS_IN[period]
        first_month = index * span + 1
        last_month = first_month + span - 1
        first = date(year, first_month, 1)
        last = date(year, last_month, calendar.monthrange(year, last_month)[1])
        labels = {
            "month": f"{year}-{first_month:02d}",
            "quarter": f"{year}-Q{index + 1}",
            "half": f"{year}-H{index + 1}",
            "year": f"{year}",
        }
        return cls(labels[period], first, last)

    @classmethod
    def containing(cls, day: date, period: str) -> Period:
        return cls.of(day.year, period, (day.month - 1) // MONTHS_IN[period])

    @property
    def months(self) -> list[str]:
        return [f"{m:02d}" for m in range(self.first.month, self.last.month + 1)]

    def state(self, required: int, held: int, today: date) -> str:
        if held >= required:
            return DONE
        if today > self.last:
            return MISSING
        return DUE if today >= self.first else UPCOMING


def periods_of(year: int, period: str) -> list[Period]:
    return [Period.of(year, period, i) for i in range(12 // MONTHS_IN[period])]


def parse_month(text: str) -> date:
    """The first day of a month given as 'YYYY-MM'."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise InvalidInput(_("The period must be a month such as 2026-03")) from None


@dataclass(frozen=True)
class PlanEntry:
    kind: str
    period: str  # month, quarter, half or year
    key: str
    first: date
    last: date
    required: int
    held: int
    state: str
    theme_day: date | None = None  # a theme day entry: the rule's day in its month

    def warned(self, today: date, warn_days: int) -> bool:
        """Missing, or due and its period ends within ``warn_days``."""
        if self.state == MISSING:
            return True
        return self.state == DUE and self.last - today <= timedelta(days=warn_days)


def entry(rule: Rule, period: Period, held: Held, today: date, rules: PlanRules) -> PlanEntry:
    count = sum(held.get(month, {}).get(rule.kind, 0) for month in period.months)
    theme = None
    if rule.kind == "theme_day" and rule.period == "month" and rules.theme_day is not None:
        theme = rules.theme_day.day_in(period.first.year, period.first.month)
    return PlanEntry(
        rule.kind,
        rule.period,
        period.key,
        period.first,
        period.last,
        rule.count,
        count,
        period.state(rule.count, count, today),
        theme,
    )


@dataclass(frozen=True)
class YearPlan:
    org_id: str
    org_kind: str
    year: int
    today: date
    entries: list[PlanEntry]
    theme_days: list[date]
    warnings: list[PlanEntry]


def year_plan(org: PlanOrg, year: int, held: Held, today: date, rules: PlanRules) -> YearPlan:
    """Every rule's periods in ``year`` with their states, the theme days, and the warnings
    (missing first, then due, by period end)."""
    entries = [
        entry(rule, period, held, today, rules)
        for rule in rules.for_org(org.kind)
        for period in periods_of(year, rule.period)
    ]
    warnings = sorted(
        (e for e in entries if e.warned(today, rules.warn_days)),
        key=lambda e: (e.state != MISSING, e.last, e.kind),
    )
    theme_days = rules.theme_day.days_of(year) if rules.theme_day else []
    return YearPlan(org.org_id, org.kind, year, today, entries, theme_days, warnings)


def gaps_in(
    org_kind: str, month: date, held: Held, today: date, rules: PlanRules
) -> list[PlanEntry]:
    """The organization's required meetings not done in the periods containing ``month``
    (due or missing; upcoming ones are not gaps)."""
    found = []
    for rule in rules.for_org(org_kind):
        e = entry(rule, Period.containing(month, rule.period), held, today, rules)
        if e.state in GAP_STATES:
            found.append(e)
    return found


@dataclass(frozen=True)
class PlanOrg:
    org_id: str
    name: str
    kind: str
    path: str


@dataclass(frozen=True)
class OrgGaps:
    org: PlanOrg
    gaps: list[PlanEntry]


@dataclass(frozen=True)
class GapsPage:
    period: str  # the month asked, 'YYYY-MM'
    items: list[OrgGaps]
    next_cursor: str | None

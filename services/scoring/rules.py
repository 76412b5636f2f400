"""Points rules: which activity earns what, per-period caps, annual requirements. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class AwardRule:
    category: str  # base | contribution
    item: str  # e.g. org_life, theme_day: the cap is shared by every activity of the item
    points: int
    cap: int | None  # most points from this item per period; None = no cap
    period: str = "year"  # year | month

    def period_key(self, at: datetime) -> str:
        return f"{at:%Y}" if self.period == "year" else f"{at:%Y-%m}"

    def counter(self, at: datetime) -> str:
        return f"{self.item}@{self.period_key(at)}"

    def award(self, already: int) -> int:
        if self.cap is None:
            return self.points
        return max(0, min(self.points, self.cap - already))


def rules_from_config(config: Mapping[str, Any]) -> dict[str, AwardRule]:
    return {
        kind: AwardRule(
            category=str(rule["category"]),
            item=str(rule["item"]),
            points=int(rule["points"]),
            cap=None if rule.get("cap") is None else int(rule["cap"]),
            period=str(rule.get("period", "year")),
        )
        for kind, rule in config.items()
    }


def gaps(by_category: Mapping[str, int], requirement: Mapping[str, int]) -> dict[str, int]:
    """Points still needed per category to meet the annual requirement (never negative)."""
    return {
        cat: max(0, int(need) - int(by_category.get(cat, 0))) for cat, need in requirement.items()
    }

"""In-memory fakes of the plans' repositories (services/members/plans/)."""

from __future__ import annotations

from typing import Any

from services.infra import paging
from services.infra.scope import ancestors
from services.members.plans.counters import Months
from services.members.plans.domain import PlanOrg


class FakePlanCounts:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, int], Months] = {}

    def add(self, org_id: str, kind: str, month: str) -> None:
        year, number = month.split("-")
        months = self.rows.setdefault((org_id, int(year)), {})
        kinds = months.setdefault(number, {})
        kinds[kind] = kinds.get(kind, 0) + 1

    def of(self, org_ids: list[str], year: int) -> dict[str, Months]:
        return {o: self.rows[(o, year)] for o in org_ids if (o, year) in self.rows}


class FakePlanOrgs:
    """Over the fake orgs' rows (tests/unit/fakes.FakeOrgs), as the store over ``orgs``."""

    def __init__(self, orgs: Any) -> None:
        self.orgs = orgs

    def under(
        self, path: str, kinds: list[str], cursor: str | None, limit: int
    ) -> tuple[list[PlanOrg], str | None]:
        after = (paging.decode(cursor, ("_id",)) or {}).get("_id", "")
        found = sorted(
            (
                o
                for o in self.orgs.rows.values()
                if path in ancestors(o.path)
                and o.kind in kinds
                and not o.dissolved
                and o.org_id > after
            ),
            key=lambda o: o.org_id,
        )
        shown = found[:limit]
        more = len(found) > limit
        position = {"_id": shown[-1].org_id} if more and shown else None
        return [PlanOrg(o.org_id, o.name, o.kind, o.path) for o in shown], paging.encode(position)

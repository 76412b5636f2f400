"""The repositories of the yearly plan of meetings per organization and what is due or missing
over the members database (MembersStore mixes them in): the meetings held per organization and
month (``plan_counts``, plans/counters.py) and a subtree's organizations of some kinds, page by
page, on the orgs' (ancestors, _id) index."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any, ClassVar

from services.infra import paging
from services.infra.repository import page
from services.members.plans import counters
from services.members.plans.counters import PlanCounts
from services.members.plans.domain import PlanOrg


class PlanOrgs:
    def __init__(self, db: Any) -> None:
        self.c = db.orgs

    def under(
        self, path: str, kinds: list[str], cursor: str | None, limit: int
    ) -> tuple[list[PlanOrg], str | None]:
        """The current organizations of ``kinds`` in the subtree at ``path`` (itself
        included), by id."""
        query = {"ancestors": path, "kind": {"$in": kinds}, "dissolved_on": None}
        after = paging.decode(cursor, ("_id",))
        rows, position = page(self.c, query, [("_id", 1)], after, limit)
        found = [PlanOrg(r["_id"], r.get("name", ""), r["kind"], r["path"]) for r in rows]
        return found, paging.encode(position)


class PlansStore:
    INDEXES: ClassVar[dict[str, list[Any]]] = {**PlanCounts.INDEXES}

    def __init__(self, db: Any) -> None:
        self.db = db
        self.plan_counts = PlanCounts(db)
        self.plan_orgs = PlanOrgs(db)

    def prepare_plans(self, zone: tzinfo) -> None:
        """At start: the counts of meetings held, once, for a database stored before them."""
        counters.upgrade(self.db, zone)

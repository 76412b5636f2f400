"""Each member's last month of organizational life and last month of dues paid for: the lapse
warnings (services/members/mobile/lapse) find members inactive for N months by ``last_active``
without a scan of the register.

``member_activity``: ``{_id: member_id, org_life: "YYYY-MM", dues: "YYYY-MM", last_active:
"YYYY-MM"}``; every field only ever rises (``$max``), so a replayed or late write is harmless.
Writers: closing a meeting (orglife/: the present members), a dues payment (dues/: the last month
it covers; a reversed payment does not lower it: a person decides a lapse, from the register).
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

from pymongo import UpdateOne

ORG_LIFE, DUES = "org_life", "dues"


class Activity(Protocol):
    def record(self, member_ids: list[str], kind: str, month: str) -> None: ...
    def of(self, member_ids: list[str]) -> dict[str, dict[str, str]]: ...


class MemberActivity:
    INDEXES: ClassVar[dict[str, list[Any]]] = {
        "member_activity": [([("last_active", 1), ("_id", 1)], {})],
    }

    def __init__(self, db: Any) -> None:
        self.c = db.member_activity

    def record(self, member_ids: list[str], kind: str, month: str) -> None:
        """``kind`` (ORG_LIFE or DUES) happened for these members in ``month`` (YYYY-MM)."""
        if kind not in (ORG_LIFE, DUES):
            raise ValueError(f"unknown activity {kind!r}")
        if not member_ids:
            return
        rise = {"$max": {kind: month, "last_active": month}}
        self.c.bulk_write(
            [UpdateOne({"_id": m}, rise, upsert=True) for m in dict.fromkeys(member_ids)],
            ordered=False,
        )

    def of(self, member_ids: list[str]) -> dict[str, dict[str, str]]:
        found = self.c.find({"_id": {"$in": list(member_ids)}})
        return {d["_id"]: {k: v for k, v in d.items() if k != "_id"} for d in found}

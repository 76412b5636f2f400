"""The repositories of transfers between organizations (组织关系转接), within and between deployments over the members database (MembersStore mixes them in)."""

from __future__ import annotations

from typing import Any, ClassVar


class TransfersStore:
    INDEXES: ClassVar[dict[str, list[Any]]] = {}

    def __init__(self, db: Any) -> None:
        self.db = db

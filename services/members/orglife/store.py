"""The repositories of meetings held: leave, closing with the attendance sheet and minutes, attendance rates rolled up the tree over the members database (MembersStore mixes them in)."""

from __future__ import annotations

from typing import Any, ClassVar


class OrgLifeStore:
    INDEXES: ClassVar[dict[str, list[Any]]] = {}

    def __init__(self, db: Any) -> None:
        self.db = db

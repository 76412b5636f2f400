"""The roster repositories over the members database (MembersStore mixes them in)."""

from __future__ import annotations

from typing import Any, ClassVar


class RosterStore:
    INDEXES: ClassVar[dict[str, list[Any]]] = {}

    def __init__(self, db: Any) -> None:
        self.db = db

"""The repositories of the yearly plan of meetings per organization and what is due or missing over the members database (MembersStore mixes them in)."""

from __future__ import annotations

from typing import Any, ClassVar


class PlansStore:
    INDEXES: ClassVar[dict[str, list[Any]]] = {}

    def __init__(self, db: Any) -> None:
        self.db = db

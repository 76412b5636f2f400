"""The repositories of dues (党费): income declarations, the monthly run, the payments ledger, paid rates over the members database (MembersStore mixes them in)."""

from __future__ import annotations

from typing import Any, ClassVar


class DuesStore:
    INDEXES: ClassVar[dict[str, list[Any]]] = {}

    def __init__(self, db: Any) -> None:
        self.db = db

"""The in-app inbox."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, ClassVar

from pymongo.errors import DuplicateKeyError

from services.infra.events import isoformat, utcnow
from services.notify.messages import Message


class NotifyStore:
    INDEXES: ClassVar[dict[str, list[Any]]] = {"inbox": [([("member_id", 1)], {})]}

    def __init__(self, db: Any) -> None:
        self.db = db

    def add_to_inbox(self, message: Message) -> bool:
        doc = {**asdict(message), "_id": message.key, "at": isoformat(utcnow()), "read": False}
        try:
            self.db.inbox.insert_one(doc)
            return True
        except DuplicateKeyError:
            return False

    def inbox(self, member_id: str, limit: int = 50) -> list[dict[str, Any]]:
        found = list(self.db.inbox.find({"member_id": member_id}))
        found.sort(key=lambda m: m["at"], reverse=True)
        return [_shown(m) for m in found[:limit]]

    def ping(self) -> bool:
        self.db.inbox.find_one({"_id": "__ping__"})
        return True


def _shown(message: dict[str, Any]) -> dict[str, Any]:
    shown = {k: v for k, v in message.items() if k not in ("_id", "key")}
    return {"message_id": message["_id"], **shown}

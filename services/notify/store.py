"""The in-app inbox: the repository, and the unit of work that groups it. Documents map to the
domain objects here; pymongo is touched only here."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from services.infra import paging
from services.infra.events import stamp
from services.infra.org_paths import move_paths
from services.infra.pii import mask_phone
from services.infra.repository import insert_once, page
from services.notify.messages import Message
from services.notify.sms import Text

NEWEST_FIRST = [("at", -1), ("_id", -1)]


class Inbox:
    def __init__(self, db: Any) -> None:
        self.c = db.inbox

    def add(self, message: Message) -> bool:
        doc = {
            "_id": message.message_id,
            "member_id": message.member_id,
            "org_path": message.org_path,
            "kind": message.kind,
            "title": message.title,
            "body": message.body,
            "at": stamp(message.at),
            "read": message.read,
        }
        _, created = insert_once(self.c, doc)
        return created

    def page(
        self, member_id: str, cursor: str | None, limit: int
    ) -> tuple[list[Message], str | None]:
        after = paging.decode(cursor, tuple(k for k, _ in NEWEST_FIRST))
        rows, position = page(self.c, {"member_id": member_id}, NEWEST_FIRST, after, limit)
        return [_message(row) for row in rows], paging.encode(position)


def _message(doc: dict[str, Any]) -> Message:
    return Message(
        message_id=doc["_id"],
        member_id=doc["member_id"],
        org_path=doc.get("org_path", ""),  # messages stored before org paths: staff cannot read
        kind=doc["kind"],
        title=doc["title"],
        body=doc["body"],
        at=datetime.fromisoformat(doc["at"]),
        read=bool(doc.get("read", False)),
    )


class SentTexts:
    """One record per text key: the number only as its mask (the provider had the full one)."""

    def __init__(self, db: Any) -> None:
        self.c = db.sms_sent

    def claim(self, text: Text, at: datetime) -> dict[str, str] | None:
        doc = {
            "_id": text.key,
            "to": mask_phone(text.phone),
            "template": text.template,
            "status": "sending",
            "claimed_at": stamp(at),
        }
        stored, created = insert_once(self.c, doc)
        if created:
            return None
        return {"key": text.key, "status": stored["status"], "provider": stored.get("provider", "")}

    def sent(self, key: str, provider: str, provider_id: str, at: datetime) -> None:
        self.c.update_one(
            {"_id": key},
            {
                "$set": {
                    "status": "sent",
                    "provider": provider,
                    "provider_id": provider_id,
                    "sent_at": stamp(at),
                }
            },
        )

    def unsent(self, key: str) -> None:
        self.c.delete_one({"_id": key, "status": "sending"})


class NotifyStore:
    """The unit of work: the inbox and the texts sent, over the service's database."""

    INDEXES: ClassVar[dict[str, list[Any]]] = {
        "inbox": [
            ([("member_id", 1), ("at", -1), ("_id", -1)], {}),
            ([("org_path", 1)], {}),  # a moved subtree's messages (move_org_paths)
        ],
    }

    def __init__(self, db: Any) -> None:
        self.db = db
        self.inbox = Inbox(db)
        self.texts = SentTexts(db)

    def move_org_paths(self, from_path: str, to_path: str) -> int:
        """The inbox's organization paths (who on the staff may read a message) follow a moved
        subtree (members' org_moved)."""
        return move_paths(self.db.inbox, "org_path", from_path, to_path)

    def ping(self) -> bool:
        self.db.inbox.find_one({"_id": "__ping__"})
        return True

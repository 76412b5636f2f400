"""In-memory fakes of notify's and volunteer's units of work: same keys, same order, same cursors
as the stores."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.infra import paging
from services.infra.errors import AlreadyStored
from services.infra.events import Event, stamp
from services.notify.messages import Message
from services.notify.sms import SmsUnavailable, Text
from services.volunteer.needs import Need


def _page(
    rows: list[Any], position: Callable[[Any], list[Any]], cursor: str | None, limit: int
) -> tuple[list[Any], str | None]:
    """Newest first by ``position(row)`` (a list of sort values, all descending), continuing
    strictly after the cursor's position; the cursor as the stores encode it."""
    after = paging.decode(cursor, ("pos",))
    ordered = sorted(rows, key=position, reverse=True)
    if after is not None:
        ordered = [r for r in ordered if position(r) < after["pos"]]
    shown = ordered[:limit]
    more = len(ordered) > limit
    return shown, paging.encode({"pos": position(shown[-1])} if more and shown else None)


class FakeInbox:
    def __init__(self) -> None:
        self.rows: dict[str, Message] = {}

    def add(self, message: Message) -> bool:
        if message.message_id in self.rows:
            return False
        self.rows[message.message_id] = message
        return True

    def page(
        self, member_id: str, cursor: str | None, limit: int
    ) -> tuple[list[Message], str | None]:
        mine = [m for m in self.rows.values() if m.member_id == member_id]
        return _page(mine, lambda m: [stamp(m.at), m.message_id], cursor, limit)


class FakeSentTexts:
    def __init__(self) -> None:
        self.rows: dict[str, dict[str, str]] = {}

    def claim(self, text: Text, at: Any) -> dict[str, str] | None:
        if text.key in self.rows:
            row = self.rows[text.key]
            return {"key": text.key, "status": row["status"], "provider": row.get("provider", "")}
        self.rows[text.key] = {"status": "sending"}
        return None

    def sent(self, key: str, provider: str, provider_id: str, at: Any) -> None:
        self.rows[key] = {"status": "sent", "provider": provider, "provider_id": provider_id}

    def unsent(self, key: str) -> None:
        if self.rows.get(key, {}).get("status") == "sending":
            del self.rows[key]


class RecordingSmsProvider:
    """Keeps what it was given; ``down`` makes it refuse like an unreachable provider."""

    name = "recording"

    def __init__(self) -> None:
        self.sent: list[Text] = []
        self.down = False

    def send(self, text: Text, at: Any) -> str:
        if self.down:
            raise SmsUnavailable("provider down")
        self.sent.append(text)
        return f"r-{len(self.sent)}"


class FakeNotifyUoW:
    def __init__(self) -> None:
        self.inbox = FakeInbox()
        self.texts = FakeSentTexts()


class FakeNeeds:
    def __init__(self) -> None:
        self.rows: dict[str, Need] = {}
        self.events: list[Event] = []

    def add(self, need: Need, events: list[Event]) -> None:
        if need.need_id in self.rows:
            raise AlreadyStored(need.need_id)
        self.rows[need.need_id] = need
        self.events.extend(events)

    def open_under(
        self, scope: str, cursor: str | None, limit: int
    ) -> tuple[list[Need], str | None]:
        return self.under(scope, "open", cursor, limit)

    def under(
        self, scope: str, status: str | None, cursor: str | None, limit: int
    ) -> tuple[list[Need], str | None]:
        found = self._matching(scope, status)
        return _page(found, lambda n: [stamp(n.recorded_at), n.need_id], cursor, limit)

    def count_under(self, scope: str, status: str | None, at_most: int) -> int:
        return min(len(self._matching(scope, status)), at_most)

    def _matching(self, scope: str, status: str | None) -> list[Need]:
        return [
            n
            for n in self.rows.values()
            if status in (None, n.status) and (not scope.strip("/") or scope in n.ancestors)
        ]


class FakeVolunteerUoW:
    def __init__(self) -> None:
        self.needs = FakeNeeds()

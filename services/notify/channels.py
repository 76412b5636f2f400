"""Delivery channels behind one interface. In-app is real; SMS, WeChat and e-mail come later."""

from __future__ import annotations

from typing import Any, Protocol

from services.notify.messages import Message


class Channel(Protocol):
    name: str

    def deliver(self, message: Message) -> bool:
        """Deliver once per message key; return False if it was delivered before."""


class InAppChannel:
    name = "in_app"

    def __init__(self, store: Any) -> None:
        self.store = store

    def deliver(self, message: Message) -> bool:
        return self.store.add_to_inbox(message)

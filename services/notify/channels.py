"""Delivery channels behind one interface. In-app is real; SMS, WeChat and e-mail come later."""

from __future__ import annotations

from typing import Protocol

from services.notify.messages import Message


class Channel(Protocol):
    name: str

    def deliver(self, message: Message) -> bool:
        """Deliver once per message id; return False if it was delivered before."""


class InboxWriter(Protocol):
    def add(self, message: Message) -> bool:
        """Store once per message id; False when it was already stored."""


class InAppChannel:
    name = "in_app"

    def __init__(self, inbox: InboxWriter) -> None:
        self.inbox = inbox

    def deliver(self, message: Message) -> bool:
        return self.inbox.add(message)

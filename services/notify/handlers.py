"""The notify application layer: tell members what happened, let them (and the staff of their
organization) read their inbox. No nameko, no pymongo: unit tests run these with the in-memory
fakes of tests/unit/fakes_notify_volunteer.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from services.infra import paging
from services.infra.errors import Unavailable
from services.infra.i18n import DEFAULT_LOCALE, _
from services.infra.scope import Caller
from services.notify import commands, messages
from services.notify.channels import Channel, InAppChannel
from services.notify.messages import Message
from services.notify.sms import SmsProvider, SmsUnavailable, Text

STAFF = frozenset({"county_operator", "org_admin", "branch_secretary"})


class InboxRepository(Protocol):
    def add(self, message: Message) -> bool:
        """Store once per message id; False when it was already stored."""

    def page(
        self, member_id: str, cursor: str | None, limit: int
    ) -> tuple[list[Message], str | None]:
        """The member's messages newest first; the cursor continues after the last one (None at
        the end). An invalid cursor is InvalidInput."""


class SentTexts(Protocol):
    def claim(self, text: Text, at: datetime) -> dict[str, str] | None:
        """Record the text as being sent; the stored record when one with its key was sent."""

    def sent(self, key: str, provider: str, provider_id: str, at: datetime) -> None: ...
    def unsent(self, key: str) -> None:
        """Forget a claim whose text the provider did not take (a retry may send it)."""


class UnitOfWork(Protocol):
    @property
    def inbox(self) -> InboxRepository: ...

    @property
    def texts(self) -> SentTexts: ...


@dataclass(frozen=True)
class Settings:
    locale: str = DEFAULT_LOCALE
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)


def channels(uow: UnitOfWork) -> list[Channel]:
    """Where members are told: the in-app inbox (SMS and others join here)."""
    return [InAppChannel(uow.inbox)]


def tell_points_awarded(
    cmd: commands.TellPointsAwarded, uow: UnitOfWork, settings: Settings
) -> bool:
    """Tell the member about points awarded; True when this call delivered something new."""
    message = messages.points_awarded(cmd, settings.clock(), settings.locale)
    return any([channel.deliver(message) for channel in channels(uow)])


def list_inbox(
    cmd: commands.ListInbox, uow: UnitOfWork, caller: Caller
) -> tuple[list[Message], str | None]:
    """A member reads their own inbox. Staff read a member's inbox only where every message shown
    was addressed within their area (an empty inbox reveals nothing)."""
    caller.require_reader_of(cmd.member_id, STAFF)
    found, next_cursor = uow.inbox.page(cmd.member_id, cmd.cursor, paging.clamp(cmd.limit))
    caller.require_reader_of(cmd.member_id, STAFF, [m.org_path for m in found])
    return found, next_cursor


def send_sms(
    cmd: commands.SendSms, uow: UnitOfWork, provider: SmsProvider, settings: Settings
) -> dict[str, str]:
    """Send a text once per key. A call whose key was sent before returns that sending; a text
    the provider did not take is forgotten, so the caller's retry sends it (503 until then).
    A process that dies between the provider's answer and the record leaves the claim: the retry
    then reports it sent (at most once, never twice)."""
    now = settings.clock()
    text = Text(
        cmd.key,
        cmd.phone,
        messages.sms_body(cmd.template, cmd.params, settings.locale),
        cmd.template,
    )
    earlier = uow.texts.claim(text, now)
    if earlier is not None:
        return earlier
    try:
        provider_id = provider.send(text, now)
    except SmsUnavailable:
        uow.texts.unsent(cmd.key)
        raise Unavailable(_("The text message could not be sent; try again later")) from None
    uow.texts.sent(cmd.key, provider.name, provider_id, now)
    return {"key": cmd.key, "status": "sent", "provider": provider.name}

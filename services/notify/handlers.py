"""The notify application layer: tell members what happened, let them (and the staff of their
organization) read their inbox. No nameko, no pymongo: unit tests run these with the in-memory
fakes of tests/unit/fakes_notify_volunteer.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from services.infra import paging
from services.infra.i18n import DEFAULT_LOCALE
from services.infra.scope import Caller
from services.notify import commands, messages
from services.notify.channels import Channel, InAppChannel
from services.notify.messages import Message

STAFF = frozenset({"county_operator", "org_admin", "branch_secretary"})


class InboxRepository(Protocol):
    def add(self, message: Message) -> bool:
        """Store once per message id; False when it was already stored."""

    def page(
        self, member_id: str, cursor: str | None, limit: int
    ) -> tuple[list[Message], str | None]:
        """The member's messages newest first; the cursor continues after the last one (None at
        the end). An invalid cursor is InvalidInput."""


class UnitOfWork(Protocol):
    @property
    def inbox(self) -> InboxRepository: ...


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

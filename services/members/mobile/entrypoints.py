"""The RPCs of mobile members (流动党员) and lapse warnings (mixed into MembersService)."""

from __future__ import annotations

from typing import Any


class MobileEntrypoints:
    """Needs ``uow`` (the MembersStore) and ``caller`` from the service class."""

    uow: Any
    caller: Any

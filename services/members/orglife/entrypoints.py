"""The RPCs of meetings held: leave, closing with the attendance sheet and minutes, attendance rates rolled up the tree (mixed into MembersService)."""

from __future__ import annotations

from typing import Any


class OrgLifeEntrypoints:
    """Needs ``uow`` (the MembersStore) and ``caller`` from the service class."""

    uow: Any
    caller: Any

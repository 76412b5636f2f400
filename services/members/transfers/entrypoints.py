"""The RPCs of transfers between organizations (组织关系转接), within and between deployments (mixed into MembersService)."""

from __future__ import annotations

from typing import Any


class TransfersEntrypoints:
    """Needs ``uow`` (the MembersStore) and ``caller`` from the service class."""

    uow: Any
    caller: Any

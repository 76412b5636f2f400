"""The RPCs of the yearly plan of meetings per organization and what is due or missing (mixed into MembersService)."""

from __future__ import annotations

from typing import Any


class PlansEntrypoints:
    """Needs ``uow`` (the MembersStore) and ``caller`` from the service class."""

    uow: Any
    caller: Any

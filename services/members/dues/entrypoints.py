"""The RPCs of dues (党费): income declarations, the monthly run, the payments ledger, paid rates (mixed into MembersService)."""

from __future__ import annotations

from typing import Any


class DuesEntrypoints:
    """Needs ``uow`` (the MembersStore) and ``caller`` from the service class."""

    uow: Any
    caller: Any

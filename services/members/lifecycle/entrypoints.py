"""The lifecycle RPCs of the members service (mixed into MembersService)."""

from __future__ import annotations


class LifecycleEntrypoints:
    pass

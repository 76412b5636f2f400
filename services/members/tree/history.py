"""The history line of a created organization (create_org in services/members/handlers.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.infra.scope import Caller
from services.members.domain import Org
from services.members.tree.domain import history_entry


def record_created(uow: Any, caller: Caller, org: Org) -> None:
    """Keyed by the organization (a retried create writes it once); a unit of work without a
    history (the older unit tests' fakes) records none."""
    history = getattr(uow, "org_history", None)
    if history is not None:
        changes = {"name": [None, org.name], "kind": [None, org.kind], "path": [None, org.path]}
        at = datetime.now().astimezone()
        entry = history_entry(
            f"{org.org_id}:created", org.org_id, at, caller.as_context(), "created", changes
        )
        history.record(entry)

"""Residents' needs (微心愿 / 群众需求). Pure rules."""

from __future__ import annotations

NEED_CATEGORIES = ("elderly_care", "repair", "legal", "health", "education", "errand", "other")
NEED_STATUSES = ("open", "claimed", "in_progress", "done", "closed")


def ancestors(path: str) -> list[str]:
    """Every org path from the root down to ``path`` itself: '/a/b' -> ['/a', '/a/b']."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]

"""What a member is told, rendered through the translation layer. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.infra.i18n import _


@dataclass(frozen=True)
class Message:
    key: str  # unique per cause: a redelivered event renders the same key
    member_id: str
    kind: str
    title: str
    body: str


def points_awarded(event: dict[str, Any], locale: str | None = None) -> Message:
    item = _(f"item:{event['item']}", locale)
    category = _(f"category:{event['category']}", locale)
    if event["points"] > 0:
        body = _(
            "You earned {points} points ({category}) for {item}. Your total this year is {total}.",
            locale,
            points=event["points"],
            category=category,
            item=item,
            total=event["total_after"],
        )
    else:
        body = _(
            "Your {item} was recorded; the yearly cap for this item is reached, so no points were "
            "added. Your total this year is {total}.",
            locale,
            item=item,
            total=event["total_after"],
        )
    return Message(
        key=f"points_awarded:{event['event_id']}",
        member_id=event["member_id"],
        kind="points",
        title=_("Points card update", locale),
        body=body,
    )

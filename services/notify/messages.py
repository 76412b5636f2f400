"""What a member is told, rendered through the translation layer. Pure: no nameko, no pymongo.

The delivery rule: one message per cause and member (the message id is derived from the cause,
so a redelivered event renders the same id and is delivered once), addressed under the member's
organization at the time, which is what staff readers are checked against."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.infra.i18n import _
from services.notify import commands


@dataclass(frozen=True)
class Message:
    message_id: str  # unique per cause: a redelivered event renders the same id
    member_id: str
    org_path: str  # the member's organization when it was sent; staff readers must cover it
    kind: str
    title: str
    body: str
    at: datetime
    read: bool = False


def points_awarded(
    cause: commands.TellPointsAwarded, at: datetime, locale: str | None = None
) -> Message:
    item = _(f"item:{cause.item}", locale)
    category = _(f"category:{cause.category}", locale)
    if cause.points > 0:
        body = _(
            "You earned {points} points ({category}) for {item}. Your total this year is {total}.",
            locale,
            points=cause.points,
            category=category,
            item=item,
            total=cause.total_after,
        )
    else:
        body = _(
            "Your {item} was recorded; the yearly cap for this item is reached, so no points were "
            "added. Your total this year is {total}.",
            locale,
            item=item,
            total=cause.total_after,
        )
    return Message(
        message_id=f"points_awarded:{cause.event_id}",
        member_id=cause.member_id,
        org_path=cause.org_path,
        kind="points",
        title=_("Points card update", locale),
        body=body,
        at=at,
    )


# SMS templates: the parameters each needs. Texts are short (one SMS is 70 Chinese characters).
SMS_TEMPLATES: dict[str, frozenset[str]] = {
    "sign_in_code": frozenset({"code", "minutes"}),
}


def sms_body(template: str, params: dict[str, str], locale: str | None = None) -> str:
    if template == "sign_in_code":
        return _(
            "Your sign-in code is {code}, valid for {minutes} minutes. If you did not ask for "
            "it, ignore this message.",
            locale,
            **params,
        )
    raise ValueError(f"unknown SMS template {template!r}")

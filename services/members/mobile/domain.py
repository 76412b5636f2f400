"""The rules of mobile members (流动党员) and of lapse warnings. No nameko, no pymongo.

A mobile member keeps their organization (home) and takes part at a host organization while
away, at most ``max_months`` (configuration); the return ends the stay. A member with no
organizational life and no dues paid for ``rule_months`` consecutive months is treated as having
left (自行脱党): warnings are raised at each threshold, once per inactive streak (a streak is named
by its last active month), and the decision stays a person's (a status change).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from services.infra.errors import Conflict, InvalidInput
from services.infra.events import Event, new_event
from services.infra.i18n import _
from services.members.domain import IN_REGISTER, Member, MobileStay, Org


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months_between(earlier: str, later: str) -> int:
    """Whole months from month ``earlier`` to month ``later`` (YYYY-MM): 2026-06 -> 2026-12: 6."""
    ey, em = (int(p) for p in earlier.split("-"))
    ly, lm = (int(p) for p in later.split("-"))
    return (ly * 12 + lm) - (ey * 12 + em)


def month_back(month: str, n: int) -> str:
    year, mon = (int(p) for p in month.split("-"))
    index = year * 12 + mon - 1 - n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _payload(member: Member, stay: MobileStay) -> dict[str, object]:
    """Ids and dates only: never the place text or personal data."""
    return {
        "member_id": member.member_id,
        "home_org_id": member.org_id,
        "host_org_id": stay.host_org_id,
        "until": stay.until.isoformat(),
    }


def _require_host(member: Member, host: Org | None) -> None:
    if host is None:
        return
    if host.dissolved:
        raise Conflict(_("This organization is dissolved; choose a current one"))
    if host.org_id == member.org_id:
        raise InvalidInput(
            _("Some fields are missing or invalid"),
            fields={"host_org_id": [_("The host organization must differ from the member's own")]},
        )


def register_stay(
    member: Member,
    *,
    place: str,
    since: date,
    until: date,
    host: Org | None,
    max_months: int,
    region: str | None = None,
) -> tuple[Member, list[Event]]:
    """The member becomes mobile: away at ``place`` from ``since`` to ``until`` (at most
    ``max_months`` later), taking part at ``host``."""
    if member.status not in IN_REGISTER:
        raise Conflict(_("Only members in the register can be registered as mobile"))
    if member.mobile is not None:
        raise Conflict(_("The member is already registered as mobile"))
    if not place.strip():
        raise InvalidInput(
            _("Some fields are missing or invalid"),
            fields={"place": [_("Say where the member is")]},
        )
    if until <= since:
        raise InvalidInput(
            _("Some fields are missing or invalid"),
            fields={"until": [_("The end must come after the start")]},
        )
    if until > add_months(since, max_months):
        raise InvalidInput(
            _("Some fields are missing or invalid"),
            fields={"until": [_("A mobile stay lasts at most {months} months", months=max_months)]},
        )
    _require_host(member, host)
    stay = MobileStay(
        place=place.strip(),
        since=since,
        until=until,
        host_org_id=host.org_id if host else None,
        host_org_path=host.path if host else None,
        region=region,
    )
    return replace(member, mobile=stay), [
        new_event("mobile_member_registered", member.org_path, _payload(member, stay))
    ]


def change_host(member: Member, host: Org | None) -> tuple[Member, list[Event]]:
    """Another host organization (or none for now); the same one again changes nothing."""
    stay = _stay_of(member)
    if (host.org_id if host else None) == stay.host_org_id:
        return member, []
    _require_host(member, host)
    moved = replace(
        stay,
        host_org_id=host.org_id if host else None,
        host_org_path=host.path if host else None,
    )
    return replace(member, mobile=moved), [
        new_event("mobile_member_host_changed", member.org_path, _payload(member, moved))
    ]


def end_stay(member: Member) -> tuple[Member, list[Event]]:
    """The return (回归) ends the stay."""
    stay = _stay_of(member)
    return replace(member, mobile=None), [
        new_event("mobile_member_returned", member.org_path, _payload(member, stay))
    ]


def _stay_of(member: Member) -> MobileStay:
    if member.mobile is None:
        raise Conflict(_("The member is not registered as mobile"))
    return member.mobile


def is_overdue(stay: MobileStay, today: date) -> bool:
    return stay.until < today


def stay_overdue(member: Member) -> list[Event]:
    """The reminder that a stay passed its end without a return (once per stay)."""
    stay = _stay_of(member)
    return [new_event("mobile_stay_overdue", member.org_path, _payload(member, stay))]


# -- lapse warnings ------------------------------------------------------------------------


def thresholds_reached(last_active: str, month: str, thresholds: tuple[int, ...]) -> list[int]:
    """The thresholds (months) a member last active in ``last_active`` has reached by
    ``month``."""
    inactive = months_between(last_active, month)
    return [n for n in sorted(thresholds) if inactive >= n]


def lapse_warning(member: Member, last_active: str, month: str, threshold: int) -> Event:
    return new_event(
        "member_lapse_warning",
        member.org_path,
        {
            "member_id": member.member_id,
            "org_id": member.org_id,
            "months_inactive": months_between(last_active, month),
            "threshold": threshold,
            "last_active": last_active,
        },
    )

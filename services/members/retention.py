"""How long the members service keeps its sign-in records, and the purge that applies it (a
timer of the service, hourly). No nameko, no pymongo.

- Sign-in attempts (the staff's, and the phones' code requests and sign-ins) and the swipes
  refused at kiosks (a blocked card) are the audit: kept ``attempts_days`` (180), never less
  than the lockout window.
- Sessions (their refresh tokens are in them) once over: revoked, or past their 12 hours;
  a live session, and a kiosk's until it is revoked, is never over. Kept ``sessions_days`` (30).
- Kiosk pairing codes once expired (used or not), phones' code records and client addresses
  once last asked: kept ``codes_days`` (1), never less than the limits look back (a day for a
  number, the address window for an address).

The stores remove whole UTC days (services/infra/retention.py), so a record is kept up to a day
longer than this says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.members.accounts.ports import AccountSettings
from services.members.phone_sign_in.domain import DAY, MINUTE
from services.members.phone_sign_in.ports import PhoneSignInSettings, PhoneSignInUnitOfWork


@dataclass(frozen=True)
class Retention:
    attempts_days: float = 180
    sessions_days: float = 30
    codes_days: float = 1


def retention_settings(config: dict[str, Any]) -> Retention:
    """Read once at start-up (config.yml ``RETENTION``, each value with an environment override)."""
    c = config.get("RETENTION") or {}
    return Retention(
        attempts_days=float(c.get("attempts_days", 180)),
        sessions_days=float(c.get("sessions_days", 30)),
        codes_days=float(c.get("codes_days", 1)),
    )


def purge_old_records(
    uow: PhoneSignInUnitOfWork,
    retention: Retention,
    accounts: AccountSettings,
    phones: PhoneSignInSettings,
) -> dict[str, int]:
    """Remove what is older than its retention; how many of each were removed."""
    now = accounts.clock()

    def before(days: float, at_least_seconds: float = 0) -> datetime:
        return now - max(timedelta(days=days), timedelta(seconds=at_least_seconds))

    attempts = before(retention.attempts_days, accounts.lockout.minutes * MINUTE)
    window, _limit = phones.rules.address_window
    return {
        "sign_in_attempts": uow.attempts.purge(attempts),
        "member_sign_ins": uow.member_sign_ins.purge(attempts),
        "card_refusals": uow.cards.purge(attempts),
        "sessions": uow.sessions.purge(before(retention.sessions_days)),
        "pairing_codes": uow.pairing_codes.purge(before(retention.codes_days)),
        "phone_codes": uow.phone_codes.purge(before(retention.codes_days, DAY)),
        "code_addresses": uow.code_addresses.purge(before(retention.codes_days, window)),
    }

"""The purge of sign-in records past their retention (services/members/retention.py) over the
in-memory fakes: what is old goes, what must be kept stays (an attempt within the lockout
window, a live session, a code record a limit still counts). The stores remove whole UTC days,
and so do the fakes: a record goes once its day lies before the day of now minus the retention."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.infra.scope import Caller
from services.members.accounts.domain import Lockout, PairingCode, Session, SignInAttempt
from services.members.accounts.ports import AccountSettings
from services.members.lifecycle.domain import CardRefusal
from services.members.phone_sign_in import commands, signing_in
from services.members.phone_sign_in.domain import CodeRules, SignInRecord
from services.members.phone_sign_in.ports import PhoneSignInSettings
from services.members.retention import Retention, purge_old_records, retention_settings
from tests.unit.fakes_accounts import CheapHasher
from tests.unit.fakes_phone_sign_in import FakePhoneSignInUoW, Texts
from tests.unit.test_accounts_handlers import Clock

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
RETENTION = Retention(attempts_days=180, sessions_days=30, codes_days=1)
PHONE, STRANGER = "13800001234", "13900009999"


def clock_at(moment: datetime) -> Clock:
    clock = Clock()
    clock.now = moment
    return clock


@pytest.fixture
def clock():
    return clock_at(NOW)


@pytest.fixture
def uow():
    return FakePhoneSignInUoW()


def phones(clock) -> PhoneSignInSettings:
    return PhoneSignInSettings(
        keyed_hash=lambda value, field: f"hmac:{field}:{value}",
        rules=CodeRules(per_address=20, address_minutes=60),
        clock=clock,
    )


def purge(uow, clock, retention=RETENTION):
    accounts = AccountSettings(
        hasher=CheapHasher(),
        keyed_hash=lambda value, field: f"hmac:{field}:{value}",
        dummy_hash="-",
        lockout=Lockout(max_failures=5, minutes=15),
        clock=clock,
    )
    return purge_old_records(uow, retention, accounts, phones(clock))


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


def test_the_audit_of_attempts_is_kept_its_days_then_removed(uow, clock):
    for days in (0, 179, 180, 181, 400):
        uow.attempts.add(
            SignInAttempt(f"a{days}", "zhang", ago(days=days), "192.0.2.7", "ok", None, None)
        )
        uow.member_sign_ins.add(
            SignInRecord(f"r{days}", "sign_in", "138****1234", ago(days=days), None, "bad_code")
        )
        uow.cards.refuse(
            CardRefusal(f"C{days:07d}", "kiosk-1", ago(days=days), "mb-1", "/hj/b1", "m1")
        )
    purged = purge(uow, clock)
    assert purged["sign_in_attempts"] == purged["member_sign_ins"] == purged["card_refusals"] == 2
    assert sorted(uow.attempts.rows) == ["a0", "a179", "a180"]  # 180 days ago: that day stays
    assert sorted(uow.member_sign_ins.rows) == ["r0", "r179", "r180"]
    kept = sorted(r.card_uid for r in uow.cards.refusals.values())
    assert kept == ["C0000000", "C0000179", "C0000180"]


def test_an_attempt_within_the_lockout_window_stays_however_short_the_retention(uow):
    clock = clock_at(datetime(2026, 11, 23, 0, 10, tzinfo=UTC))  # just after midnight
    for attempt_id, minutes in [("within", 12), ("day-before", 24 * 60 + 12)]:
        at = clock.now - timedelta(minutes=minutes)
        uow.attempts.add(SignInAttempt(attempt_id, "zhang", at, None, "bad_password", None, None))
    purge(uow, clock, Retention(attempts_days=0))
    assert list(uow.attempts.rows) == ["within"]  # yesterday's, 12 minutes ago: still counts


def session(session_id, kind="staff", created=NOW, revoked=None):
    return Session(
        session_id=session_id,
        kind=kind,
        subject="ac-1",
        generation=1,
        active_index=0,
        refresh_hash=None if kind == "kiosk" else "hash-of-the-refresh-token",
        used_hashes=(),
        created_at=created,
        last_seen_at=created,
        expires_at=None if kind == "kiosk" else created + timedelta(hours=12),
        revoked_at=revoked,
        revoked_reason="signed_out" if revoked else None,
    )


def test_sessions_over_for_longer_than_their_days_go_with_their_refresh_tokens(uow, clock):
    sessions = [
        session("live", created=ago(hours=1)),
        session("expired-long-ago", created=ago(days=40)),
        session("expired-lately", created=ago(days=20)),
        session("signed-out-long-ago", created=ago(days=35), revoked=ago(days=35)),
        session("expired-then-signed-out", created=ago(days=40), revoked=ago(days=1)),
        session("kiosk", kind="kiosk", created=ago(days=400)),
        session(
            "kiosk-revoked-long-ago", kind="kiosk", created=ago(days=400), revoked=ago(days=31)
        ),
        session("kiosk-revoked-lately", kind="kiosk", created=ago(days=400), revoked=ago(days=10)),
    ]
    for s in sessions:
        uow.sessions.add(s)
    assert purge(uow, clock)["sessions"] == 3
    assert sorted(uow.sessions.rows) == [
        "expired-lately",
        "expired-then-signed-out",
        "kiosk",
        "kiosk-revoked-lately",
        "live",
    ]


def pairing_code(code_hash, expires, used=None):
    return PairingCode(
        code_hash,
        "s1",
        "/hj/s1",
        "党群服务中心",
        "op",
        expires - timedelta(minutes=15),
        expires,
        used,
    )


def test_pairing_codes_go_a_day_after_they_expired_used_or_not(uow, clock):
    for code in [
        pairing_code("live", NOW + timedelta(minutes=10)),
        pairing_code("expired-lately", ago(hours=1)),
        pairing_code("expired", ago(days=2)),
        pairing_code("used", ago(days=3), used=ago(days=3, minutes=10)),
    ]:
        uow.pairing_codes.put(code)
    assert purge(uow, clock)["pairing_codes"] == 2
    assert sorted(uow.pairing_codes.rows) == ["expired-lately", "live"]


def ask(uow, clock, phone, ip="198.51.100.4"):
    cmd = commands.RequestCode(phone, uuid.uuid4().hex)
    caller = Caller("anonymous", "anonymous", "none", ip=ip)
    signing_in.request_code(cmd, uow, caller, phones(clock), Texts())


def test_numbers_and_addresses_are_forgotten_a_day_after_they_last_asked(uow, clock):
    ask(uow, clock, PHONE, ip="198.51.100.4")
    clock.now = NOW + timedelta(hours=23)
    ask(uow, clock, STRANGER, ip="198.51.100.5")
    clock.now = NOW + timedelta(days=1, hours=23, minutes=30)
    purged = purge(uow, clock)
    assert (purged["phone_codes"], purged["code_addresses"]) == (1, 1)
    assert list(uow.phone_codes.rows) == ["hmac:phone:" + STRANGER]
    assert list(uow.code_addresses.rows) == ["hmac:client_address:198.51.100.5"]


def test_what_the_limits_still_count_stays_however_short_the_retention(uow):
    clock = clock_at(datetime(2026, 11, 21, 12, 0, tzinfo=UTC))
    ask(uow, clock, PHONE, ip="198.51.100.5")
    clock.now = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    ask(uow, clock, STRANGER)  # yesterday, 40 minutes before the purge: both limits count it
    clock.now = datetime(2026, 11, 23, 0, 10, tzinfo=UTC)
    purged = purge(uow, clock, Retention(codes_days=0))
    assert purged["phone_codes"] == purged["code_addresses"] == 1
    assert list(uow.phone_codes.rows) == ["hmac:phone:" + STRANGER]
    assert list(uow.code_addresses.rows) == ["hmac:client_address:198.51.100.4"]


def test_retention_is_configured_with_defaults():
    assert retention_settings({}) == Retention(attempts_days=180, sessions_days=30, codes_days=1)
    configured = {"RETENTION": {"attempts_days": 365, "sessions_days": 7, "codes_days": 2}}
    assert retention_settings(configured) == Retention(365, 7, 2)

"""The purge of sign-in records past their retention against the real embedded store (or the
MongoDB server of MONGO_URI): old records go, fresh ones and live sessions stay, records stored
before ``purge_day`` existed are given theirs, and once a collection has been purged a run looks
days up by ``purge_day`` only (no scan); and the members service's timer runs it."""

import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.infra.config import data_dir
from services.infra.retention import PURGE_DAY
from services.infra.storage import close_all, ensure_indexes, open_database
from services.members.accounts.domain import Lockout, PairingCode, Session, SignInAttempt
from services.members.accounts.ports import AccountSettings
from services.members.lifecycle.domain import CardRefusal
from services.members.phone_sign_in.domain import AddressRequests, PhoneCodes, SignInRecord
from services.members.phone_sign_in.ports import PhoneSignInSettings
from services.members.retention import Retention, purge_old_records
from services.members.service import MembersService
from services.members.store import MembersStore
from tests.conftest import wait_for
from tests.unit.fakes_accounts import CheapHasher

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    db = open_database("members", os.environ.get("MONGO_URI"), tmp_path)
    db.client.drop_database(db.name)
    ensure_indexes(db, MembersStore.INDEXES)
    yield MembersStore(db)
    close_all()


def purge(store, now):
    clock = lambda: now  # noqa: E731
    accounts = AccountSettings(
        hasher=CheapHasher(), keyed_hash=str, dummy_hash="-", lockout=Lockout(), clock=clock
    )
    phones = PhoneSignInSettings(keyed_hash=str, clock=clock)
    return purge_old_records(store, Retention(), accounts, phones)


def ago(**delta):
    return NOW - timedelta(**delta)


def session(session_id, created, kind="staff", revoked=None):
    staff = kind == "staff"
    return Session(
        session_id,
        kind,
        "ac-1",
        1,
        0,
        "refresh-hash" if staff else None,
        ("used-hash",) if staff else (),
        created,
        created,
        created + timedelta(hours=12) if staff else None,
        revoked,
        "signed_out" if revoked else None,
    )


def fill(store):
    for attempt_id, at in [("old", ago(days=200)), ("fresh", ago(days=1))]:
        store.attempts.add(SignInAttempt(attempt_id, "zhang", at, "192.0.2.7", "ok", None, None))
        store.member_sign_ins.add(
            SignInRecord(attempt_id, "sign_in", "138****1234", at, None, "ok")
        )
        store.cards.refuse(CardRefusal(attempt_id.upper(), "k1", at, "mb-1", "/s1", "m1"))
    store.db.sign_in_attempts.insert_one(  # stored by a version before purge_day
        {"_id": "legacy", "username": "li", "at": "2026-01-02T03:04:05.000000Z", "outcome": "ok"}
    )
    for s in [
        session("expired", ago(days=40)),
        session("signed-out", ago(days=35), revoked=ago(days=35)),
        session("live", ago(hours=1)),
        session("kiosk", ago(days=400), kind="kiosk"),
        session("kiosk-revoked", ago(days=400), kind="kiosk", revoked=ago(days=31)),
    ]:
        store.sessions.add(s)
    for code_hash, expires in [("expired", ago(days=2)), ("live", NOW + timedelta(minutes=10))]:
        created = expires - timedelta(minutes=15)
        store.pairing_codes.put(PairingCode(code_hash, "s1", "/s1", "中心", "op", created, expires))
    for key, at in [("old", ago(days=3)), ("fresh", ago(minutes=5))]:
        store.phone_codes.save(PhoneCodes(key, (at,), "r-" + key))
        store.code_addresses.save(AddressRequests(key, (at,), "r-" + key))


def ids(collection):
    return sorted(doc["_id"] for doc in collection.find({}, {"_id": 1}))


def test_a_purge_removes_old_records_and_keeps_fresh_ones_and_live_sessions(store):
    fill(store)
    purged = purge(store, NOW)
    assert purged == {
        "sign_in_attempts": 2,  # the legacy one too
        "member_sign_ins": 1,
        "card_refusals": 1,
        "sessions": 3,
        "pairing_codes": 1,
        "phone_codes": 1,
        "code_addresses": 1,
    }
    db = store.db
    assert ids(db.sign_in_attempts) == ids(db.member_sign_ins) == ["fresh"]
    assert [doc["card_uid"] for doc in db.card_refusals.find()] == ["FRESH"]
    assert ids(db.sessions) == ["kiosk", "live"]
    assert store.sessions.get("live") == replace(session("live", ago(hours=1)), version=1)
    assert ids(db.pairing_codes) == ["live"]
    assert ids(db.phone_codes) == ids(db.code_addresses) == ["fresh"]
    assert purge(store, NOW) == dict.fromkeys(purged, 0)  # nothing more: the same day again


class Recording:
    """A collection that records the filters it is asked to find by."""

    def __init__(self, collection):
        self.collection, self.filters = collection, []

    def __getattr__(self, name):
        return getattr(self.collection, name)

    def find(self, query, *args, **kwargs):
        self.filters.append(query)
        return self.collection.find(query, *args, **kwargs)


def test_later_runs_look_days_up_by_their_index_only(store):
    fill(store)
    purge(store, NOW)
    recording = store.attempts.c = Recording(store.attempts.c)
    assert purge(store, NOW + timedelta(days=200))["sign_in_attempts"] == 1  # the fresh one
    assert recording.filters and all(set(f) == {PURGE_DAY} for f in recording.filters)
    assert len(recording.filters) == 200  # one lookup per day since the last run
    assert ids(store.db.sign_in_attempts) == []
    assert store.sessions.get("kiosk") is not None  # a kiosk's live session, 600 days on


def test_the_members_service_purges_when_it_starts_and_hourly(runner_factory, make_config):
    config = make_config("members")
    db = open_database("members", config["MONGO_URI"], data_dir(config))
    now = datetime.now(UTC)
    for attempt_id, at in [("old", now - timedelta(days=200)), ("new", now)]:
        MembersStore(db).attempts.add(
            SignInAttempt(attempt_id, "zhang", at, None, "ok", None, None)
        )
    runner_factory(config, MembersService).start()
    wait_for(lambda: ids(db.sign_in_attempts) == ["new"])

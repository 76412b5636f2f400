"""Mobile members' and lapse warnings' repositories on the embedded store (litemongo), as the
handlers use them: the home's list by stay end across pages and the overdue, the host's list,
a warning stored once per threshold and streak with its events in the same document, the
current warnings of a subtree longest inactive first, and the activity backfill done once."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import litemongo
import pytest

from services.infra.pii import PiiCipher
from services.infra.scope import Caller
from services.infra.storage import ensure_indexes
from services.members import commands, handlers
from services.members.activity import backfill
from services.members.idcard import make_id_number
from services.members.mobile import commands as mobile_commands
from services.members.mobile.lapse import list_lapse_warnings, raise_lapse_warnings
from services.members.mobile.ports import MobileSettings
from services.members.mobile.stays import list_mobile, register_mobile, remind_overdue
from services.members.store import MembersStore

OPERATOR = Caller("op", "county_operator", "/hj")
TODAY = date(2026, 11, 23)
CHINA = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def uow(tmp_path):
    client = litemongo.connect(str(tmp_path))
    ensure_indexes(client["members"], MembersStore.INDEXES)
    store = MembersStore(client["members"])
    for org_id, parent in [("hj", None), ("s1", "hj"), ("b1", "s1"), ("b2", "s1"), ("b3", "hj")]:
        handlers.create_org(commands.CreateOrg(org_id, org_id, "branch", parent), store, OPERATOR)
    yield store
    client.close()


def settings(today: date = TODAY) -> MobileSettings:
    moment = datetime(today.year, today.month, today.day, 2, tzinfo=UTC)
    return MobileSettings(clock=lambda: moment, timezone=CHINA)


def members(uow, n, org_id="b1"):
    key = base64.b64decode(base64.b64encode(b"k" * 32))
    member_settings = handlers.Settings(cipher=PiiCipher(key, b"h" * 32))
    birth = date(1980, 5, 6)
    found = []
    for i in range(n):
        cmd = commands.RegisterMember(
            org_id=org_id,
            name=f"党员{i:03d}",
            gender="female",
            birth_date=birth,
            id_number=make_id_number("410108", birth, i + 1, "female"),
            phone=f"139{i:08d}",
            join_date=date(2005, 7, 1),
        )
        found.append(handlers.register_member(cmd, uow, OPERATOR, member_settings)[0])
    return found


def test_the_homes_and_the_hosts_lists(uow):
    people = members(uow, 5)
    for i, member in enumerate(people):
        since = TODAY - timedelta(days=100)
        until = TODAY + timedelta(days=10 * (i - 2))  # two already past their end
        cmd = mobile_commands.RegisterMobile(member.member_id, "深圳", since, until, "b3")
        register_mobile(cmd, uow, OPERATOR, settings())
    seen, cursor = [], None
    while True:
        page, cursor = list_mobile(
            mobile_commands.ListMobile("s1", cursor=cursor, limit=2), uow, OPERATOR, settings()
        )
        seen += [m.member_id for m in page]
        if cursor is None:
            break
    assert seen == [m.member_id for m in people]  # soonest end first
    overdue, _ = list_mobile(
        mobile_commands.ListMobile("b1", overdue=True), uow, OPERATOR, settings()
    )
    assert [m.member_id for m in overdue] == [m.member_id for m in people[:2]]
    hosted, _ = list_mobile(
        mobile_commands.ListMobile("b3", hosted=True), uow, OPERATOR, settings()
    )
    assert len(hosted) == 5 and all(m.mobile.host_org_id == "b3" for m in hosted)
    assert list_mobile(mobile_commands.ListMobile("b2"), uow, OPERATOR, settings())[0] == []
    outbox = uow.db.members.find_one({"_id": people[0].member_id})["_outbox"]
    assert any("mobile_member_registered" in str(e) for e in outbox)


def test_lapse_warnings_once_per_threshold_and_streak_listed_longest_first(uow):
    a, b = members(uow, 2)
    uow.db.member_activity.update_one({"_id": a.member_id}, {"$set": {"last_active": "2026-06"}})
    uow.db.member_activity.update_one({"_id": b.member_id}, {"$set": {"last_active": "2026-08"}})
    assert raise_lapse_warnings(uow, settings()) == 2  # a: 5 months, b: 3 months
    assert raise_lapse_warnings(uow, settings()) == 0
    doc = uow.db.lapse_warnings.find_one({"_id": f"{a.member_id}|2026-06"})
    assert doc["thresholds"] == [5] and len(doc["_outbox"]) == 1
    assert raise_lapse_warnings(uow, settings(date(2027, 1, 5))) == 1  # b: 5 months now
    doc = uow.db.lapse_warnings.find_one({"_id": f"{b.member_id}|2026-08"})
    assert sorted(doc["thresholds"]) == [3, 5] and doc["threshold"] == 5
    found, _ = list_lapse_warnings(
        mobile_commands.ListLapseWarnings("s1"), uow, OPERATOR, settings(date(2027, 1, 5))
    )
    assert [(w.member.member_id, w.months_inactive) for w in found] == [
        (a.member_id, 7),
        (b.member_id, 5),
    ]
    assert found[0].rule_reached and not found[1].rule_reached


def test_the_backfill_gives_every_member_a_record_once(uow):
    people = members(uow, 3)
    uow.db.member_activity.delete_many({})
    uow.db.member_activity.insert_one({"_id": people[0].member_id, "last_active": "2026-01"})
    now = datetime(2026, 11, 30, 20, tzinfo=UTC)  # December in China
    assert backfill(uow.db, CHINA, now) == 3
    rows = {d["_id"]: d["last_active"] for d in uow.db.member_activity.find()}
    assert rows == {
        people[0].member_id: "2026-01",  # kept
        people[1].member_id: "2026-12",
        people[2].member_id: "2026-12",
    }
    assert backfill(uow.db, CHINA, now) == 0  # once per database


def test_an_overdue_stay_is_reminded_once_with_its_event_on_the_member(uow):
    (member,) = members(uow, 1)
    since, until = TODAY - timedelta(days=60), TODAY - timedelta(days=1)
    cmd = mobile_commands.RegisterMobile(member.member_id, "深圳", since, until, "b3")
    register_mobile(cmd, uow, OPERATOR, settings())
    assert remind_overdue(uow, settings()) == 1
    assert remind_overdue(uow, settings()) == 0
    doc = uow.db.members.find_one({"_id": member.member_id})
    assert sum("mobile_stay_overdue" in str(e) for e in doc["_outbox"]) == 1

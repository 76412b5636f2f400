"""The meetings-held records over the embedded store (MembersStore): leave kept once per member
and meeting and listed as pending only while pending, the meeting closed once with its event in
the same document, the sheet, the rates claimed and rolled up once, minutes and photos."""

from __future__ import annotations

import base64
from datetime import date, timedelta

import pytest

from services.infra.outbox import OUTBOX
from services.infra.pii import PiiCipher
from services.infra.scope import Caller
from services.infra.storage import close_all, ensure_indexes, open_database
from services.members import commands, handlers
from services.members.idcard import make_id_number
from services.members.orglife import closing, leave
from services.members.orglife import commands as ol
from services.members.store import MembersStore
from tests.unit.fakes_orglife import NOW, Clock, orglife_settings

OPERATOR = Caller("op", "county_operator", "/hj")
KIOSK = Caller("k1", "kiosk", "/hj", device="k1")
STARTS = NOW + timedelta(hours=1)
JPEG = b"\xff\xd8\xff\xe0" + b"7" * 50


@pytest.fixture
def world(tmp_path):
    db = open_database("members", None, tmp_path)
    ensure_indexes(db, MembersStore.INDEXES)
    uow = MembersStore(db)
    clock = Clock(NOW)
    key = base64.b64decode(base64.b64encode(b"k" * 32))
    msettings = handlers.Settings(cipher=PiiCipher(key, b"h" * 32), clock=clock)
    for org_id, parent in [("hj", None), ("s1", "hj"), ("b1", "s1")]:
        handlers.create_org(commands.CreateOrg(org_id, org_id, "branch", parent), uow, OPERATOR)
    ids = []
    for seq in range(1, 5):
        born = date(1980, 5, seq)
        cmd = commands.RegisterMember(
            "b1", f"党员{seq}", "male", born, make_id_number("410108", born, seq, "male"),
            "13800001234", date(2005, 7, 1), card_uid=f"A{seq:07d}",
        )  # fmt: skip
        ids.append(handlers.register_member(cmd, uow, OPERATOR, msettings)[0].member_id)
    handlers.enroll_kiosk(commands.EnrollKiosk("k1", "b1", "活动室"), uow, OPERATOR)
    meeting = commands.ScheduleMeeting("b1", "theme_day", "主题党日", STARTS, meeting_id="mt1")
    handlers.schedule_meeting(meeting, uow, OPERATOR, msettings)
    yield uow, db, clock, msettings, ids
    close_all()


def test_leave_closing_rates_and_minutes_on_the_store(world):
    uow, db, clock, msettings, ids = world
    settings = orglife_settings(clock)
    for member_id in ids[:2]:
        cmd = ol.RequestLeave("mt1", member_id, "出差")
        assert leave.request_leave(cmd, uow, OPERATOR, settings)[1]
        assert not leave.request_leave(cmd, uow, OPERATOR, settings)[1]
    assert len(leave.list_pending_leave(ol.ListPendingLeave(), uow, OPERATOR)[0]) == 2
    leave.decide_leave(ol.DecideLeave("mt1", ids[0], True), uow, OPERATOR, settings)
    leave.decide_leave(ol.DecideLeave("mt1", ids[1], False, "重要"), uow, OPERATOR, settings)
    assert leave.list_pending_leave(ol.ListPendingLeave("s1"), uow, OPERATOR)[0] == []
    assert db.leave_requests.count_documents({"pending_under": {"$exists": True}}) == 0

    clock.now = STARTS
    handlers.check_in(commands.CheckIn("A0000003", "mt1"), uow, KIOSK, msettings)
    clock.now = STARTS + timedelta(minutes=30)
    closed, created = closing.close_meeting(ol.CloseMeeting("mt1"), uow, OPERATOR, settings)
    assert created and (closed.expected, closed.present, closed.excused, closed.absent) == (
        4,
        1,
        1,
        2,
    )
    stored = db.meetings.find_one({"_id": "mt1"})
    assert [e["type"] for e in stored[OUTBOX]] == ["meeting_closed"]
    again, created_again = closing.close_meeting(ol.CloseMeeting("mt1"), uow, OPERATOR, settings)
    assert again == closed and not created_again
    assert len(db.meetings.find_one({"_id": "mt1"})[OUTBOX]) == 1
    rates = uow.orglife.rates(["hj", "s1", "b1"], ["2026-11"])
    assert {k[0]: (v.meetings, v.expected, v.present) for k, v in rates.items()} == {
        "hj": (1, 4, 1),
        "s1": (1, 4, 1),
        "b1": (1, 4, 1),
    }
    assert uow.activity.of([ids[2]])[ids[2]]["org_life"] == "2026-11"
    _, rows, cursor = closing.get_sheet(ol.GetSheet("mt1", limit=3), uow, OPERATOR)
    _, more, _ = closing.get_sheet(ol.GetSheet("mt1", cursor=cursor, limit=3), uow, OPERATOR)
    assert sorted(r["outcome"] for r in rows + more) == ["absent", "absent", "excused", "present"]

    minutes = closing.put_minutes(
        ol.PutMinutes("mt1", "主题", "内容", [JPEG]), uow, OPERATOR, settings
    )
    _photo, content = closing.read_photo(
        ol.ReadPhoto("mt1", minutes.photos[0].photo_id), uow, OPERATOR, settings
    )
    assert content == JPEG and closing.get_minutes("mt1", uow, OPERATOR) == minutes
    stored_photo = db.meeting_photos.find_one({"_id": minutes.photos[0].photo_id})
    assert base64.b64encode(JPEG).decode() not in str(stored_photo)  # encrypted at rest

"""A subtree of 500 organizations moved on the embedded store (litemongo): with members,
meetings (one inviting into the subtree from outside), a kiosk, an account and its sign-in
attempts scoped inside. Afterwards every path, every index-served look-up and every counter
is checked; a move cut short after some batches (a crash) and resumed by a fresh unit of work
gives the same result."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, timedelta

import litemongo
import pytest

from services.infra.errors import Stale
from services.infra.pii import PiiCipher
from services.infra.scope import Caller
from services.infra.storage import ensure_indexes
from services.members import commands, handlers
from services.members.accounts.domain import Account, Assignment, SignInAttempt
from services.members.idcard import make_id_number
from services.members.phone_sign_in.domain import SignInRecord
from services.members.store import MembersStore
from services.members.tree import commands as tree_commands
from services.members.tree import moving

OPERATOR = Caller("op", "county_operator", "/hj")
NOW = datetime.now(UTC)
BRANCHES = 20
GROUPS = 23  # per branch
GRIDS = 19
SUBTREE = 1 + GRIDS + BRANCHES + BRANCHES * GROUPS  # 500 organizations
OLD, NEW = "/hj/s1/c1", "/hj/s2/c1"


@pytest.fixture
def settings():
    key = base64.b64decode(base64.b64encode(b"k" * 32))
    return handlers.Settings(cipher=PiiCipher(key, b"h" * 32))


@pytest.fixture
def db(tmp_path):
    client = litemongo.connect(str(tmp_path))
    ensure_indexes(client["members"], MembersStore.INDEXES)
    yield client["members"]
    client.close()


def create(uow, org_id, parent, kind="branch", tags=()):
    cmd = commands.CreateOrg(org_id, org_id, kind, parent, list(tags))
    handlers.create_org(cmd, uow, OPERATOR)


def person(n, org_id, status="full"):
    birth = date(1980, 5, 6)
    return commands.RegisterMember(
        org_id=org_id,
        name=f"党员{n:04d}",
        gender="female",
        birth_date=birth,
        id_number=make_id_number("410108", birth, n, "female"),
        phone=f"139{n:08d}",
        join_date=date(2005, 7, 1),
        status=status,
    )


def county(db, settings):
    """hj → s1 → c1 (the 500 to move: grids, branches, groups), s2 → b9 (outside)."""
    uow = MembersStore(db)
    for org_id, parent, kind, tags in [
        ("hj", None, "committee", ()),
        ("s1", "hj", "working_committee", ()),
        ("s2", "hj", "working_committee", ()),
        ("b9", "s2", "branch", ()),
        ("c1", "s1", "general_branch", ("community",)),
    ]:
        create(uow, org_id, parent, kind, tags)
    for g in range(GRIDS):
        create(uow, f"c1-g{g:02d}", "c1", "grid", ("grid",))
    for b in range(BRANCHES):
        create(uow, f"c1-b{b:02d}", "c1")
        for k in range(GROUPS):
            create(uow, f"c1-b{b:02d}-k{k:02d}", f"c1-b{b:02d}", "group")
    people = [
        person(n, f"c1-b{n % BRANCHES:02d}", "probationary" if n % 3 == 0 else "full")
        for n in range(1, 61)
    ] + [person(99, "b9")]
    handlers.register_members(people, uow, OPERATOR, settings)
    hosted = {"place": "郑州", "since": "2026-01-01", "until": "2026-06-30"}  # mobile/: b9's member
    db.members.update_one(
        {"name": "党员0099"},
        {
            "$set": {
                "mobile": {**hosted, "host_org_id": "c1-b02", "host_org_path": f"{OLD}/c1-b02"},
                "mobile_host_ancestors": ["/hj", "/hj/s1", OLD, f"{OLD}/c1-b02"],
            }
        },
    )
    for meeting_id, org_id, invited in [("m1", "c1-b00", ["c1-b01"]), ("m9", "b9", ["c1-b02"])]:
        cmd = commands.ScheduleMeeting(
            org_id, "theme_day", "主题党日", NOW, meeting_id=meeting_id, invited_org_ids=invited
        )
        handlers.schedule_meeting(cmd, uow, OPERATOR, settings)
    # orglife/: a pending leave for m1, and m1's attendance sheet row of a c1-b00 member
    b00 = f"{OLD}/c1-b00"
    db.leave_requests.insert_one(
        {"_id": "m1:mb-a", "meeting_id": "m1", "meeting_org_path": b00, "member_org_path": b00}
        | {"pending_under": ["/hj", "/hj/s1", OLD, b00]}
    )
    db.attendance_sheets.insert_one(
        {"_id": "m1:mb-a", "meeting_id": "m1", "member_id": "mb-a", "member_org_path": b00}
        | {"member_ancestors": ["/hj", "/hj/s1", OLD, b00], "outcome": "absent"}
    )
    db.dues_charges.insert_one(  # dues/: an undeclared charge of a c1-b00 member
        {"_id": "mb-a|2026-11", "member_id": "mb-a", "org_id": "c1-b00", "org_path": b00}
        | {"ancestors": ["/hj", "/hj/s1", OLD, b00], "month": "2026-11", "undeclared": True}
    )
    enroll = commands.EnrollKiosk("kiosk-c1", "c1", "党群服务中心")
    handlers.enroll_kiosk(enroll, uow, OPERATOR)
    account = Account.open(
        username="sec-b00",
        display_name="书记",
        roles=[Assignment("branch_secretary", "c1-b00", f"{OLD}/c1-b00")],
        member_id=None,
        password_hash="x",
        now=NOW,
    )
    uow.accounts.add(account)
    uow.member_sign_ins.add(
        SignInRecord(
            "ps-1", "sign_in", "138****0001", NOW, "10.0.0.2", "ok", "mb-x", f"{OLD}/c1-b03"
        )
    )
    for n in range(3):
        uow.attempts.add(
            SignInAttempt(
                f"at-{n}", "sec-b00", NOW, "10.0.0.1", "ok", account.account_id, f"{OLD}/c1-b00"
            )
        )
    return uow, account


def node_counts(uow, org_id):
    c = uow.orgs.get(org_id).counts
    return (c.children, c.orgs_below, c.own_members, c.members, dict(c.by_status))


def check_moved(uow, account):
    """Every path, index-served look-up and counter after the move."""
    db = uow.db
    assert db.orgs.count_documents({"ancestors": OLD}) == 0
    moved = list(db.orgs.find({"ancestors": NEW}))
    assert len(moved) == SUBTREE
    assert all(
        d["path"].startswith(NEW) and d["ancestors"][:3] == ["/hj", "/hj/s2", NEW] for d in moved
    )
    assert all(d["depth"] == d["path"].count("/") for d in moved)
    assert uow.orgs.get("c1").parent_id == "s2"
    assert uow.orgs.by_path(f"{NEW}/c1-b07/c1-b07-k03").org_id == "c1-b07-k03"
    children, _ = uow.orgs.children("c1", None, 200)
    assert len(children) == GRIDS + BRANCHES
    # members: by org, by subtree (ancestors), by name in the subtree
    assert db.members.count_documents({"ancestors": OLD}) == 0
    listed, _ = uow.members.listed(uow.orgs.get("c1"), True, None, None, 200)
    assert len(listed) == 60 and all(m.org_path.startswith(NEW + "/") for m in listed)
    found, _ = uow.members.listed(uow.orgs.get("s2"), True, "党员0001", None, 10)
    assert [m.org_path for m in found] == [f"{NEW}/c1-b01"]
    # meetings: by org path, by invitation, a kiosk's meetings of today (window_keys)
    m1 = uow.meetings.get("m1")
    assert (m1.org_path, m1.invited_org_paths) == (f"{NEW}/c1-b00", (f"{NEW}/c1-b01",))
    assert uow.meetings.get("m9").invited_org_paths == (f"{NEW}/c1-b02",)
    listed_meetings, _ = uow.meetings.of_org(f"{NEW}/c1-b00", None, None, True, None, 10)
    assert [m.meeting_id for m in listed_meetings] == ["m1"]
    window = uow.meetings.open_for_sign_in(
        NEW, NOW - timedelta(hours=1), NOW + timedelta(hours=1), 10
    )
    assert [m.meeting_id for m in window] == ["m1"]
    assert (
        uow.meetings.open_for_sign_in(OLD, NOW - timedelta(hours=1), NOW + timedelta(hours=1), 10)
        == []
    )
    # the kiosk, the account's role and its sign-in attempts
    assert uow.kiosks.get("kiosk-c1").org_path == NEW
    kiosks, _ = uow.kiosks.under(NEW, None, 10)
    assert [k.device_id for k in kiosks] == ["kiosk-c1"]
    stored = uow.accounts.get(account.account_id)
    assert [r.scope for r in stored.roles] == [f"{NEW}/c1-b00"]
    assert [a.account_id for a in uow.accounts.under(NEW, None, 10)[0]] == [account.account_id]
    assert len(uow.attempts.under(f"{NEW}/c1-b00", False, None, 10)[0]) == 3
    assert uow.attempts.under(OLD, False, None, 10)[0] == []
    assert uow.member_sign_ins.get("ps-1").org_path == f"{NEW}/c1-b03"
    assert db.member_sign_ins.find_one({"ancestors": NEW})["_id"] == "ps-1"
    # a mobile member from outside taking part at a moved branch follows it (mobile/)
    hosted = db.members.find_one({"name": "党员0099"})
    assert hosted["mobile"]["host_org_path"] == f"{NEW}/c1-b02"
    assert db.members.find_one({"mobile_host_ancestors": NEW})["_id"] == hosted["_id"]
    assert db.members.find_one({"mobile_host_ancestors": OLD}) is None
    # the pending leave stays on the approvals page of the new path; the sheet row follows
    leave = db.leave_requests.find_one({"_id": "m1:mb-a"})
    assert leave["meeting_org_path"] == f"{NEW}/c1-b00" and NEW in leave["pending_under"]
    assert OLD not in leave["pending_under"]
    row = db.attendance_sheets.find_one({"_id": "m1:mb-a"})
    assert row["member_org_path"] == f"{NEW}/c1-b00" and NEW in row["member_ancestors"]
    charge = db.dues_charges.find_one({"_id": "mb-a|2026-11"})
    assert charge["org_path"] == f"{NEW}/c1-b00" and NEW in charge["ancestors"]
    # counters: the subtree's own unchanged, the old and new ancestors moved by its totals
    by_status = {"full": 40, "probationary": 20}
    assert node_counts(uow, "c1") == (GRIDS + BRANCHES, SUBTREE - 1, 0, 60, by_status)
    assert node_counts(uow, "s1") == (0, 0, 0, 0, {})
    assert node_counts(uow, "s2") == (2, SUBTREE + 1, 0, 61, {"full": 41, "probationary": 20})
    assert node_counts(uow, "hj") == (2, SUBTREE + 3, 0, 61, {"full": 41, "probationary": 20})
    # the event, once, with the moved root's document
    [doc] = list(db.orgs.find({"_id": "c1"}))
    moved_events = [e for e in doc.get("_outbox", []) if "org_moved" in str(e)]
    assert len(moved_events) == 1


def test_a_subtree_of_500_organizations_moves_with_everything_keyed_by_path(db, settings):
    uow, account = county(db, settings)
    read_before = (
        uow.orgs.get("c1-b05"),
        uow.members.listed(uow.orgs.get("c1-b05"), False, None, None, 1)[0][0],
    )
    job = moving.move_org(tree_commands.MoveOrg("c1", "s2"), uow, OPERATOR, budget=120)
    assert job.state == "done", job
    with pytest.raises(Stale):  # a save from what was read before the move writes no old path
        uow.orgs.save(read_before[0], [])
    with pytest.raises(Stale):
        uow.members.save(read_before[1], [])
    assert job.progress["orgs"] == SUBTREE - 1 and job.progress["members"] == 60
    check_moved(uow, account)
    again = moving.move_org(tree_commands.MoveOrg("c1", "s2"), uow, OPERATOR)
    assert again.move_id == job.move_id  # a retried request: the same job, nothing more done
    check_moved(uow, account)


def test_a_move_cut_short_by_a_crash_is_resumed_to_the_same_result(db, settings):
    uow, account = county(db, settings)
    db.orgs.update_many({"_id": {"$in": ["c1-b03", "c1-b03-k01"]}}, {"$unset": {"ancestors": ""}})
    # (two organizations as stored before they carried ancestors: the first move fills them in)
    job = moving.move_org(tree_commands.MoveOrg("c1", "s2"), uow, OPERATOR, budget=0)
    job = moving.run_move(job, uow, stop_after=4)  # root, counters, two batches of orgs
    assert (job.state, job.phase) == ("running", "orgs")
    assert db.orgs.count_documents({"ancestors": OLD}) > 0  # half-moved
    restarted = MembersStore(db)  # a new process takes the unfinished job up
    assert moving.resume_moves(restarted, budget=120) == 1
    assert restarted.org_moves.get(job.move_id).state == "done"
    check_moved(restarted, account)
    assert moving.resume_moves(restarted) == 0

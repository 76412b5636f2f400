"""Every rule of the organization register over in-memory fakes: create checks, update with
versions, moves (with a crash midway), merges, dissolutions, temporary branches, history."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from services.infra.errors import Conflict, Forbidden, InvalidInput, NotFound, Stale
from services.infra.pii import PiiCipher
from services.infra.scope import Caller
from services.members import commands, handlers
from services.members.domain import Grid, Kiosk
from services.members.idcard import make_id_number
from services.members.tree import commands as tree_commands
from services.members.tree import managing, moving
from tests.unit.fakes_tree import FakeTreeUoW

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
OPERATOR = Caller("op", "county_operator", "/hj")
STREET1 = Caller("s1-admin", "org_admin", "/hj/s1")
SECRETARY = Caller("sec", "branch_secretary", "/hj/s1/c1/b1")
FUTURE = date.today() + timedelta(days=90)
TREE = [  # org_id, parent, kind, tags
    ("hj", None, "committee", []),
    ("s1", "hj", "working_committee", []),
    ("s2", "hj", "working_committee", []),
    ("c1", "s1", "general_branch", ["community"]),
    ("b1", "c1", "branch", []),
    ("b2", "c1", "branch", []),
    ("g1", "c1", "grid", ["grid"]),
    ("c2", "s2", "general_branch", ["village"]),
    ("b3", "c2", "branch", []),
    ("f1", "s2", "branch", ["two_new"]),
]


@pytest.fixture
def settings():
    key = base64.b64decode(base64.b64encode(b"k" * 32))
    return handlers.Settings(cipher=PiiCipher(key, b"h" * 32), clock=lambda: NOW)


@pytest.fixture
def uow():
    uow = FakeTreeUoW()
    for org_id, parent, kind, tags in TREE:
        create(uow, org_id, parent, kind, tags)
    return uow


def create(uow, org_id, parent, kind="branch", tags=(), ends_on=None, caller=OPERATOR):
    cmd = commands.CreateOrg(org_id, org_id, kind, parent, list(tags), ends_on)
    return handlers.create_org(cmd, uow, caller)[0]


_seq = iter(range(1, 10_000))


def register(uow, settings, org_id, status="full"):
    birth = date(1980, 5, 6)
    n = next(_seq)
    cmd = commands.RegisterMember(
        org_id=org_id,
        name=f"党员{n:04d}",
        gender="male",
        birth_date=birth,
        id_number=make_id_number("410108", birth, n, "male"),
        phone=f"138{n:08d}",
        join_date=date(2005, 7, 1),
        status=status,
    )
    return handlers.register_member(cmd, uow, OPERATOR, settings)[0]


def counts(uow, org_id):
    c = uow.orgs.get(org_id).counts
    return (c.children, c.orgs_below, c.own_members, c.members, dict(c.by_status))


# -- create ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("org_id", "parent", "kind", "tags", "ends_on", "error", "field"),
    [
        ("x1", "b1", "branch", ["castle"], None, InvalidInput, "tags"),
        ("x2", "f1", "grid", ["grid"], None, InvalidInput, "parent_id"),  # a firm has no grids
        ("x3", "g1", "branch", [], None, InvalidInput, "parent_id"),  # under a grid: grids only
        ("x4", "b1", "branch", ["temporary"], None, InvalidInput, "ends_on"),
        ("x5", "b1", "branch", ["action"], date(2020, 1, 1), InvalidInput, "ends_on"),
        ("x6", "b1", "branch", [], FUTURE, InvalidInput, "ends_on"),
        ("x7", None, "grid", [], None, InvalidInput, "parent_id"),
        ("x8", "b1", "group", ["grid"], None, InvalidInput, "tags"),
    ],
)
def test_bad_new_orgs_are_refused_field_by_field(
    uow, org_id, parent, kind, tags, ends_on, error, field
):
    with pytest.raises(error) as refused:
        create(
            uow,
            org_id,
            parent,
            kind,
            tags,
            ends_on,
            OPERATOR if parent else Caller("o", "county_operator", "/"),
        )
    assert field in refused.value.details["fields"]
    assert uow.orgs.get(org_id) is None  # nothing stored


def test_a_group_takes_no_sub_organizations(uow):
    create(uow, "gr1", "b1", "group")
    with pytest.raises(InvalidInput):
        create(uow, "gr2", "gr1", "group")


def test_grids_lie_under_communities_villages_and_larger_grids(uow):
    assert create(uow, "g2", "c2", "grid", ["grid"]).path == "/hj/s2/c2/g2"
    assert create(uow, "g1a", "g1", "grid", ["grid"]).path == "/hj/s1/c1/g1/g1a"


def test_a_temporary_branch_is_created_with_its_end_date_and_history(uow):
    org = create(uow, "t1", "c1", "branch", ["temporary"], FUTURE)
    assert org.ends_on == FUTURE
    [entry] = uow.org_history.of_org("t1", None, 10)[0]
    assert (entry["action"], entry["actor"]) == (
        "created",
        {"subject": "op", "role": "county_operator"},
    )


def test_a_retried_create_writes_one_history_line(uow):
    create(uow, "b9", "c1")
    create(uow, "b9", "c1")
    assert len(uow.org_history.of_org("b9", None, 10)[0]) == 1


# -- update ------------------------------------------------------------------------------------


def update(uow, org_id, caller=OPERATOR, **fields):
    version = fields.pop("version", uow.orgs.get(org_id).version)
    return managing.update_org(tree_commands.UpdateOrg(org_id, version, **fields), uow, caller)


def test_a_rename_and_tags_raise_org_changed_with_the_fields_and_history(uow):
    saved = update(uow, "b1", name="第一党支部", tags=["building"])
    assert (saved.name, saved.tags, saved.version) == ("第一党支部", ("building",), 1)
    [event] = [e for e in uow.orgs.events if e["type"] == "org_changed"]
    assert event["payload"]["changed"] == ["name", "tags"]
    entry = uow.org_history.of_org("b1", None, 10)[0][0]
    assert entry["changes"] == {"name": ["b1", "第一党支部"], "tags": [[], ["building"]]}


def test_an_update_from_a_stale_version_is_refused_and_changes_nothing(uow):
    update(uow, "b1", name="一支部")
    with pytest.raises(Conflict) as refused:
        update(uow, "b1", version=0, name="二支部")
    assert refused.value.details["version"] == 1
    assert uow.orgs.get("b1").name == "一支部"


def test_a_repeated_update_answers_the_same(uow):
    first = update(uow, "b1", version=0, name="一支部")
    again = update(uow, "b1", version=0, name="一支部")
    assert again == first
    assert len([e for e in uow.orgs.events if e["type"] == "org_changed"]) == 1


def test_grid_details_name_members_of_the_callers_area(uow, settings):
    leader = register(uow, settings, "b1")
    worker = register(uow, settings, "b2")
    saved = update(uow, "g1", grid=Grid(leader.member_id, (worker.member_id,), 320))
    assert saved.grid == Grid(leader.member_id, (worker.member_id,), 320)
    outsider = register(uow, settings, "b3")
    with pytest.raises(InvalidInput):
        update(uow, "g1", STREET1, grid=Grid(outsider.member_id, (), 1))
    with pytest.raises(InvalidInput):
        update(uow, "g1", grid=Grid("mb-nobody", (), 1))
    with pytest.raises(InvalidInput):
        update(uow, "b1", grid=Grid(None, (), 5))  # a branch has no grid


def test_updates_are_for_staff_within_scope(uow):
    with pytest.raises(Forbidden):
        update(uow, "b1", SECRETARY, name="x")
    with pytest.raises(Forbidden):
        update(uow, "b3", STREET1, name="x")


def test_an_end_date_may_be_moved_on_or_cleared_with_the_tag(uow):
    create(uow, "t1", "c1", "branch", ["temporary"], FUTURE)
    later = FUTURE + timedelta(days=30)
    assert update(uow, "t1", ends_on=later).ends_on == later
    with pytest.raises(InvalidInput):
        update(uow, "t1", clear_ends_on=True)  # still temporary
    assert update(uow, "t1", tags=[], clear_ends_on=True).ends_on is None


# -- move --------------------------------------------------------------------------------------


def move(uow, org_id, parent, caller=OPERATOR, **kw):
    return moving.move_org(tree_commands.MoveOrg(org_id, parent), uow, caller, **kw)


def populated(uow, settings):
    """Members in c1's branches, a meeting of b1 inviting b2, a kiosk of c1, one temp member."""
    for org_id, status in [("b1", "full"), ("b1", "probationary"), ("b2", "full"), ("b3", "full")]:
        register(uow, settings, org_id, status)
    handlers.schedule_meeting(
        commands.ScheduleMeeting(
            "b1", "theme_day", "主题党日", NOW, meeting_id="m1", invited_org_ids=["b2"]
        ),
        uow,
        OPERATOR,
        settings,
    )
    uow.kiosks.add(Kiosk("k1", "c1", "/hj/s1/c1", "党群服务中心"))


def test_a_subtree_moves_with_everything_keyed_by_path_and_the_counters(uow, settings):
    populated(uow, settings)
    before_c1 = counts(uow, "c1")
    job = move(uow, "c1", "s2")
    assert (job.state, job.from_path, job.to_path) == ("done", "/hj/s1/c1", "/hj/s2/c1")
    assert {o: uow.orgs.get(o).path for o in ("c1", "b1", "b2", "g1")} == {
        "c1": "/hj/s2/c1",
        "b1": "/hj/s2/c1/b1",
        "b2": "/hj/s2/c1/b2",
        "g1": "/hj/s2/c1/g1",
    }
    assert uow.orgs.get("c1").parent_id == "s2"
    assert {m.org_path for m in uow.members.rows.values() if m.org_id in ("b1", "b2")} == {
        "/hj/s2/c1/b1",
        "/hj/s2/c1/b2",
    }
    meeting = uow.meetings.get("m1")
    assert (meeting.org_path, meeting.invited_org_paths) == ("/hj/s2/c1/b1", ("/hj/s2/c1/b2",))
    assert uow.kiosks.get("k1").org_path == "/hj/s2/c1"
    assert ("/hj/s1/c1/b1", "/hj/s2/c1/b1") in uow.paths.scopes
    assert counts(uow, "c1") == before_c1  # the subtree's own counters are unchanged
    assert counts(uow, "s1") == (0, 0, 0, 0, {})
    assert counts(uow, "s2") == (3, 7, 0, 4, {"full": 3, "probationary": 1})
    assert counts(uow, "hj")[1:] == (9, 0, 4, {"full": 3, "probationary": 1})
    [event] = [e for e in uow.orgs.events if e["type"] == "org_moved"]
    assert event["payload"]["from_path"] == "/hj/s1/c1"
    assert event["payload"]["org_path"] == "/hj/s2/c1"
    [entry] = [e for e in uow.org_history.of_org("c1", None, 10)[0] if e["action"] == "moved"]
    assert entry["changes"]["path"] == ["/hj/s1/c1", "/hj/s2/c1"]


def test_a_retried_move_returns_the_same_job(uow):
    first = move(uow, "b1", "b2")
    again = move(uow, "b1", "b2")
    assert again.move_id == first.move_id
    assert len([e for e in uow.orgs.events if e["type"] == "org_moved"]) == 1
    assert uow.orgs.get("b2").counts.children == 1


def test_a_move_cut_short_is_resumed_to_the_same_result(uow, settings):
    populated(uow, settings)
    job = move(uow, "c1", "s2", budget=0)  # recorded, nothing done yet (the request ran out)
    assert (job.state, job.phase) == ("running", "root")
    job = moving.run_move(job, uow, stop_after=3)  # then a crash after three steps
    assert job.state == "running"
    with pytest.raises(Conflict):  # another move touching the subtree waits for it
        move(uow, "b1", "s1")
    assert moving.resume_moves(uow) == 1
    assert uow.org_moves.get(job.move_id).state == "done"
    assert uow.orgs.get("b2").path == "/hj/s2/c1/b2"
    assert counts(uow, "s2") == (3, 7, 0, 4, {"full": 3, "probationary": 1})
    assert counts(uow, "s1") == (0, 0, 0, 0, {})
    assert len([e for e in uow.orgs.events if e["type"] == "org_moved"]) == 1


@pytest.mark.parametrize(
    ("org_id", "parent", "error"),
    [
        ("c1", "b1", InvalidInput),  # into its own subtree
        ("c1", "c1", InvalidInput),
        ("b1", "c1", InvalidInput),  # already there
        ("b1", "g1", InvalidInput),  # a branch under a grid
        ("b1", "nope", NotFound),
    ],
)
def test_bad_moves_are_refused_and_change_nothing(uow, org_id, parent, error):
    with pytest.raises(error):
        move(uow, org_id, parent)
    assert uow.org_moves.rows == {}
    assert uow.orgs.get("b1").path == "/hj/s1/c1/b1"


def test_nothing_moves_under_a_dissolved_org_nor_outside_the_callers_area(uow):
    create(uow, "b8", "c2")
    managing.dissolve_org(tree_commands.DissolveOrg("b8", "撤销"), uow, OPERATOR)
    with pytest.raises(Conflict):
        move(uow, "b1", "b8")
    with pytest.raises(Forbidden):
        move(uow, "b1", "c2", STREET1)
    with pytest.raises(Forbidden):
        move(uow, "b1", "c1", SECRETARY)


def test_a_move_job_is_read_within_scope(uow):
    job = move(uow, "b1", "b2")
    assert moving.get_move(job.move_id, uow, STREET1).state == "done"
    with pytest.raises(Forbidden):
        moving.get_move(job.move_id, uow, Caller("x", "org_admin", "/hj/s2"))
    with pytest.raises(NotFound):
        moving.get_move("mv-nope", uow, OPERATOR)


# -- merge -------------------------------------------------------------------------------------


def merge(uow, org_id, into, caller=OPERATOR):
    return managing.merge_org(tree_commands.MergeOrg(org_id, into, "合并"), uow, caller)


def test_a_merge_moves_the_members_and_marks_the_branch(uow, settings):
    for status in ("full", "probationary"):
        register(uow, settings, "b2", status)
    register(uow, settings, "b1")
    target = merge(uow, "b2", "b1")
    assert target.org_id == "b1"
    assert counts(uow, "b1")[2:] == (3, 3, {"full": 2, "probationary": 1})
    assert counts(uow, "b2")[2:] == (0, 0, {})
    assert counts(uow, "c1")[3] == 3
    merged = uow.orgs.get("b2")
    assert (merged.merged_into, merged.dissolved) == ("b1", True)
    assert all(
        m.org_id == "b1" for m in uow.members.rows.values() if m.org_path.startswith("/hj/s1")
    )
    [event] = [e for e in uow.orgs.events if e["type"] == "org_merged"]
    assert event["payload"]["members"] == 2
    assert merge(uow, "b2", "b1").org_id == "b1"  # a repeat answers the same
    assert counts(uow, "b1")[2:] == (3, 3, {"full": 2, "probationary": 1})


@pytest.mark.parametrize(
    ("org_id", "into", "error"),
    [("c1", "b1", InvalidInput), ("b1", "b1", InvalidInput), ("b1", "g1", InvalidInput)],
)
def test_only_branches_merge_into_other_branches(uow, org_id, into, error):
    with pytest.raises(error):
        merge(uow, org_id, into)


def test_a_branch_with_sub_organizations_is_not_merged(uow):
    create(uow, "gr1", "b2", "group")
    with pytest.raises(Conflict):
        merge(uow, "b2", "b1")
    assert not uow.orgs.get("b2").dissolved


# -- dissolve and temporary branches -----------------------------------------------------------


def dissolve(uow, org_id, caller=OPERATOR):
    return managing.dissolve_org(tree_commands.DissolveOrg(org_id, "任务完成"), uow, caller)


def test_an_empty_org_is_dissolved_and_kept(uow):
    org = dissolve(uow, "b2")
    assert org.dissolved and uow.orgs.get("b2") is not None
    assert dissolve(uow, "b2").dissolved  # a repeat answers the same
    assert len([e for e in uow.orgs.events if e["type"] == "org_dissolved"]) == 1
    with pytest.raises(Conflict):  # a dissolved org takes no new sub-organizations
        create(uow, "gr9", "b2", "group")
    with pytest.raises(Conflict):
        update(uow, "b2", name="x")


def test_an_org_with_members_or_live_sub_organizations_is_not_dissolved(uow, settings):
    register(uow, settings, "b1")
    with pytest.raises(Conflict):
        dissolve(uow, "b1")
    with pytest.raises(Conflict):
        dissolve(uow, "c2")  # b3 is live
    dissolve(uow, "b3")
    assert dissolve(uow, "c2").dissolved  # only dissolved ones under it now


def temporary(uow, org_id, member_ids, action="place"):
    cmd = tree_commands.PlaceTemporaryMembers(org_id, member_ids, "防汛")
    if action == "place":
        return managing.place_temporary_members(cmd, uow, OPERATOR)
    return managing.return_temporary_members(cmd, uow, OPERATOR)


def test_members_placed_in_a_temporary_branch_return_home_when_it_is_dissolved(uow, settings):
    create(uow, "t1", "c1", "branch", ["temporary"], FUTURE)
    a = register(uow, settings, "b1")
    b = register(uow, settings, "b2", "probationary")
    assert temporary(uow, "t1", [a.member_id, b.member_id]) == {"placed": 2}
    assert temporary(uow, "t1", [a.member_id, b.member_id]) == {"placed": 2}  # a repeat
    placed = uow.members.get(a.member_id)
    assert (placed.org_id, placed.home_org_id, placed.home_org_path) == ("t1", "b1", "/hj/s1/c1/b1")
    assert counts(uow, "t1")[2:] == (2, 2, {"full": 1, "probationary": 1})
    assert counts(uow, "b1")[2:] == (0, 0, {})
    assert counts(uow, "c1")[3] == 2
    org = dissolve(uow, "t1")
    assert org.dissolved
    back = uow.members.get(b.member_id)
    assert (back.org_id, back.org_path, back.home_org_id) == ("b2", "/hj/s1/c1/b2", None)
    assert counts(uow, "t1")[2:] == (0, 0, {})
    assert counts(uow, "b2")[2:] == (1, 1, {"probationary": 1})
    actions = [e["action"] for e in uow.org_history.of_org("t1", None, 10)[0]]
    assert set(actions) == {"created", "members_placed", "dissolved"}


def test_members_return_from_a_temporary_branch_before_it_ends(uow, settings):
    create(uow, "t1", "c1", "branch", ["action"], FUTURE)
    a = register(uow, settings, "b1")
    temporary(uow, "t1", [a.member_id])
    assert temporary(uow, "t1", [a.member_id], "return") == {"returned": 1}
    assert uow.members.get(a.member_id).org_id == "b1"
    assert counts(uow, "b1")[2:] == (1, 1, {"full": 1})


def test_only_temporary_branches_take_placed_members_of_the_callers_area(uow, settings):
    a = register(uow, settings, "b3")
    create(uow, "t1", "c1", "branch", ["temporary"], FUTURE)
    with pytest.raises(InvalidInput):
        temporary(uow, "b2", [a.member_id])
    cmd = tree_commands.PlaceTemporaryMembers("t1", [a.member_id], "x")
    with pytest.raises(NotFound):
        managing.place_temporary_members(cmd, uow, STREET1)
    with pytest.raises(NotFound):
        temporary(uow, "t1", ["mb-nobody"])


# -- history -----------------------------------------------------------------------------------


def test_history_is_paged_newest_first_for_staff(uow):
    for n in range(3):
        update(uow, "b1", name=f"名称{n}")
    first, cursor = managing.org_history(tree_commands.ListOrgHistory("b1", None, 2), uow, OPERATOR)
    rest, end = managing.org_history(tree_commands.ListOrgHistory("b1", cursor, 2), uow, OPERATOR)
    assert [e["change_id"] for e in first] == ["b1:v3", "b1:v2"]
    assert [e["change_id"] for e in rest] == ["b1:v1", "b1:created"]
    assert end is None
    with pytest.raises(Forbidden):
        managing.org_history(tree_commands.ListOrgHistory("b1", None, 2), uow, SECRETARY)


def test_a_step_that_meets_a_changed_document_is_taken_again(uow, monkeypatch):
    calls = []
    rewrite = uow.paths.rewrite_keyed

    def changed_once(old, new):
        calls.append(old)
        if len(calls) == 1:
            raise Stale("ac-1")  # an account saved meanwhile
        return rewrite(old, new)

    monkeypatch.setattr(uow.paths, "rewrite_keyed", changed_once)
    job = move(uow, "b1", "b2")
    assert job.state == "done"
    assert calls.count("/hj/s1/c1/b1") == 2


def test_a_member_changed_meanwhile_is_moved_from_where_they_are_now(uow, settings):
    a = register(uow, settings, "b2")
    b = register(uow, settings, "b2")
    stale_read = uow.members.listed
    uow.members.save(replace(uow.members.get(a.member_id), duties=("委员",)), [])  # a: v1

    def old_pages(org, subtree, prefix, cursor, limit):
        found, cursor = stale_read(org, subtree, prefix, cursor, limit)
        return [replace(m, version=0) for m in found], cursor  # as read before the change

    uow.members.listed = old_pages
    merge(uow, "b2", "b1")
    moved = uow.members.get(a.member_id)
    assert (moved.org_id, moved.duties) == ("b1", ("委员",))
    assert uow.members.get(b.member_id).org_id == "b1"
    assert counts(uow, "b1")[2:] == (2, 2, {"full": 2})
    assert counts(uow, "b2")[2:] == (0, 0, {})


def test_a_dissolved_org_takes_no_new_members_nor_meetings(uow, settings):
    dissolve(uow, "b2")
    with pytest.raises(Conflict):
        register(uow, settings, "b2")
    meeting = commands.ScheduleMeeting("b2", "theme_day", "主题党日", NOW, meeting_id="m-b2")
    with pytest.raises(Conflict):
        handlers.schedule_meeting(meeting, uow, OPERATOR, settings)
    assert counts(uow, "b2")[2:] == (0, 0, {}) and uow.meetings.get("m-b2") is None

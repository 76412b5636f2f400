"""The plans' handlers over the in-memory fakes: an organization's plan from its meetings, the
counters raised by scheduling, a subtree's gaps page by page, scope and roles."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import UTC, date, datetime

import litemongo
import pytest

from services.infra.errors import Forbidden, InvalidInput
from services.infra.pii import PiiCipher
from services.infra.schemas import load
from services.infra.scope import Caller, ancestors
from services.infra.storage import ensure_indexes
from services.members import commands, handlers
from services.members.plans import commands as plan_commands
from services.members.plans import counters, planning, schemas
from services.members.plans.entrypoints import plans_settings
from services.members.plans.ports import PlansSettings
from services.members.store import MembersStore
from tests.unit.fakes import FakeMembersUoW

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in China
OPERATOR = Caller("op", "county_operator", "/hj")
STREET1 = Caller("s1", "org_admin", "/hj/s1")
SECRETARY1 = Caller("sec", "branch_secretary", "/hj/s1/b1")
GRID = Caller("g", "grid_worker", "/hj/s1")
MEMBER = Caller("m", "member", "/hj/s1/b1")
CONFIG = {
    "PLANS": {
        "rules": [
            {"kind": "general_meeting", "every": "quarter", "org_kinds": ["branch"]},
            {"kind": "committee_meeting", "every": "month", "org_kinds": ["branch"]},
            {"kind": "group_meeting", "every": "month", "org_kinds": ["group"]},
            {"kind": "lecture", "every": "year", "count": 2, "org_kinds": ["branch"]},
            {"kind": "theme_day", "every": "month", "org_kinds": ["branch"]},
        ],
        "theme_day": {"weekday": "friday", "nth": 2},
        "warn_days": 14,
        "gap_scan_pages": 3,
    }
}


@pytest.fixture
def settings() -> PlansSettings:
    return replace(plans_settings(CONFIG), clock=lambda: NOW)


@pytest.fixture
def member_settings():
    key = base64.b64decode(base64.b64encode(b"k" * 32))
    return handlers.Settings(cipher=PiiCipher(key, b"h" * 32), clock=lambda: NOW)


@pytest.fixture(params=["fake", "store"])
def uow(request, tmp_path):
    """Every test over the in-memory fakes and over the store on the embedded engine."""
    client = None
    if request.param == "fake":
        uow = FakeMembersUoW()
    else:
        client = litemongo.connect(str(tmp_path))
        ensure_indexes(client["members"], MembersStore.INDEXES)
        uow = MembersStore(client["members"])
    for org_id, parent, kind in [
        ("hj", None, "committee"),
        ("s1", "hj", "working_committee"),
        ("s2", "hj", "working_committee"),
        ("b1", "s1", "branch"),
        ("b2", "s1", "branch"),
        ("g1", "b1", "group"),
        ("b3", "s2", "branch"),
    ]:
        handlers.create_org(
            commands.CreateOrg(org_id, org_id, kind, parent_id=parent), uow, OPERATOR
        )
    yield uow
    if client is not None:
        client.close()


def move(uow, org_id, path):
    """The organization's path changed (as a subtree move leaves it), counters untouched."""
    if isinstance(uow, FakeMembersUoW):
        uow.orgs.rows[org_id] = replace(uow.orgs.rows[org_id], path=path)
    else:
        fields = {"path": path, "ancestors": ancestors(path)}
        uow.db.orgs.update_one({"_id": org_id}, {"$set": fields})


def schedule(uow, member_settings, meeting_id, kind, starts_at, org_id="b1"):
    cmd = commands.ScheduleMeeting(
        org_id=org_id, kind=kind, title="会议", starts_at=starts_at, meeting_id=meeting_id
    )
    return handlers.schedule_meeting(cmd, uow, OPERATOR, member_settings)


def entries(plan):
    return {(e.kind, e.key): e for e in plan.entries}


def test_the_plan_counts_the_organizations_own_meetings_of_the_year(uow, settings, member_settings):
    schedule(uow, member_settings, "m1", "committee_meeting", datetime(2026, 10, 5, 1, tzinfo=UTC))
    schedule(uow, member_settings, "m2", "general_meeting", datetime(2026, 11, 3, 1, tzinfo=UTC))
    # 31 Oct 18:00 UTC is 1 Nov in China: November's committee meeting
    schedule(
        uow, member_settings, "m3", "committee_meeting", datetime(2026, 10, 31, 18, tzinfo=UTC)
    )
    schedule(uow, member_settings, "m4", "committee_meeting", NOW, org_id="b2")  # another org
    plan = planning.get_plan(plan_commands.GetPlan("b1", 2026), uow, SECRETARY1, settings)
    by = entries(plan)
    assert by[("committee_meeting", "2026-10")].state == "done"
    assert by[("committee_meeting", "2026-11")].held == 1
    assert by[("committee_meeting", "2026-09")].state == "missing"
    assert by[("committee_meeting", "2026-12")].state == "upcoming"
    assert by[("general_meeting", "2026-Q4")].state == "done"
    assert by[("lecture", "2026")].state == "due"
    assert ("theme_day", "2026-11") in {(w.kind, w.key) for w in plan.warnings}
    assert plan.theme_days[10] == date(2026, 11, 13)
    assert plan.today == date(2026, 11, 20)


def test_the_plan_of_this_year_by_default_and_for_a_group(uow, settings):
    plan = planning.get_plan(plan_commands.GetPlan("g1"), uow, STREET1, settings)
    assert plan.year == 2026
    assert {e.kind for e in plan.entries} == {"group_meeting"}
    committee = planning.get_plan(plan_commands.GetPlan("s1"), uow, STREET1, settings)
    assert committee.entries == [] and committee.warnings == []


def test_the_plan_is_read_within_scope_by_staff_only(uow, settings):
    with pytest.raises(Forbidden):
        planning.get_plan(plan_commands.GetPlan("b3"), uow, STREET1, settings)
    with pytest.raises(Forbidden):
        planning.get_plan(plan_commands.GetPlan("b1"), uow, MEMBER, settings)
    assert planning.get_plan(plan_commands.GetPlan("b1"), uow, GRID, settings).org_id == "b1"


def test_scheduling_raises_the_counters_once(uow, member_settings):
    starts = datetime(2026, 11, 3, 1, tzinfo=UTC)
    schedule(uow, member_settings, "m1", "theme_day", starts)
    schedule(uow, member_settings, "m1", "theme_day", starts)  # a retried request
    assert uow.plan_counts.of(["b1"], 2026) == {"b1": {"11": {"theme_day": 1}}}


def test_gaps_list_the_subtrees_organizations_missing_required_meetings(
    uow, settings, member_settings
):
    for i, kind in enumerate(["committee_meeting", "theme_day", "lecture", "lecture"]):
        schedule(uow, member_settings, f"m{i}", kind, datetime(2026, 11, 2 + i, 1, tzinfo=UTC))
    schedule(uow, member_settings, "q4", "general_meeting", datetime(2026, 10, 9, 1, tzinfo=UTC))
    page = planning.list_plan_gaps(plan_commands.ListPlanGaps("s1"), uow, STREET1, settings)
    assert page.period == "2026-11"
    assert [row.org.org_id for row in page.items] == ["b2", "g1"]  # b1 is done
    b2 = {(g.kind, g.state) for g in page.items[0].gaps}
    assert ("general_meeting", "due") in b2 and ("committee_meeting", "due") in b2
    october = plan_commands.ListPlanGaps("s1", period="2026-10")
    past = planning.list_plan_gaps(october, uow, STREET1, settings)
    b1 = next(row for row in past.items if row.org.org_id == "b1")
    assert {(g.kind, g.state) for g in b1.gaps} == {
        ("committee_meeting", "missing"),
        ("theme_day", "missing"),
    }


def test_gaps_come_page_by_page_and_stay_in_scope(uow, settings):
    first = planning.list_plan_gaps(
        plan_commands.ListPlanGaps("hj", limit=2), uow, OPERATOR, settings
    )
    assert [row.org.org_id for row in first.items] == ["b1", "b2"]
    rest = planning.list_plan_gaps(
        plan_commands.ListPlanGaps("hj", cursor=first.next_cursor, limit=2),
        uow,
        OPERATOR,
        settings,
    )
    assert [row.org.org_id for row in rest.items] == ["b3", "g1"]
    assert rest.next_cursor is None
    with pytest.raises(Forbidden):
        planning.list_plan_gaps(plan_commands.ListPlanGaps("s2"), uow, STREET1, settings)


def test_a_moved_branch_keeps_its_counts(uow, settings, member_settings):
    schedule(uow, member_settings, "m1", "committee_meeting", NOW, org_id="b2")
    move(uow, "b2", "/hj/s2/b2")  # counters are keyed by the organization's id
    page = planning.list_plan_gaps(plan_commands.ListPlanGaps("s2"), uow, OPERATOR, settings)
    b2 = next(row for row in page.items if row.org.org_id == "b2")
    assert "committee_meeting" not in {g.kind for g in b2.gaps}


def test_bad_input_is_refused_in_chinese():
    with pytest.raises(InvalidInput) as refused:
        load(schemas.ListPlanGaps, {"org_id": "b1", "period": "2026-13"})
    assert "period" in refused.value.details["fields"]
    with pytest.raises(InvalidInput):
        load(schemas.GetPlan, {"org_id": "b1", "year": 1900})
    with pytest.raises(InvalidInput):
        load(schemas.GetPlan, {"org_id": "b1", "extra": 1})


def test_the_counts_are_rebuilt_from_the_meetings_once(uow, member_settings):
    if isinstance(uow, FakeMembersUoW):
        pytest.skip("the rebuild reads the store's documents")
    schedule(uow, member_settings, "m1", "theme_day", datetime(2026, 10, 31, 18, tzinfo=UTC))
    schedule(uow, member_settings, "m2", "lecture", NOW, org_id="b2")
    counted = uow.plan_counts.of(["b1", "b2"], 2026)
    uow.db.plan_counts.delete_many({})
    zone = member_settings.timezone
    assert counters.upgrade(uow.db, zone) is True
    assert uow.plan_counts.of(["b1", "b2"], 2026) == counted
    assert counted["b1"] == {"11": {"theme_day": 1}}
    assert counters.upgrade(uow.db, zone) is False  # once per database

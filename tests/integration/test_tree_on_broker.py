"""The organization register through nameko on the real broker and the embedded store: the
RPCs' contract (a stale version's Conflict, the move job, the history), and scoring and notify
rewriting their copies of the paths when org_moved arrives."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ClusterRpcProxy

from services.infra.storage import open_database
from services.members.service import MembersService
from services.members.store import MembersStore
from services.members.tree.domain import MoveJob
from services.notify.service import NotifyService
from services.scoring.service import ScoringService
from services.volunteer.service import VolunteerService
from tests.conftest import caller, wait_for
from tests.integration.test_checkin_flow import KIOSK, seed

OLD, NEW = "/hj/hj-b1", "/hj/hj-s2/hj-b1"


@pytest.fixture
def system(runner_factory, make_config):
    config = make_config("scoring")
    runner_factory(config, MembersService, ScoringService, NotifyService, VolunteerService).start()
    with (
        ClusterRpcProxy(config, timeout=20, context_data=caller("county_operator", "/hj")) as op,
        ClusterRpcProxy(config, timeout=10, context_data=KIOSK) as kiosk,
        ClusterRpcProxy(config, timeout=10, context_data=caller("branch_secretary", OLD)) as sec,
    ):
        yield op, kiosk, sec, config


def db_of(service, config):
    return open_database(service, config["MONGO_URI"], Path(config["DATA_DIR"]))


def test_a_move_reaches_scoring_notify_and_volunteer_copies_of_the_path(system):
    op, kiosk, _sec, config = system
    member, _meeting = seed(op)
    op.members.create_org(
        {"org_id": "hj-b1-g1", "parent_id": "hj-b1", "name": "一网格", "kind": "grid"}
    )
    need = {"title": "代买药品", "category": "errand", "resident_name": "王大爷"}
    recorded = op.volunteer.record_need({**need, "grid_path": OLD + "/hj-b1-g1"})
    kiosk.members.check_in({"card_uid": "A1B2C3D4", "meeting_id": "m1"})
    scoring, notify = db_of("scoring", config), db_of("notify", config)
    wait_for(lambda: scoring.ledger.find_one({"member_id": member["member_id"]}), timeout=20)
    wait_for(lambda: notify.inbox.find_one({"member_id": member["member_id"]}), timeout=20)
    op.members.create_org(
        {"org_id": "hj-s2", "parent_id": "hj", "name": "二街道", "kind": "working_committee"}
    )
    job = op.members.move_org({"org_id": "hj-b1", "new_parent_id": "hj-s2"})
    assert (job["state"], job["to_path"]) == ("done", NEW)
    assert op.members.get_org_move(job["move_id"])["state"] == "done"
    assert op.members.get_member(member["member_id"])["org_path"] == NEW

    def moved(db, collection):
        return db[collection].count_documents({"org_path": NEW}) and not db[
            collection
        ].count_documents({"org_path": OLD})

    wait_for(lambda: moved(scoring, "ledger") and moved(scoring, "totals"), timeout=20)
    wait_for(lambda: moved(notify, "inbox"), timeout=20)

    def needs_under(scope):
        return op.volunteer.list_needs({"scope": scope})["items"]

    wait_for(lambda: needs_under(NEW), timeout=20)
    [need_moved] = needs_under(NEW)
    assert (need_moved["need_id"], need_moved["grid_path"]) == (
        recorded["need_id"],
        NEW + "/hj-b1-g1",
    )
    assert needs_under(OLD) == []
    node = op.members.get_org_node("hj-s2")
    assert (node["counts"]["members"], node["by_status"]) == (1, {"full": 1})
    again = op.members.move_org({"org_id": "hj-b1", "new_parent_id": "hj-s2"})
    assert again["move_id"] == job["move_id"]


def test_versions_history_and_refusals_over_rpc(system):
    op, _kiosk, sec, _config = system
    seed(op)
    node = op.members.get_org_node("hj-b1")
    changed = op.members.update_org(
        {"org_id": "hj-b1", "version": node["version"], "name": "一支部"}
    )
    assert (changed["name"], changed["version"]) == ("一支部", node["version"] + 1)
    with pytest.raises(RemoteError) as stale:
        op.members.update_org({"org_id": "hj-b1", "version": node["version"], "name": "二支部"})
    assert stale.value.exc_type == "Conflict"
    with pytest.raises(RemoteError) as refused:
        sec.members.update_org({"org_id": "hj-b1", "version": changed["version"], "name": "x"})
    assert refused.value.exc_type == "Forbidden"
    with pytest.raises(RemoteError) as bad:
        op.members.create_org(
            {
                "org_id": "hj-t1",
                "parent_id": "hj",
                "name": "临时支部",
                "kind": "branch",
                "tags": ["temporary"],
            }
        )
    assert bad.value.exc_type == "InvalidInput" and "ends_on" in bad.value.value
    history = op.members.list_org_history({"org_id": "hj-b1", "limit": 10})
    assert [e["action"] for e in history["items"]] == ["changed", "created"]
    assert history["items"][0]["changes"] == {"name": ["第一党支部", "一支部"]}
    assert history["items"][0]["actor"] == {
        "subject": "county_operator-test",
        "role": "county_operator",
    }
    dissolved_at = datetime.now(UTC).date().isoformat()
    with pytest.raises(RemoteError) as busy:
        op.members.dissolve_org({"org_id": "hj-b1", "reason": "撤销"})
    assert busy.value.exc_type == "Conflict"  # it has a member
    op.members.create_org(
        {"org_id": "hj-b2", "parent_id": "hj", "name": "二支部", "kind": "branch"}
    )
    merged = op.members.merge_org({"org_id": "hj-b1", "into_org_id": "hj-b2", "reason": "合并"})
    assert (merged["org_id"], merged["counts"]["own_members"]) == ("hj-b2", 1)
    gone = op.members.get_org_node("hj-b1")
    assert (gone["dissolved"], gone["dissolved_on"], gone["merged_into"]) == (
        True,
        dissolved_at,
        "hj-b2",
    )


def test_a_move_left_unfinished_is_taken_up_by_the_services_timer(system):
    """A job as a crash leaves it (recorded, nothing rewritten): the running service finishes it
    by itself."""
    op, _kiosk, _sec, config = system
    seed(op)
    op.members.create_org(
        {"org_id": "hj-s3", "parent_id": "hj", "name": "三街道", "kind": "working_committee"}
    )
    store = MembersStore(db_of("members", config))
    org = store.orgs.get("hj-b1")
    job = MoveJob(
        move_id="mv-crashed",
        org_id="hj-b1",
        from_path=OLD,
        to_path="/hj/hj-s3/hj-b1",
        new_parent_id="hj-s3",
        old_parent_id="hj",
        orgs=org.counts.orgs_below + 1,
        members=org.counts.members,
        by_status=dict(org.counts.by_status),
        started_at=datetime.now(UTC),
        actor={"subject": "op", "role": "county_operator"},
    )
    store.org_moves.add(job)
    done = wait_for(lambda: op.members.get_org_move("mv-crashed")["state"] == "done", timeout=30)
    assert done
    assert op.members.get_org_node("hj-b1")["path"] == "/hj/hj-s3/hj-b1"
    assert op.members.get_org_node("hj-s3")["counts"]["members"] == 1

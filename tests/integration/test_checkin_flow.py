"""members → scoring → notify through nameko's runner on the real broker and embedded store."""

from datetime import UTC, datetime

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from prometheus_client import REGISTRY

from services.members.idcard import make_id_number
from services.members.service import MembersService
from services.notify.service import NotifyService
from services.scoring.service import ScoringService
from tests.conftest import wait_for


@pytest.fixture
def system(runner_factory, make_config):
    config = make_config("scoring")
    runner = runner_factory(config, MembersService, ScoringService, NotifyService)
    runner.start()
    with ClusterRpcProxy(config, timeout=10) as rpc:
        yield rpc


def seed(rpc, meeting_kind="theme_day"):
    rpc.members.create_org({"org_id": "hj", "name": "惠济区委", "kind": "committee"})
    rpc.members.create_org(
        {"org_id": "hj-b1", "parent_id": "hj", "name": "第一党支部", "kind": "branch"}
    )
    member = rpc.members.register_member(
        {
            "org_id": "hj-b1",
            "name": "王小明",
            "gender": "male",
            "birth_date": "1980-05-04",
            "id_number": make_id_number("410108", datetime(1980, 5, 4).date(), 7, "male"),
            "phone": "17012345678",
            "join_date": "2005-07-01",
            "card_uid": "A1B2C3D4",
        }
    )
    rpc.members.enroll_kiosk({"device_id": "kiosk-1", "org_id": "hj", "place": "区党群服务中心"})
    meeting = rpc.members.schedule_meeting(
        {
            "meeting_id": "m1",
            "org_id": "hj-b1",
            "kind": meeting_kind,
            "title": "十一月主题党日",
            "starts_at": datetime.now(UTC).isoformat(),
        }
    )
    return member, meeting


def counters():
    """Process-wide metrics: tests compare them before and after."""

    def sample(name, **labels):
        return REGISTRY.get_sample_value(name, labels) or 0

    return {
        "check_ins": sample(
            "entrypoint_duration_seconds_count",
            service="members",
            entrypoint="check_in",
            outcome="ok",
        ),
        "checked_in_published": sample(
            "events_published_total", service="members", event_type="member_checked_in"
        ),
        "checked_in_handled": sample(
            "events_consumed_total",
            service="scoring",
            event_type="member_checked_in",
            outcome="handled",
        ),
        "points_published": sample(
            "events_published_total", service="scoring", event_type="points_awarded"
        ),
    }


def test_check_in_awards_points_and_tells_the_member_once(system):
    before = counters()
    member, _ = seed(system)
    assert member["created"] and member["name_masked"] == "王*明"
    assert member["phone_masked"] == "170****5678"

    first = system.members.check_in(
        {"card_uid": "A1B2C3D4", "meeting_id": "m1", "device_id": "kiosk-1"}
    )
    assert first["created"] is True
    assert first["member"]["name_masked"] == "王*明"

    card = wait_for(lambda: (c := system.scoring.get_scorecard(member["member_id"]))["total"] and c)
    assert card["total"] == 2 and card["by_category"] == {"base": 2}
    assert card["gaps"] == {"base": 58, "contribution": 40}
    inbox = wait_for(lambda: system.notify.get_inbox(member["member_id"]))
    assert len(inbox) == 1 and "2分" in inbox[0]["body"] and "主题党日" in inbox[0]["body"]

    again = system.members.check_in(
        {"card_uid": "A1B2C3D4", "meeting_id": "m1", "device_id": "kiosk-1"}
    )
    assert again["created"] is False and again["event_id"] == first["event_id"]
    award = system.scoring.award_for_event("member_checked_in", first["event_id"])
    assert award["points"] == 2
    assert len(system.scoring.get_scorecard(member["member_id"])["entries"]) == 1
    assert len(system.notify.get_inbox(member["member_id"])) == 1

    after = counters()
    assert after["check_ins"] - before["check_ins"] == 2
    assert after["checked_in_published"] - before["checked_in_published"] == 1
    assert after["checked_in_handled"] - before["checked_in_handled"] == 1
    assert after["points_published"] - before["points_published"] == 1

"""members → scoring → notify through nameko's runner on the real broker and embedded store."""

from datetime import UTC, datetime

import pytest
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ClusterRpcProxy
from prometheus_client import REGISTRY

from services.members.idcard import make_id_number
from services.members.service import MembersService
from services.notify.service import NotifyService
from services.scoring.service import ScoringService
from tests.conftest import caller, wait_for

KIOSK = caller("kiosk", "/hj", subject="kiosk-1", device="kiosk-1")


@pytest.fixture
def system(runner_factory, make_config):
    config = make_config("scoring")
    runner = runner_factory(config, MembersService, ScoringService, NotifyService)
    runner.start()
    with (
        ClusterRpcProxy(config, timeout=10, context_data=caller()) as operator,
        ClusterRpcProxy(config, timeout=10, context_data=KIOSK) as kiosk,
    ):
        yield operator, kiosk, config


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
    operator, kiosk, _ = system
    before = counters()
    member, _ = seed(operator)
    assert member["created"] and member["name_masked"] == "王*明"
    assert member["phone_masked"] == "170****5678"
    assert "_id" not in member

    first = kiosk.members.check_in({"card_uid": "a1b2c3d4", "meeting_id": "m1"})
    assert first["created"] is True
    assert first["member"]["name_masked"] == "王*明"

    member_id = member["member_id"]
    card = wait_for(lambda: (c := operator.scoring.get_scorecard(member_id))["total"] and c)
    assert card["total"] == 2 and card["by_category"] == {"base": 2}
    assert card["gaps"] == {"base": 58, "contribution": 40}
    inbox = wait_for(lambda: operator.notify.list_inbox(member_id)["items"])
    assert len(inbox) == 1 and "2分" in inbox[0]["body"] and "主题党日" in inbox[0]["body"]

    again = kiosk.members.check_in({"card_uid": "A1B2C3D4", "meeting_id": "m1"})
    assert again["created"] is False and again["check_in_id"] == first["check_in_id"]
    points = kiosk.scoring.get_check_in_points(first["check_in_id"])
    assert points == {"status": "awarded", "points": 2, "category": "base", "total": 2}
    entries = operator.scoring.list_entries(member_id)
    assert len(entries["items"]) == 1 and entries["next_cursor"] is None
    assert "_id" not in entries["items"][0] and "counter" not in entries["items"][0]
    assert len(operator.notify.list_inbox(member_id)["items"]) == 1

    after = counters()
    assert after["check_ins"] - before["check_ins"] == 2
    assert after["checked_in_published"] - before["checked_in_published"] == 1
    assert after["checked_in_handled"] - before["checked_in_handled"] == 1
    assert after["points_published"] - before["points_published"] == 1


def test_rpcs_without_a_caller_or_out_of_scope_are_refused(system):
    operator, kiosk, config = system
    member, _ = seed(operator)
    check_in = kiosk.members.check_in({"card_uid": "A1B2C3D4", "meeting_id": "m1"})
    wait_for(lambda: operator.scoring.get_scorecard(member["member_id"])["total"])
    wait_for(lambda: operator.notify.list_inbox(member["member_id"])["items"])
    with ClusterRpcProxy(config, timeout=10) as anonymous, pytest.raises(RemoteError) as error:
        anonymous.members.get_member(member["member_id"])
    assert error.value.exc_type == "Forbidden"
    elsewhere = caller("org_admin", "/other")
    with ClusterRpcProxy(config, timeout=10, context_data=elsewhere) as other:
        for call in (
            lambda: other.members.get_member(member["member_id"]),
            lambda: other.scoring.get_scorecard(member["member_id"]),
            lambda: other.scoring.list_entries(member["member_id"]),
            lambda: other.scoring.get_check_in_points(check_in["check_in_id"]),
            lambda: other.notify.list_inbox(member["member_id"]),
            lambda: other.members.read_member_pii(member["member_id"], "查看"),
            lambda: other.members.schedule_meeting(
                {
                    "meeting_id": "m1",
                    "org_id": "hj-b1",
                    "kind": "theme_day",
                    "title": "x",
                    "starts_at": datetime.now(UTC).isoformat(),
                }
            ),
        ):
            with pytest.raises(RemoteError) as error:
                call()
            assert error.value.exc_type == "Forbidden"
            assert "王" not in str(error.value.value)

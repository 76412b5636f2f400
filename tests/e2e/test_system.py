"""The whole system started the way README.md starts it (`make run`), driven over HTTP and AMQP."""

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import jsonschema
import pytest
import requests
import yaml
from kombu import Connection, Exchange, Queue

from gateway.auth import issue_token
from tests.conftest import wait_for
from tests.system import demo_logins, demo_system

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def system(tmp_path_factory, request):
    with demo_system(request, tmp_path_factory, "system") as launched:
        yield {
            "url": launched.url,
            "amqp": launched.amqp_uri,
            "logins": demo_logins(launched),
            "secret": launched.secrets()["TOKEN_SECRET"],
            "output": launched.output,
        }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def checked_in_schema() -> dict:
    catalogue = yaml.safe_load((ROOT / "docs" / "asyncapi.yaml").read_text(encoding="utf-8"))
    envelope = catalogue["components"]["schemas"]["envelope"]
    body = catalogue["components"]["messages"]["member_checked_in"]["payload"]["allOf"][1]
    return {"allOf": [envelope, body]}


def test_the_run_command_prints_the_url_and_logins(system):
    text = "".join(system["output"])
    assert system["url"] in text and "member cards:" in text
    for page in ("/ ", "/kiosk ", "/m "):
        assert system["url"] + page in text  # the console, the kiosk and the phone pages
    logins = system["logins"]
    assert {"admin", "branch_secretary", "kiosk", "open_meeting", "members"} <= set(logins)
    assert len(logins["members"]) >= 3 and logins["counts"]["members"] == 120
    assert requests.get(system["url"] + "/readyz", timeout=5).json()["status"] == "ready"


def test_kiosk_sign_in_end_to_end(system):
    url, logins = system["url"], system["logins"]
    member, kiosk = logins["members"][0], logins["kiosk"]
    meeting_id = logins["open_meeting"]["meeting_id"]
    exchange = Exchange("members.events", type="topic", durable=True)
    with Connection(system["amqp"]) as conn:
        observer = Queue(
            "e2e-observer", exchange=exchange, routing_key="member_checked_in", durable=True
        )(conn.default_channel)
        observer.declare()

        swipe = {"card_uid": member["card_uid"], "meeting_id": meeting_id}
        first = requests.post(
            url + "/api/v1/kiosk/check-ins", json=swipe, headers=bearer(kiosk["token"]), timeout=10
        )
        assert first.status_code == 201, first.text
        body = first.json()
        assert body["first_sign_in"] is True
        assert (
            body["member"]["name_masked"][0] == member["name"][0]
            and "*" in body["member"]["name_masked"]
        )
        assert body["meeting"]["meeting_id"] == meeting_id
        assert body["points"]["status"] == "pending"
        points_url = url + body["points"]["href"]
        points = wait_for(
            lambda: (
                (p := requests.get(points_url, headers=bearer(kiosk["token"]), timeout=10).json())[
                    "status"
                ]
                != "pending"
                and p
            )
        )
        assert points == {"status": "awarded", "points": 2, "category": "base", "total": 2}

        message = wait_for(lambda: observer.get(no_ack=True))
        event = message.decode()
        jsonschema.validate(event, checked_in_schema())
        assert event["member_id"] == member["member_id"] and event["meeting_id"] == meeting_id
        assert event["meeting_kind"] == "theme_day" and event["device_id"] == kiosk["device_id"]

        again = requests.post(
            url + "/api/v1/kiosk/check-ins", json=swipe, headers=bearer(kiosk["token"]), timeout=10
        )
        assert again.status_code == 200 and again.json()["first_sign_in"] is False
        assert again.json()["checked_in_at"] == body["checked_in_at"]
        assert again.json()["check_in_id"] == body["check_in_id"]
        time.sleep(1)  # give a wrongly published second event time to arrive
        assert observer.get(no_ack=True) is None
        observer.delete()

    card = requests.get(
        f"{url}/api/v1/members/{member['member_id']}/scorecard",
        headers=bearer(member["token"]),
        timeout=10,
    )
    assert card.status_code == 200
    assert card.json()["total"] == 2
    entries = requests.get(
        f"{url}/api/v1/members/{member['member_id']}/points-entries",
        headers=bearer(member["token"]),
        timeout=10,
    ).json()
    assert len(entries["items"]) == 1 and entries["next_cursor"] is None
    inbox = requests.get(
        f"{url}/api/v1/members/{member['member_id']}/inbox",
        headers=bearer(member["token"]),
        timeout=10,
    )
    messages = inbox.json()["items"]
    assert len(messages) == 1 and "主题党日" in messages[0]["body"] and "2分" in messages[0]["body"]


def test_a_swipe_queued_offline_is_taken_within_the_window_and_marked(system):
    url, logins = system["url"], system["logins"]
    member, kiosk = logins["members"][1], logins["kiosk"]
    checkins = url + "/api/v1/kiosk/check-ins"

    def swipe(meeting_id: str, swiped_at: datetime) -> requests.Response:
        body = {"card_uid": member["card_uid"], "meeting_id": meeting_id}
        body["swiped_at"] = swiped_at.isoformat()
        return requests.post(checkins, json=body, headers=bearer(kiosk["token"]), timeout=10)

    now = datetime.now(UTC)
    ahead = swipe(logins["open_meeting"]["meeting_id"], now + timedelta(hours=1))
    assert ahead.status_code == 400 and "swiped_at" in ahead.json()["errors"]
    queued = swipe(logins["open_meeting"]["meeting_id"], now - timedelta(seconds=30))
    assert queued.status_code == 201, queued.text
    assert queued.json()["recorded_offline"] is True
    assert queued.json()["message"] == "签到成功（离线记录）"

    secretary = bearer(logins["branch_secretary"]["token"])
    starts = now - timedelta(days=3)
    scheduled = requests.post(
        url + "/api/v1/meetings",
        json={
            "org_id": logins["open_meeting"]["org_id"],
            "kind": "lecture",
            "title": "三天前的党课",
            "starts_at": starts.isoformat(),
        },
        headers=secretary,
        timeout=10,
    )
    assert scheduled.status_code == 201, scheduled.text
    too_late = swipe(scheduled.json()["meeting_id"], starts)  # tolerance: one day after the close
    assert too_late.status_code == 409
    assert too_late.json()["detail"] == "离线刷卡上传过晚，已超过本次会议的签到时限"


def test_bad_input_gets_clear_errors(system):
    url, logins = system["url"], system["logins"]
    kiosk = bearer(logins["kiosk"]["token"])
    endpoint = url + "/api/v1/kiosk/check-ins"
    meeting_id = logins["open_meeting"]["meeting_id"]

    def post(body, headers=kiosk, raw=None):
        data = raw if raw is not None else json.dumps(body)
        return requests.post(
            endpoint, data=data, headers={**headers, "Content-Type": "application/json"}, timeout=10
        )

    malformed = post(None, raw="{not json")
    assert malformed.status_code == 400
    assert malformed.headers["Content-Type"].startswith("application/problem+json")
    problem = malformed.json()
    assert problem["status"] == 400 and problem["title"] and "JSON" in problem["detail"]
    missing = post({"card_uid": "A1B2C3D4"})
    assert missing.status_code == 400 and missing.json()["errors"]["meeting_id"] == ["缺少必填字段"]
    wrong = post({"card_uid": 12345678, "meeting_id": ["x"]})
    assert wrong.status_code == 400 and set(wrong.json()["errors"]) == {"card_uid", "meeting_id"}
    unknown = post({"card_uid": "FFFFFFFF", "meeting_id": meeting_id})
    assert (
        unknown.status_code == 404
        and unknown.json()["detail"] == "未登记的党员卡，请联系党支部书记登记"
    )
    assert post({"card_uid": "A1B2C3D4", "meeting_id": meeting_id}, headers={}).status_code == 401
    assert (
        post(
            {"card_uid": "A1B2C3D4", "meeting_id": meeting_id}, headers=bearer("forged.token.x")
        ).status_code
        == 401
    )
    foreign = issue_token(
        system["secret"],
        subject="kiosk-elsewhere",
        role="kiosk",
        scope="/hj/elsewhere",
        device="kiosk-elsewhere",
    )
    card = logins["members"][1]["card_uid"]
    assert (
        post({"card_uid": card, "meeting_id": meeting_id}, headers=bearer(foreign)).status_code
        == 403
    )
    elsewhere = requests.post(  # a kiosk enrolled at another community's service centre
        url + "/api/v1/kiosks",
        json={
            "device_id": "kiosk-other-place",
            "org_id": "hj-s02-c01",
            "place": "别处党群服务中心",
        },
        headers=bearer(logins["admin"]["token"]),
        timeout=10,
    )
    assert elsewhere.status_code == 201, elsewhere.text
    other_kiosk = bearer(elsewhere.json()["token"])
    refused = post({"card_uid": card, "meeting_id": meeting_id}, headers=other_kiosk)
    assert (
        refused.status_code == 403
        and refused.json()["detail"] == "本签到终端未绑定该会议所属党组织"
    )
    secretary = bearer(logins["branch_secretary"]["token"])
    assert post({"card_uid": card, "meeting_id": meeting_id}, headers=secretary).status_code == 403

    closed = requests.post(
        url + "/api/v1/meetings",
        json={
            "org_id": logins["branch_secretary"]["org_id"],
            "kind": "lecture",
            "title": "上月党课",
            "starts_at": (datetime.now(UTC) - timedelta(days=30)).isoformat(),
        },
        headers=secretary,
        timeout=10,
    )
    assert closed.status_code == 201, closed.text
    late = post({"card_uid": card, "meeting_id": closed.json()["meeting_id"]})
    assert late.status_code == 409 and late.json()["detail"] == "会议当前不在签到时间内"


def test_openapi_metrics_and_health(system):
    url = system["url"]
    from openapi_spec_validator import validate

    spec = requests.get(url + "/api/v1/openapi.json", timeout=5).json()
    validate(spec)
    assert "/kiosk/check-ins" in spec["paths"]
    assert requests.get(url + "/healthz", timeout=5).status_code == 200
    metrics = requests.get(url + "/metrics", timeout=5).text
    assert 'entrypoint_duration_seconds_count{entrypoint="api.kiosk_check_in"' in metrics


def test_the_console_reads_the_demo_county(system):
    """The console's reads on the demo county: the tree level by level with its counters, a
    branch's members by name, card and prefix (masked), its meetings this month, the live
    attendance of the open meeting following a swipe, a member's sign-ins, the home page."""
    url, logins = system["url"], system["logins"]
    admin, secretary = bearer(logins["admin"]["token"]), bearer(logins["branch_secretary"]["token"])

    def get(path, headers=admin, **params):
        answer = requests.get(url + "/api/v1" + path, headers=headers, params=params, timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def every(path, **params):
        items, cursor = [], None
        while True:
            page = get(path, **params, **({"cursor": cursor} if cursor else {}))
            items += page["items"]
            if not (cursor := page["next_cursor"]):
                return items

    counts = logins["counts"]
    org_total = sum(
        n for kind, n in counts.items() if kind not in ("members", "kiosks", "meetings")
    )
    [root] = get("/orgs/roots")["items"]
    assert (root["org_id"], 1 + root["counts"]["orgs_below"]) == ("hj", org_total)
    assert root["counts"]["members"] == counts["members"]
    streets = every("/orgs/hj/children", limit=3)
    assert len(streets) == root["counts"]["children"] and all(s["has_children"] for s in streets)
    assert sum(s["counts"]["members"] for s in streets) == counts["members"]

    branch, member = logins["open_meeting"]["org_id"], logins["members"][2]
    node = get(f"/orgs/{branch}")
    roster = every(f"/orgs/{branch}/members", limit=5)
    assert len(roster) == node["counts"]["own_members"] == node["counts"]["members"]
    surnames = [m["name_masked"][0] for m in roster]
    assert surnames == sorted(surnames) and all("*" in m["name_masked"] for m in roster)
    by_card = get(f"/orgs/{branch}/members", card=member["card_uid"].lower())["items"]
    assert [m["member_id"] for m in by_card] == [member["member_id"]]
    by_name = every("/orgs/hj/members", subtree="true", q=member["name"])
    assert member["member_id"] in [m["member_id"] for m in by_name]
    assert member["name"] not in json.dumps(by_name, ensure_ascii=False)

    now = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai"))
    month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (month + timedelta(days=32)).replace(day=1)
    meetings = every(
        f"/orgs/{branch}/meetings", **{"from": month.isoformat(), "to": following.isoformat()}
    )
    meeting_id = logins["open_meeting"]["meeting_id"]
    assert meeting_id in [m["meeting_id"] for m in meetings]
    assert {m["expected"] for m in meetings} == {node["counts"]["members"]}

    live = f"/meetings/{meeting_id}/attendance"
    first = get(live, secretary)
    swipe = {"card_uid": member["card_uid"], "meeting_id": meeting_id}
    signed = requests.post(
        url + "/api/v1/kiosk/check-ins",
        json=swipe,
        headers=bearer(logins["kiosk"]["token"]),
        timeout=10,
    )
    assert signed.status_code == 201, signed.text
    after = {"after": first["next_cursor"]} if first["next_cursor"] else {}
    polled = get(live, secretary, **after)
    assert member["member_id"] in [row["member_id"] for row in polled["items"]]
    assert member["name"] not in json.dumps(polled, ensure_ascii=False)

    # counted off the swipe path within a few seconds, with the earlier tests' swipes: the
    # counter comes to the number of sign-ins listed
    def counted_as_listed():
        page = get(live, secretary, limit=200)
        return page["signed_in"] == len(page["items"]) and page

    settled = wait_for(counted_as_listed, timeout=15)
    assert member["member_id"] in [row["member_id"] for row in settled["items"]]
    assert len(settled["items"]) < 200  # all on the first page
    assert get(f"/meetings/{meeting_id}", secretary)["signed_in"] == settled["signed_in"]
    mine = get(f"/members/{member['member_id']}/attendance", bearer(member["token"]))
    assert mine["items"][0]["meeting_id"] == meeting_id

    overview = get("/overview")
    assert (overview["organizations"], overview["members"]) == (org_total, counts["members"])
    assert overview["meetings_this_month"] >= counts["meetings"] + 1  # theme days, open meeting
    assert overview["attendance_this_month"] >= 1 and overview["open_needs"] >= 0

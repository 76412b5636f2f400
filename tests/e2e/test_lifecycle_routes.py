"""The members' lifecycle routes on the running system (`make run`, the small demo county), on
fresh members registered here: profile, status with its history, probation due, search, cards
(a lost card refused at the demo kiosk), each route asked twice answering the same, and bad
input answered in Chinese with nothing changed."""

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from gateway.auth import issue_token
from services.members.idcard import make_id_number
from tests.system import demo_logins, demo_system

CHINA = ZoneInfo("Asia/Shanghai")
BRANCH = "hj-s01-c01-b01"  # the branch of the demo's open meeting (its kiosk expects them)
UNIQUE = itertools.count(1)


@pytest.fixture(scope="module")
def system(tmp_path_factory, request):
    with demo_system(request, tmp_path_factory, "lifecycle") as launched:
        logins = demo_logins(launched)
        secret = launched.secrets()["TOKEN_SECRET"]
        assert logins["open_meeting"]["org_id"] == BRANCH
        yield {
            "url": launched.url + "/api/v1",
            "meeting": logins["open_meeting"]["meeting_id"],
            "kiosk": logins["kiosk"]["token"],
            "secretary": issue_token(
                secret,
                subject="e2e-secretary",
                role="branch_secretary",
                scope="/hj/hj-s01/hj-s01-c01/" + BRANCH,
            ),
            "operator": issue_token(
                secret, subject="e2e-operator", role="county_operator", scope="/hj"
            ),
        }


def call(system, method, path, body=None, token="secretary"):
    headers = {"Authorization": f"Bearer {system[token]}"}
    return requests.request(method, system["url"] + path, json=body, headers=headers, timeout=30)


def today():
    return datetime.now(UTC).astimezone(CHINA).date()


def registered(system, **more):
    n = 500 + next(UNIQUE)
    born = datetime(1975, 1, 1).date() + timedelta(days=n)
    body = {
        "org_id": BRANCH,
        "name": f"周{n}",
        "gender": "female",
        "birth_date": born.isoformat(),
        "id_number": make_id_number("410108", born, n % 100, "female"),
        "phone": f"1720000{n:04d}",
        "join_date": (born + timedelta(days=365 * 25)).isoformat(),
        "card_uid": f"EE{n:06X}",
        **more,
    }
    made = call(system, "post", "/members", body)
    assert made.status_code == 201, made.text
    return {**made.json(), "id_number": body["id_number"], "name": body["name"]}


def twice(system, method, path, body):
    """The route asked twice with the same body: both answers, which must be the same."""
    first, again = (call(system, method, path, body) for _ in range(2))
    assert first.status_code == again.status_code == 200, (first.text, again.text)
    assert first.json() == again.json()
    return first.json()


def test_profile_changes_masked_and_idempotent(system):
    member = registered(system)
    path = f"/members/{member['member_id']}"
    first = call(system, "patch", path, {"work_unit": "惠济区人民医院"})  # from any version
    assert first.status_code == 200, first.text
    member = first.json()
    body = {
        "version": member["version"],
        "ethnicity": "汉族",
        "education": "大学本科",
        "duties": ["组织委员"],
        "address": "河南省郑州市惠济区天河路8号",
    }
    changed = twice(system, "patch", path, body)
    assert changed["address_masked"] == "河南省郑州市****" and "天河路" not in str(changed)
    assert changed["duties"] == ["组织委员"] and changed["version"] == member["version"] + 1
    stale = call(system, "patch", path, {"version": member["version"], "work_unit": "区医院"})
    assert stale.status_code == 409 and "刷新" in stale.json()["detail"]
    bad = call(system, "patch", path, {"ethnicity": "火星族", "birth_date": "1990-01-01"})
    assert bad.status_code == 400
    assert {"ethnicity", "birth_date"} <= set(bad.json()["errors"])  # (and join_date: not 18)
    assert "民族" in bad.json()["errors"]["ethnicity"][0]
    after = call(system, "patch", path, {"ethnicity": "汉族"})  # the same again: no change
    assert after.json() == changed  # nothing changed by the refused ones


def test_status_change_with_history_and_an_exit_returning_the_card(system):
    member = registered(system)
    path = f"/members/{member['member_id']}"
    suspend = {
        "to_status": "suspended",
        "effective_on": today().isoformat(),
        "reason": "受到停止党籍处分",
        "approved_by": "上级党委",
    }
    assert twice(system, "post", path + "/status", suspend)["status"] == "suspended"
    lapse = {**suspend, "to_status": "lapsed", "reason": "连续六个月未参加组织生活"}
    left = twice(system, "post", path + "/status", lapse)
    assert left["status"] == "lapsed" and left["card_uid"] is None
    history = call(system, "get", path + "/status-history?limit=1")
    assert history.status_code == 200
    assert history.json()["items"][0]["to_status"] == "lapsed"
    rest = call(system, "get", path + f"/status-history?cursor={history.json()['next_cursor']}")
    assert [h["to_status"] for h in rest.json()["items"]] == ["suspended"]
    back = call(system, "post", path + "/status", {**suspend, "to_status": "full"})
    assert back.status_code == 403  # only a county operator reinstates
    cards = call(system, "get", path + "/cards").json()["items"]
    assert [(c["state"], c["ended_reason"]) for c in cards] == [("returned", "returned")]
    future = {**suspend, "to_status": "full", "effective_on": "2999-01-01"}
    assert call(system, "post", path + "/status", future, token="operator").status_code == 400


def test_probation_due_and_search(system):
    joined = today() - timedelta(days=355)
    probationer = registered(system, status="probationary", join_date=joined.isoformat())
    due = call(system, "get", f"/members/probation-due?org_id={BRANCH}&within_days=30")
    assert due.status_code == 200, due.text
    assert probationer["member_id"] in [m["member_id"] for m in due.json()["items"]]
    for q in (probationer["id_number"], probationer["card_uid"].lower(), probationer["name"]):
        found = call(system, "get", f"/members/search?q={q}")
        assert found.status_code == 200, found.text
        assert [m["member_id"] for m in found.json()["items"]] == [probationer["member_id"]]
        assert probationer["id_number"] not in found.text
    elsewhere = call(system, "get", f"/members/search?org_id=hj-s02&q={probationer['name']}")
    assert elsewhere.status_code == 403


def test_a_lost_card_is_refused_at_the_kiosk_then_replaced(system):
    member = registered(system)
    path = f"/members/{member['member_id']}"
    old = member["card_uid"]
    lost = twice(system, "post", path + "/card/lost", {"reason": "遗失"})
    assert lost["card_uid"] is None
    swipe = {"card_uid": old.lower(), "meeting_id": system["meeting"]}
    refused = call(system, "post", "/kiosk/check-ins", swipe, token="kiosk")
    assert refused.status_code == 403 and "挂失" in refused.json()["detail"]
    reissue = call(system, "post", path + "/card", {"card_uid": old.lower()})
    assert reissue.status_code == 409
    new_uid = f"ee{next(UNIQUE) + 900:06x}"
    replaced = twice(system, "post", path + "/card/replace", {"card_uid": new_uid})
    assert replaced["card_uid"] == new_uid.upper()
    signed = call(system, "post", "/kiosk/check-ins", {**swipe, "card_uid": new_uid}, token="kiosk")
    assert signed.status_code == 201, signed.text
    returned = twice(system, "post", path + "/card/return", {"reason": "调离本支部"})
    assert returned["card_uid"] is None
    cards = call(system, "get", path + "/cards").json()["items"]
    assert {c["card_uid"]: c["state"] for c in cards} == {
        old: "blocked",
        new_uid.upper(): "returned",
    }
    fresh = registered(system, card_uid=None)
    issued = twice(system, "post", f"/members/{fresh['member_id']}/card", {"card_uid": "ee7a0b1c"})
    assert issued["card_uid"] == "EE7A0B1C"

"""Mobile members (流动党员) and lapse warnings on the running system (`make run`, the small demo
county): a member of another street registered as mobile, hosted at the branch of the demo's
open meeting, is refused at its kiosk before and accepted after; both secretaries list and read
the sign-ins, a third does not; the return; bad input answered in Chinese with nothing changed;
the lapse list."""

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from gateway.auth import issue_token
from services.members.idcard import make_id_number
from tests.system import demo_logins, demo_system

CHINA = ZoneInfo("Asia/Shanghai")
HOST = "hj-s01-c01-b01"  # the branch of the demo's open meeting and its kiosk
HOME = "hj-s02-c01-b01"
OTHER = "hj-s01-c01-b02"
UNIQUE = itertools.count(1)


def _path(org_id):
    street, community = org_id.rsplit("-", 2)[0], org_id.rsplit("-", 1)[0]
    return f"/hj/{street}/{community}/{org_id}"


@pytest.fixture(scope="module")
def system(tmp_path_factory, request):
    with demo_system(request, tmp_path_factory, "mobile") as launched:
        logins = demo_logins(launched)
        secret = launched.secrets()["TOKEN_SECRET"]
        assert logins["open_meeting"]["org_id"] == HOST

        def secretary(org_id):
            return issue_token(
                secret, subject=f"e2e-{org_id}", role="branch_secretary", scope=_path(org_id)
            )

        yield {
            "url": launched.url + "/api/v1",
            "meeting": logins["open_meeting"]["meeting_id"],
            "kiosk": logins["kiosk"]["token"],
            "home": secretary(HOME),
            "host": secretary(HOST),
            "other": secretary(OTHER),
            "worker": issue_token(
                secret, subject="e2e-worker", role="community_worker", scope=_path(HOME)
            ),
        }


def call(system, method, path, body=None, token="home"):
    headers = {"Authorization": f"Bearer {system[token]}"}
    return requests.request(method, system["url"] + path, json=body, headers=headers, timeout=30)


def today():
    return datetime.now(UTC).astimezone(CHINA).date()


def registered(system):
    n = 700 + next(UNIQUE)
    born = datetime(1976, 1, 1).date() + timedelta(days=n)
    body = {
        "org_id": HOME,
        "name": f"吴{n}",
        "gender": "male",
        "birth_date": born.isoformat(),
        "id_number": make_id_number("410108", born, n % 100, "male"),
        "phone": f"1730000{n:04d}",
        "join_date": (born + timedelta(days=365 * 25)).isoformat(),
        "card_uid": f"DD{n:06X}",
    }
    made = call(system, "post", "/members", body)
    assert made.status_code == 201, made.text
    return made.json()


def twice(system, method, path, body=None, token="home"):
    first, again = (call(system, method, path, body, token) for _ in range(2))
    assert first.status_code == again.status_code == 200, (first.text, again.text)
    assert first.json() == again.json()
    return first.json()


def test_a_mobile_member_takes_part_at_the_host_and_both_see_it(system):
    member = registered(system)
    mid = member["member_id"]
    swipe = {"card_uid": member["card_uid"], "meeting_id": system["meeting"]}
    refused = call(system, "post", "/kiosk/check-ins", swipe, token="kiosk")
    assert refused.status_code == 403, refused.text  # not expected at the host's meeting yet
    stay = {
        "place": "广东省深圳市南山区",
        "since": today().isoformat(),
        "until": (today() + timedelta(days=90)).isoformat(),
        "host_org_id": HOST,
    }
    assert call(system, "post", f"/members/{mid}/mobile", stay, token="host").status_code == 403
    saved = twice(system, "post", f"/members/{mid}/mobile", stay)
    assert saved["mobile"]["host_org_id"] == HOST and saved["mobile"]["place"] == stay["place"]
    signed = call(system, "post", "/kiosk/check-ins", swipe, token="kiosk")
    assert signed.status_code == 201, signed.text
    hosted = call(system, "get", f"/orgs/{HOST}/mobile-members?hosted=true", token="host")
    assert mid in [m["member_id"] for m in hosted.json()["items"]], hosted.text
    away = call(system, "get", f"/orgs/{HOME}/mobile-members")
    assert [m["member_id"] for m in away.json()["items"]] == [mid]
    overdue = call(system, "get", f"/orgs/{HOME}/mobile-members?overdue=true")
    assert overdue.json()["items"] == []
    for token in ("home", "host"):
        seen = call(system, "get", f"/members/{mid}/mobile-attendance", token=token)
        assert seen.status_code == 200, seen.text
        assert [s["meeting_id"] for s in seen.json()["items"]] == [system["meeting"]]
    other = call(system, "get", f"/members/{mid}/mobile-attendance", token="other")
    assert other.status_code == 403
    moved = twice(system, "put", f"/members/{mid}/mobile/host", {"host_org_id": OTHER})
    assert moved["mobile"]["host_org_id"] == OTHER
    back = twice(system, "post", f"/members/{mid}/mobile/return")
    assert back["mobile"] is None
    gone = call(system, "get", f"/orgs/{HOME}/mobile-members").json()["items"]
    assert mid not in [m["member_id"] for m in gone]


def test_bad_input_is_answered_in_chinese_and_changes_nothing(system):
    member = registered(system)
    path = f"/members/{member['member_id']}/mobile"
    too_long = {
        "place": "北京",
        "since": today().isoformat(),
        "until": (today() + timedelta(days=200)).isoformat(),
    }
    refused = call(system, "post", path, too_long)
    assert refused.status_code == 400, refused.text
    assert "6 个月" in refused.json()["errors"]["until"][0]
    unknown = call(
        system, "post", path, {**too_long, "until": today().isoformat(), "host_org_id": "nope"}
    )
    assert unknown.status_code in (400, 404), unknown.text
    missing = call(system, "post", path, {"since": today().isoformat()})
    assert missing.status_code == 400 and {"place", "until"} <= set(missing.json()["errors"])
    not_mobile = call(system, "post", path + "/return")
    assert not_mobile.status_code == 200 and not_mobile.json()["mobile"] is None  # nothing to end
    host = call(system, "put", path + "/host", {"host_org_id": HOST})
    assert host.status_code == 409 and "流动党员" in host.json()["detail"]
    away = call(system, "get", f"/orgs/{HOME}/mobile-members").json()["items"]
    assert member["member_id"] not in [m["member_id"] for m in away]


def test_the_lapse_warnings_list(system):
    found = call(system, "get", f"/orgs/{HOME}/lapse-warnings")
    assert found.status_code == 200, found.text
    assert set(found.json()) == {"items", "next_cursor"}
    assert call(system, "get", f"/orgs/{HOME}/lapse-warnings", token="worker").status_code == 403
    assert call(system, "get", f"/orgs/{HOST}/lapse-warnings").status_code == 403

"""Meetings held on the running system (`make run`, the small demo county): leave requested,
approved and declined, a member signed in at the demo kiosk, the meeting closed once its
sign-in window has closed (the sheet, the rate, closing again answers the same, a late swipe
refused), the minutes with a photo, the rates rolled up, and scoring's deduction for the
unexcused absence arriving through meeting_closed. Bad input answered in Chinese."""

import itertools
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from gateway.auth import issue_token
from tests.e2e.test_lifecycle_routes import registered
from tests.system import demo_logins, demo_system

CHINA = ZoneInfo("Asia/Shanghai")
BRANCH = "hj-s01-c01-b01"  # the branch of the demo kiosk
SCOPE = "/hj/hj-s01/hj-s01-c01/" + BRANCH
UNIQUE = itertools.count(1)
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200
LEAD_SECONDS = 25  # the meeting starts this long after it is scheduled (its window closes then)


@pytest.fixture(scope="module")
def system(tmp_path_factory, request):
    with demo_system(request, tmp_path_factory, "orglife") as launched:
        logins = demo_logins(launched)
        secret = launched.secrets()["TOKEN_SECRET"]
        yield {
            "url": launched.url + "/api/v1",
            "kiosk": logins["kiosk"]["token"],
            "secretary": issue_token(
                secret, subject="e2e-secretary", role="branch_secretary", scope=SCOPE
            ),
            "other": issue_token(
                secret, subject="e2e-other", role="branch_secretary", scope="/hj/hj-s02"
            ),
            "operator": issue_token(
                secret, subject="e2e-operator", role="county_operator", scope="/hj"
            ),
        }


def call(system, method, path, body=None, token="secretary", **more):
    headers = {"Authorization": f"Bearer {system[token]}"}
    url = system["url"] + path
    return requests.request(method, url, json=body, headers=headers, timeout=30, **more)


def chinese(response):
    return any("\u4e00" <= ch <= "\u9fff" for ch in response.text)


def test_leave_closing_minutes_rates_and_the_deduction(system):
    excused, declined, present = (registered(system) for _ in range(3))
    starts = datetime.now(UTC) + timedelta(seconds=LEAD_SECONDS)
    meeting = call(
        system,
        "post",
        "/meetings",
        {
            "org_id": BRANCH,
            "kind": "theme_day",
            "title": "主题党日（e2e）",
            "starts_at": starts.isoformat(),
            "window_before_min": 10,
            "window_after_min": 0,
        },
    )
    assert meeting.status_code == 201, meeting.text
    mid = meeting.json()["meeting_id"]

    # leave: bad input changes nothing, then one approved and one declined
    no_reason = call(system, "post", f"/meetings/{mid}/leave", {"member_id": excused["member_id"]})
    assert no_reason.status_code == 400 and chinese(no_reason)
    for member in (excused, declined):
        body = {"member_id": member["member_id"], "reason": "出差"}
        first = call(system, "post", f"/meetings/{mid}/leave", body)
        again = call(system, "post", f"/meetings/{mid}/leave", body)
        assert (first.status_code, again.status_code) == (201, 200), first.text
        assert first.json() == again.json()
    path = f"/meetings/{mid}/leave/{excused['member_id']}/decision"
    assert call(system, "post", path, {"approve": True}).json()["status"] == "approved"
    path = f"/meetings/{mid}/leave/{declined['member_id']}/decision"
    bare = call(system, "post", path, {"approve": False})
    assert bare.status_code == 400 and chinese(bare)
    no = call(system, "post", path, {"approve": False, "reason": "会议重要"})
    assert no.json()["status"] == "declined"
    assert call(system, "post", path, {"approve": True}).status_code == 409
    assert call(system, "post", path, {"approve": True}, token="other").status_code == 403
    listed = call(system, "get", f"/meetings/{mid}/leave").json()["items"]
    assert {r["status"] for r in listed} == {"approved", "declined"}

    # one signs in; the window is still open: closing is refused
    swipe = {"card_uid": present["card_uid"], "meeting_id": mid}
    signed = call(system, "post", "/kiosk/check-ins", swipe, token="kiosk")
    assert signed.status_code == 201, signed.text
    early = call(system, "post", f"/meetings/{mid}/close")
    assert early.status_code == 409 and chinese(early)

    time.sleep(max(0.0, (starts - datetime.now(UTC)).total_seconds()) + 1)
    closed = call(system, "post", f"/meetings/{mid}/close")
    assert closed.status_code == 201, closed.text
    again = call(system, "post", f"/meetings/{mid}/close")
    assert again.status_code == 200 and again.json() == closed.json()
    result = closed.json()
    assert result["present"] == 1 and result["excused"] == 1
    assert result["absent"] == result["expected"] - 2
    assert declined["member_id"] in result["absent_member_ids"]
    assert excused["member_id"] not in result["absent_member_ids"]
    assert result["rate"] == round(1 / (result["expected"] - 1), 4)
    assert call(system, "post", f"/meetings/{mid}/close", token="other").status_code == 403

    late = call(
        system,
        "post",
        "/kiosk/check-ins",
        {**swipe, "card_uid": declined["card_uid"]},
        token="kiosk",
    )
    assert late.status_code == 409
    sheet = call(system, "get", f"/meetings/{mid}/sheet?limit=500").json()
    outcomes = {r["member_id"]: r["outcome"] for r in sheet["items"]}
    assert outcomes[excused["member_id"]] == "excused"
    assert outcomes[declined["member_id"]] == "absent"
    assert outcomes[present["member_id"]] == "present"
    assert all("*" in r["name_masked"] for r in sheet["items"])

    # minutes: a GIF is refused by its content, a JPEG kept and read back
    form = {"topic": "学习党章", "content": "集中学习并讨论"}
    gif = call(
        system,
        "put",
        f"/meetings/{mid}/minutes",
        data=form,
        files=[("photos", ("a.jpg", b"GIF89a" + b"\x00" * 50, "image/jpeg"))],
    )
    assert gif.status_code == 400 and chinese(gif)
    minutes = call(
        system,
        "put",
        f"/meetings/{mid}/minutes",
        data=form,
        files=[("photos", ("p.jpg", JPEG, "image/jpeg"))],
    )
    assert minutes.status_code == 200, minutes.text
    [photo] = minutes.json()["photos"]
    back = call(system, "get", f"/meetings/{mid}/minutes/photos/{photo['photo_id']}")
    assert back.status_code == 200 and back.content == JPEG

    # rates rolled up to the county, for the month of the meeting
    month = starts.astimezone(CHINA).strftime("%Y-%m")
    rates = call(
        system, "get", f"/orgs/hj/attendance-rates?from={month}&to={month}", token="operator"
    )
    assert rates.status_code == 200, rates.text
    [county] = rates.json()["items"]
    assert county["months"][0]["meetings"] >= 1 and county["months"][0]["present"] >= 1
    bad = call(
        system, "get", f"/orgs/hj/attendance-rates?from=2026-13&to={month}", token="operator"
    )
    assert bad.status_code == 400 and chinese(bad)

    # scoring deducts for the unexcused absence, once
    entries_path = f"/members/{declined['member_id']}/points-entries"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        items = call(system, "get", entries_path).json()["items"]
        if items:
            break
        time.sleep(0.5)
    assert [(e["points"], e["reason"]) for e in items] == [(-1, "meeting_absent:theme_day")]
    assert (
        call(system, "get", f"/members/{excused['member_id']}/points-entries").json()["items"] == []
    )

"""The plan's routes on the running system (`make run`, the small demo county): a new branch's
plan before and after a committee meeting is scheduled (the counters raised by the schedule
path), the subtree's gaps page by page (the demo's theme days count as held), scope, and bad
input answered in Chinese."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
import requests

from gateway.auth import issue_token
from tests.system import demo_logins, demo_system

CHINA = ZoneInfo("Asia/Shanghai")
COMMUNITY = "hj-s01-c01"
BRANCH = "hj-s01-c01-b01"  # a demo branch: this month's theme day is scheduled
NEW = "hj-s01-c01-plan1"


@pytest.fixture(scope="module")
def system(tmp_path_factory, request):
    with demo_system(request, tmp_path_factory, "plans") as launched:
        demo_logins(launched)
        secret = launched.secrets()["TOKEN_SECRET"]
        yield {
            "url": launched.url + "/api/v1",
            "operator": issue_token(
                secret, subject="e2e-operator", role="county_operator", scope="/hj"
            ),
            "other_street": issue_token(
                secret, subject="e2e-street", role="org_admin", scope="/hj/hj-s02"
            ),
        }


def call(system, method, path, body=None, token="operator"):
    headers = {"Authorization": f"Bearer {system[token]}"}
    return requests.request(method, system["url"] + path, json=body, headers=headers, timeout=30)


def this_month():
    return datetime.now(UTC).astimezone(CHINA).date().replace(day=1)


def entries_of(plan):
    return {(e["kind"], e["key"]): e for e in plan["entries"]}


def test_a_new_branchs_plan_follows_its_meetings(system):
    made = call(
        system,
        "post",
        "/orgs",
        {"org_id": NEW, "parent_id": COMMUNITY, "name": "计划支部", "kind": "branch"},
    )
    assert made.status_code in (200, 201), made.text
    month = this_month()
    key = f"{month:%Y-%m}"
    before = call(system, "get", f"/orgs/{NEW}/plan")
    assert before.status_code == 200, before.text
    plan = before.json()
    assert plan["org_kind"] == "branch" and plan["year"] == month.year
    assert entries_of(plan)[("committee_meeting", key)]["state"] == "due"
    assert len(plan["theme_days"]) == 12
    assert all(datetime.fromisoformat(d).weekday() == 4 for d in plan["theme_days"])

    starts = datetime.combine(month, time(0, 30), CHINA)  # the first day: this month, past
    body = {
        "meeting_id": f"plan-{NEW}-{key}",
        "org_id": NEW,
        "kind": "committee_meeting",
        "title": "支委会",
        "starts_at": starts.isoformat(),
    }
    for _ in range(2):  # asked again: counted once
        scheduled = call(system, "post", "/meetings", body)
        assert scheduled.status_code in (200, 201), scheduled.text
    after = entries_of(call(system, "get", f"/orgs/{NEW}/plan").json())
    assert after[("committee_meeting", key)]["state"] == "done"
    assert after[("committee_meeting", key)]["held"] == 1

    gaps = call(system, "get", f"/orgs/{NEW}/plan-gaps").json()
    assert gaps["period"] == key
    assert [row["org_id"] for row in gaps["items"]] == [NEW]
    kinds = {g["kind"] for g in gaps["items"][0]["gaps"]}
    assert "committee_meeting" not in kinds and "theme_day" in kinds


def test_the_subtrees_gaps_come_page_by_page(system):
    seen, cursor = [], None
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        answer = call(system, "get", f"/orgs/{COMMUNITY}/plan-gaps{query}")
        assert answer.status_code == 200, answer.text
        page = answer.json()
        assert len(page["items"]) <= 2
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    ids = [row["org_id"] for row in seen]
    assert ids == sorted(ids) and BRANCH in ids
    demo = next(row for row in seen if row["org_id"] == BRANCH)
    kinds = {g["kind"]: g for g in demo["gaps"]}
    assert "theme_day" not in kinds  # the demo's theme day this month is held
    assert kinds["committee_meeting"]["state"] == "due"


def test_scope_and_bad_input(system):
    refused = call(system, "get", f"/orgs/{BRANCH}/plan", token="other_street")
    assert refused.status_code == 403
    assert call(system, "get", "/orgs/no-such-org/plan").status_code == 404
    bad = call(system, "get", f"/orgs/{BRANCH}/plan-gaps?period=2026-13")
    assert bad.status_code == 400 and "月份" in bad.text, bad.text
    assert call(system, "get", f"/orgs/{BRANCH}/plan?year=1999").status_code == 400

"""The organization register on the running system (`make run`, the small demo county), over
HTTP, on organizations made here under the demo county (the demo's own ones are left as they
are): create with the rules, change with the version (409 in Chinese when stale), move a
subtree with its members and follow the job, a temporary branch and its dissolution, a merge,
the history, and bad input that changes nothing."""

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
import requests

from gateway.auth import issue_token
from services.members.idcard import make_id_number
from tests.conftest import wait_for
from tests.system import demo_system

UNIQUE = itertools.count(1)
ENDS_ON = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()


@pytest.fixture(scope="module")
def system(tmp_path_factory, request):
    with demo_system(request, tmp_path_factory, "tree") as launched:
        secret = launched.secrets()["TOKEN_SECRET"]
        yield {
            "url": launched.url + "/api/v1",
            "county": issue_token(secret, subject="e2e-tree", role="county_operator", scope="/hj"),
            "street": issue_token(
                secret, subject="e2e-street", role="org_admin", scope="/hj/hj-s01"
            ),
        }


def call(system, method, path, body=None, actor="county"):
    headers = {"Authorization": f"Bearer {system[actor]}"}
    return requests.request(method, system["url"] + path, json=body, headers=headers, timeout=60)


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def new_org(system, parent, kind="branch", **extra):
    org_id = f"e2e-tree-{next(UNIQUE)}"
    body = {"org_id": org_id, "parent_id": parent, "name": f"测试{org_id}", "kind": kind, **extra}
    return ok(call(system, "post", "/orgs", body), 201)


def new_member(system, org_id, status="full"):
    n = next(UNIQUE)
    born = date(1975, 1, 1) + timedelta(days=n)
    body = {
        "org_id": org_id,
        "name": f"树测{n}",
        "gender": "male",
        "birth_date": born.isoformat(),
        "id_number": make_id_number("410122", born, n % 100, "male"),
        "phone": f"1720000{n:04d}",
        "join_date": (born + timedelta(days=365 * 25)).isoformat(),
        "status": status,
    }
    return ok(call(system, "post", "/members", body), 201)


def node(system, org_id):
    return ok(call(system, "get", f"/orgs/{org_id}"))


def test_a_subtree_moves_with_its_members_and_counters(system):
    community = new_org(system, "hj-s01", "general_branch", tags=["community"])
    branches = [new_org(system, community["org_id"]) for _ in range(3)]
    grid = new_org(system, community["org_id"], "grid", tags=["grid"])
    members = [new_member(system, b["org_id"]) for b in branches]
    new_member(system, branches[0]["org_id"], "probationary")
    before = {o: node(system, o)["counts"] for o in ("hj-s01", "hj-s02")}
    job = ok(
        call(system, "post", f"/orgs/{community['org_id']}/move", {"new_parent_id": "hj-s02"}), 202
    )
    done = wait_for(
        lambda: [
            j
            for j in [ok(call(system, "get", f"/org-moves/{job['move_id']}"))]
            if j["state"] == "done"
        ],
        timeout=60,
    )[0]
    to_path = f"/hj/hj-s02/{community['org_id']}"
    assert (done["from_path"], done["to_path"]) == (community["path"], to_path)
    assert node(system, grid["org_id"])["path"] == f"{to_path}/{grid['org_id']}"
    member = ok(call(system, "get", f"/members/{members[1]['member_id']}"))
    assert member["org_path"] == f"{to_path}/{branches[1]['org_id']}"
    moved = node(system, community["org_id"])
    assert (moved["parent_id"], moved["counts"]["members"]) == ("hj-s02", 4)
    assert moved["by_status"] == {"full": 3, "probationary": 1}
    after = {o: node(system, o)["counts"] for o in ("hj-s01", "hj-s02")}
    assert after["hj-s01"]["members"] == before["hj-s01"]["members"] - 4
    assert after["hj-s02"]["members"] == before["hj-s02"]["members"] + 4
    assert after["hj-s02"]["orgs_below"] == before["hj-s02"]["orgs_below"] + 5
    assert after["hj-s02"]["children"] == before["hj-s02"]["children"] + 1
    again = ok(
        call(system, "post", f"/orgs/{community['org_id']}/move", {"new_parent_id": "hj-s02"}), 202
    )
    assert again["move_id"] == job["move_id"]
    refused = call(
        system,
        "post",
        f"/orgs/{community['org_id']}/move",
        {"new_parent_id": branches[0]["org_id"]},
    )
    assert refused.status_code == 400 and "下级组织" in refused.json()["detail"] + str(
        refused.json()
    )
    history = ok(call(system, "get", f"/orgs/{community['org_id']}/history"))
    assert [e["action"] for e in history["items"]] == ["moved", "created"]


def test_changes_carry_the_version_and_a_stale_one_is_409_in_chinese(system):
    branch = new_org(system, "hj-s01-c01")
    first = node(system, branch["org_id"])
    changed = ok(
        call(
            system,
            "patch",
            f"/orgs/{branch['org_id']}",
            {"version": first["version"], "name": "新名称党支部", "tags": ["building"]},
        )
    )
    assert (changed["name"], changed["tags"], changed["version"]) == (
        "新名称党支部",
        ["building"],
        first["version"] + 1,
    )
    stale = call(
        system,
        "patch",
        f"/orgs/{branch['org_id']}",
        {"version": first["version"], "name": "另一个名称"},
    )
    assert stale.status_code == 409 and "刷新" in stale.json()["detail"]
    assert node(system, branch["org_id"])["name"] == "新名称党支部"
    unknown_tag = call(
        system,
        "patch",
        f"/orgs/{branch['org_id']}",
        {"version": changed["version"], "tags": ["castle"]},
    )
    assert unknown_tag.status_code == 400 and "标签" in str(unknown_tag.json()["errors"])
    history = ok(call(system, "get", f"/orgs/{branch['org_id']}/history?limit=1"))
    assert history["items"][0]["changes"]["name"] == [branch["name"], "新名称党支部"]
    assert history["next_cursor"]


def test_a_temporary_branch_takes_members_and_returns_them_when_dissolved(system):
    home = new_org(system, "hj-s01-c01")
    refused = call(
        system,
        "post",
        "/orgs",
        {
            "org_id": f"e2e-tree-{next(UNIQUE)}",
            "parent_id": "hj-s01-c01",
            "name": "临时",
            "kind": "branch",
            "tags": ["temporary"],
        },
    )
    assert refused.status_code == 400 and "结束日期" in str(refused.json()["errors"])
    temporary = new_org(system, "hj-s01-c01", tags=["temporary"], ends_on=ENDS_ON)
    assert temporary["ends_on"] == ENDS_ON
    people = [new_member(system, home["org_id"])["member_id"] for _ in range(2)]
    body = {"member_ids": people, "reason": "防汛突击队"}
    assert ok(call(system, "post", f"/orgs/{temporary['org_id']}/temporary-members", body)) == {
        "placed": 2
    }
    assert node(system, temporary["org_id"])["counts"]["own_members"] == 2
    assert node(system, home["org_id"])["counts"]["own_members"] == 0
    dissolved = ok(
        call(system, "post", f"/orgs/{temporary['org_id']}/dissolve", {"reason": "任务完成"})
    )
    assert dissolved["dissolved"] and dissolved["counts"]["own_members"] == 0
    assert node(system, home["org_id"])["counts"]["own_members"] == 2
    assert ok(call(system, "get", f"/members/{people[0]}"))["org_id"] == home["org_id"]
    closed = call(
        system,
        "post",
        "/orgs",
        {
            "org_id": f"e2e-tree-{next(UNIQUE)}",
            "parent_id": temporary["org_id"],
            "name": "组",
            "kind": "group",
        },
    )
    assert closed.status_code == 409 and "撤销" in closed.json()["detail"]


def test_a_merge_moves_the_members_and_keeps_the_branch_dissolved(system):
    a, b = new_org(system, "hj-s01-c01"), new_org(system, "hj-s01-c01")
    new_member(system, a["org_id"])
    new_member(system, b["org_id"])
    busy = call(system, "post", f"/orgs/{a['org_id']}/dissolve", {"reason": "撤销"})
    assert busy.status_code == 409 and "党员" in busy.json()["detail"]
    target = ok(
        call(
            system,
            "post",
            f"/orgs/{a['org_id']}/merge",
            {"into_org_id": b["org_id"], "reason": "合并"},
        )
    )
    assert (target["org_id"], target["counts"]["own_members"]) == (b["org_id"], 2)
    merged = node(system, a["org_id"])
    assert (merged["dissolved"], merged["merged_into"], merged["counts"]["own_members"]) == (
        True,
        b["org_id"],
        0,
    )
    outside = call(
        system,
        "post",
        f"/orgs/{a['org_id']}/merge",
        {"into_org_id": "hj-s02-c01-b01", "reason": "x"},
        "street",
    )
    assert outside.status_code == 403

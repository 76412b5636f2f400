"""Role × object × action on the running system (`make run`, the small demo county).

Objects lie in the caller's own subtree, in a sibling branch of the same community, or in
another street; a token of another deployment (signed with another secret) is refused on every
route. Each row asserts the status, and every 403 carries nothing of the object it refused.

The demo county: hj → streets hj-s01, hj-s02 → communities hj-sNN-cMM → grids -gKK and
branches -bKK. "own" is the branch of the demo's open meeting (hj-s01-c01-b01), "sibling" is
hj-s01-c01-b02, "other" is hj-s02-c01-b01 (grids: hj-s01-c01-g01, -g02 and hj-s02-c01-g01).
"""

import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from gateway.auth import issue_token
from services.members.idcard import make_id_number
from tests.conftest import wait_for
from tests.system import demo_logins, demo_system
from tools.demo_county.generate import generate_county

CHINA = ZoneInfo("Asia/Shanghai")
BRANCHES = {"own": "hj-s01-c01-b01", "sibling": "hj-s01-c01-b02", "other": "hj-s02-c01-b01"}
GRIDS = {"own": "hj-s01-c01-g01", "sibling": "hj-s01-c01-g02", "other": "hj-s02-c01-g01"}
PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}
TARGETS = ("own", "sibling", "other")
UNIQUE = itertools.count(1)


def path_of(org_id: str) -> str:
    parts = org_id.split("-")
    return "/" + "/".join("-".join(parts[: i + 1]) for i in range(len(parts)))


@pytest.fixture(scope="module")
def world(tmp_path_factory, request):
    with demo_system(request, tmp_path_factory, "authz") as launched:
        logins = demo_logins(launched)
        secret = launched.secrets()["TOKEN_SECRET"]
        assert logins["open_meeting"]["org_id"] == BRANCHES["own"]
        today = datetime.now(UTC).astimezone(CHINA).date()
        county = generate_county("small", today=today)

        def token(role, scope, subject=None, device=None, key=secret):
            subject = subject or f"authz-{role}"
            return issue_token(key, subject=subject, role=role, scope=scope, device=device)

        actors = {
            "county": token("county_operator", "/hj"),
            "street": token("org_admin", "/hj/hj-s01"),
            "secretary": token("branch_secretary", path_of(BRANCHES["own"])),
            "community": token("community_worker", "/hj/hj-s01/hj-s01-c01"),
            "grid": token("grid_worker", path_of(GRIDS["own"])),
            "member": logins["members"][0]["token"],
            "kiosk": logins["kiosk"]["token"],
            "foreign": token("county_operator", "/hj", key="another deployment's secret " * 2),
        }
        world = {
            "url": launched.url,
            "accounts": {},
            "actors": actors,
            "people": {},
            "members": {"own": logins["members"][0]["member_id"]},
            "meeting": logins["open_meeting"]["meeting_id"],
            "month": f"{today:%Y%m}",
            "phone_member": logins["member_sign_in"],  # the same member as the "member" actor
            "other_kiosk": token(
                "kiosk", "/hj/hj-s02/hj-s02-c01", "kiosk-hj-s02-c01", "kiosk-hj-s02-c01"
            ),
        }
        for target, branch in BRANCHES.items():
            person = next(p for p in county.people if p.org_id == branch)
            if target == "own":
                person = next(
                    p for p in county.people if p.card_uid == logins["members"][0]["card_uid"]
                )
            world["people"][target] = person
            if target != "own":  # an operator's re-registration finds them: 200 and their id
                found = call(world, "county", "post", "/members", body=member_body(person))
                assert found.status_code == 200, found.text
                world["members"][target] = found.json()["member_id"]
        for target, branch in BRANCHES.items():  # a staff account in each target branch
            made = call(world, "county", "post", "/accounts", body=account_body(target, branch))
            assert made.status_code == 201, made.text
            world["accounts"][target] = made.json()["account_id"]
        yield world


def call(world, actor, method, path, body=None, token=None):
    token = token or world["actors"][actor]
    return requests.request(
        method,
        world["url"] + "/api/v1" + path,
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def account_body(target: str, branch: str) -> dict:
    return {
        "username": f"authz-{target}",
        "display_name": f"书记{target}",
        "roles": [{"role": "branch_secretary", "org_id": branch}],
    }


def second_role(world, target) -> int:
    """Give the target's account a second role (as the county) and say where it stands."""
    role = {"role": "community_worker", "org_id": BRANCHES[target]}
    account_id = world["accounts"][target]
    roles = call(world, "county", "post", f"/accounts/{account_id}/roles", role).json()["roles"]
    return next(i for i, r in enumerate(roles) if r["role"] == role["role"])


def enrolled_kiosk(world, target) -> str:
    device_id = f"authz-revoke-{next(UNIQUE)}"
    body = {"device_id": device_id, "org_id": BRANCHES[target], "place": "党员活动室"}
    assert call(world, "county", "post", "/kiosks", body).status_code == 201
    return device_id


def fresh_org(world, target, kind="group", **extra) -> str:
    """An organization made for one row (as the county) under the target branch: the register's
    changes act on it, never on the demo's organizations."""
    org_id = f"authz-org-{next(UNIQUE)}"
    body = {"org_id": org_id, "parent_id": BRANCHES[target], "name": "测试组织", "kind": kind}
    assert call(world, "county", "post", "/orgs", {**body, **extra}).status_code == 201
    return org_id


def temporary_branch(world, target) -> str:
    ends_on = (datetime.now(UTC) + timedelta(days=60)).date().isoformat()
    return fresh_org(world, target, "branch", tags=["temporary"], ends_on=ends_on)


def placed_body(world, target) -> dict:
    member = call(world, "county", "post", "/members", new_person(BRANCHES[target])).json()
    return {"member_ids": [member["member_id"]], "reason": "防汛"}


def moved(world, target) -> str:
    body = {"new_parent_id": fresh_org(world, target, "branch")}
    response = call(world, "county", "post", f"/orgs/{fresh_org(world, target)}/move", body)
    assert response.status_code == 202, response.text
    return str(response.json()["move_id"])


def member_body(person) -> dict:
    return {
        "org_id": person.org_id,
        "name": person.name,
        "gender": person.gender,
        "birth_date": person.birth_date.isoformat(),
        "id_number": person.id_number,
        "phone": person.phone,
        "status": person.status,
        "join_date": person.join_date.isoformat(),
        "card_uid": person.card_uid,
        "skills": list(person.skills),
    }


def new_person(org_id: str) -> dict:
    n = next(UNIQUE)
    born = datetime(1970, 1, 1).date() + timedelta(days=n)
    return {
        "org_id": org_id,
        "name": f"测试{n}",
        "gender": "female",
        "birth_date": born.isoformat(),
        "id_number": make_id_number("410108", born, n % 100, "female"),
        "phone": f"1710000{n:04d}",
        "join_date": (born + timedelta(days=365 * 20)).isoformat(),
        "card_uid": f"AB{n:06X}",
    }


def new_meeting(org_id: str) -> dict:
    return {
        "meeting_id": f"authz-{org_id}-{next(UNIQUE)}",
        "org_id": org_id,
        "kind": "lecture",
        "title": "党课",
        "starts_at": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
    }


# route → how to act on a target; each returns (method, path, body)
ROUTES = {
    "read_member": lambda w, t: ("get", f"/members/{w['members'][t]}", None),
    "read_pii": lambda w, t: ("get", f"/members/{w['members'][t]}/personal-data?reason=核对", None),
    "scorecard": lambda w, t: ("get", f"/members/{w['members'][t]}/scorecard", None),
    "points_entries": lambda w, t: ("get", f"/members/{w['members'][t]}/points-entries", None),
    "inbox": lambda w, t: ("get", f"/members/{w['members'][t]}/inbox", None),
    "create_org": lambda w, t: (
        "post",
        "/orgs",
        {
            "org_id": f"authz-{next(UNIQUE)}",
            "parent_id": BRANCHES[t],
            "name": "党小组",
            "kind": "group",
        },
    ),
    "register_member": lambda w, t: ("post", "/members", new_person(BRANCHES[t])),
    "schedule_meeting": lambda w, t: ("post", "/meetings", new_meeting(BRANCHES[t])),
    "enroll_kiosk": lambda w, t: (
        "post",
        "/kiosks",
        {"device_id": f"authz-kiosk-{next(UNIQUE)}", "org_id": BRANCHES[t], "place": "党员活动室"},
    ),
    "record_need": lambda w, t: (
        "post",
        "/needs",
        {
            "grid_path": path_of(GRIDS[t]),
            "title": "帮老人修水管",
            "category": "repair",
            "resident_name": "张大爷",
        },
    ),
    "list_needs": lambda w, t: ("get", f"/needs?scope={path_of(GRIDS[t])}", None),
    # staff accounts, sign-in attempts, kiosks
    "list_accounts": lambda w, t: ("get", f"/accounts?org_id={BRANCHES[t]}", None),
    "create_account": lambda w, t: (
        "post",
        "/accounts",
        {**account_body(f"{t}-{next(UNIQUE)}", BRANCHES[t]), "password": "Chosen-pw1"},
    ),
    "get_account": lambda w, t: ("get", f"/accounts/{w['accounts'][t]}", None),
    "grant_role": lambda w, t: (
        "post",
        f"/accounts/{w['accounts'][t]}/roles",
        {"role": "grid_worker", "org_id": BRANCHES[t]},
    ),
    "revoke_role": lambda w, t: (
        "delete",
        f"/accounts/{w['accounts'][t]}/roles/{second_role(w, t)}",
        None,
    ),
    "disable_account": lambda w, t: ("post", f"/accounts/{w['accounts'][t]}/disable", None),
    "enable_account": lambda w, t: ("post", f"/accounts/{w['accounts'][t]}/enable", None),
    "password_reset": lambda w, t: ("post", f"/accounts/{w['accounts'][t]}/password-reset", None),
    "sign_in_attempts": lambda w, t: ("get", f"/auth/attempts?org_id={BRANCHES[t]}", None),
    "pairing_code": lambda w, t: (
        "post",
        "/kiosks/pairing-codes",
        {"org_id": BRANCHES[t], "place": "党员活动室"},
    ),
    "list_kiosks": lambda w, t: ("get", f"/kiosks?org_id={BRANCHES[t]}", None),
    "revoke_kiosk": lambda w, t: ("post", f"/kiosks/{enrolled_kiosk(w, t)}/revoke", None),
    # the console's reads
    "org_node": lambda w, t: ("get", f"/orgs/{BRANCHES[t]}", None),
    "org_children": lambda w, t: ("get", f"/orgs/{BRANCHES[t]}/children", None),
    "org_members": lambda w, t: (
        "get",
        f"/orgs/{BRANCHES[t]}/members?q={w['people'][t].name[0]}",
        None,
    ),
    "org_meetings": lambda w, t: ("get", f"/orgs/{BRANCHES[t]}/meetings", None),
    "meeting": lambda w, t: ("get", f"/meetings/{theme_day(w, t)}", None),
    "meeting_attendance": lambda w, t: ("get", f"/meetings/{theme_day(w, t)}/attendance", None),
    "member_attendance": lambda w, t: ("get", f"/members/{w['members'][t]}/attendance", None),
    # the organization register (routes_tree.py), on organizations made for the row
    "update_org": lambda w, t: (
        "patch",
        f"/orgs/{fresh_org(w, t)}",
        {"version": 0, "name": "改名"},
    ),
    "move_org": lambda w, t: (
        "post",
        f"/orgs/{fresh_org(w, t)}/move",
        {"new_parent_id": fresh_org(w, t, "branch")},
    ),
    "org_move": lambda w, t: ("get", f"/org-moves/{moved(w, t)}", None),
    "merge_org": lambda w, t: (
        "post",
        f"/orgs/{fresh_org(w, t, 'branch')}/merge",
        {"into_org_id": fresh_org(w, t, "branch"), "reason": "合并"},
    ),
    "dissolve_org": lambda w, t: ("post", f"/orgs/{fresh_org(w, t)}/dissolve", {"reason": "撤销"}),
    "temporary_members": lambda w, t: (
        "post",
        f"/orgs/{temporary_branch(w, t)}/temporary-members",
        placed_body(w, t),
    ),
    "org_history": lambda w, t: ("get", f"/orgs/{BRANCHES[t]}/history", None),
    # the members' lifecycle (routes_lifecycle.py): changes on fresh members of the target
    "update_profile": lambda w, t: ("patch", f"/members/{fresh(w, t)}", {"work_unit": "区医院"}),
    "change_status": lambda w, t: ("post", f"/members/{fresh(w, t)}/status", suspension()),
    "status_history": lambda w, t: ("get", f"/members/{w['members'][t]}/status-history", None),
    "probation_due": lambda w, t: ("get", f"/members/probation-due?org_id={BRANCHES[t]}", None),
    # the yearly plan (routes_plans.py)
    "org_plan": lambda w, t: ("get", f"/orgs/{BRANCHES[t]}/plan", None),
    "plan_gaps": lambda w, t: ("get", f"/orgs/{BRANCHES[t]}/plan-gaps", None),
    # meetings held (routes_orglife.py): the theme day's leave, the approvals, the rates
    "meeting_leave": lambda w, t: ("get", f"/meetings/{theme_day(w, t)}/leave", None),
    "pending_leave": lambda w, t: ("get", f"/leave/pending?org_id={BRANCHES[t]}", None),
    "attendance_rates": lambda w, t: (
        "get",
        f"/orgs/{BRANCHES[t]}/attendance-rates?from={month_of(w)}&to={month_of(w)}",
        None,
    ),
    # transfers (routes_transfers.py): a branch's outgoing and incoming letters
    "transfers_out": lambda w, t: ("get", f"/transfers?org_id={BRANCHES[t]}", None),
    "transfers_in": lambda w, t: (
        "get",
        f"/transfers?org_id={BRANCHES[t]}&direction=incoming",
        None,
    ),
    "transfers_from_deployments": lambda w, t: (
        "get",
        f"/transfers/from-deployments?org_id={BRANCHES[t]}",
        None,
    ),
    "search_members": lambda w, t: (
        "get",
        f"/members/search?org_id={BRANCHES[t]}&q={w['people'][t].name[0]}",
        None,
    ),
    # the roster (routes_roster.py): an import job the county uploaded into the target branch
    "roster_import": lambda w, t: ("get", f"/roster-imports/{roster_job(w, t)}", None),
    "roster_commit": lambda w, t: ("post", f"/roster-imports/{roster_job(w, t)}/commit", None),
    "roster_export": lambda w, t: ("get", f"/orgs/{BRANCHES[t]}/members/export", None),
    "roster_export_full": lambda w, t: (
        "get",
        f"/orgs/{BRANCHES[t]}/members/export?full=true&reason=核对",
        None,
    ),
    "issue_card": lambda w, t: (
        "post",
        f"/members/{fresh(w, t, card_uid=None)}/card",
        {"card_uid": f"cd{next(UNIQUE):06x}"},
    ),
    "card_lost": lambda w, t: ("post", f"/members/{fresh(w, t)}/card/lost", {"reason": "遗失"}),
    "card_replace": lambda w, t: (
        "post",
        f"/members/{fresh(w, t)}/card/replace",
        {"card_uid": f"CE{next(UNIQUE):06X}"},
    ),
    "card_return": lambda w, t: ("post", f"/members/{fresh(w, t)}/card/return", {"reason": "调离"}),
    "card_history": lambda w, t: ("get", f"/members/{w['members'][t]}/cards", None),
}


def fresh(world, target, **overrides) -> str:
    """A member registered (by the county) in the target branch for a change to act on."""
    made = call(world, "county", "post", "/members", {**new_person(BRANCHES[target]), **overrides})
    assert made.status_code == 201, made.text
    return str(made.json()["member_id"])


def suspension() -> dict:
    today = datetime.now(UTC).astimezone(CHINA).date().isoformat()
    return {
        "to_status": "suspended",
        "effective_on": today,
        "reason": "停止党籍",
        "approved_by": "上级党委",
    }


def roster_job(world, target) -> str:
    """An import job of one new person into the target branch, uploaded and checked (once)."""
    jobs = world.setdefault("roster_jobs", {})
    if target not in jobs:
        person = new_person(BRANCHES[target])
        line = f"{person['name']},女,{person['id_number']},{person['phone']},{person['join_date']}"
        content = f"姓名,性别,公民身份号码,手机号码,入党日期\n{line}\n".encode()
        made = requests.post(
            f"{world['url']}/api/v1/orgs/{BRANCHES[target]}/roster-imports",
            files={"file": ("roster.csv", content, "text/csv")},
            headers={"Authorization": f"Bearer {world['actors']['county']}"},
            timeout=30,
        )
        assert made.status_code == 202, made.text
        job = made.json()["import_id"]
        wait_for(
            lambda: (
                call(world, "county", "get", f"/roster-imports/{job}").json()["state"] == "checked"
            )
        )
        jobs[target] = job
    return str(jobs[target])


def month_of(world) -> str:
    """The world's month as the API writes months (YYYY-MM)."""
    return f"{world['month'][:4]}-{world['month'][4:]}"


def theme_day(world, target) -> str:
    """The demo's theme day of the target branch this month."""
    return f"m-{BRANCHES[target]}-{world['month']}-theme"


OK = {"get": 200, "post": 201, "delete": 200}
# route, actor → statuses for (own, sibling, other); "ok" is 200 for reads and 201 for creates
# (a change that creates nothing says 200)
MANAGERS_ONLY = {
    "county": ("ok", "ok", "ok"),
    "street": ("ok", "ok", 403),
    "secretary": (403, 403, 403),
    "community": (403, 403, 403),
    "grid": (403, 403, 403),
    "member": (403, 403, 403),
    "kiosk": (403, 403, 403),
}
CHANGES = {
    actor: tuple(200 if e == "ok" else e for e in row) for actor, row in MANAGERS_ONLY.items()
}
KIOSK_KEEPERS = {**MANAGERS_ONLY, "secretary": ("ok", 403, 403)}  # a secretary: their own branch
KIOSK_CHANGES = {
    actor: tuple(200 if e == "ok" else e for e in row) for actor, row in KIOSK_KEEPERS.items()
}
# the console's reads of a branch and what lies in it: staff within their scope
CONSOLE_READS = {
    "county": ("ok", "ok", "ok"),
    "street": ("ok", "ok", 403),
    "secretary": ("ok", 403, 403),
    "community": ("ok", "ok", 403),
    "grid": (403, 403, 403),  # a grid is not above any branch
    "member": (403, 403, 403),
    "kiosk": (403, 403, 403),
}
# a member's profile, status and cards: secretaries and staff within their scope (200: changed)
LIFECYCLE_CHANGES = {
    "county": (200, 200, 200),
    "street": (200, 200, 403),
    "secretary": (200, 403, 403),
    "community": (403, 403, 403),
    "grid": (403, 403, 403),
    "member": (403, 403, 403),
    "kiosk": (403, 403, 403),
}
TABLE = {
    "read_member": {
        "county": ("ok", "ok", "ok"),
        "street": ("ok", "ok", 403),
        "secretary": ("ok", 403, 403),
        "community": ("ok", "ok", 403),
        "grid": (403, 403, 403),  # a grid is not above any branch
        "member": ("ok", 403, 403),  # themselves only
        "kiosk": (403, 403, 403),
    },
    "read_pii": {
        "county": ("ok", "ok", "ok"),
        "street": ("ok", "ok", 403),
        "secretary": (403, 403, 403),
        "member": (403, 403, 403),
        "kiosk": (403, 403, 403),
    },
    "scorecard": {
        "county": ("ok", "ok", "ok"),
        "street": ("ok", "ok", 403),
        "secretary": ("ok", 403, 403),
        "grid": (403, 403, 403),
        "member": ("ok", 403, 403),
        "kiosk": (403, 403, 403),
    },
    "points_entries": {
        "county": ("ok", "ok", "ok"),
        "street": ("ok", "ok", 403),
        "secretary": ("ok", 403, 403),
        "member": ("ok", 403, 403),
        "community": (403, 403, 403),
    },
    "inbox": {
        "county": ("ok", "ok", "ok"),
        "street": ("ok", "ok", 403),
        "secretary": ("ok", 403, 403),
        "member": ("ok", 403, 403),
        "grid": (403, 403, 403),
    },
    "create_org": {
        "county": ("ok", "ok", "ok"),
        "street": ("ok", "ok", 403),
        "secretary": (403, 403, 403),
        "member": (403, 403, 403),
    },
    "register_member": {
        "county": ("ok", "ok", "ok"),
        "street": ("ok", "ok", 403),
        "secretary": ("ok", 403, 403),
        "community": (403, 403, 403),
        "member": (403, 403, 403),
    },
    "schedule_meeting": {
        "county": ("ok", "ok", "ok"),
        "street": ("ok", "ok", 403),
        "secretary": ("ok", 403, 403),
        "grid": (403, 403, 403),
        "kiosk": (403, 403, 403),
    },
    "enroll_kiosk": {
        "county": ("ok", "ok", "ok"),
        "street": ("ok", "ok", 403),
        "secretary": (403, 403, 403),
        "kiosk": (403, 403, 403),
    },
    "record_need": {
        "county": ("ok", "ok", "ok"),
        "street": ("ok", "ok", 403),
        "community": ("ok", "ok", 403),
        "grid": ("ok", 403, 403),
        "secretary": (403, 403, 403),
        "member": (403, 403, 403),
    },
    "list_needs": {
        "county": ("ok", "ok", "ok"),
        "street": ("ok", "ok", 403),
        "grid": ("ok", 403, 403),
        "secretary": (403, 403, 403),  # a branch is not above any grid
        "kiosk": (403, 403, 403),
    },
    "list_accounts": MANAGERS_ONLY,
    "org_node": CONSOLE_READS,
    "org_children": CONSOLE_READS,
    "org_members": CONSOLE_READS,
    "org_meetings": CONSOLE_READS,
    "meeting": CONSOLE_READS,
    "meeting_attendance": CONSOLE_READS,
    "member_attendance": {**CONSOLE_READS, "member": ("ok", 403, 403)},  # their own
    "create_account": MANAGERS_ONLY,
    "get_account": MANAGERS_ONLY,
    "grant_role": CHANGES,
    "revoke_role": MANAGERS_ONLY,
    "disable_account": CHANGES,
    "enable_account": CHANGES,
    "password_reset": CHANGES,
    "sign_in_attempts": MANAGERS_ONLY,
    "pairing_code": KIOSK_KEEPERS,
    "list_kiosks": KIOSK_KEEPERS,
    "revoke_kiosk": KIOSK_CHANGES,
    # the register: staff only, within their subtree (a secretary changes none of it)
    "update_org": {**CHANGES, "community": (403, 403, 403)},
    "move_org": {
        **MANAGERS_ONLY,
        "county": (202, 202, 202),
        "street": (202, 202, 403),
        "community": (403, 403, 403),
    },
    "org_move": {**MANAGERS_ONLY, "community": (403, 403, 403)},
    "merge_org": CHANGES,
    "dissolve_org": CHANGES,
    "temporary_members": {**CHANGES, "grid": (403, 403, 403)},
    "org_history": MANAGERS_ONLY,
    "update_profile": LIFECYCLE_CHANGES,
    "change_status": LIFECYCLE_CHANGES,
    "issue_card": LIFECYCLE_CHANGES,
    "card_lost": LIFECYCLE_CHANGES,
    "card_replace": LIFECYCLE_CHANGES,
    "card_return": LIFECYCLE_CHANGES,
    "status_history": {**CONSOLE_READS, "member": ("ok", 403, 403)},  # their own
    "card_history": {**CONSOLE_READS, "member": ("ok", 403, 403)},
    "probation_due": CONSOLE_READS,
    "search_members": CONSOLE_READS,
    "org_plan": CONSOLE_READS,
    "plan_gaps": CONSOLE_READS,
    "meeting_leave": CONSOLE_READS,
    "pending_leave": KIOSK_KEEPERS,  # manage_meetings: secretaries and staff in scope
    "attendance_rates": CONSOLE_READS,
    "transfers_out": KIOSK_KEEPERS,  # manage_transfers: secretaries and staff in scope
    "transfers_in": KIOSK_KEEPERS,
    "transfers_from_deployments": KIOSK_KEEPERS,
    "roster_import": KIOSK_KEEPERS,  # secretaries: their own branch's
    "roster_commit": {
        a: tuple(202 if e == "ok" else e for e in r) for a, r in KIOSK_KEEPERS.items()
    },
    # the downloads answer a file: only their refusals are rows here (tests/e2e/test_roster_*)
    "roster_export": {a: (403, 403, 403) for a in ("community", "grid", "member", "kiosk")},
    "roster_export_full": {
        a: (403, 403, 403) for a in ("secretary", "community", "grid", "member", "kiosk")
    },
}
ACCOUNT_ROUTES = {
    "get_account",
    "grant_role",
    "revoke_role",
    "disable_account",
    "enable_account",
    "password_reset",
}
ROWS = [
    (route, actor, target, expected[i])
    for route, actors in TABLE.items()
    for actor, expected in actors.items()
    for i, target in enumerate(TARGETS)
]


def assert_refused_without_data(response, status, *secrets):
    assert response.status_code == status, response.text[:300]
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert set(body) == PROBLEM_KEYS and body["status"] == status
    for secret in secrets:
        assert secret not in response.text


def secrets_of(world, route, target):
    """What a refusal must not reveal about the target object."""
    found = [path_of(BRANCHES[target]), path_of(GRIDS[target])]
    if route in ACCOUNT_ROUTES:
        found.append(f"authz-{target}")
    if route in (
        "read_member",
        "read_pii",
        "scorecard",
        "points_entries",
        "inbox",
        "org_members",
        "member_attendance",
    ):
        person = world["people"][target]
        found += [person.name, person.name[0] + "*", person.card_uid, person.phone[-4:]]
    return found


@pytest.mark.parametrize(("route", "actor", "target", "expected"), ROWS)
def test_role_object_action(world, route, actor, target, expected):
    method, path, body = ROUTES[route](world, target)
    response = call(world, actor, method, path, body)
    if expected == "ok" or expected < 400:
        assert response.status_code == (OK[method] if expected == "ok" else expected), response.text
        assert response.headers["Content-Type"] == "application/json"
    else:
        assert_refused_without_data(response, expected, *secrets_of(world, route, target))


def signed_in_by_sms(world) -> str:
    """A member's access token as a phone gets it: the code texted to the demo member's number
    (read from the demo's SMS file), then the sign-in with it."""
    phone, sms_file = world["phone_member"]["phone"], Path(world["phone_member"]["sms_file"])
    asked = requests.post(
        world["url"] + "/api/v1/auth/member-code", json={"phone": phone}, timeout=30
    )
    assert asked.status_code == 202, asked.text
    text = json.loads(sms_file.read_text(encoding="utf-8").splitlines()[-1])
    code = text["body"].split("验证码为")[1][:6]
    signed = requests.post(
        world["url"] + "/api/v1/auth/member-sign-in",
        json={"phone": phone, "code": code},
        timeout=30,
    )
    assert signed.status_code == 200, signed.text
    return str(signed.json()["access_token"])


def test_a_member_signed_in_by_sms_code_is_held_to_the_member_rows(world):
    """The member rows again with the token of a real member session (the session checked by
    the gateway on every request), not a token issued by the demo loader."""
    token = signed_in_by_sms(world)
    for route, actors in TABLE.items():
        for target, expected in zip(TARGETS, actors.get("member", ()), strict=False):
            method, path, body = ROUTES[route](world, target)
            response = call(world, "", method, path, body, token=token)
            if expected == "ok":
                assert response.status_code == OK[method], (route, target, response.text)
            else:
                assert_refused_without_data(response, expected, *secrets_of(world, route, target))


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_a_token_of_another_deployment_is_401_everywhere(world, route):
    method, path, body = ROUTES[route](world, "own")
    response = call(world, "foreign", method, path, body)
    assert_refused_without_data(response, 401, *secrets_of(world, route, "own"))


# -- where the console starts: the tree's roots and the home page ----------------------------

SCOPES = {
    "county": "/hj",
    "street": "/hj/hj-s01",
    "secretary": path_of(BRANCHES["own"]),
    "community": "/hj/hj-s01/hj-s01-c01",
    "grid": path_of(GRIDS["own"]),
}


@pytest.mark.parametrize("actor", [*SCOPES, "member", "kiosk"])
def test_the_tree_and_the_home_page_start_at_the_callers_scope(world, actor):
    roots = call(world, actor, "get", "/orgs/roots")
    overview = call(world, actor, "get", "/overview")
    if actor not in SCOPES:
        assert_refused_without_data(roots, 403, "/hj")
        assert_refused_without_data(overview, 403, "/hj")
        return
    assert roots.status_code == 200 and overview.status_code == 200, overview.text
    assert [org["path"] for org in roots.json()["items"]] == [SCOPES[actor]]
    assert [org["path"] for org in overview.json()["roots"]] == [SCOPES[actor]]
    assert overview.json()["scope"] == SCOPES[actor]


# -- creates that meet an existing object by its key (the leaks of issue 5) ------------------


def test_an_org_id_taken_in_another_street_is_not_revealed(world):
    body = {"org_id": BRANCHES["other"], "parent_id": "hj-s01", "name": "冒名", "kind": "branch"}
    response = call(world, "street", "post", "/orgs", body)
    assert_refused_without_data(response, 403, "hj-s02", "/hj")
    again = call(world, "county", "post", "/orgs", {**body, "parent_id": "hj-s02-c01"})
    assert again.status_code == 200 and again.json()["path"] == path_of(BRANCHES["other"])


def test_a_person_registered_in_another_street_is_not_revealed(world):
    person = world["people"]["other"]
    body = {**member_body(person), "org_id": BRANCHES["own"]}
    response = call(world, "secretary", "post", "/members", body)
    assert_refused_without_data(response, 403, world["members"]["other"], person.card_uid)


def test_a_meeting_id_of_another_street_is_not_revealed(world):
    meeting_id = f"m-{BRANCHES['other']}-{world['month']}-theme"
    body = {**new_meeting(BRANCHES["own"]), "meeting_id": meeting_id}
    response = call(world, "secretary", "post", "/meetings", body)
    assert_refused_without_data(response, 403, "hj-s02", "主题党日")


def test_a_kiosk_of_another_street_cannot_be_rebound(world):
    body = {"device_id": "kiosk-hj-s02-c01", "org_id": "hj-s01", "place": "冒名服务中心"}
    response = call(world, "street", "post", "/kiosks", body)
    assert_refused_without_data(response, 403, "hj-s02", "李堡村")


# -- kiosks ----------------------------------------------------------------------------------


def test_kiosks_sign_in_the_expected_members_only(world):
    swipe = {"meeting_id": world["meeting"]}
    own = {**swipe, "card_uid": world["people"]["own"].card_uid}
    first = call(world, "kiosk", "post", "/kiosk/check-ins", own)
    assert first.status_code == 201, first.text
    assert call(world, "kiosk", "post", "/kiosk/check-ins", own).status_code == 200
    for target in ("sibling", "other"):  # not of the meeting's branch, not invited
        stranger = {**swipe, "card_uid": world["people"][target].card_uid}
        response = call(world, "kiosk", "post", "/kiosk/check-ins", stranger)
        assert_refused_without_data(response, 403, *secrets_of(world, "read_member", target))
    elsewhere = call(world, "", "post", "/kiosk/check-ins", own, token=world["other_kiosk"])
    assert_refused_without_data(elsewhere, 403, world["people"]["own"].name)
    for actor in ("county", "secretary", "member"):
        assert_refused_without_data(call(world, actor, "post", "/kiosk/check-ins", own), 403)
    assert_refused_without_data(call(world, "foreign", "post", "/kiosk/check-ins", own), 401)

    href = first.json()["points"]["href"].removeprefix("/api/v1")
    points = wait_for(
        lambda: (p := call(world, "kiosk", "get", href)).json()["status"] != "pending" and p
    )
    assert points.status_code == 200 and points.json()["status"] == "awarded"
    assert_refused_without_data(call(world, "", "get", href, token=world["other_kiosk"]), 403)
    assert_refused_without_data(call(world, "county", "get", href), 403)
    assert_refused_without_data(call(world, "foreign", "get", href), 401)


def test_a_kiosk_lists_the_meetings_of_its_own_place_only(world):
    mine = call(world, "kiosk", "get", "/kiosk/meetings")
    assert mine.status_code == 200, mine.text
    assert world["meeting"] in [m["meeting_id"] for m in mine.json()["items"] if m["open_now"]]
    elsewhere = call(world, "", "get", "/kiosk/meetings", token=world["other_kiosk"])
    assert elsewhere.status_code == 200, elsewhere.text
    assert all(m["meeting_id"] != world["meeting"] for m in elsewhere.json()["items"])
    for actor in ("county", "secretary", "member"):
        assert_refused_without_data(call(world, actor, "get", "/kiosk/meetings"), 403)
    assert_refused_without_data(call(world, "foreign", "get", "/kiosk/meetings"), 401)

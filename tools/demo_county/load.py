"""Load the demo county through the services' own RPC entrypoints and write the demo logins.

``python -m tools.demo_county.load --size full --out var/demo-logins.json``

Idempotent: every entrypoint it calls is keyed on a natural id, so a second run changes nothing
except that it schedules a fresh open meeting when the last one has closed. The demo staff
accounts are created once, each with a random one-time password (printed once, kept in the
logins file); on a later start they exist and are left as they are.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ClusterRpcProxy

from gateway.auth import issue_token
from gateway.credentials import new_password
from tools.demo_county.generate import County, Person, generate_county

CHINA = ZoneInfo("Asia/Shanghai")
BATCH = 200


def load(rpc: Any, county: County) -> dict[str, Any]:
    paths: dict[str, str] = {}
    for org in county.orgs:
        created = rpc.members.create_org(
            {
                "org_id": org.org_id,
                "parent_id": org.parent_id,
                "name": org.name,
                "kind": org.kind,
                "tags": list(org.tags),
            }
        )
        paths[org.org_id] = created["path"]
    member_ids: dict[str, str] = {}
    for start in range(0, len(county.people), BATCH):
        batch = county.people[start : start + BATCH]
        for person, result in zip(
            batch, rpc.members.register_members([_member(p) for p in batch]), strict=True
        ):
            member_ids[person.card_uid] = result["member_id"]
    for kiosk in county.kiosks:
        rpc.members.enroll_kiosk(
            {"device_id": kiosk.device_id, "org_id": kiosk.org_id, "place": kiosk.place}
        )
    for meeting in county.meetings:
        rpc.members.schedule_meeting(
            {
                "meeting_id": meeting.meeting_id,
                "org_id": meeting.org_id,
                "kind": meeting.kind,
                "title": meeting.title,
                "starts_at": meeting.starts_at.isoformat(),
                "window_before_min": meeting.window_before_min,
                "window_after_min": meeting.window_after_min,
            }
        )
    return {"paths": paths, "member_ids": member_ids}


def open_meeting(rpc: Any, branch_id: str, now: datetime) -> dict[str, Any]:
    """Today's demo meeting, open for sign-in from now until 23:59 China time."""
    local = now.astimezone(CHINA)
    end_of_day = local.replace(hour=23, minute=59, second=0, microsecond=0)
    return rpc.members.schedule_meeting(
        {
            "meeting_id": f"demo-{branch_id}-{local:%Y%m%d}",
            "org_id": branch_id,
            "kind": "theme_day",
            "title": f"{local:%-m月%-d日}主题党日（演示）",
            "starts_at": local.isoformat(),
            "window_before_min": 30,
            "window_after_min": max(30, int((end_of_day - local).total_seconds() // 60)),
        }
    )


def logins(
    county: County, loaded: dict[str, Any], meeting: dict[str, Any], secret: str
) -> dict[str, Any]:
    branch_id = meeting["org_id"]
    kiosk = next(
        k
        for k in county.kiosks
        if loaded["paths"][branch_id].startswith(loaded["paths"][k.org_id] + "/")
    )
    people = [p for p in county.people if p.org_id == branch_id][:5]
    root = county.orgs[0]

    def token(**claims: Any) -> str:
        return issue_token(secret, ttl_days=30, **claims)

    return {
        "admin": {
            "role": "county_operator",
            "scope": loaded["paths"][root.org_id],
            "token": token(
                subject="demo-admin", role="county_operator", scope=loaded["paths"][root.org_id]
            ),
        },
        "branch_secretary": {
            "role": "branch_secretary",
            "org_id": branch_id,
            "scope": loaded["paths"][branch_id],
            "token": token(
                subject="demo-secretary", role="branch_secretary", scope=loaded["paths"][branch_id]
            ),
        },
        "kiosk": {
            "device_id": kiosk.device_id,
            "place": kiosk.place,
            "scope": loaded["paths"][kiosk.org_id],
            "token": token(
                subject=kiosk.device_id,
                role="kiosk",
                scope=loaded["paths"][kiosk.org_id],
                device=kiosk.device_id,
            ),
        },
        "open_meeting": {
            k: meeting[k] for k in ("meeting_id", "title", "org_id", "opens_at", "closes_at")
        },
        "members": [
            {
                "member_id": loaded["member_ids"][p.card_uid],
                "card_uid": p.card_uid,
                "name": p.name,
                "token": token(
                    subject=loaded["member_ids"][p.card_uid],
                    role="member",
                    scope=loaded["paths"][branch_id],
                ),
            }
            for p in people
        ],
    }


def demo_accounts(county: County, branch_id: str) -> list[dict[str, str]]:
    """A county operator, a street admin, a branch secretary and a grid worker, each with its
    role over the demo county's organizations around the demo branch."""
    by_id = {org.org_id: org for org in county.orgs}
    community = by_id[str(by_id[branch_id].parent_id)]
    street = by_id[str(community.parent_id)]
    grid = next(o for o in county.orgs if o.kind == "grid" and o.parent_id == community.org_id)
    return [
        _account("demo-county", "县级管理员（演示）", "county_operator", county.orgs[0].org_id),
        _account("demo-street", "街道管理员（演示）", "org_admin", street.org_id),
        _account("demo-secretary", "支部书记（演示）", "branch_secretary", branch_id),
        _account("demo-grid", "网格员（演示）", "grid_worker", grid.org_id),
    ]


def _account(username: str, display_name: str, role: str, org_id: str) -> dict[str, str]:
    return {"username": username, "display_name": display_name, "role": role, "org_id": org_id}


def ensure_accounts(
    rpc: Any, wanted: list[dict[str, str]], known: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(the accounts for the logins file, the ones created now). An account that exists is not
    changed: the logins file keeps what it knew of it (its first password, maybe changed since)."""
    previous = {account["username"]: account for account in known}
    accounts, created = [], []
    for spec in wanted:
        password = new_password()
        request = {
            "username": spec["username"],
            "display_name": spec["display_name"],
            "password": password,
            "roles": [{"role": spec["role"], "org_id": spec["org_id"]}],
        }
        try:
            made = rpc.members.create_account(request)
        except RemoteError as error:
            if error.exc_type != "Conflict":
                raise
            accounts.append(previous.get(spec["username"], {**spec, "initial_password": None}))
            continue
        account = {
            **spec,
            "account_id": made["account_id"],
            "scope": made["roles"][0]["scope"],
            "initial_password": password,
        }
        accounts.append(account)
        created.append(account)
    return accounts, created


def member_sign_in(county: County, members: list[dict[str, Any]], sms_file: Path) -> dict[str, str]:
    """The demo member who signs in on a phone by SMS code: the first demo member (of the demo
    branch, with a card), their number, and the file where the demo's texts are written."""
    first = members[0]
    person = next(p for p in county.people if p.card_uid == first["card_uid"])
    return {
        "member_id": first["member_id"],
        "name": person.name,
        "card_uid": person.card_uid,
        "phone": person.phone,
        "sms_file": str(sms_file),
    }


def sms_file() -> Path:
    """Where notify's file provider writes texts (services/notify/config.yml: SMS_FILE, else
    <DATA_DIR>/sms/messages.jsonl)."""
    data_dir = Path(os.environ.get("DATA_DIR") or "var")
    return Path(os.environ.get("SMS_FILE") or data_dir / "sms" / "messages.jsonl").resolve()


def _shown_meeting(meeting: dict[str, Any]) -> dict[str, Any]:
    return {k: meeting[k] for k in ("meeting_id", "title", "org_id", "opens_at", "closes_at")}


def _member(person: Person) -> dict[str, Any]:
    data = asdict(person)
    data.pop("member_id_hint", None)
    for key in ("birth_date", "join_date"):
        data[key] = data[key].isoformat()
    data["skills"] = list(person.skills)
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=("full", "small"), default="full")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    now = datetime.now(UTC)
    county = generate_county(args.size, today=now.astimezone(CHINA).date())
    previous = json.loads(args.out.read_text()) if args.out.exists() else {}
    config = {"AMQP_URI": os.environ.get("AMQP_URI", "pyamqp://guest:guest@127.0.0.1:5672/")}
    loader = {"caller": {"subject": "demo-loader", "role": "county_operator", "scope": "/"}}
    with ClusterRpcProxy(config, timeout=120, context_data=loader) as rpc:
        branch_id = _demo_branch(county)
        if (
            previous.get("size") == args.size
        ):  # loaded on an earlier start: only refresh the meeting
            previous["open_meeting"] = _shown_meeting(open_meeting(rpc, branch_id, now))
            result, seconds = previous, 0.0
        else:
            started = time.perf_counter()
            loaded = load(rpc, county)
            seconds = round(time.perf_counter() - started, 1)
            meeting = open_meeting(rpc, branch_id, now)
            result = {
                "size": args.size,
                "loaded_at": now.isoformat(),
                "load_seconds": seconds,
                "counts": _counts(county),
                **logins(county, loaded, meeting, os.environ["TOKEN_SECRET"]),
            }
        wanted = demo_accounts(county, branch_id)
        result["accounts"], created = ensure_accounts(rpc, wanted, result.get("accounts", []))
    result["member_sign_in"] = member_sign_in(county, result["members"], sms_file())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    os.chmod(args.out, 0o600)
    done = f"loaded in {seconds}s" if seconds else "already loaded; today's open meeting refreshed"
    print(f"demo county ({args.size}) {done}; logins in {args.out}")
    if created:
        print(
            "demo staff accounts created (one-time passwords, shown once; changed at first sign-in):"
        )
        for account in created:
            print(
                f"  {account['username']:<15} {account['initial_password']}  ({account['role']}, {account['scope']})"
            )
    existing = sorted(
        {a["username"] for a in result["accounts"]} - {a["username"] for a in created}
    )
    if existing:
        print(f"demo staff accounts exist, left unchanged: {', '.join(existing)}")


def _demo_branch(county: County) -> str:
    return next(
        o.org_id
        for o in county.orgs
        if o.kind == "branch" and "two_new" not in o.tags and "building" not in o.tags
    )


def _counts(county: County) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for org in county.orgs:
        kinds[org.kind] = kinds.get(org.kind, 0) + 1
    return {
        **kinds,
        "members": len(county.people),
        "kiosks": len(county.kiosks),
        "meetings": len(county.meetings),
    }


if __name__ == "__main__":
    main()

"""The transfer routes on the running system (`make run`, the small demo county): a letter
issued by one branch's secretary and accepted by another's (the member moves with the same id
and card, the counters follow, the receipt is recorded), declined, cancelled, each asked twice
answering the same, the lists with their flags, scope, and bad input answered in Chinese with
nothing changed."""

import itertools
import uuid
from datetime import datetime, timedelta

import pytest
import requests

from gateway.auth import issue_token
from services.members.idcard import make_id_number
from tests.system import demo_logins, demo_system

SENDER = "hj-s01-c01-b01"
PARENT = "hj-s01-c01"
UNIQUE = itertools.count(1)


@pytest.fixture(scope="module")
def system(tmp_path_factory, request):
    with demo_system(request, tmp_path_factory, "transfers") as launched:
        demo_logins(launched)
        secret = launched.secrets()["TOKEN_SECRET"]
        url = launched.url + "/api/v1"
        operator = issue_token(secret, subject="e2e-operator", role="county_operator", scope="/hj")
        children = requests.get(
            f"{url}/orgs/{PARENT}/children",
            headers={"Authorization": f"Bearer {operator}"},
            timeout=30,
        ).json()["items"]
        receiver = next(o for o in children if o["org_id"] != SENDER)
        yield {
            "url": url,
            "receiver_org": receiver,
            "sender": issue_token(
                secret,
                subject="e2e-sender",
                role="branch_secretary",
                scope=f"/hj/hj-s01/{PARENT}/{SENDER}",
            ),
            "receiver": issue_token(
                secret, subject="e2e-receiver", role="branch_secretary", scope=receiver["path"]
            ),
            "operator": operator,
            "worker": issue_token(
                secret, subject="e2e-worker", role="community_worker", scope="/hj"
            ),
        }


def call(system, method, path, body=None, token="sender"):
    headers = {"Authorization": f"Bearer {system[token]}"}
    return requests.request(method, system["url"] + path, json=body, headers=headers, timeout=30)


def registered(system):
    n = 700 + next(UNIQUE)
    born = datetime(1976, 1, 1).date() + timedelta(days=n)
    body = {
        "org_id": SENDER,
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
    return {**made.json(), "name": body["name"]}


def letter(system, member, **more):
    body = {
        "request_id": uuid.uuid4().hex,
        "member_id": member["member_id"],
        "scope": "within_city",
        "reason": "工作调动",
        "to_org_id": system["receiver_org"]["org_id"],
        **more,
    }
    return body


def twice(system, method, path, body=None, token="sender"):
    first, again = (call(system, method, path, body, token) for _ in range(2))
    assert first.status_code == again.status_code == 200, (first.text, again.text)
    assert first.json() == again.json()
    return first.json()


def members_of(system, org_id):
    return call(system, "get", f"/orgs/{org_id}", token="operator").json()["counts"]["members"]


def test_issue_then_accept_moves_the_member(system):
    member = registered(system)
    receiver = system["receiver_org"]["org_id"]
    before = (members_of(system, SENDER), members_of(system, receiver))
    issued = twice(system, "post", "/transfers", letter(system, member))
    assert issued["state"] == "issued" and issued["letter_no"].startswith(str(datetime.now().year))
    assert issued["member_name_masked"].startswith("吴") and member["name"] not in str(issued)
    assert issued["flags"] == {"overdue": False, "expiring": False, "receipt_overdue": False}
    tid = issued["transfer_id"]
    again = call(system, "post", "/transfers", letter(system, member))
    assert again.status_code == 409 and issued["letter_no"] in again.json()["detail"]
    incoming = call(
        system, "get", f"/transfers?org_id={receiver}&direction=incoming", token="receiver"
    )
    assert tid in [t["transfer_id"] for t in incoming.json()["items"]]
    assert call(system, "post", f"/transfers/{tid}/accept").status_code == 403  # the sender
    accepted = twice(system, "post", f"/transfers/{tid}/accept", token="receiver")
    assert accepted["state"] == "accepted" and accepted["receipt_on"]
    moved = call(system, "get", f"/members/{member['member_id']}", token="operator").json()
    assert moved["org_id"] == receiver and moved["card_uid"] == member["card_uid"]
    assert (members_of(system, SENDER), members_of(system, receiver)) == (
        before[0] - 1,
        before[1] + 1,
    )
    outgoing = call(system, "get", f"/transfers?org_id={SENDER}&open_only=true").json()
    assert tid not in [t["transfer_id"] for t in outgoing["items"]]
    assert call(system, "get", f"/transfers/{tid}").json()["state"] == "accepted"


def test_decline_and_cancel(system):
    member = registered(system)
    issued = twice(system, "post", "/transfers", letter(system, member))
    tid = issued["transfer_id"]
    empty = call(system, "post", f"/transfers/{tid}/decline", {"reason": ""}, token="receiver")
    assert empty.status_code == 400
    declined = twice(
        system, "post", f"/transfers/{tid}/decline", {"reason": "不属本支部"}, token="receiver"
    )
    assert declined["state"] == "declined" and declined["decline_reason"] == "不属本支部"
    second = twice(system, "post", "/transfers", letter(system, member, scope="outside_city"))
    assert second["letter_no"] != issued["letter_no"]
    cancelled = twice(system, "post", f"/transfers/{second['transfer_id']}/cancel")
    assert cancelled["state"] == "cancelled"
    late = call(system, "post", f"/transfers/{second['transfer_id']}/accept", token="receiver")
    assert late.status_code == 409 and "已撤销" in late.json()["detail"]
    still = call(system, "get", f"/members/{member['member_id']}", token="operator").json()
    assert still["org_id"] == SENDER


def test_bad_input_and_scope(system):
    member = registered(system)
    bad = call(system, "post", "/transfers", letter(system, member, scope="moon"))
    assert bad.status_code == 400 and "scope" in bad.json()["errors"]
    itself = call(system, "post", "/transfers", letter(system, member, to_org_id=SENDER))
    assert itself.status_code == 409 and "已在" in itself.json()["detail"]
    unknown = call(system, "post", "/transfers", letter(system, member, to_org_id="nowhere-1"))
    assert unknown.status_code == 404
    foreign = call(system, "post", "/transfers", letter(system, member), token="receiver")
    assert foreign.status_code == 403
    worker = call(system, "get", f"/transfers?org_id={SENDER}", token="worker")
    assert worker.status_code == 403
    assert call(system, "get", "/transfers/not-a-letter-1").status_code == 404
    outgoing = call(system, "get", f"/transfers?org_id={SENDER}&open_only=true").json()["items"]
    assert member["member_id"] not in [t["member_id"] for t in outgoing]
    received = call(system, "get", f"/transfers/from-deployments?org_id={SENDER}")
    assert received.status_code == 200 and received.json()["items"] == []
    unknown = {"key": "county-x|2026-000001", "org_id": SENDER}
    assert call(system, "post", "/transfers/from-deployments/accept", unknown).status_code == 404

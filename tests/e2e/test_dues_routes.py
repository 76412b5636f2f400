"""The dues routes on the running system (`make run`, the small demo county), on fresh members
registered here: an income declared, the month's run over the branch, a payment recorded twice
(one entry), the same reference with other content refused, a reversal, the reads, a member
reading their own dues only, and bad input answered in Chinese with nothing changed."""

import itertools
import time
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from gateway.auth import issue_token
from services.members.idcard import make_id_number
from tests.system import demo_system

CHINA = ZoneInfo("Asia/Shanghai")
BRANCH = "hj-s01-c01-b01"
BRANCH_PATH = "/hj/hj-s01/hj-s01-c01/" + BRANCH
UNIQUE = itertools.count(1)


@pytest.fixture(scope="module")
def system(tmp_path_factory, request):
    with demo_system(request, tmp_path_factory, "dues") as launched:
        secret = launched.secrets()["TOKEN_SECRET"]
        yield {
            "url": launched.url + "/api/v1",
            "secret": secret,
            "secretary": issue_token(
                secret, subject="e2e-secretary", role="branch_secretary", scope=BRANCH_PATH
            ),
            "operator": issue_token(
                secret, subject="e2e-operator", role="county_operator", scope="/hj"
            ),
        }


def call(system, method, path, body=None, token="secretary"):
    bearer = system.get(token, token)
    headers = {"Authorization": f"Bearer {bearer}"}
    return requests.request(method, system["url"] + path, json=body, headers=headers, timeout=30)


def this_month():
    return f"{datetime.now(UTC).astimezone(CHINA):%Y-%m}"


def registered(system):
    n = 700 + next(UNIQUE)
    born = datetime(1976, 1, 1).date() + timedelta(days=n)
    body = {
        "org_id": BRANCH,
        "name": f"钱{n}",
        "gender": "male",
        "birth_date": born.isoformat(),
        "id_number": make_id_number("410108", born, n % 100, "male"),
        "phone": f"1730000{n:04d}",
        "join_date": (born + timedelta(days=365 * 25)).isoformat(),
    }
    made = call(system, "post", "/members", body)
    assert made.status_code == 201, made.text
    return made.json()


def member_token(system, member):
    return issue_token(
        system["secret"], subject=member["member_id"], role="member", scope=BRANCH_PATH
    )


def run_month(system, month):
    started = call(system, "post", f"/orgs/{BRANCH}/dues/runs", {"month": month})
    assert started.status_code == 202, started.text
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run = call(system, "get", f"/orgs/{BRANCH}/dues/runs/{month}").json()
        if run["state"] == "done":
            return run
        time.sleep(0.5)
    raise AssertionError(f"the run did not finish: {run}")


def row_of(system, member, month):
    listed = call(system, "get", f"/orgs/{BRANCH}/dues/register?month={month}&limit=200")
    assert listed.status_code == 200, listed.text
    rows = [r for r in listed.json()["items"] if r["member_id"] == member["member_id"]]
    return listed.json(), rows[0]


def test_declare_run_pay_and_reverse(system):
    month = this_month()
    member = registered(system)
    path = f"/members/{member['member_id']}"
    year = month[:4]
    declared = call(
        system,
        "put",
        f"{path}/dues/declarations/{year}",
        {"category": "income", "monthly_income": "4567.50"},
    )
    assert declared.status_code == 200, declared.text
    assert declared.json()["amount"] == "45.68" and declared.json()["amount_fen"] == 4568
    assert "4567" not in declared.text  # the income is never answered

    run_month(system, month)
    again = run_month(system, month)  # a second run changes nothing
    assert again["state"] == "done"
    register, row = row_of(system, member, month)
    assert (row["amount"], row["paid"], row["arrears_months"]) == ("45.68", False, 1)
    assert "*" in row["name_masked"]
    charged = register["tally"]["charged_members"]

    reference = f"cash-{uuid.uuid4().hex[:12]}"
    body = {"reference": reference, "months": [month], "amount": "45.68", "method": "cash"}
    first = call(system, "post", f"{path}/dues/payments", body)
    second = call(system, "post", f"{path}/dues/payments", body)
    assert (first.status_code, second.status_code) == (201, 200), (first.text, second.text)
    assert first.json() == second.json() and first.json()["amount"] == "45.68"
    other = call(system, "post", f"{path}/dues/payments", {**body, "months": [month, month]})
    assert other.status_code in (400, 409), other.text
    reused = call(
        system, "post", f"{path}/dues/payments", {**body, "amount": "0.50", "method": "channel"}
    )
    assert reused.status_code == 409 and "流水号" in reused.json()["detail"], reused.text

    register, row = row_of(system, member, month)
    assert row["paid"] and row["paid_by"] == reference and row["arrears_months"] == 0
    assert register["tally"]["charged_members"] == charged
    assert register["tally"]["paid_members"] >= 1
    rates = call(system, "get", f"/orgs/hj-s01-c01/dues/rates?month={month}", token="operator")
    assert rates.status_code == 200, rates.text
    branch = next(r for r in rates.json()["items"] if r["org_id"] == BRANCH)
    assert branch["tally"]["paid_members"] >= 1 and branch["paid_rate"] > 0

    reversal = {"reversal_reference": f"rev-{uuid.uuid4().hex[:12]}", "reason": "金额录入错误"}
    undone = call(system, "post", f"/dues/payments/{reference}/reversal", reversal)
    undone_again = call(system, "post", f"/dues/payments/{reference}/reversal", reversal)
    assert (undone.status_code, undone_again.status_code) == (201, 200), undone.text
    assert undone.json()["amount"] == "-45.68" and undone.json()["reverses"] == reference
    mine = call(system, "get", f"{path}/dues", token=member_token(system, member))
    assert mine.status_code == 200, mine.text
    assert [c["month"] for c in mine.json()["arrears"]] == [month]
    kinds = [e["kind"] for e in mine.json()["ledger"]]
    assert sorted(kinds) == ["payment", "reversal"]


def test_members_read_their_own_dues_only_and_bad_input_changes_nothing(system):
    month = this_month()
    member, other = registered(system), registered(system)
    token = member_token(system, member)
    assert call(system, "get", f"/members/{member['member_id']}/dues", token=token).ok
    refused = call(system, "get", f"/members/{other['member_id']}/dues", token=token)
    assert refused.status_code == 403
    assert call(system, "get", f"/orgs/{BRANCH}/dues/register", token=token).status_code == 403
    own = call(
        system,
        "put",
        f"/members/{member['member_id']}/dues/declarations/{month[:4]}",
        {"category": "student"},
        token=token,
    )
    assert own.status_code == 200 and own.json()["amount"] == "0.20", own.text
    run_month(system, month)
    path = f"/members/{member['member_id']}/dues/payments"
    wrong = call(
        system,
        "post",
        path,
        {"reference": "cash-wrong-0001", "months": [month], "amount": "1.00", "method": "cash"},
    )
    assert wrong.status_code == 400, wrong.text
    assert "0.20" in wrong.json()["detail"] or "0.20" in str(wrong.json().get("errors"))
    for bad in (
        {"reference": "cash-bad-0001", "months": ["2026-13"], "amount": "0.20", "method": "cash"},
        {"reference": "x", "months": [month], "amount": "0.20", "method": "cash"},
        {"reference": "cash-bad-0002", "months": [month], "amount": "0.2.0", "method": "cash"},
    ):
        assert call(system, "post", path, bad).status_code == 400
    dues = call(system, "get", f"/members/{member['member_id']}/dues").json()
    assert dues["ledger"] == [] and [c["month"] for c in dues["arrears"]] == [month]
    no_income = call(
        system,
        "put",
        f"/members/{other['member_id']}/dues/declarations/{month[:4]}",
        {"category": "income"},
    )
    assert no_income.status_code == 400 and no_income.json()["detail"], no_income.text


def test_scope_and_roles(system):
    month = this_month()
    sibling = "hj-s01-c01-b02"
    grid = issue_token(
        system["secret"], subject="e2e-grid", role="grid_worker", scope="/hj/hj-s01/hj-s01-c01"
    )
    outsider = issue_token(
        system["secret"],
        subject="e2e-sibling",
        role="branch_secretary",
        scope="/hj/hj-s01/hj-s01-c01/" + sibling,
    )
    member = registered(system)
    path = f"/members/{member['member_id']}"
    for token, method, route, body in (
        (outsider, "get", f"/orgs/{BRANCH}/dues/register", None),
        (outsider, "post", f"/orgs/{BRANCH}/dues/runs", {"month": month}),
        (outsider, "get", f"{path}/dues", None),
        (outsider, "put", f"{path}/dues/declarations/{month[:4]}", {"category": "student"}),
        (
            outsider,
            "post",
            f"{path}/dues/payments",
            {"reference": "cash-scope-0001", "months": [month], "amount": "0.20", "method": "cash"},
        ),
        (grid, "put", f"{path}/dues/declarations/{month[:4]}", {"category": "student"}),
        (grid, "post", f"/orgs/{BRANCH}/dues/runs", {"month": month}),
    ):
        answer = call(system, method, route, body, token=token)
        assert answer.status_code == 403, (route, answer.text)
        assert member["member_id"] not in answer.text
    assert call(system, "get", f"/orgs/{BRANCH}/dues/rates", token=grid).status_code == 200
    dues = call(system, "get", f"{path}/dues").json()
    assert dues["declaration"] is None and dues["ledger"] == []

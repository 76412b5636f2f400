"""Staff accounts, sessions and kiosk pairing on the running system (`make run`, the small demo
county): the demo accounts, the first sign-in's forced password change, refresh rotation and
reuse, lockout, account management within a scope, and a kiosk paired by code, then revoked."""

import uuid

import pytest
import requests

from gateway.auth import issue_token
from tests.conftest import wait_for
from tests.system import demo_logins, demo_system

NEW_PASSWORD = "党建-Demo-2026"


@pytest.fixture(scope="module")
def system(tmp_path_factory, request):
    with demo_system(request, tmp_path_factory, "accounts") as launched:
        logins = demo_logins(launched)
        secret = launched.secrets()["TOKEN_SECRET"]
        yield {
            "url": launched.url + "/api/v1",
            "logins": logins,
            "accounts": {a["username"]: a for a in logins["accounts"]},
            "output": "".join(launched.output),
            "operator": issue_token(
                secret, subject="e2e-operator", role="county_operator", scope="/hj"
            ),
            "street": issue_token(
                secret, subject="e2e-street", role="org_admin", scope="/hj/hj-s01"
            ),
        }


def call(system, method, path, body=None, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, system["url"] + path, json=body, headers=headers, timeout=30)


def sign_in(system, username, password):
    return call(system, "post", "/auth/sign-in", {"username": username, "password": password})


def signed_in(system, username, password):
    response = sign_in(system, username, password)
    assert response.status_code == 200, response.text
    return response.json()


def answered(request, status, timeout=15):
    """The answer of ``request`` once it is ``status`` (a session's end reaches every gateway
    process within its session-check cache, a few seconds)."""
    return wait_for(lambda: [r for r in [request()] if r.status_code == status], timeout)[0]


def new_account(system, token, org_id, role="grid_worker", **extra):
    body = {
        "username": f"e2e-{uuid.uuid4().hex[:10]}",
        "display_name": "测试账号",
        "roles": [{"role": role, "org_id": org_id}],
        **extra,
    }
    response = call(system, "post", "/accounts", body, token)
    assert response.status_code == 201, response.text
    return response.json()


def change_password(system, pair, current, new=NEW_PASSWORD):
    body = {"current_password": current, "new_password": new}
    return call(system, "post", "/auth/password", body, pair["access_token"])


def test_demo_accounts_are_printed_once_and_kept_in_the_logins_file(system):
    accounts = system["accounts"]
    assert set(accounts) == {"demo-county", "demo-street", "demo-secretary", "demo-grid"}
    assert accounts["demo-street"]["role"] == "org_admin"
    assert accounts["demo-street"]["scope"] == "/hj/hj-s01"
    for account in accounts.values():
        assert system["output"].count(account["initial_password"]) == 1
    assert "staff accounts" in system["output"]


def test_the_first_sign_in_changes_the_password_before_anything_else(system):
    secretary = system["accounts"]["demo-secretary"]
    member_id = system["logins"]["members"][0]["member_id"]
    first = signed_in(system, "demo-secretary", secretary["initial_password"])
    assert first["must_change_password"] is True
    assert first["active_role"]["scope"] == secretary["scope"]
    refused = call(system, "get", f"/members/{member_id}", token=first["access_token"])
    assert refused.status_code == 403 and refused.json()["detail"] == "请先修改密码"
    me = call(system, "get", "/auth/me", token=first["access_token"])
    assert me.status_code == 200 and me.json()["username"] == "demo-secretary"

    weak = change_password(system, first, secretary["initial_password"], "weakpassword")
    assert weak.status_code == 400
    assert weak.json()["errors"]["new_password"] == [
        "须至少包含小写字母、大写字母、数字、其他字符中的3种"
    ]
    wrong = change_password(system, first, "Not-the-pw1")
    assert wrong.json()["errors"] == {"current_password": ["当前密码不正确"]}

    changed = change_password(system, first, secretary["initial_password"])
    assert changed.status_code == 200 and changed.json()["must_change_password"] is False
    pair = changed.json()
    member = call(system, "get", f"/members/{member_id}", token=pair["access_token"])
    assert member.status_code == 200, member.text
    old = answered(
        lambda: call(system, "get", "/auth/me", token=first["access_token"]), 401
    )  # the session of the one-time password ended with the change
    assert old.json()["detail"] == "登录已失效，请重新登录"

    spent = sign_in(system, "demo-secretary", secretary["initial_password"])
    assert spent.status_code == 401 and spent.json()["detail"] == "用户名或密码错误"
    again = signed_in(system, "demo-secretary", NEW_PASSWORD)
    assert again["must_change_password"] is False


def test_refresh_rotates_and_a_reused_refresh_token_ends_the_session(system):
    account = new_account(system, system["operator"], "hj-s01-c01-b02")
    first = signed_in(system, account["username"], account["initial_password"])
    pair = change_password(system, first, account["initial_password"]).json()
    refreshed = call(system, "post", "/auth/refresh", {"refresh_token": pair["refresh_token"]})
    assert refreshed.status_code == 200
    newer = refreshed.json()
    assert newer["refresh_token"] != pair["refresh_token"]
    assert call(system, "get", "/auth/me", token=newer["access_token"]).status_code == 200
    reused = call(system, "post", "/auth/refresh", {"refresh_token": pair["refresh_token"]})
    assert reused.status_code == 401
    answered(lambda: call(system, "get", "/auth/me", token=newer["access_token"]), 401)
    after = call(system, "post", "/auth/refresh", {"refresh_token": newer["refresh_token"]})
    assert after.status_code == 401


def test_sign_out_ends_the_session(system):
    account = new_account(system, system["operator"], "hj-s01-c01-b03")
    pair = signed_in(system, account["username"], account["initial_password"])
    assert call(system, "post", "/auth/sign-out", token=pair["access_token"]).status_code == 204
    assert call(system, "get", "/auth/me", token=pair["access_token"]).status_code == 401
    gone = call(system, "post", "/auth/refresh", {"refresh_token": pair["refresh_token"]})
    assert gone.status_code == 401


def test_wrong_and_unknown_get_one_answer_and_five_failures_lock(system):
    account = new_account(system, system["operator"], "hj-s02-c01-b01", password="Chosen-pw1")
    assert account["initial_password"] is None
    unknown = sign_in(system, "nobody-" + uuid.uuid4().hex[:6], "Chosen-pw1")
    wrong = sign_in(system, account["username"], "Wrong-pw1")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json()["detail"] == wrong.json()["detail"] == "用户名或密码错误"
    for _ in range(3):
        assert sign_in(system, account["username"], "Wrong-pw1").status_code == 401
    fifth = sign_in(system, account["username"], "Wrong-pw1")
    assert fifth.status_code == 423 and "15分钟" in fifth.json()["detail"]  # the lock, at once
    locked = sign_in(system, account["username"], "Chosen-pw1")
    assert locked.status_code == 423, locked.text
    assert 800 < int(locked.headers["Retry-After"]) <= 900 and locked.json()["unlocks_at"]
    assert "15分钟" in locked.json()["detail"]
    attempts = call(system, "get", "/auth/attempts?limit=50", token=system["operator"]).json()
    mine = [a for a in attempts["items"] if a["username"] == account["username"]]
    assert [a["outcome"] for a in mine] == ["locked"] + ["bad_password"] * 5
    assert {a["ip"] for a in mine} == {"127.0.0.1"}
    assert any(a["outcome"] == "unknown_user" for a in attempts["items"])
    street = call(system, "get", "/auth/attempts?limit=50", token=system["street"]).json()
    assert account["username"] not in {a["username"] for a in street["items"]}  # another street


def test_an_org_admin_manages_accounts_of_its_subtree(system):
    street = system["street"]
    made = new_account(system, street, "hj-s01-c01-b01", role="branch_secretary")
    granted = call(
        system,
        "post",
        f"/accounts/{made['account_id']}/roles",
        {"role": "grid_worker", "org_id": "hj-s01-c01-g01"},
        street,
    )
    assert granted.status_code == 200 and len(granted.json()["roles"]) == 2
    assert granted.json()["org_path"] == "/hj/hj-s01/hj-s01-c01"
    for body, status in [
        ({"role": "county_operator", "org_id": "hj-s01"}, 403),
        ({"role": "grid_worker", "org_id": "hj-s02-c01-g01"}, 403),
    ]:
        refused = call(system, "post", f"/accounts/{made['account_id']}/roles", body, street)
        assert refused.status_code == status and "hj-s02" not in refused.text

    pair = signed_in(system, made["username"], made["initial_password"])
    pair = change_password(system, pair, made["initial_password"]).json()
    switched = call(system, "post", "/auth/switch", {"index": 1}, pair["access_token"])
    assert switched.status_code == 200
    assert switched.json()["active_role"]["scope"] == "/hj/hj-s01/hj-s01-c01/hj-s01-c01-g01"

    listed = call(system, "get", "/accounts?org_id=hj-s01-c01&limit=200", token=street).json()
    assert made["username"] in {a["username"] for a in listed["items"]}
    disabled = call(system, "post", f"/accounts/{made['account_id']}/disable", token=street)
    assert disabled.status_code == 200 and disabled.json()["enabled"] is False
    answered(lambda: call(system, "get", "/auth/me", token=switched.json()["access_token"]), 401)
    assert sign_in(system, made["username"], NEW_PASSWORD).status_code == 403
    call(system, "post", f"/accounts/{made['account_id']}/enable", token=street)
    reset = call(system, "post", f"/accounts/{made['account_id']}/password-reset", token=street)
    one_time = reset.json()["one_time_password"]
    after_reset = signed_in(system, made["username"], one_time)
    assert after_reset["must_change_password"] is True
    held = call(system, "get", "/accounts", token=after_reset["access_token"])
    assert held.status_code == 403 and held.json()["code"] == "password_change_required"
    elsewhere = new_account(system, system["operator"], "hj-s02-c01-b01")
    assert (
        call(system, "get", f"/accounts/{elsewhere['account_id']}", token=street).status_code == 403
    )


def test_a_kiosk_pairs_by_code_signs_in_and_is_revoked(system):
    logins = system["logins"]
    meeting = logins["open_meeting"]
    code = call(
        system,
        "post",
        "/kiosks/pairing-codes",
        {"org_id": meeting["org_id"], "place": "e2e活动室"},
        system["street"],
    )
    assert code.status_code == 201, code.text
    paired = call(system, "post", "/kiosk/pair", {"code": code.json()["code"]})
    assert paired.status_code == 201, paired.text
    kiosk = paired.json()
    assert (kiosk["org_id"], kiosk["place"]) == (meeting["org_id"], "e2e活动室")
    assert call(system, "post", "/kiosk/pair", {"code": code.json()["code"]}).status_code == 404

    swipe = {"card_uid": logins["members"][1]["card_uid"], "meeting_id": meeting["meeting_id"]}
    signed = call(system, "post", "/kiosk/check-ins", swipe, kiosk["token"])
    assert signed.status_code in (200, 201), signed.text
    listed = call(system, "get", f"/kiosks?org_id={meeting['org_id']}", token=system["street"])
    assert kiosk["device_id"] in {k["device_id"] for k in listed.json()["items"]}

    revoked = call(system, "post", f"/kiosks/{kiosk['device_id']}/revoke", token=system["street"])
    assert revoked.status_code == 200 and revoked.json()["revoked"] is True
    refused = answered(lambda: call(system, "post", "/kiosk/check-ins", swipe, kiosk["token"]), 401)
    assert refused.json()["detail"] == "登录已失效，请重新登录"
    listed = call(system, "get", f"/kiosks?org_id={meeting['org_id']}", token=system["street"])
    state = next(k for k in listed.json()["items"] if k["device_id"] == kiosk["device_id"])
    assert state["revoked"] and state["place"] == "e2e活动室"

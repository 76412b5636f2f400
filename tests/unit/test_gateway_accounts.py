"""The sign-in, session and account routes over Flask's test client and a fake members service:
the tokens the gateway issues, the session check and its cache, the password-change gate, the
per-address throttle, error mapping (401, 423, 429) and the scope checks before any write."""

import json

import pytest
from nameko.exceptions import RemoteError

from gateway.app import create_app
from gateway.auth import issue_token, read_token
from tests.unit.test_gateway_api import ORGS, SECRET, FakeRpc, bearer, problem, settings

ACCOUNT = {
    "account_id": "ac-1",
    "username": "zhang",
    "display_name": "张书记",
    "roles": [
        {"role": "branch_secretary", "org_id": "hj-s01-c01-b01", "scope": ORGS["hj-s01-c01-b01"]},
        {"role": "org_admin", "org_id": "hj-s01", "scope": ORGS["hj-s01"]},
    ],
    "member_id": None,
    "org_path": ORGS["hj-s01"],
    "enabled": True,
    "must_change_password": False,
    "locked_until": None,
    "created_at": "2026-11-23T01:00:00+00:00",
    "last_sign_in_at": None,
}


def remote(kind, message, **details):
    return RemoteError(kind, json.dumps({"message": message, **details}))


class AccountsRpc(FakeRpc):
    def __init__(self):
        super().__init__()
        self.valid_sessions = {"ss-abc1", "ks-kiosk-1"}
        self.refuse = None  # a RemoteError the next sign-in raises
        self.must_change = False
        self.taken_codes = 0

    def signed(self, session_id="ss-abc1", index=0):
        role = ACCOUNT["roles"][index]
        return {
            "account": {**ACCOUNT, "must_change_password": self.must_change},
            "session_id": session_id,
            "active": {"index": index, **role},
            "must_change_password": self.must_change,
        }

    def members_sign_in(self, payload):
        if self.refuse is not None:
            raise self.refuse
        return self.signed()

    def members_refresh_session(self, payload):
        if not payload["refresh_token"].startswith("ss-abc1."):
            raise remote("Unauthenticated", "Your session has ended; sign in again")
        return self.signed()

    def members_verify_session(self, session_id):
        return session_id in self.valid_sessions

    def members_sign_out(self, session_id):
        self.valid_sessions.discard(session_id)

    def members_get_me(self):
        names = {"hj-s01-c01-b01": "明福园社区第一党支部", "hj-s01": "新城街道党工委"}
        roles = [{**role, "org_name": names[role["org_id"]]} for role in ACCOUNT["roles"]]
        return {**ACCOUNT, "roles": roles}

    def members_change_password(self, payload):
        self.must_change = False
        return self.signed("ss-abc2")

    def members_switch_role(self, payload):
        return self.signed(index=payload["index"])

    def members_create_account(self, payload):
        return {**ACCOUNT, "username": payload["username"], "created": True}

    def members_get_account(self, account_id):
        if account_id == "ac-far":
            return {**ACCOUNT, "account_id": "ac-far", "org_path": ORGS["hj-s02"]}
        return ACCOUNT

    def members_grant_role(self, account_id, payload):
        return ACCOUNT

    def members_reset_password(self, account_id, password):
        return {**ACCOUNT, "must_change_password": True}

    def members_disable_account(self, account_id):
        return {**ACCOUNT, "enabled": False}

    def members_list_sign_in_attempts(self, query):
        return {"items": [], "next_cursor": None}

    def members_create_pairing_code(self, payload):
        if self.taken_codes:
            self.taken_codes -= 1
            raise remote("Conflict", "This pairing code is in use; ask for another one")
        return {
            "org_id": payload["org_id"],
            "org_path": ORGS[payload["org_id"]],
            "place": payload["place"],
            "expires_at": "2026-11-23T01:15:00+00:00",
        }

    def members_get_kiosk(self, device_id):
        org_id = "hj-s02" if device_id == "kiosk-far" else "hj-s01"
        return {
            "device_id": device_id,
            "org_id": org_id,
            "org_path": ORGS[org_id],
            "place": "党群服务中心",
            "revoked": False,
            "revoked_at": None,
        }

    def members_revoke_kiosk(self, device_id):
        return {**self.members_get_kiosk(device_id), "revoked": True}

    def members_pair_kiosk(self, payload):
        if payload["code"] != "12345678":
            raise remote("NotFound", "The pairing code is wrong or has expired; ask for a new one")
        return {
            "device_id": payload["device_id"],
            "org_id": "hj-s01",
            "org_path": ORGS["hj-s01"],
            "place": "党群服务中心",
            "revoked": False,
            "revoked_at": None,
            "session_id": "ks-" + payload["device_id"],
        }


@pytest.fixture
def rpc():
    return AccountsRpc()


@pytest.fixture
def client(rpc):
    return create_app(settings(), rpc_client=rpc).test_client()


def session_bearer(sid="ss-abc1", must_change=False, role="branch_secretary"):
    token = issue_token(
        SECRET,
        subject="ac-1",
        role=role,
        scope=ORGS["hj-s01-c01-b01"],
        ttl_seconds=600,
        session_id=sid,
        password_change_due=must_change,
    )
    return {"Authorization": f"Bearer {token}"}


# -- signing in ------------------------------------------------------------------------------


def test_sign_in_issues_a_short_access_token_naming_the_session_and_a_refresh_token(client, rpc):
    rpc.must_change = True
    response = client.post("/api/v1/auth/sign-in", json={"username": "zhang", "password": "pw"})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    [(service, method, (sent,), caller)] = rpc.calls
    assert (service, method) == ("members", "sign_in")
    assert caller == {
        "subject": "anonymous",
        "role": "anonymous",
        "scope": "none",
        "ip": "127.0.0.1",
    }
    assert len(sent["attempt_id"]) == 32 and sent["password"] == "pw"
    assert body["refresh_token"] == "ss-abc1." + sent["refresh_secret"]
    assert body["expires_in"] == 600 and body["token_type"] == "Bearer"
    assert body["must_change_password"] is True and "pw" not in json.dumps(body["account"])
    token = read_token(SECRET, body["access_token"])
    assert (token.principal.subject, token.principal.role, token.principal.scope) == (
        "ac-1",
        "branch_secretary",
        ORGS["hj-s01-c01-b01"],
    )
    assert token.session_id == "ss-abc1" and token.password_change_due


@pytest.mark.parametrize(
    ("error", "status", "detail"),
    [
        (remote("Unauthenticated", "Wrong username or password"), 401, "用户名或密码错误"),
        (
            remote("Forbidden", "This account is disabled; ask your administrator"),
            403,
            "该账号已停用，请联系管理员",
        ),
        (
            remote(
                "Locked",
                "登录失败次数过多，账号已锁定，请15分钟后再试",
                unlocks_at="2026-11-23T10:15:00Z",
                retry_after_seconds=900,
            ),
            423,
            "登录失败次数过多，账号已锁定，请15分钟后再试",
        ),
    ],
)
def test_sign_in_refusals(client, rpc, error, status, detail):
    rpc.refuse = error
    response = client.post("/api/v1/auth/sign-in", json={"username": "zhang", "password": "x"})
    body = problem(response, status)
    assert body["detail"] == detail
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    if status == 423:
        assert response.headers["Retry-After"] == "900"
        assert body["unlocks_at"] == "2026-11-23T10:15:00Z" and body["code"] == "locked"


def test_repeated_failures_from_one_address_are_throttled(rpc):
    client = create_app(settings(sign_in_failures_per_ip=3), rpc_client=rpc).test_client()
    rpc.refuse = remote("Unauthenticated", "Wrong username or password")
    attempt = {"username": "zhang", "password": "x"}
    for _ in range(3):
        problem(client.post("/api/v1/auth/sign-in", json=attempt), 401)
    calls = len(rpc.calls)
    response = client.post("/api/v1/auth/sign-in", json=attempt)
    assert problem(response, 429)["code"] == "too_many_requests"
    assert 0 < int(response.headers["Retry-After"]) <= 300
    assert len(rpc.calls) == calls  # refused before members is asked
    other = client.post(
        "/api/v1/auth/sign-in", json=attempt, environ_base={"REMOTE_ADDR": "10.9.9.9"}
    )
    problem(other, 401)  # another address is not held up
    pairing = client.post("/api/v1/kiosk/pair", json={"code": "12345678"})
    assert pairing.status_code == 201  # the pairing count is its own


def test_guessing_pairing_codes_is_throttled_like_passwords(rpc):
    """Pairing codes are eight digits: wrong ones count against the address, and once over the
    limit even the right code waits (nothing reaches members)."""
    client = create_app(settings(sign_in_failures_per_ip=3), rpc_client=rpc).test_client()
    for guess in ("00000001", "00000002", "00000003"):
        problem(client.post("/api/v1/kiosk/pair", json={"code": guess}), 404)
    calls = len(rpc.calls)
    refused = client.post("/api/v1/kiosk/pair", json={"code": "12345678"})
    assert problem(refused, 429)["code"] == "too_many_requests" and refused.headers["Retry-After"]
    assert len(rpc.calls) == calls
    signing_in = client.post("/api/v1/auth/sign-in", json={"username": "a", "password": "b"})
    assert signing_in.status_code == 200  # the sign-in count is its own


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"username": "zhang"},
        {"username": "", "password": "x"},
        {"username": "a", "password": "x", "otp": 1},
    ],
)
def test_sign_in_input_is_checked_before_members_is_asked(client, rpc, body):
    problem(client.post("/api/v1/auth/sign-in", json=body), 400)
    assert rpc.calls == []


def test_a_refreshed_pair_still_carries_a_due_password_change(client, rpc):
    rpc.must_change = True
    response = client.post("/api/v1/auth/refresh", json={"refresh_token": "ss-abc1.old"})
    assert response.get_json()["must_change_password"] is True
    assert read_token(SECRET, response.get_json()["access_token"]).password_change_due


def test_refresh_exchanges_the_refresh_token_for_a_new_pair(client, rpc):
    response = client.post("/api/v1/auth/refresh", json={"refresh_token": "ss-abc1.old"})
    assert response.status_code == 200
    [(_, method, (sent,), _)] = rpc.calls
    assert method == "refresh_session" and sent["refresh_token"] == "ss-abc1.old"
    assert response.get_json()["refresh_token"] == "ss-abc1." + sent["refresh_secret"]
    refused = client.post("/api/v1/auth/refresh", json={"refresh_token": "ss-abc9.old"})
    assert problem(refused, 401)["detail"] == "登录已失效，请重新登录"


# -- the session check -----------------------------------------------------------------------


def test_a_session_token_is_checked_with_members_and_the_answer_kept_a_few_seconds(client, rpc):
    for _ in range(3):
        assert client.get("/api/v1/members/p1", headers=session_bearer()).status_code == 200
    assert rpc.rpc_names().count("members.verify_session") == 1
    assert rpc.calls[0][3]["subject"] == "ac-1"  # asked as the token's holder
    assert client.post("/api/v1/auth/sign-out", headers=session_bearer()).status_code == 204
    body = problem(client.get("/api/v1/members/p1", headers=session_bearer()), 401)
    assert body["detail"] == "登录已失效，请重新登录"  # this process forgot its answer at once


def test_without_caching_every_request_asks_and_a_revoked_session_is_refused(rpc):
    client = create_app(settings(session_check_seconds=0), rpc_client=rpc).test_client()
    assert client.get("/api/v1/members/p1", headers=session_bearer()).status_code == 200
    rpc.valid_sessions.clear()  # revoked elsewhere (another process, a password change)
    problem(client.get("/api/v1/members/p1", headers=session_bearer()), 401)
    assert rpc.rpc_names().count("members.verify_session") == 2


def test_long_lived_tokens_without_a_session_are_not_checked(client, rpc):
    assert client.get("/api/v1/members/p1", headers=bearer()).status_code == 200
    assert "members.verify_session" not in rpc.rpc_names()
    assert client.post("/api/v1/auth/sign-out", headers=bearer()).status_code == 204
    assert "members.sign_out" not in rpc.rpc_names()


def test_while_a_password_change_is_due_only_three_routes_answer(client, rpc):
    due = session_bearer(must_change=True)
    body = problem(client.get("/api/v1/members/p1", headers=due), 403)
    assert body["detail"] == "请先修改密码" and body["code"] == "password_change_required"
    problem(client.get("/api/v1/accounts", headers=due), 403)
    assert client.get("/api/v1/auth/me", headers=due).status_code == 200
    changed = client.post(
        "/api/v1/auth/password",
        json={"current_password": "a", "new_password": "b"},
        headers=due,
    )
    assert changed.status_code == 200
    sent = rpc.calls[-1][2][0]
    assert sent["session_id"] == "ss-abc1" and len(sent["request_id"]) == 32
    assert not read_token(SECRET, changed.get_json()["access_token"]).password_change_due
    assert client.post("/api/v1/auth/sign-out", headers=due).status_code == 204


WHILE_DUE = {("post", "/auth/password"), ("get", "/auth/me"), ("post", "/auth/sign-out")}


SAMPLE_PATH_VALUES = {"year": "2026", "month": "2026-11"}


def secured_operations(client):
    """(method, path, url) of every operation the OpenAPI document says needs a token."""
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters" or not operation.get("security"):
                continue
            params = {  # values every converter takes (ids of 8+ characters, a month of 7, a year >= 2000)
                p["name"]: SAMPLE_PATH_VALUES.get(
                    p["name"], "0" if p["schema"]["type"] == "integer" else "abc-1234"
                )
                for p in [*item.get("parameters", []), *operation.get("parameters", [])]
                if p["in"] == "path"
            }
            yield method, path, "/api/v1" + path.format(**params)


def test_a_due_password_change_and_an_ended_session_close_every_secured_route(client, rpc):
    """Derived from the routes, so that a route added later is held to the same gate: while
    the password change is due, only three routes answer; once members says the session is
    over, none does. Refused before anything but the session check reaches members."""
    operations = list(secured_operations(client))
    assert len(operations) > 30 and {(m, p) for m, p, _url in operations} >= WHILE_DUE
    for method, path, url in operations:
        rpc.calls.clear()
        rpc.valid_sessions.add("ss-abc1")  # again after the sign-out route ended it
        due = getattr(client, method)(url, headers=session_bearer(must_change=True))
        if (method, path) in WHILE_DUE:
            assert due.status_code < 500, (path, due.get_data(True))
            assert "password_change_required" not in due.get_data(True), path
        else:
            assert problem(due, 403)["code"] == "password_change_required", (path, url)
            assert set(rpc.rpc_names()) <= {"members.verify_session"}, path
        ended = getattr(client, method)(url, headers=session_bearer("ss-over"))
        assert problem(ended, 401)["detail"] == "登录已失效，请重新登录", path


def test_me_names_the_active_role(client):
    body = client.get("/api/v1/auth/me", headers=session_bearer()).get_json()
    assert body["active_role"] == {
        "index": 0,
        "role": "branch_secretary",
        "org_id": "hj-s01-c01-b01",
        "scope": ORGS["hj-s01-c01-b01"],
    }
    assert body["username"] == "zhang"
    assert [role["org_name"] for role in body["roles"]] == [
        "明福园社区第一党支部",
        "新城街道党工委",
    ]


def test_switching_roles_needs_a_session(client, rpc):
    switched = client.post("/api/v1/auth/switch", json={"index": 1}, headers=session_bearer())
    token = read_token(SECRET, switched.get_json()["access_token"])
    assert (token.principal.role, token.principal.scope) == ("org_admin", ORGS["hj-s01"])
    problem(client.post("/api/v1/auth/switch", json={"index": 1}, headers=bearer("org_admin")), 403)
    problem(client.post("/api/v1/auth/switch", json={"index": -1}, headers=session_bearer()), 400)


# -- account management ----------------------------------------------------------------------


def account_body(**overrides):
    return {
        "username": "li.si",
        "display_name": "李四",
        "roles": [{"role": "grid_worker", "org_id": "hj-s01-c01-b01"}],
        **overrides,
    }


def test_an_account_is_created_with_a_one_time_password_made_here(client, rpc):
    response = client.post(
        "/api/v1/accounts", json=account_body(), headers=bearer("org_admin", "/hj/hj-s01")
    )
    assert response.status_code == 201
    made = response.get_json()["initial_password"]
    sent = rpc.calls[-1][2][0]
    assert sent["password"] == made and "member_id" not in sent
    assert len(made) == 12 and any(c.islower() for c in made) and any(c.isupper() for c in made)
    assert any(c.isdigit() for c in made)
    chosen = client.post(
        "/api/v1/accounts", json=account_body(password="Chosen-pw1"), headers=bearer()
    )
    assert chosen.get_json()["initial_password"] is None
    assert rpc.calls[-1][2][0]["password"] == "Chosen-pw1"


@pytest.mark.parametrize(
    ("headers", "body", "detail"),
    [
        (
            bearer("org_admin", "/hj/hj-s01"),
            account_body(roles=[{"role": "county_operator", "org_id": "hj-s01"}]),
            "只有县级运维人员可以授予县级运维角色",
        ),
        (
            bearer("org_admin", "/hj/hj-s01"),
            account_body(roles=[{"role": "grid_worker", "org_id": "hj-s02"}]),
            "该党组织不在您的管理范围内",
        ),
        (bearer("branch_secretary", "/hj"), account_body(), "您的角色无权进行此操作"),
    ],
)
def test_account_creation_is_refused_before_anything_is_created(client, rpc, headers, body, detail):
    assert (
        problem(client.post("/api/v1/accounts", json=body, headers=headers), 403)["detail"]
        == detail
    )
    assert "members.create_account" not in rpc.rpc_names()


def test_changes_to_an_account_outside_the_scope_are_refused_first(client, rpc):
    admin = bearer("org_admin", "/hj/hj-s01")
    within = {"role": "grid_worker", "org_id": "hj-s01"}
    for method, path in [
        ("get", "/accounts/ac-far"),
        ("post", "/accounts/ac-far/disable"),
        ("post", "/accounts/ac-far/enable"),
        ("post", "/accounts/ac-far/password-reset"),
        ("delete", "/accounts/ac-far/roles/0"),
        ("post", "/accounts/ac-far/roles"),
    ]:
        body = within if path.endswith("/roles") else None
        response = getattr(client, method)("/api/v1" + path, json=body, headers=admin)
        assert "hj-s02" not in problem(response, 403)["detail"]
    assert set(rpc.rpc_names()) == {"members.get_account", "members.get_org"}  # reads only


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/kiosks/pairing-codes", {"org_id": "hj-s02", "place": "党群服务中心"}),
        ("get", "/accounts?org_id=hj-s02", None),
        ("get", "/kiosks?org_id=hj-s02", None),
        ("get", "/auth/attempts?org_id=hj-s02", None),
    ],
)
def test_an_organization_outside_the_scope_is_refused_before_members_acts(
    client, rpc, method, path, body
):
    admin = bearer("org_admin", "/hj/hj-s01")
    response = getattr(client, method)("/api/v1" + path, json=body, headers=admin)
    assert problem(response, 403)["detail"] == "该党组织不在您的管理范围内"
    assert rpc.rpc_names() == ["members.get_org"]


def test_a_kiosk_outside_the_scope_is_refused_before_it_is_revoked(client, rpc):
    admin = bearer("org_admin", "/hj/hj-s01")
    refused = client.post("/api/v1/kiosks/kiosk-far/revoke", headers=admin)
    assert "hj-s02" not in json.dumps(problem(refused, 403))
    assert rpc.rpc_names() == ["members.get_kiosk"]
    revoked = client.post("/api/v1/kiosks/kiosk-near/revoke", headers=admin)
    assert revoked.status_code == 200 and revoked.get_json()["revoked"] is True
    assert rpc.rpc_names()[-1] == "members.revoke_kiosk"


def test_one_time_passwords_always_meet_the_policy():
    """The gateway makes them; members refuses one that breaks its policy (a 400 the operator
    could do nothing about)."""
    from gateway.credentials import new_password
    from services.members.accounts.domain import PasswordPolicy

    drawn = {new_password() for _ in range(500)}
    assert len(drawn) == 500
    for password in drawn:
        PasswordPolicy().check(password, "password")


def test_a_password_reset_answers_the_one_time_password_once(client, rpc):
    response = client.post("/api/v1/accounts/ac-1/password-reset", headers=bearer())
    body = response.get_json()
    assert rpc.calls[-1][2] == ("ac-1", body["one_time_password"])
    assert body["account"]["must_change_password"] is True


def test_pairing_codes_are_eight_digits_and_drawn_again_when_taken(client, rpc):
    rpc.taken_codes = 1
    response = client.post(
        "/api/v1/kiosks/pairing-codes",
        json={"org_id": "hj-s01", "place": "党群服务中心"},
        headers=bearer(),
    )
    assert response.status_code == 201
    codes = [c[2][0]["code"] for c in rpc.calls if c[1] == "create_pairing_code"]
    assert len(codes) == 2 and response.get_json()["code"] == codes[-1]
    assert all(len(c) == 8 and c.isdigit() for c in codes)
    rpc.taken_codes = 5
    problem(
        client.post(
            "/api/v1/kiosks/pairing-codes",
            json={"org_id": "hj-s01", "place": "x"},
            headers=bearer(),
        ),
        409,
    )


def test_a_kiosk_pairs_without_a_token_and_gets_a_revocable_device_token(client, rpc):
    response = client.post("/api/v1/kiosk/pair", json={"code": "12345678"})
    assert response.status_code == 201
    body = response.get_json()
    token = read_token(SECRET, body["token"])
    assert token.principal.role == "kiosk" and token.principal.device == body["device_id"]
    assert token.session_id == "ks-" + body["device_id"] and token.principal.scope == ORGS["hj-s01"]
    assert body["place"] == "党群服务中心" and body["device_id"].startswith("kiosk-")
    problem(client.post("/api/v1/kiosk/pair", json={"code": "00000000"}), 404)
    problem(client.post("/api/v1/kiosk/pair", json={"code": "1234"}), 400)


def test_the_gateway_documents_the_sign_in_outcomes_members_records():
    """The gateway keeps its own copy of the contract (it imports no service internals): the copy
    must say what the members service actually records."""
    from gateway.http_schemas import SIGN_IN_OUTCOMES
    from services.members.accounts.domain import OUTCOMES

    assert SIGN_IN_OUTCOMES == OUTCOMES

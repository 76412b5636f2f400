"""The members' SMS-code sign-in routes over Flask's test client and a fake members service: one
answer for every number, the refusals mapped (401, 429 with Retry-After, 503 in Chinese), the
token pair of a member's session, and the staff's refresh and me routes serving members too."""

import pytest

from gateway.app import create_app
from gateway.auth import issue_token, read_token
from tests.unit.test_gateway_accounts import remote
from tests.unit.test_gateway_api import ORGS, SECRET, FakeRpc, problem, settings

BRANCH = ORGS["hj-s01-c01-b01"]
MEMBER_PHONE = "13800001234"
ACCOUNT = {
    "account_id": "mb-1",
    "username": "138****1234",
    "display_name": "张*丰",
    "roles": [{"role": "member", "org_id": "hj-s01-c01-b01", "scope": BRANCH}],
    "member_id": "mb-1",
    "org_path": BRANCH,
    "enabled": True,
    "must_change_password": False,
    "locked_until": None,
    "created_at": "2026-11-23T01:00:00+00:00",
    "last_sign_in_at": "2026-11-23T01:00:00+00:00",
}
ACTIVE = {"index": 0, "role": "member", "org_id": "hj-s01-c01-b01", "scope": BRANCH}


class PhonesRpc(FakeRpc):
    def __init__(self):
        super().__init__()
        self.refuse = None  # a RemoteError the next call raises

    def _answer(self, session_id="ms-abc1"):
        if self.refuse is not None:
            raise self.refuse
        return {
            "account": ACCOUNT,
            "session_id": session_id,
            "active": ACTIVE,
            "must_change_password": False,
        }

    def members_request_member_code(self, payload):
        if self.refuse is not None:
            raise self.refuse
        return {"code_minutes": 5}

    def members_member_sign_in(self, payload):
        return self._answer()

    def members_sign_in(self, payload):
        raise remote("Unauthenticated", "Wrong username or password")

    def members_refresh_member_session(self, payload):
        return self._answer()

    def members_get_member_me(self, session_id):
        return self._answer(session_id)

    def members_verify_session(self, session_id):
        return session_id == "ms-abc1"


@pytest.fixture
def rpc():
    return PhonesRpc()


@pytest.fixture
def client(rpc):
    return create_app(settings(), rpc_client=rpc).test_client()


@pytest.mark.parametrize("phone", [MEMBER_PHONE, "13900009999"])
def test_asking_for_a_code_answers_the_same_for_every_number(client, rpc, phone):
    response = client.post("/api/v1/auth/member-code", json={"phone": phone})
    assert response.status_code == 202
    assert response.get_json() == {
        "message": "如该手机号已登记为党员，验证码已通过短信发送，5分钟内有效",
        "expires_in": 300,
    }
    [(service, method, (sent,), caller)] = rpc.calls
    assert (service, method, sent["phone"]) == ("members", "request_member_code", phone)
    assert len(sent["request_id"]) == 32 and caller["role"] == "anonymous"
    assert caller["ip"] == "127.0.0.1"  # members limits the codes a client address asks for


@pytest.mark.parametrize(
    ("error", "status", "detail"),
    [
        (
            remote("TooManyRequests", "获取验证码过于频繁，请42秒后再试", retry_after_seconds=42),
            429,
            "获取验证码过于频繁，请42秒后再试",
        ),
        (
            remote("Unavailable", "The text message could not be sent; try again later"),
            503,
            "短信发送失败，请稍后重试",
        ),
    ],
)
def test_code_refusals_say_what_to_do_in_chinese(client, rpc, error, status, detail):
    rpc.refuse = error
    response = client.post("/api/v1/auth/member-code", json={"phone": MEMBER_PHONE})
    assert problem(response, status)["detail"] == detail
    if status == 429:
        assert response.headers["Retry-After"] == "42"


@pytest.mark.parametrize(
    "body",
    [{}, {"phone": "1380000123"}, {"phone": "23800001234"}, {"phone": MEMBER_PHONE, "x": 1}],
)
def test_a_malformed_number_is_refused_before_members_is_asked(client, rpc, body):
    problem(client.post("/api/v1/auth/member-code", json=body), 400)
    assert rpc.calls == []


def test_the_right_code_answers_a_member_token_pair(client, rpc):
    body = {"phone": MEMBER_PHONE, "code": "123456"}
    response = client.post("/api/v1/auth/member-sign-in", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    answer = response.get_json()
    [(_, method, (sent,), _)] = rpc.calls
    assert method == "member_sign_in" and sent["code"] == "123456"
    assert answer["refresh_token"] == "ms-abc1." + sent["refresh_secret"]
    assert answer["account"]["display_name"] == "张*丰" and answer["must_change_password"] is False
    assert answer["active_role"] == ACTIVE
    token = read_token(SECRET, answer["access_token"])
    assert (token.principal.subject, token.principal.role, token.principal.scope) == (
        "mb-1",
        "member",
        BRANCH,
    )
    assert token.session_id == "ms-abc1"
    # the member's own records with that token (the session checked with members)
    bearer = {"Authorization": f"Bearer {answer['access_token']}"}
    assert client.get("/api/v1/members/p1", headers=bearer).status_code == 403  # not theirs
    assert "members.verify_session" in rpc.rpc_names()


def test_a_wrong_code_is_401_and_counts_against_the_address(rpc):
    client = create_app(settings(sign_in_failures_per_ip=2), rpc_client=rpc).test_client()
    rpc.refuse = remote("Unauthenticated", "The code is wrong or has expired")
    body = {"phone": MEMBER_PHONE, "code": "000000"}
    for _ in range(2):
        response = client.post("/api/v1/auth/member-sign-in", json=body)
        assert problem(response, 401)["detail"] == "验证码错误或已过期"
    asked = len(rpc.calls)
    assert problem(client.post("/api/v1/auth/member-sign-in", json=body), 429)
    assert len(rpc.calls) == asked  # refused before members is asked
    staff = client.post("/api/v1/auth/sign-in", json={"username": "zhang", "password": "x"})
    assert problem(staff, 401)["detail"] == "用户名或密码错误"  # the staff's count is its own


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", None])
def test_a_malformed_code_is_400(client, rpc, code):
    problem(
        client.post("/api/v1/auth/member-sign-in", json={"phone": MEMBER_PHONE, "code": code}), 400
    )
    assert rpc.calls == []


def test_refresh_and_me_serve_a_member_session(client, rpc):
    response = client.post("/api/v1/auth/refresh", json={"refresh_token": "ms-abc1.old"})
    assert response.status_code == 200
    [(_, method, (sent,), _)] = rpc.calls
    assert method == "refresh_member_session" and sent["refresh_token"] == "ms-abc1.old"
    assert response.get_json()["refresh_token"] == "ms-abc1." + sent["refresh_secret"]
    token = issue_token(
        SECRET, subject="mb-1", role="member", scope=BRANCH, ttl_seconds=600, session_id="ms-abc1"
    )
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.get_data(as_text=True)
    assert me.get_json() == {**ACCOUNT, "active_role": ACTIVE}
    assert ("members", "get_member_me", ("ms-abc1",)) in [c[:3] for c in rpc.calls]

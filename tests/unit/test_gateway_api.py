"""The HTTP API over Flask's test client and a fake RPC client: problems, roles, scopes, strict
input, the kiosk answer, readiness and the derived OpenAPI document."""

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from nameko.exceptions import RemoteError
from openapi_spec_validator import validate as validate_spec

from gateway import errors
from gateway.app import create_app
from gateway.auth import issue_token
from gateway.routes_roster import CSV, XLSX
from gateway.settings import Settings

SECRET = "s" * 40
AMQP = "pyamqp://guest:guest@127.0.0.1:5672/"
PROBLEM = "application/problem+json"
NOW = datetime.now(UTC)

ORGS = {
    "hj": "/hj",
    "hj-s01": "/hj/hj-s01",
    "hj-s01-c01-b01": "/hj/hj-s01/hj-s01-c01/hj-s01-c01-b01",
}
ORGS |= {"hj-s02": "/hj/hj-s02", "hj-s02-c01": "/hj/hj-s02/hj-s02-c01"}
MEMBERS = {"p1": ORGS["hj-s01-c01-b01"], "p2": ORGS["hj-s02-c01"]}


def member_out(member_id):
    return {
        "member_id": member_id,
        "org_id": MEMBERS[member_id].rsplit("/", 1)[1],
        "org_path": MEMBERS[member_id],
        "name_masked": "王*",
        "gender": "male",
        "status": "full",
        "join_date": "2001-07-01",
        "card_uid": "A1B2C3D4",
        "id_number_masked": "4101**********1234",
        "phone_masked": "170****0000",
        "skills": [],
        "_id": "storage field that must never reach a caller",
    }


def not_found(message):
    return RemoteError("NotFound", json.dumps({"message": message}))


class FakeRpc:
    """Answers like the services (just enough of them), raises what RpcClient raises."""

    def __init__(self):
        self.calls = []
        self.down = set()
        self.check_in_created = True

    def call(self, service, method, *args, caller=None, timeout=None):
        self.calls.append((service, method, args, caller))
        if service in self.down:
            raise errors.unavailable(service)
        try:
            return getattr(self, f"{service}_{method}")(*args)
        except RemoteError as error:
            raise errors.from_remote(error) from None

    def rpc_names(self):
        return [f"{s}.{m}" for s, m, _, _ in self.calls]

    def members_ping(self):
        return True

    scoring_ping = volunteer_ping = notify_ping = members_ping

    def members_get_org(self, org_id):
        if org_id not in ORGS:
            raise not_found("Unknown organization")
        return {"org_id": org_id, "path": ORGS[org_id]}

    def members_create_org(self, payload):
        parent = ORGS.get(payload["parent_id"] or "", "")
        out = {k: payload[k] for k in ("org_id", "parent_id", "name", "kind", "tags")}
        return {**out, "path": f"{parent}/{payload['org_id']}", "created": True}

    def members_get_member(self, member_id):
        if member_id not in MEMBERS:
            raise not_found("Unknown member")
        return member_out(member_id)

    def members_register_member(self, payload):
        return {**member_out("p1"), "created": False}

    def members_read_member_pii(self, member_id, reason):
        return {"member_id": member_id, "name": "王伟", "id_number": "x", "phone": "y"}

    def members_schedule_meeting(self, payload):
        return {
            "meeting_id": payload.get("meeting_id") or "m-new",
            "org_id": payload["org_id"],
            "org_path": ORGS[payload["org_id"]],
            "kind": payload["kind"],
            "title": payload["title"],
            "starts_at": payload["starts_at"],
            "opens_at": payload["starts_at"],
            "closes_at": payload["starts_at"],
            "invited_org_paths": [],
            "open_to_all": False,
            "created": True,
        }

    def members_enroll_kiosk(self, payload):
        return {**payload, "org_path": ORGS[payload["org_id"]], "created": True}

    def members_check_in(self, payload):
        if payload["card_uid"] == "FFFFFFFF":
            raise not_found("Unknown card")
        return {
            "created": self.check_in_created,
            "check_in_id": f"{payload['meeting_id']}:p1",
            "checked_in_at": "2026-11-23T09:00:00+08:00",
            "recorded_offline": False,
            "member": {"member_id": "p1", "name_masked": "王*", "org_path": MEMBERS["p1"]},
            "meeting": {
                "meeting_id": payload["meeting_id"],
                "title": "主题党日",
                "kind": "theme_day",
                "starts_at": "2026-11-23T09:00:00+08:00",
            },
        }

    def members_list_kiosk_meetings(self):
        meeting = {
            "meeting_id": "m1",
            "title": "主题党日",
            "kind": "theme_day",
            "starts_at": "2026-11-23T09:00:00+08:00",
            "opens_at": "2026-11-23T08:40:00+08:00",
            "closes_at": "2026-11-23T09:20:00+08:00",
            "open_now": True,
        }
        return {"items": [meeting]}

    def scoring_get_scorecard(self, member_id, year):
        counts = {"base": 2}
        return {
            "member_id": member_id,
            "year": year or 2026,
            "total": 2,
            "by_category": counts,
            "counts": counts,
            "requirement": counts,
            "gaps": {"base": 0},
        }

    def scoring_list_entries(self, member_id, year, cursor, limit):
        return {"items": [], "next_cursor": "abc" if cursor is None else None}

    def scoring_get_check_in_points(self, check_in_id):
        return {"status": "pending", "points": None, "category": None, "total": None}

    def notify_list_inbox(self, member_id, cursor, limit):
        return {"items": [], "next_cursor": None}

    def volunteer_record_need(self, payload):
        return {
            "need_id": "n1",
            "grid_path": payload["grid_path"],
            "title": payload["title"],
            "description": payload["description"],
            "category": payload["category"],
            "status": "open",
            "resident_name_masked": "李*",
            "resident_phone_masked": None,
            "recorded_by": "someone",
            "recorded_at": "2026-11-23T09:00:00+00:00",
        }

    def volunteer_list_needs(self, query):
        return {"items": [], "next_cursor": None}

    def bench_echo_echo(self, payload):
        return payload


def settings(**overrides):
    return Settings(**{"token_secret": SECRET, "amqp_uri": AMQP, **overrides})


@pytest.fixture
def rpc():
    return FakeRpc()


@pytest.fixture
def client(rpc):
    return create_app(settings(), rpc_client=rpc).test_client()


def bearer(role="county_operator", scope="/hj", subject=None, device=None, secret=SECRET):
    token = issue_token(
        secret, subject=subject or f"{role}-1", role=role, scope=scope, device=device
    )
    return {"Authorization": f"Bearer {token}"}


OPERATOR = bearer()
KIOSK = bearer("kiosk", "/hj/hj-s01/hj-s01-c01", subject="kiosk-c01", device="kiosk-c01")


def problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert body["type"] == f"https://dangjian.example/problems/{body['code']}"
    return body


def meeting(**overrides):
    return {
        "org_id": "hj-s01-c01-b01",
        "kind": "theme_day",
        "title": "主题党日",
        "starts_at": (NOW + timedelta(days=1)).isoformat(),
        **overrides,
    }


def member(**overrides):
    return {
        "org_id": "hj-s01-c01-b01",
        "name": "王伟",
        "gender": "male",
        "birth_date": "1980-05-17",
        "id_number": "41010819800517123X",
        "phone": "17012345678",
        "join_date": "2001-07-01",
        **overrides,
    }


# -- success paths and what reaches the services ---------------------------------------------


def test_create_passes_the_caller_to_every_rpc_and_answers_through_the_schema(client, rpc):
    response = client.post(
        "/api/v1/orgs",
        json={"org_id": "x1", "parent_id": "hj-s01", "name": "X", "kind": "branch"},
        headers=OPERATOR,
    )
    assert response.status_code == 201 and response.mimetype == "application/json"
    assert response.get_json()["path"] == "/hj/hj-s01/x1" and "created" not in response.get_json()
    assert rpc.rpc_names() == ["members.get_org", "members.create_org"]
    callers = {json.dumps(c, sort_keys=True) for _, _, _, c in rpc.calls}
    assert callers == {
        json.dumps(
            {
                "subject": "county_operator-1",
                "role": "county_operator",
                "scope": "/hj",
                "ip": "127.0.0.1",
            },
            sort_keys=True,
        )
    }


def test_an_existing_object_is_200_and_storage_fields_never_reach_the_caller(client, rpc):
    response = client.post("/api/v1/members", json=member(), headers=OPERATOR)
    assert response.status_code == 200
    assert "_id" not in response.get_json() and response.get_json()["member_id"] == "p1"
    sent = rpc.calls[-1][2][0]
    assert sent["birth_date"] == "1980-05-17" and sent["status"] == "full"


def test_kiosk_answers_as_soon_as_members_recorded_the_sign_in(client, rpc):
    swipe = {"card_uid": "a1b2c3d4", "meeting_id": "m1"}
    first = client.post("/api/v1/kiosk/check-ins", json=swipe, headers=KIOSK)
    assert first.status_code == 201
    body = first.get_json()
    assert body["first_sign_in"] is True and body["message"] == "签到成功"
    assert body["points"] == {"status": "pending", "href": "/api/v1/kiosk/check-ins/m1:p1/points"}
    assert rpc.rpc_names() == ["members.check_in"]  # scoring is not on the sign-in path
    assert rpc.calls[0][3]["device"] == "kiosk-c01"
    rpc.check_in_created = False
    again = client.post("/api/v1/kiosk/check-ins", json=swipe, headers=KIOSK)
    assert again.status_code == 200 and again.get_json()["first_sign_in"] is False
    assert again.get_json()["message"] == "您已签到，无需重复刷卡"
    points = client.get(body["points"]["href"], headers=KIOSK)
    assert points.status_code == 200 and points.get_json()["status"] == "pending"


def test_a_kiosk_asks_for_its_meetings_of_the_day_as_itself(client, rpc):
    answer = client.get("/api/v1/kiosk/meetings", headers=KIOSK)
    assert answer.status_code == 200
    assert answer.get_json() == rpc.members_list_kiosk_meetings()
    assert rpc.calls[0][:3] == ("members", "list_kiosk_meetings", ())
    assert rpc.calls[0][3]["device"] == "kiosk-c01"
    problem(client.get("/api/v1/kiosk/meetings?org_id=hj", headers=KIOSK), 400)


def test_kiosk_sign_in_with_scoring_down_still_succeeds(client, rpc):
    rpc.down.add("scoring")
    response = client.post(
        "/api/v1/kiosk/check-ins", json={"card_uid": "A1B2C3D4", "meeting_id": "m1"}, headers=KIOSK
    )
    assert response.status_code == 201
    problem(client.get("/api/v1/kiosk/check-ins/m1:p1/points", headers=KIOSK), 503)


def test_lists_are_cursor_paginated_with_bounded_limits(client, rpc):
    url = "/api/v1/members/p1/points-entries"
    page = client.get(url, headers=OPERATOR)
    assert page.get_json() == {"items": [], "next_cursor": "abc"}
    assert rpc.calls[-1][2] == ("p1", None, None, 50)
    client.get(url + "?cursor=abc&limit=200&year=2025", headers=OPERATOR)
    assert rpc.calls[-1][2] == ("p1", 2025, "abc", 200)
    for bad in ("limit=0", "limit=201", "limit=x", "cursor=", "year=1999", "page=2"):
        body = problem(client.get(f"{url}?{bad}", headers=OPERATOR), 400)
        assert body["code"] == "invalid_input" and body["errors"]
    assert client.get("/api/v1/needs?scope=/hj/hj-s01", headers=OPERATOR).status_code == 200
    wanted = {"scope": "/hj/hj-s01", "status": "open", "cursor": None, "limit": 50}
    assert rpc.calls[-1][2] == (wanted,)
    assert client.get("/api/v1/needs?status=all&limit=5", headers=OPERATOR).status_code == 200
    assert rpc.calls[-1][2] == ({"scope": "/hj", "status": None, "cursor": None, "limit": 5},)
    assert client.get("/api/v1/members/p1/inbox?limit=3", headers=OPERATOR).status_code == 200


def test_personal_data_needs_a_reason_that_is_passed_to_the_audit(client, rpc):
    url = "/api/v1/members/p1/personal-data"
    body = problem(client.get(url, headers=OPERATOR), 400)
    assert body["errors"] == {"reason": ["缺少必填字段"]}
    problem(client.get(url + "?reason=x", headers=OPERATOR), 400)
    assert client.get(url + "?reason=核对党费", headers=OPERATOR).status_code == 200
    assert rpc.calls[-1][1:3] == ("read_member_pii", ("p1", "核对党费"))


# -- roles and scopes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "method", "url", "body"),
    [
        (
            bearer("branch_secretary", "/hj/hj-s01"),
            "post",
            "/api/v1/orgs",
            {"org_id": "x", "parent_id": "hj-s01", "name": "X", "kind": "branch"},
        ),
        (
            bearer("member", "/hj/hj-s01", subject="p1"),
            "get",
            "/api/v1/members/p1/personal-data?reason=ab",
            None,
        ),
        (bearer("grid_worker", "/hj"), "post", "/api/v1/meetings", meeting()),
        (KIOSK, "get", "/api/v1/members/p1", None),
        (OPERATOR, "post", "/api/v1/kiosk/check-ins", {"card_uid": "A1B2C3D4", "meeting_id": "m1"}),
        (OPERATOR, "get", "/api/v1/kiosk/meetings", None),
        (bearer("branch_secretary", "/hj"), "post", "/api/v1/needs", {}),
    ],
)
def test_a_role_without_the_permission_is_403_before_any_rpc(
    client, rpc, headers, method, url, body
):
    response = getattr(client, method)(url, json=body, headers=headers)
    assert problem(response, 403)["code"] == "forbidden"
    assert rpc.calls == []


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        (
            "post",
            "/api/v1/orgs",
            {"org_id": "x", "parent_id": "hj-s02", "name": "X", "kind": "branch"},
        ),
        ("post", "/api/v1/orgs", {"org_id": "elsewhere", "name": "X", "kind": "committee"}),
        ("post", "/api/v1/members", member(org_id="hj-s02-c01")),
        ("post", "/api/v1/meetings", meeting(org_id="hj-s02-c01")),
        ("post", "/api/v1/kiosks", {"device_id": "k-9", "org_id": "hj-s02", "place": "别处"}),
        ("get", "/api/v1/members/p2", None),
        ("get", "/api/v1/members/p2/scorecard", None),
        ("get", "/api/v1/members/p2/inbox", None),
        ("get", "/api/v1/members/p2/personal-data?reason=核对", None),
        (
            "post",
            "/api/v1/needs",
            {
                "grid_path": "/hj/hj-s02/g1",
                "title": "t",
                "category": "repair",
                "resident_name": "李",
            },
        ),
        ("get", "/api/v1/needs?scope=/hj/hj-s02", None),
    ],
)
def test_objects_outside_the_callers_scope_are_403_without_their_data(
    client, rpc, method, url, body
):
    admin = bearer("org_admin", "/hj/hj-s01")
    response = getattr(client, method)(url, json=body, headers=admin)
    text = response.get_data(as_text=True)
    assert problem(response, 403)["detail"] == "该党组织不在您的管理范围内"
    assert "hj-s02" not in text and "王" not in text
    writes = {"create_org", "register_member", "schedule_meeting", "enroll_kiosk", "record_need"}
    assert not writes & {m for _, m, _, _ in rpc.calls}  # refused before anything is created


def test_members_read_only_their_own_records(client, rpc):
    me = bearer("member", "/hj/hj-s01/hj-s01-c01/hj-s01-c01-b01", subject="p1")
    assert client.get("/api/v1/members/p1/scorecard", headers=me).status_code == 200
    assert rpc.rpc_names() == ["scoring.get_scorecard"]
    for path in ("", "/scorecard", "/points-entries", "/inbox"):
        body = problem(client.get(f"/api/v1/members/p2{path}", headers=me), 403)
        assert body["detail"] == "党员只能查看本人的信息"
    assert rpc.rpc_names() == ["scoring.get_scorecard"]


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer forged.token.x",
        "Bearer " + issue_token("o" * 40, subject="x", role="county_operator", scope="/"),
        "Bearer " + issue_token(SECRET, subject="k", role="kiosk", scope="/hj"),  # no device
        "Bearer " + issue_token(SECRET, subject="x", role="org_admin", scope="not a path"),
    ],
)
def test_bad_tokens_are_401_with_a_challenge(client, rpc, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = client.post("/api/v1/orgs", json={"unknown": 1}, headers=headers)
    assert problem(response, 401)["code"] == "unauthenticated"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert rpc.calls == []


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{not json", "invalid_json"),
        ("[" * 1000 + "]" * 1000, "invalid_json"),
        ('{"card_uid": NaN, "meeting_id": "m1"}', "invalid_json"),
        ('{"card_uid": "A1B2C3D4", "meeting_id": "m\\ud800"}', "invalid_json"),
        ('{"card_uid": "A1B2C3D4", "meeting_id": "m1", "extra": 1}', "invalid_input"),
        ('{"card_uid": "A1B2C3D4"}', "invalid_input"),
        ('["A1B2C3D4", "m1"]', "invalid_input"),
        ("null", "invalid_input"),
        ('{"card_uid": "A1B2\\u0000C3D4", "meeting_id": "m1"}', "invalid_input"),
    ],
)
def test_bad_bodies_are_400_problems(client, rpc, raw, code):
    response = client.post(
        "/api/v1/kiosk/check-ins", data=raw, content_type="application/json", headers=KIOSK
    )
    assert problem(response, 400)["code"] == code
    assert rpc.calls == []


def test_validation_errors_name_each_field_in_chinese(client):
    response = client.post(
        "/api/v1/kiosk/check-ins", json={"card_uid": 12345678, "meeting_id": ["x"]}, headers=KIOSK
    )
    body = problem(response, 400)
    assert body["errors"] == {"card_uid": ["不是有效的字符串"], "meeting_id": ["不是有效的字符串"]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (meeting(starts_at="9999-01-01T09:00:00+08:00"), "starts_at"),
        (meeting(starts_at=(NOW + timedelta(days=800)).isoformat()), "starts_at"),
        (meeting(starts_at=(NOW - timedelta(days=400)).isoformat()), "starts_at"),
        (meeting(starts_at="2026-11-23T09:00:00"), "starts_at"),  # no UTC offset
        (meeting(window_after_min=100000), "window_after_min"),
    ],
)
def test_meetings_start_within_the_horizon(client, rpc, body, field):
    assert (
        field
        in problem(client.post("/api/v1/meetings", json=body, headers=OPERATOR), 400)["errors"]
    )
    assert rpc.calls == []


def test_a_meeting_within_the_horizon_is_scheduled(client, rpc):
    response = client.post("/api/v1/meetings", json=meeting(), headers=OPERATOR)
    assert response.status_code == 201
    sent = rpc.calls[-1][2][0]
    assert "meeting_id" not in sent and "window_before_min" not in sent
    assert datetime.fromisoformat(sent["starts_at"]) > NOW


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"birth_date": "1880-05-17", "id_number": "41010818800517123X"}, "birth_date"),
        ({"join_date": (NOW + timedelta(days=30)).date().isoformat()}, "join_date"),
        ({"birth_date": "1981-05-17"}, "birth_date"),  # not the date in the ID number
        ({"join_date": "1990-01-01"}, "join_date"),  # before the 18th birthday
        ({"phone": "1234"}, "phone"),
        ({"card_uid": "XYZ"}, "card_uid"),
    ],
)
def test_member_dates_and_numbers_are_checked(client, rpc, overrides, field):
    response = client.post("/api/v1/members", json=member(**overrides), headers=OPERATOR)
    assert field in problem(response, 400)["errors"]
    assert rpc.calls == []


def test_size_limit_is_413_and_content_type_is_checked(rpc):
    client = create_app(settings(max_content_length=4096), rpc_client=rpc).test_client()
    big = json.dumps({"card_uid": "A1B2C3D4", "meeting_id": "m" * 5000})
    response = client.post(
        "/api/v1/kiosk/check-ins", data=big, content_type="application/json", headers=KIOSK
    )
    assert problem(response, 413)["code"] == "payload_too_large"
    response = client.post(
        "/api/v1/kiosk/check-ins",
        data="card_uid=A1B2C3D4",
        content_type="text/plain",
        headers=KIOSK,
    )
    assert problem(response, 415)["code"] == "unsupported_media_type"
    assert rpc.calls == []


def test_unknown_routes_and_methods(client):
    problem(client.get("/api/v1/nowhere", headers=OPERATOR), 404)
    response = client.delete("/api/v1/needs", headers=OPERATOR)
    assert problem(response, 405)["code"] == "method_not_allowed"
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_service_errors_and_outages_become_problems(client, rpc):
    kiosk_swipe = {"card_uid": "FFFFFFFF", "meeting_id": "m1"}
    body = problem(client.post("/api/v1/kiosk/check-ins", json=kiosk_swipe, headers=KIOSK), 404)
    assert body["detail"] == "未登记的党员卡，请联系党支部书记登记"
    rpc.down.add("members")
    body = problem(client.get("/api/v1/members/p1", headers=OPERATOR), 503)
    assert body["detail"] == "members服务暂不可用，请稍后重试"


def test_an_unexpected_bug_is_a_logged_500_problem(client, rpc, caplog, monkeypatch):
    def broken(*args):
        raise KeyError("bug")

    monkeypatch.setattr(rpc, "members_get_member", broken)
    with caplog.at_level(logging.ERROR):
        body = problem(client.get("/api/v1/members/p1", headers=OPERATOR), 500)
    assert body["code"] == "internal_error" and "KeyError" in caplog.text


# -- health, readiness, the document ---------------------------------------------------------


def test_readiness_needs_the_broker_and_members_only(client, rpc):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["status"] == "ready"
    rpc.down |= {"notify", "scoring"}
    degraded = client.get("/readyz")
    assert degraded.status_code == 200
    assert degraded.get_json()["degraded"] == ["notify", "scoring"]
    rpc.down.add("members")
    assert client.get("/readyz").status_code == 503


def test_readiness_fails_without_the_broker(rpc):
    client = create_app(settings(amqp_uri="pyamqp://guest:guest@127.0.0.1:1/"), rpc_client=rpc)
    response = client.test_client().get("/readyz")
    assert response.status_code == 503 and response.get_json()["checks"]["broker"] is False


ACCOUNT_PATHS = {
    "/auth/sign-in",
    "/auth/refresh",
    "/auth/sign-out",
    "/auth/password",
    "/auth/me",
    "/auth/switch",
    "/auth/attempts",
    "/accounts",
    "/accounts/{account_id}",
    "/accounts/{account_id}/roles",
    "/accounts/{account_id}/roles/{index}",
    "/accounts/{account_id}/disable",
    "/accounts/{account_id}/enable",
    "/accounts/{account_id}/password-reset",
    "/kiosk/pair",
    "/kiosks/pairing-codes",
    "/kiosks/{device_id}/revoke",
}
MEMBER_SIGN_IN_PATHS = {"/auth/member-code", "/auth/member-sign-in"}
CONSOLE_PATHS = {  # the console's reads (tests/unit/test_gateway_console.py)
    "/orgs/roots",
    "/orgs/{org_id}",
    "/orgs/{org_id}/children",
    "/orgs/{org_id}/members",
    "/orgs/{org_id}/meetings",
    "/members/{member_id}/attendance",
    "/meetings/{meeting_id}",
    "/meetings/{meeting_id}/attendance",
    "/overview",
}
REGISTER_PATHS = {  # the registers (tests/unit/test_tree_gateway.py, test_lifecycle_gateway.py, roster)
    "/orgs/{org_id}/move",
    "/org-moves/{move_id}",
    "/orgs/{org_id}/merge",
    "/orgs/{org_id}/dissolve",
    "/orgs/{org_id}/temporary-members",
    "/orgs/{org_id}/temporary-members/return",
    "/orgs/{org_id}/history",
    "/members/search",
    "/members/probation-due",
    "/members/{member_id}/status",
    "/members/{member_id}/status-history",
    "/members/{member_id}/card",
    "/members/{member_id}/card/lost",
    "/members/{member_id}/card/replace",
    "/members/{member_id}/card/return",
    "/members/{member_id}/cards",
    "/roster/template",
    "/orgs/{org_id}/roster-imports",
    "/roster-imports/{import_id}",
    "/roster-imports/{import_id}/problems",
    "/roster-imports/{import_id}/commit",
    "/roster-imports/{import_id}/report",
    "/orgs/{org_id}/members/export",
}
ORGLIFE_PATHS = {  # meetings held (test_orglife_gateway.py)
    "/meetings/{meeting_id}/leave",
    "/meetings/{meeting_id}/leave/{member_id}/decision",
    "/meetings/{meeting_id}/leave/{member_id}/withdraw",
    "/leave/pending",
    "/meetings/{meeting_id}/close",
    "/meetings/{meeting_id}/sheet",
    "/meetings/{meeting_id}/minutes",
    "/meetings/{meeting_id}/minutes/photos/{photo_id}",
    "/orgs/{org_id}/attendance-rates",
}
PHOTO_TYPES = {"image/jpeg", "image/png"}  # the minutes' photos
PLAN_PATHS = {"/orgs/{org_id}/plan", "/orgs/{org_id}/plan-gaps"}  # test_plans_routes.py
TRANSFER_PATHS = {  # test_transfers_routes.py
    "/transfers",
    "/transfers/{transfer_id}",
    *(
        f"/transfers/{{transfer_id}}/{action}"
        for action in ("accept", "decline", "cancel", "reissue")
    ),
    "/transfers/from-deployments",
    "/transfers/from-deployments/accept",
    "/transfers/from-deployments/decline",
}
DUES_PATHS = {  # test_dues_routes.py
    "/members/{member_id}/dues",
    "/members/{member_id}/dues/declarations/{year}",
    "/members/{member_id}/dues/payments",
    "/dues/payments/{reference}/reversal",
    "/orgs/{org_id}/dues/runs",
    "/orgs/{org_id}/dues/runs/{month}",
    "/orgs/{org_id}/dues/register",
    "/orgs/{org_id}/dues/rates",
    "/orgs/{org_id}/dues/undeclared",
}
MOBILE_PATHS = {  # test_mobile_routes.py
    "/members/{member_id}/mobile",
    "/members/{member_id}/mobile/host",
    "/members/{member_id}/mobile/return",
    "/members/{member_id}/mobile-attendance",
    "/orgs/{org_id}/mobile-members",
    "/orgs/{org_id}/lapse-warnings",
}
ANSWER_TYPES = {"application/json", XLSX, CSV, *PHOTO_TYPES}  # roster files, minutes' photos
PUBLIC_PATHS = {"/auth/sign-in", "/auth/refresh", "/kiosk/pair", *MEMBER_SIGN_IN_PATHS}  # no token


def test_the_openapi_document_is_derived_and_documents_every_answer(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate_spec(spec)
    assert spec["servers"] == [{"url": "/api/v1"}]
    assert set(spec["paths"]) == {
        "/orgs",
        "/members",
        "/members/{member_id}",
        "/members/{member_id}/personal-data",
        "/members/{member_id}/scorecard",
        "/members/{member_id}/points-entries",
        "/members/{member_id}/inbox",
        "/meetings",
        "/kiosks",
        "/kiosk/meetings",
        "/kiosk/check-ins",
        "/kiosk/check-ins/{check_in_id}/points",
        "/needs",
        *ACCOUNT_PATHS,
        *MEMBER_SIGN_IN_PATHS,
        *CONSOLE_PATHS,
        *REGISTER_PATHS,
        *PLAN_PATHS,
        *ORGLIFE_PATHS,
        *TRANSFER_PATHS,
        *DUES_PATHS,
        *MOBILE_PATHS,
    }
    responses = spec["components"]["responses"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            security = [] if path in PUBLIC_PATHS else [{"bearer": []}]
            assert operation["security"] == security, (path, method)
            codes = set(operation["responses"])
            assert {"400", "401", "403", "500", "503", "504"} <= codes, (path, method)
            for code, response in operation["responses"].items():
                if code.startswith(("4", "5")):
                    name = response["$ref"].rsplit("/", 1)[1]
                    content = responses[name]["content"]
                    assert content == {
                        PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}
                    }
                elif code != "204":  # no content
                    for media, described in response["content"].items():
                        assert media in ANSWER_TYPES and "schema" in described, (path, code)
    assert "/bench/echo" not in json.dumps(spec)


def test_the_bench_echo_exists_only_when_asked_for(rpc):
    plain = create_app(settings(), rpc_client=rpc).test_client()
    assert plain.post("/api/v1/bench/echo", json={"a": 1}, headers=KIOSK).status_code == 404
    bench = create_app(settings(bench_echo=True), rpc_client=rpc).test_client()
    response = bench.post("/api/v1/bench/echo", json={"a": [1, "二"]}, headers=KIOSK)
    assert response.status_code == 200 and response.get_json() == {"a": [1, "二"]}
    assert rpc.rpc_names() == ["bench_echo.echo"]

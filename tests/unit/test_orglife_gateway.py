"""The meetings-held routes over Flask's test client and a fake RPC client: what reaches the
members service, roles, scope checks before any change, multipart minutes, the photo answer and
Chinese problems for bad input."""

from __future__ import annotations

import base64
import io
import json

import pytest
from nameko.exceptions import RemoteError

from gateway.app import create_app
from gateway.settings import Settings
from tests.unit.test_gateway_console import BRANCH, OPERATOR, PATHS, SECRET, bearer, problem
from tests.unit.test_lifecycle_gateway import FakeRpc as LifecycleRpc

SECRETARY = bearer("branch_secretary", BRANCH)
SECRETARY2 = bearer("branch_secretary", "/hj/hj-s02/hj-s02-c01/hj-s02-c01-b01")
MEMBER = bearer("member", BRANCH, subject="mb-1")
GRID = bearer("grid_worker", "/hj/hj-s01/hj-s01-c01/hj-s01-c01-g01")
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 64
AT = "2026-11-23T09:00:00+00:00"


def leave(member_id="mb-1", status="pending"):
    return {
        "leave_id": f"mt-1:{member_id}",
        "meeting_id": "mt-1",
        "meeting_org_path": BRANCH,
        "member_id": member_id,
        "member_org_path": BRANCH,
        "reason": "出差",
        "status": status,
        "requested_by": "sec",
        "requested_at": AT,
        "decided_by": None,
        "decided_at": None,
        "decline_reason": "",
    }


CLOSING = {
    "meeting_id": "mt-1",
    "org_id": "hj-s01-c01-b01",
    "org_path": BRANCH,
    "kind": "theme_day",
    "month": "2026-11",
    "closed_at": AT,
    "closed_by": "sec",
    "expected": 60,
    "present": 55,
    "excused": 3,
    "absent": 2,
    "rate": 0.9649,
    "absent_member_ids": ["mb-8", "mb-9"],
}


class FakeRpc(LifecycleRpc):
    def get_meeting(self, meeting_id):
        if meeting_id == "mt-none":
            raise RemoteError("NotFound", json.dumps({"message": "Unknown meeting"}))
        return {"meeting_id": meeting_id, "org_path": BRANCH, "org_id": "hj-s01-c01-b01"}

    def get_member(self, member_id):
        return {"member_id": member_id, "org_path": BRANCH}

    def get_org(self, org_id):
        return {"org_id": org_id, "path": PATHS[org_id]}

    def request_leave(self, payload):
        return {**leave(payload["member_id"]), "created": True}

    def decide_leave(self, payload):
        if payload["member_id"] == "mb-decided":
            raise RemoteError(
                "Conflict", json.dumps({"message": "This leave request was already decided"})
            )
        return leave(payload["member_id"], "approved" if payload["approve"] else "declined")

    def withdraw_leave(self, payload):
        return leave(payload["member_id"], "withdrawn")

    def list_meeting_leave(self, query):
        return {"items": [leave()], "next_cursor": None}

    def list_pending_leave(self, query):
        return {"items": [leave()], "next_cursor": None}

    def close_meeting(self, payload):
        return {**CLOSING, "created": False}

    def get_attendance_sheet(self, query):
        row = {
            "member_id": "mb-1",
            "member_org_path": BRANCH,
            "name_masked": "王*",
            "outcome": "present",
        }
        return {"closing": CLOSING, "items": [row], "next_cursor": None}

    def put_minutes(self, payload):
        photos = [
            {"photo_id": f"p{n}", "content_type": "image/jpeg", "size": len(p)}
            for n, p in enumerate(payload["photos"])
        ]
        return {
            "meeting_id": payload["meeting_id"],
            "topic": payload["topic"],
            "content": payload["content"],
            "photos": photos,
            "updated_by": "sec",
            "updated_at": AT,
        }

    def read_minutes_photo(self, query):
        return {"content_type": "image/jpeg", "content": base64.b64encode(JPEG).decode()}

    def get_attendance_rates(self, query):
        month = {
            "month": "2026-11",
            "meetings": 1,
            "expected": 60,
            "excused": 3,
            "present": 55,
            "rate": 0.9649,
        }
        return {
            "items": [
                {"org_id": query["org_id"], "name": "支部", "path": BRANCH, "months": [month]}
            ],
            "next_cursor": None,
        }

    def names(self):
        return [name for name, _ in self.calls]


@pytest.fixture
def rpc():
    return FakeRpc()


@pytest.fixture
def client(rpc):
    settings = Settings(token_secret=SECRET, amqp_uri="pyamqp://guest:guest@127.0.0.1:5672/")
    return create_app(settings, rpc_client=rpc).test_client()


def send(client, method, path, body=None, headers=SECRETARY):
    return client.open("/api/v1" + path, method=method, json=body, headers=headers)


def test_a_member_requests_leave_for_themselves_only(client, rpc):
    ok = send(
        client, "POST", "/meetings/mt-1/leave", {"member_id": "mb-1", "reason": "出差"}, MEMBER
    )
    assert ok.status_code == 201 and ok.get_json()["status"] == "pending"
    assert "created" not in ok.get_json()
    other = send(
        client, "POST", "/meetings/mt-1/leave", {"member_id": "mb-2", "reason": "x"}, MEMBER
    )
    problem(other, 403)
    assert rpc.names() == ["members.request_leave"]


def test_a_secretary_requests_leave_within_their_area(client, rpc):
    ok = send(client, "POST", "/meetings/mt-1/leave", {"member_id": "mb-2", "reason": "出差"})
    assert ok.status_code == 201
    assert rpc.calls[-1] == (
        "members.request_leave",
        ({"member_id": "mb-2", "reason": "出差", "meeting_id": "mt-1"},),
    )
    refused = send(
        client, "POST", "/meetings/mt-1/leave", {"member_id": "mb-2", "reason": "x"}, SECRETARY2
    )
    problem(refused, 403)
    assert rpc.names()[-1] == "members.get_member"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"member_id": "mb-1"}, "reason"), ({"member_id": "mb-1", "reason": ""}, "reason")],
)
def test_leave_without_a_reason_is_a_chinese_400(client, rpc, body, field):
    found = problem(send(client, "POST", "/meetings/mt-1/leave", body), 400)
    assert field in found["errors"] and not rpc.calls
    assert any("\u4e00" <= ch <= "\u9fff" for ch in json.dumps(found, ensure_ascii=False))


def test_the_organizer_decides_and_a_second_decision_is_409(client, rpc):
    path = "/meetings/mt-1/leave/mb-1/decision"
    assert send(client, "POST", path, {"approve": True}).get_json()["status"] == "approved"
    found = problem(
        send(
            client,
            "POST",
            "/meetings/mt-1/leave/mb-decided/decision",
            {"approve": False, "reason": "x"},
        ),
        409,
    )
    assert found["detail"] == "该请假申请已处理"
    problem(send(client, "POST", path, {"approve": True}, MEMBER), 403)
    problem(send(client, "POST", path, {"approve": True}, SECRETARY2), 403)


def test_lists_of_leave(client, rpc):
    assert send(client, "GET", "/meetings/mt-1/leave").get_json()["items"][0]["member_id"] == "mb-1"
    pending = send(client, "GET", "/leave/pending?org_id=hj-s01-c01-b01")
    assert pending.status_code == 200 and len(pending.get_json()["items"]) == 1
    problem(send(client, "GET", "/leave/pending?org_id=hj-s02", headers=SECRETARY), 403)
    problem(send(client, "GET", "/leave/pending", headers=GRID), 403)


def test_closing_answers_the_closing_and_repeats_as_200(client, rpc):
    response = send(client, "POST", "/meetings/mt-1/close")
    assert response.status_code == 200 and response.get_json()["rate"] == 0.9649
    problem(send(client, "POST", "/meetings/mt-1/close", headers=SECRETARY2), 403)
    problem(send(client, "POST", "/meetings/mt-none/close"), 404)
    assert rpc.names().count("members.close_meeting") == 1


def test_the_sheet_is_read_in_scope(client, rpc):
    found = send(client, "GET", "/meetings/mt-1/sheet").get_json()
    assert found["closing"]["expected"] == 60 and found["items"][0]["outcome"] == "present"
    problem(send(client, "GET", "/meetings/mt-1/sheet", headers=SECRETARY2), 403)


def test_minutes_as_a_multipart_form_and_the_photo_back(client, rpc):
    data = {"topic": "学习", "content": "内容", "photos": [(io.BytesIO(JPEG), "a.jpg")]}
    response = client.put(
        "/api/v1/meetings/mt-1/minutes",
        data=data,
        headers=SECRETARY,
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    [(_name, (payload,))] = [c for c in rpc.calls if c[0] == "members.put_minutes"]
    assert base64.b64decode(payload["photos"][0]) == JPEG and payload["topic"] == "学习"
    missing = client.put(
        "/api/v1/meetings/mt-1/minutes",
        data={"content": "x"},
        headers=SECRETARY,
        content_type="multipart/form-data",
    )
    assert "topic" in problem(missing, 400)["errors"]
    photo = client.get("/api/v1/meetings/mt-1/minutes/photos/p0", headers=SECRETARY)
    assert photo.status_code == 200 and photo.data == JPEG and photo.mimetype == "image/jpeg"


def test_rates_need_a_month_range(client, rpc):
    ok = send(
        client,
        "GET",
        "/orgs/hj-s01/attendance-rates?from=2026-10&to=2026-11&children=true",
        headers=OPERATOR,
    )
    assert ok.status_code == 200
    assert rpc.calls[-1][1][0]["children"] is True
    bad = problem(
        send(
            client, "GET", "/orgs/hj-s01/attendance-rates?from=2026-13&to=2026-11", headers=OPERATOR
        ),
        400,
    )
    assert bad["errors"]["from"] == ["期间应为月份，例如 2026-03"]
    problem(
        send(
            client,
            "GET",
            "/orgs/hj-s02/attendance-rates?from=2026-10&to=2026-11",
            headers=SECRETARY,
        ),
        403,
    )

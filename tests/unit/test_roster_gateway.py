"""The roster routes over Flask's test client and a fake RPC client: the file goes to the
members service in chunks and comes back as a download, the scope and roles are checked before
any call, the upload alone may send a large body."""

import base64
import hashlib
import io
import json

import pytest
from nameko.exceptions import RemoteError

from gateway import errors
from gateway.app import create_app
from gateway.auth import issue_token
from gateway.guard import UPLOAD_MAX_BYTES
from gateway.routes_roster import CHUNK_BYTES
from gateway.settings import Settings

SECRET = "s" * 40
BRANCH = "/hj/hj-s01/hj-s01-c01/hj-s01-c01-b01"
PATHS = {"hj-s01-c01-b01": BRANCH, "hj-s02": "/hj/hj-s02"}
IMPORT_ID = "ri-" + "0" * 20
JOB = {
    "import_id": IMPORT_ID,
    "org_id": "hj-s01-c01-b01",
    "org_path": BRANCH,
    "state": "checked",
    "filename": "名册.xlsx",
    "format": "xlsx",
    "encoding": "",
    "size": 10,
    "counts": {"rows": 2, "new": 1, "refused": 1, "problems": 1},
    "progress": {"done": 2, "total": 2},
    "error": "",
    "unknown_columns": [],
    "created_at": "2026-11-23T09:00:00+00:00",
    "updated_at": None,
}


class FakeRpc:
    def __init__(self):
        self.calls = []
        self.chunks = {}
        self.job = dict(JOB)
        self.timeouts = {}

    def call(self, service, method, *args, caller=None, timeout=None):
        self.calls.append((method, args))
        self.timeouts[method] = timeout
        try:
            return getattr(self, method)(*args)
        except RemoteError as error:
            raise errors.from_remote(error) from None

    def get_org(self, org_id):
        if org_id not in PATHS:
            raise RemoteError("NotFound", json.dumps({"message": "Unknown organization"}))
        return {"org_id": org_id, "path": PATHS[org_id]}

    def put_roster_chunk(self, payload):
        self.chunks[(payload["file_hash"], payload["index"])] = base64.b64decode(payload["data"])

    def start_roster_import(self, payload):
        self.started = payload
        return {**self.job, "created": True}

    def get_roster_import(self, import_id):
        return self.job

    def commit_roster_import(self, import_id):
        return {**self.job, "state": "importing"}

    def list_roster_problems(self, query):
        problem = {"row": 3, "column": "手机号码", "value_masked": "123", "reason": "格式不正确"}
        return {"items": [problem], "next_cursor": None}

    def roster_import_report(self, import_id):
        return self.file("名册-错误说明.xlsx", b"PK" + b"x" * (CHUNK_BYTES + 10))

    def export_members(self, payload):
        self.exported = payload
        return self.file("导出.xlsx", b"PKexport")

    def file(self, name, content):
        self.content = content
        parts = -(-len(content) // CHUNK_BYTES)
        return {"file_id": "rf-1", "filename": name, "chunks": parts, "size": len(content),
                "content_type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}  # fmt: skip

    def read_roster_file(self, payload):
        n = payload["index"]
        part = self.content[n * CHUNK_BYTES : (n + 1) * CHUNK_BYTES]
        return {"data": base64.b64encode(part).decode()}

    def roster_template(self, payload):
        return {"filename": "党员名册模板.csv", "content_type": "text/csv; charset=utf-8",
                "data": base64.b64encode("\ufeff姓名".encode()).decode()}  # fmt: skip


@pytest.fixture
def rpc():
    return FakeRpc()


@pytest.fixture
def client(rpc):
    settings = Settings(token_secret=SECRET, amqp_uri="pyamqp://guest:guest@127.0.0.1:5672/")
    return create_app(settings, rpc_client=rpc).test_client()


def bearer(role="branch_secretary", scope=BRANCH):
    token = issue_token(SECRET, subject=f"{role}-1", role=role, scope=scope)
    return {"Authorization": f"Bearer {token}"}


def upload(client, content, org_id="hj-s01-c01-b01", headers=None):
    return client.post(
        f"/api/v1/orgs/{org_id}/roster-imports",
        data={"file": (io.BytesIO(content), "名册.xlsx")},
        content_type="multipart/form-data",
        headers=headers or bearer(),
    )


def test_an_upload_larger_than_a_json_body_goes_in_chunks(client, rpc):
    content = b"PK" + bytes(range(256)) * 8000  # about 2 MB: twice the JSON limit
    answer = upload(client, content)
    assert answer.status_code == 202, answer.get_json()
    assert answer.get_json()["import_id"] == IMPORT_ID and "created" not in answer.get_json()
    file_hash = hashlib.sha256(content).hexdigest()
    assert rpc.started == {"org_id": "hj-s01-c01-b01", "file_hash": file_hash, "size": len(content),
                           "chunks": len(rpc.chunks), "filename": "名册.xlsx"}  # fmt: skip
    assert b"".join(rpc.chunks[(file_hash, n)] for n in range(len(rpc.chunks))) == content
    assert all(len(part) <= CHUNK_BYTES for part in rpc.chunks.values())


def test_an_upload_past_the_limit_and_a_large_json_body_elsewhere_are_refused(client, rpc):
    assert upload(client, b"x" * (UPLOAD_MAX_BYTES + 1)).status_code == 413
    large = client.post(
        f"/api/v1/roster-imports/{IMPORT_ID}/commit",
        data=b"x" * (2 * 1024 * 1024),
        headers=bearer(),
        content_type="application/json",
    )
    assert large.status_code == 413
    assert rpc.calls == []


def test_an_upload_without_a_file_or_outside_the_area(client, rpc):
    no_file = client.post(
        "/api/v1/orgs/hj-s01-c01-b01/roster-imports",
        data={"other": "x"},
        content_type="multipart/form-data",
        headers=bearer(),
    )
    assert no_file.status_code == 400
    assert no_file.headers["Content-Type"].startswith("application/problem+json")
    outside = upload(client, b"PK", org_id="hj-s02")
    assert outside.status_code == 403
    assert [m for m, _a in rpc.calls] == ["get_org"]
    grid = upload(client, b"PK", headers=bearer("grid_worker"))
    assert grid.status_code == 403


def test_job_problems_commit_and_report(client, rpc):
    job = client.get(f"/api/v1/roster-imports/{IMPORT_ID}", headers=bearer())
    assert job.status_code == 200 and job.get_json()["counts"]["new"] == 1
    found = client.get(f"/api/v1/roster-imports/{IMPORT_ID}/problems?limit=10", headers=bearer())
    assert found.get_json()["items"][0]["value_masked"] == "123"
    committed = client.post(f"/api/v1/roster-imports/{IMPORT_ID}/commit", headers=bearer())
    assert committed.status_code == 202 and committed.get_json()["state"] == "importing"
    report = client.get(f"/api/v1/roster-imports/{IMPORT_ID}/report", headers=bearer())
    assert report.status_code == 200 and report.data == rpc.content
    assert "filename*=UTF-8''" in report.headers["Content-Disposition"]
    assert report.headers["Cache-Control"] == "no-store"


def test_a_job_of_another_area_is_refused_by_the_gateway_too(client, rpc):
    rpc.job = {**JOB, "org_path": "/hj/hj-s02"}
    assert client.get(f"/api/v1/roster-imports/{IMPORT_ID}", headers=bearer()).status_code == 403
    commit = client.post(f"/api/v1/roster-imports/{IMPORT_ID}/commit", headers=bearer())
    assert commit.status_code == 403
    assert "commit_roster_import" not in [m for m, _a in rpc.calls]


def test_the_template(client):
    answer = client.get("/api/v1/roster/template?format=csv", headers=bearer())
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert answer.data.decode("utf-8").lstrip("\ufeff") == "姓名"
    assert client.get("/api/v1/roster/template?format=pdf", headers=bearer()).status_code == 400


def test_the_export_in_full_is_for_staff_with_a_reason(client, rpc):
    masked = client.get("/api/v1/orgs/hj-s01-c01-b01/members/export?subtree=true", headers=bearer())
    assert masked.status_code == 200 and masked.data == b"PKexport"
    assert rpc.exported["full"] is False and rpc.exported["subtree"] is True
    rpc.calls.clear()
    full = "/api/v1/orgs/hj-s01-c01-b01/members/export?full=true&reason=核对"
    assert client.get(full, headers=bearer()).status_code == 403
    assert rpc.calls == []
    staff = bearer("org_admin", "/hj/hj-s01")
    assert client.get(full, headers=staff).status_code == 200
    assert rpc.exported["reason"] == "核对"
    # making a file takes longer than an ordinary call may; reading one back does not
    assert rpc.timeouts["export_members"] == 60 and rpc.timeouts["read_roster_file"] is None

"""The whole system started the way README.md starts it (`make run`), driven over HTTP and AMQP."""

import json
import os
import random
import signal
import socket
import string
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
import requests
import yaml
from kombu import Connection, Exchange, Queue

from gateway.auth import issue_token
from tests.conftest import wait_for

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 240


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def system(tmp_path_factory, rabbit_manager, request):
    vhost = "e2e_" + "".join(random.choices(string.ascii_lowercase, k=8))
    amqp = request.config.getoption("RABBIT_AMQP_URI")
    user = amqp.split("//")[1].split(":")[0]
    rabbit_manager.create_vhost(vhost)
    rabbit_manager.set_vhost_permissions(vhost, user, ".*", ".*", ".*")
    data_dir = tmp_path_factory.mktemp("system")
    port = free_port()
    env = {
        **os.environ,
        "AMQP_URI": amqp.rstrip("/") + "/" + vhost,
        "DATA_DIR": str(data_dir),
        "GATEWAY_BIND": f"127.0.0.1:{port}",
        "DEMO_SIZE": "small",
        **{
            f"{s}_METRICS_PORT": str(free_port())
            for s in ("MEMBERS", "SCORING", "VOLUNTEER", "NOTIFY")
        },
    }
    for key in ("PII_KEY", "PII_HASH_KEY", "TOKEN_SECRET"):
        env.pop(key, None)  # the run command makes its own
    proc = subprocess.Popen(
        ["make", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output: list[str] = []
    ready = threading.Event()

    def read() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            output.append(line)
            if line.startswith("READY "):
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        if not ready.wait(STARTUP_SECONDS):
            logs = "".join(output[-40:])
            raise AssertionError(
                f"`make run` did not print READY within {STARTUP_SECONDS}s:\n{logs}"
            )
        secrets = dict(
            line.split("=", 1) for line in (data_dir / "secrets.env").read_text().split()
        )
        yield {
            "url": f"http://127.0.0.1:{port}",
            "amqp": env["AMQP_URI"],
            "logins": json.loads((data_dir / "demo-logins.json").read_text()),
            "secret": secrets["TOKEN_SECRET"],
            "output": output,
            "data_dir": data_dir,
        }
    finally:
        stop_group(proc)
        rabbit_manager.delete_vhost(vhost)


def stop_group(proc: subprocess.Popen, grace: float = 30) -> None:
    """SIGTERM the whole process group and wait until every member has exited (the services
    drain in-flight work first); SIGKILL what is left after the grace period."""
    pgid = proc.pid
    os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        proc.poll()  # reap the leader, or it stays in the group as a zombie
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.killpg(pgid, signal.SIGKILL)
    raise AssertionError(f"processes of `make run` did not stop within {grace}s of SIGTERM")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def checked_in_schema() -> dict:
    catalogue = yaml.safe_load((ROOT / "docs" / "asyncapi.yaml").read_text(encoding="utf-8"))
    envelope = catalogue["components"]["schemas"]["envelope"]
    body = catalogue["components"]["messages"]["member_checked_in"]["payload"]["allOf"][1]
    return {"allOf": [envelope, body]}


def test_the_run_command_prints_the_url_and_logins(system):
    text = "".join(system["output"])
    assert system["url"] in text and "member cards:" in text
    logins = system["logins"]
    assert {"admin", "branch_secretary", "kiosk", "open_meeting", "members"} <= set(logins)
    assert len(logins["members"]) >= 3 and logins["counts"]["members"] == 120
    assert requests.get(system["url"] + "/readyz", timeout=5).json()["status"] == "ready"


def test_kiosk_sign_in_end_to_end(system):
    url, logins = system["url"], system["logins"]
    member, kiosk = logins["members"][0], logins["kiosk"]
    meeting_id = logins["open_meeting"]["meeting_id"]
    exchange = Exchange("members.events", type="topic", durable=True)
    with Connection(system["amqp"]) as conn:
        observer = Queue(
            "e2e-observer", exchange=exchange, routing_key="member_checked_in", durable=True
        )(conn.default_channel)
        observer.declare()

        swipe = {"card_uid": member["card_uid"], "meeting_id": meeting_id}
        first = requests.post(
            url + "/api/v1/kiosk/check-ins", json=swipe, headers=bearer(kiosk["token"]), timeout=10
        )
        assert first.status_code == 201, first.text
        body = first.json()
        assert body["first_sign_in"] is True
        assert (
            body["member"]["name_masked"][0] == member["name"][0]
            and "*" in body["member"]["name_masked"]
        )
        assert body["meeting"]["meeting_id"] == meeting_id
        assert body["points"] == {"status": "awarded", "points": 2, "category": "base", "total": 2}

        message = wait_for(lambda: observer.get(no_ack=True))
        event = message.decode()
        jsonschema.validate(event, checked_in_schema())
        assert event["member_id"] == member["member_id"] and event["meeting_id"] == meeting_id
        assert event["meeting_kind"] == "theme_day" and event["device_id"] == kiosk["device_id"]

        again = requests.post(
            url + "/api/v1/kiosk/check-ins", json=swipe, headers=bearer(kiosk["token"]), timeout=10
        )
        assert again.status_code == 200 and again.json()["first_sign_in"] is False
        assert again.json()["checked_in_at"] == body["checked_in_at"]
        assert again.json()["points"] == body["points"]
        time.sleep(1)  # give a wrongly published second event time to arrive
        assert observer.get(no_ack=True) is None
        observer.delete()

    card = requests.get(
        f"{url}/api/v1/members/{member['member_id']}/scorecard",
        headers=bearer(member["token"]),
        timeout=10,
    )
    assert card.status_code == 200
    assert card.json()["total"] == 2 and len(card.json()["entries"]) == 1
    inbox = requests.get(
        f"{url}/api/v1/members/{member['member_id']}/inbox",
        headers=bearer(member["token"]),
        timeout=10,
    )
    messages = inbox.json()["messages"]
    assert len(messages) == 1 and "主题党日" in messages[0]["body"] and "2分" in messages[0]["body"]


def test_bad_input_gets_clear_errors(system):
    url, logins = system["url"], system["logins"]
    kiosk = bearer(logins["kiosk"]["token"])
    endpoint = url + "/api/v1/kiosk/check-ins"
    meeting_id = logins["open_meeting"]["meeting_id"]

    def post(body, headers=kiosk, raw=None):
        data = raw if raw is not None else json.dumps(body)
        return requests.post(
            endpoint, data=data, headers={**headers, "Content-Type": "application/json"}, timeout=10
        )

    malformed = post(None, raw="{not json")
    assert malformed.status_code == 400 and malformed.json()["error"]["code"] == "invalid_json"
    assert "JSON" in malformed.json()["error"]["message"]
    missing = post({"card_uid": "A1B2C3D4"})
    assert (
        missing.status_code == 400 and "meeting_id" in missing.json()["error"]["details"]["fields"]
    )
    assert missing.json()["error"]["details"]["fields"]["meeting_id"] == ["缺少必填字段"]
    wrong = post({"card_uid": 12345678, "meeting_id": ["x"]})
    assert wrong.status_code == 400 and set(wrong.json()["error"]["details"]["fields"]) == {
        "card_uid",
        "meeting_id",
    }
    unknown = post({"card_uid": "FFFFFFFF", "meeting_id": meeting_id})
    assert (
        unknown.status_code == 404
        and unknown.json()["error"]["message"] == "未登记的党员卡，请联系党支部书记登记"
    )
    assert post({"card_uid": "A1B2C3D4", "meeting_id": meeting_id}, headers={}).status_code == 401
    assert (
        post(
            {"card_uid": "A1B2C3D4", "meeting_id": meeting_id}, headers=bearer("forged.token.x")
        ).status_code
        == 401
    )
    foreign = issue_token(
        system["secret"],
        subject="kiosk-elsewhere",
        role="kiosk",
        scope="/hj/elsewhere",
        device="kiosk-elsewhere",
    )
    card = logins["members"][1]["card_uid"]
    assert (
        post({"card_uid": card, "meeting_id": meeting_id}, headers=bearer(foreign)).status_code
        == 403
    )
    secretary = bearer(logins["branch_secretary"]["token"])
    assert post({"card_uid": card, "meeting_id": meeting_id}, headers=secretary).status_code == 403

    closed = requests.post(
        url + "/api/v1/meetings",
        json={
            "org_id": logins["branch_secretary"]["org_id"],
            "kind": "lecture",
            "title": "上月党课",
            "starts_at": (datetime.now(UTC) - timedelta(days=30)).isoformat(),
        },
        headers=secretary,
        timeout=10,
    )
    assert closed.status_code == 201, closed.text
    late = post({"card_uid": card, "meeting_id": closed.json()["meeting_id"]})
    assert late.status_code == 409 and late.json()["error"]["message"] == "会议当前不在签到时间内"


def test_openapi_metrics_and_health(system):
    url = system["url"]
    from openapi_spec_validator import validate

    spec = requests.get(url + "/api/v1/openapi.json", timeout=5).json()
    validate(spec)
    assert "/kiosk/check-ins" in spec["paths"]
    assert requests.get(url + "/healthz", timeout=5).status_code == 200
    metrics = requests.get(url + "/metrics", timeout=5).text
    assert 'entrypoint_duration_seconds_count{entrypoint="api.kiosk_check_in"' in metrics

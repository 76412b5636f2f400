"""Bad input never reaches a 5xx or a hang: the gateway as deployed (gunicorn, gthread, the
production config), probed over real sockets with what earlier probes found.

The gateway here has no broker (AMQP_URI points at a closed port): what is refused is refused
before any service is asked, and what would reach a service is a 503, never a 500.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from gateway.auth import issue_token
from tools.launch import free_port

ROOT = Path(__file__).resolve().parents[2]
SECRET = "t" * 48
PROBLEM = "application/problem+json"
SLOW_CLIENTS = 24
WORKERS, THREADS = 2, 4  # 8 request threads: fewer than the slow clients
BODY_READ_TIMEOUT = 2


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    port = free_port()
    log = (tmp_path_factory.mktemp("gateway") / "gateway.log").open("wb")
    env = {
        **os.environ,
        "TOKEN_SECRET": SECRET,
        "AMQP_URI": f"pyamqp://guest:guest@127.0.0.1:{free_port()}/",  # nothing listens there
        "GATEWAY_BIND": f"127.0.0.1:{port}",
        "GATEWAY_WORKERS": str(WORKERS),
        "GATEWAY_THREADS": str(THREADS),
        "BODY_READ_TIMEOUT_SECONDS": str(BODY_READ_TIMEOUT),
        "PING_TIMEOUT_SECONDS": "1",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [str(gunicorn), "-c", "gateway/gunicorn.conf.py", "gateway.wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if requests.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):  # not listening, or booting
                time.sleep(0.1)
        else:
            raise RuntimeError("the gateway did not start; see " + log.name)
        yield {"url": url, "port": port}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def bearer(role="county_operator", scope="/hj", **extra):
    token = issue_token(SECRET, subject=extra.pop("subject", role), role=role, scope=scope, **extra)
    return {"Authorization": f"Bearer {token}"}


KIOSK = bearer("kiosk", "/hj/hj-s01/hj-s01-c01", subject="kiosk-c01", device="kiosk-c01")


def post_raw(gateway, path, raw, headers=KIOSK):
    return requests.post(
        gateway["url"] + path,
        data=raw,
        headers={**headers, "Content-Type": "application/json"},
        timeout=30,
    )


def assert_problem(response, status):
    assert response.status_code == status, response.text[:300]
    assert response.headers["Content-Type"].startswith(PROBLEM)
    body = json.loads(response.text, parse_constant=lambda c: pytest.fail(f"{c} in an answer"))
    assert body["status"] == status and body["detail"] and body["type"]
    return body


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("[" * 1000 + "]" * 1000, "invalid_json"),
        ('{"card_uid": "A1B2C3D4", "meeting_id": "' + "\\ud800" + '"}', "invalid_json"),
        ('{"card_uid": "A1B2C3D4", "meeting_id": NaN}', "invalid_json"),
        ('{"card_uid": Infinity, "meeting_id": "m"}', "invalid_json"),
        ('{"card_uid": -Infinity, "meeting_id": "m"}', "invalid_json"),
        ('{"card_uid": 1e999, "meeting_id": "m"}', "invalid_json"),
        ('{"card_uid": "A1B2C3D4", "meeting_id": "m", "x": {"y": []}}', "invalid_input"),
    ],
    ids=["nested-1000", "lone-surrogate", "nan", "infinity", "-infinity", "1e999", "unknown"],
)
def test_malformed_json_is_a_400_problem(gateway, raw, code):
    assert assert_problem(post_raw(gateway, "/api/v1/kiosk/check-ins", raw), 400)["code"] == code


def test_raw_bytes_that_are_not_utf8_are_a_400(gateway):
    response = post_raw(gateway, "/api/v1/kiosk/check-ins", b'{"card_uid": "\xff\xfe"}')
    assert_problem(response, 400)


def test_a_meeting_in_year_9999_is_refused_by_the_schema(gateway):
    body = {
        "org_id": "hj-s01-c01-b01",
        "kind": "theme_day",
        "title": "远期会议",
        "starts_at": "9999-12-31T09:00:00+08:00",
    }
    response = requests.post(
        gateway["url"] + "/api/v1/meetings", json=body, headers=bearer(), timeout=30
    )
    assert "starts_at" in assert_problem(response, 400)["errors"]


def test_a_body_over_the_limit_is_413_without_being_read(gateway):
    with socket.create_connection(("127.0.0.1", gateway["port"]), timeout=30) as sock:
        sock.sendall(
            b"POST /api/v1/kiosk/check-ins HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nContent-Length: 146800640\r\n"
            + f"Authorization: {KIOSK['Authorization']}\r\n\r\n".encode()
            + b'{"card_uid": "'
        )
        head = sock.recv(65536).decode(errors="replace")
    assert head.startswith("HTTP/1.1 413") and PROBLEM in head


def test_a_chunked_body_over_the_limit_is_413(gateway):
    def chunks():
        for _ in range(40):
            yield b"x" * 65536  # 2.5 MiB in all, no Content-Length

    response = requests.post(
        gateway["url"] + "/api/v1/kiosk/check-ins",
        data=chunks(),
        headers={**KIOSK, "Content-Type": "application/json"},
        timeout=30,
    )
    assert_problem(response, 413)


def test_the_broker_away_is_a_503_never_a_500(gateway):
    swipe = {"card_uid": "A1B2C3D4", "meeting_id": "m1"}
    for _ in range(3):  # the proxy start fails each time, inside the error handling
        response = requests.post(
            gateway["url"] + "/api/v1/kiosk/check-ins", json=swipe, headers=KIOSK, timeout=30
        )
        assert assert_problem(response, 503)["code"] == "service_unavailable"
    ready = requests.get(gateway["url"] + "/readyz", timeout=30)
    assert ready.status_code == 503 and ready.json()["checks"]["broker"] is False
    assert requests.get(gateway["url"] + "/healthz", timeout=30).status_code == 200


def test_unknown_addresses_and_methods_are_problems(gateway):
    assert_problem(requests.get(gateway["url"] + "/api/v1/nothing", timeout=30), 404)
    response = requests.put(gateway["url"] + "/api/v1/kiosk/check-ins", timeout=30)
    assert assert_problem(response, 405)["code"] == "method_not_allowed"
    assert "POST" in response.headers["Allow"]


def test_slow_clients_do_not_starve_the_gateway(gateway):
    """24 clients each send the headers and one byte of a 100 KB body, then nothing: each holds
    a request thread (8 in all) only until the body-read deadline, gets a 408 and is
    disconnected; /healthz is answered meanwhile."""
    answers: list[str] = []
    sockets = []
    for _ in range(SLOW_CLIENTS):
        sock = socket.create_connection(("127.0.0.1", gateway["port"]), timeout=60)
        sock.sendall(
            b"POST /api/v1/kiosk/check-ins HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
        )
        sockets.append(sock)

    def wait_for_answer(sock: socket.socket) -> None:
        try:
            answers.append(sock.recv(4096).decode(errors="replace"))
        except OSError as error:
            answers.append(f"error: {error!r}")
        finally:
            sock.close()

    readers = [threading.Thread(target=wait_for_answer, args=(s,)) for s in sockets]
    for reader in readers:
        reader.start()
    health = requests.get(gateway["url"] + "/healthz", timeout=60)
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    for reader in readers:
        reader.join(timeout=120)
    assert len(answers) == SLOW_CLIENTS
    assert all(a.startswith("HTTP/1.1 408") for a in answers), answers[:3]

"""The body guard in front of the gateway: whole bodies within a size limit and a deadline."""

import io
import json
import socket

import pytest

from gateway.guard import BodyGuard


class Recorder:
    """The application behind the guard: records the body it was given."""

    def __init__(self):
        self.bodies = []

    def __call__(self, environ, start_response):
        self.bodies.append(environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"] or 0)))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]


class TrickleInput:
    """A client that sent ``sent`` bytes and then nothing: a read past them times out."""

    def __init__(self, sent: bytes):
        self.sent = io.BytesIO(sent)

    def read(self, n=-1):
        data = self.sent.read(n)
        if not data:
            raise TimeoutError("timed out")
        return data


class FakeSocket:
    def __init__(self):
        self.timeouts, self.shut = [], []

    def settimeout(self, value):
        self.timeouts.append(value)

    def shutdown(self, how):
        self.shut.append(how)


def run(guard, environ):
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)

    body = b"".join(guard(environ, start_response))
    return int(answer["status"].split()[0]), answer["headers"], body


def environ(body=b"", length=None, chunked=False, sock=None, stream=None):
    env = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/x",
        "CONTENT_LENGTH": str(len(body) if length is None else length),
        "wsgi.input": stream or io.BytesIO(body),
    }
    if chunked:
        env["HTTP_TRANSFER_ENCODING"] = "chunked"
        env["CONTENT_LENGTH"] = ""
    if sock is not None:
        env["gunicorn.socket"] = sock
    return env


def test_a_whole_body_reaches_the_application():
    app = Recorder()
    status, _, _ = run(BodyGuard(app, max_bytes=1024, timeout=5), environ(b'{"a": 1}'))
    assert status == 200 and app.bodies == [b'{"a": 1}']


def test_a_chunked_body_is_read_to_its_end_and_given_a_length():
    app = Recorder()
    status, _, _ = run(BodyGuard(app, max_bytes=1024, timeout=5), environ(b"x" * 100, chunked=True))
    assert status == 200 and app.bodies == [b"x" * 100]


@pytest.mark.parametrize("chunked", [False, True])
def test_a_body_over_the_limit_is_413_and_the_connection_ends(chunked):
    app, sock = Recorder(), FakeSocket()
    env = environ(b"x" * 2048, chunked=chunked, sock=sock)
    status, headers, body = run(BodyGuard(app, max_bytes=1024, timeout=5), env)
    assert status == 413 and headers["Content-Type"] == "application/problem+json"
    assert json.loads(body)["code"] == "payload_too_large" and headers["Connection"] == "close"
    assert app.bodies == [] and sock.shut == [socket.SHUT_RD]


def test_a_client_that_stops_sending_gets_408_and_the_socket_a_deadline():
    app, sock = Recorder(), FakeSocket()
    env = environ(length=100_000, sock=sock, stream=TrickleInput(b"{"))
    status, _, body = run(BodyGuard(app, max_bytes=1 << 20, timeout=2), env)
    assert status == 408 and json.loads(body)["code"] == "request_timeout"
    assert app.bodies == [] and sock.shut == [socket.SHUT_RD]
    deadlines = [t for t in sock.timeouts if t is not None]
    assert deadlines and all(0 < t <= 2 for t in deadlines)
    assert sock.timeouts[-1] is None  # blocking again for the answer


@pytest.mark.parametrize("length", ["abc", "-5"])
def test_a_malformed_length_is_400(length):
    status, _, _ = run(BodyGuard(Recorder(), max_bytes=1024, timeout=5), environ(length=length))
    assert status == 400


def test_a_body_shorter_than_announced_is_400():
    status, _, _ = run(BodyGuard(Recorder(), max_bytes=1024, timeout=5), environ(b"ab", length=10))
    assert status == 400

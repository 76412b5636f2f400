"""A WSGI middleware that reads every request body before the application sees it: at most
``max_bytes`` (413 beyond, without reading it) and within ``timeout`` seconds (408 after, and
the connection is closed).

Without it a client that sends one byte of its body and then waits holds a gateway thread for as
long as it likes; a few dozen such clients hold them all and the gateway stops answering, health
checks included. In production a buffering reverse proxy in front (nginx with
``proxy_request_buffering on``, deploy/k8s/base/gateway.yaml) absorbs slow clients before they
reach gunicorn; this is the gateway's own defence when it is reached directly.

Under gunicorn the client socket is ``environ["gunicorn.socket"]``: each read is bounded by the
time left. Other servers (tests, a development server) are read without a deadline.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import socket
import time
from collections.abc import Callable, Iterable
from typing import Any

from gateway.errors import ApiError
from services.infra.i18n import _

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
CHUNK = 64 * 1024


# Uploads take a larger body than the JSON routes: the roster import's file (20 MB, and the
# multipart form around it). Only a POST to that route gets it; routes_roster.py raises Flask's
# own form limit to the same figure for that request.
UPLOAD_ROUTE = re.compile(r"^/api/v1/orgs/[^/]{1,64}/roster-imports$")
UPLOAD_MAX_BYTES = int(os.environ.get("ROSTER_UPLOAD_MAX_BYTES", str(21 * 1024 * 1024)))


def body_limit(environ: dict[str, Any], max_bytes: int) -> int:
    """The largest body this request may send."""
    path = environ.get("PATH_INFO", "")
    upload = environ.get("REQUEST_METHOD") == "POST" and UPLOAD_ROUTE.match(path)
    return max(max_bytes, UPLOAD_MAX_BYTES) if upload else max_bytes


class BodyTimeout(Exception):
    pass


class BodyGuard:
    def __init__(self, app: WsgiApp, *, max_bytes: int, timeout: float) -> None:
        self.app, self.max_bytes, self.timeout = app, max_bytes, timeout

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        limit = body_limit(environ, self.max_bytes)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return self._refuse(environ, start_response, ApiError(400))
        if length < 0:
            return self._refuse(environ, start_response, ApiError(400))
        if not chunked and length == 0:
            return self.app(environ, start_response)
        if length > limit:
            return self._refuse(environ, start_response, too_large(limit))
        try:
            body = self._read(environ, None if chunked else length, limit)
        except BodyTimeout:
            return self._refuse(environ, start_response, ApiError(408))
        except OSError:  # the client went away mid-body
            return self._refuse(environ, start_response, ApiError(400))
        if body is None:
            return self._refuse(environ, start_response, too_large(limit))
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["wsgi.input_terminated"] = True
        return self.app(environ, start_response)

    def _read(self, environ: dict[str, Any], length: int | None, limit: int) -> bytes | None:
        """The whole body (``length`` bytes, or until EOF when chunked); None past the limit."""
        stream = environ["wsgi.input"]
        sock = environ.get("gunicorn.socket")
        deadline = time.monotonic() + self.timeout
        parts: list[bytes] = []
        size = 0
        want = length if length is not None else limit + 1
        try:
            while size < want:
                if sock is not None:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise BodyTimeout
                    sock.settimeout(left)
                try:
                    chunk = stream.read(min(CHUNK, want - size))
                except TimeoutError:  # socket.timeout
                    raise BodyTimeout from None
                if not chunk:
                    break
                parts.append(chunk)
                size += len(chunk)
        finally:
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.settimeout(None)
        if size > limit or (length is not None and size < length):
            if size > limit:
                return None
            raise OSError("the body ended early")
        return b"".join(parts)

    @staticmethod
    def _refuse(
        environ: dict[str, Any], start_response: StartResponse, error: ApiError
    ) -> Iterable[bytes]:
        """Answer without reading (the rest of) the body, and end the connection after the
        answer: what is left of the body is never read."""
        sock = environ.get("gunicorn.socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RD)
        response = error.response()
        response.headers["Connection"] = "close"
        return response(environ, start_response)


def too_large(max_bytes: int) -> ApiError:
    return ApiError(
        413, _("The request body is larger than {limit} KiB", limit=max(1, max_bytes // 1024))
    )

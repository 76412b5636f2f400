"""The gateway's WSGI application: the API (flask-smorest), its OpenAPI document, problem
details for every error, metrics, health and readiness, and the body guard in front."""

from __future__ import annotations

import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, jsonify, request
from flask.json.provider import DefaultJSONProvider
from kombu import Connection
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from werkzeug.middleware.proxy_fix import ProxyFix

from gateway import errors, static
from gateway.errors import ApiError
from gateway.guard import BodyGuard
from gateway.rpc import RpcClient
from gateway.settings import Settings
from gateway.smorest import GatewayApi
from services.infra import metrics

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
OPENAPI_VERSION = "3.0.3"


class StrictJSONProvider(DefaultJSONProvider):
    """Chinese as is, and never NaN or Infinity (not JSON): a bug, not a silent bad answer."""

    ensure_ascii = False
    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        kwargs.setdefault("allow_nan", False)
        return super().dumps(obj, **kwargs)


class ProblemApi(GatewayApi):
    def _register_error_handlers(self) -> None:
        errors.install(self._app)


def create_app(
    settings: Settings | None = None, rpc_client: Any = None, web_dist: Path | None = None
) -> Flask:
    """``web_dist``: the built front ends (default: gateway/static.py's)."""
    from gateway.routes import api, bench

    settings = settings or Settings()
    app = Flask(__name__)
    app.json = StrictJSONProvider(app)
    app.config.update(
        SETTINGS=settings,
        MAX_CONTENT_LENGTH=settings.max_content_length,
        API_TITLE="智慧党建 platform API",
        API_VERSION="1.0.0",
        OPENAPI_VERSION=OPENAPI_VERSION,
        OPENAPI_URL_PREFIX=None,  # served below, relative to /api/v1
    )
    app.extensions["rpc"] = rpc_client or RpcClient(settings.amqp_uri, settings.rpc_timeout)
    # /readyz checks in parallel; its threads keep their RPC proxies between probes
    app.extensions["readyz_pool"] = ThreadPoolExecutor(max_workers=5, thread_name_prefix="readyz")
    smorest = ProblemApi(app)
    smorest.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    smorest.register_blueprint(api)
    if settings.bench_echo:
        smorest.register_blueprint(bench)

    document: dict[str, Any] = {}

    @app.get(API_PREFIX + "/openapi.json")
    def openapi() -> Any:
        if not document:
            document.update(_document(smorest))
        return jsonify(document)

    @app.get("/healthz")
    def healthz() -> Any:
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz() -> Any:
        return _readiness(app, settings)

    @app.get("/metrics")
    def prometheus() -> Response:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
        return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)

    static.install(app, web_dist)  # the built console, kiosk and phone pages (not in OpenAPI)
    _install_timing(app)
    wsgi: Any = BodyGuard(
        app.wsgi_app, max_bytes=settings.max_content_length, timeout=settings.body_read_timeout
    )
    if settings.trusted_proxies:
        wsgi = ProxyFix(wsgi, x_for=settings.trusted_proxies, x_proto=settings.trusted_proxies)
    app.wsgi_app = wsgi  # type: ignore[method-assign]
    return app


def _document(smorest: GatewayApi) -> dict[str, Any]:
    """The OpenAPI document derived from the routes, with paths relative to the server /api/v1."""
    spec: dict[str, Any] = smorest.spec.to_dict()
    spec["servers"] = [{"url": API_PREFIX}]
    spec["paths"] = {
        path.removeprefix(API_PREFIX): operations for path, operations in spec["paths"].items()
    }
    return spec


def _readiness(app: Flask, settings: Settings) -> Any:
    """Ready when this process can serve: the broker and the services it cannot work without
    answer. Other services are reported (degraded) but do not take the gateway out of rotation."""
    pool: ThreadPoolExecutor = app.extensions["readyz_pool"]
    rpc = app.extensions["rpc"]

    def ping(service: str) -> bool:
        try:
            return bool(rpc.call(service, "ping", timeout=settings.ping_timeout))
        except ApiError:
            return False

    services = settings.required_services + settings.optional_services
    broker = pool.submit(_broker_ok, settings.amqp_uri, settings.ping_timeout)
    pings = {service: pool.submit(ping, service) for service in services}
    checks = {"broker": broker.result()} | {s: f.result() for s, f in pings.items()}
    ready = checks["broker"] and all(checks[s] for s in settings.required_services)
    degraded = sorted(s for s in settings.optional_services if not checks[s])
    status = "not_ready" if not ready else "degraded" if degraded else "ready"
    return jsonify(status=status, checks=checks, degraded=degraded), 200 if ready else 503


def _broker_ok(amqp_uri: str, timeout: float) -> bool:
    try:
        with Connection(amqp_uri, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1)
        return True
    except Exception:
        return False


def _install_timing(app: Flask) -> None:
    @app.before_request
    def start_timer() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def observe(response: Response) -> Response:
        started = g.get("started")
        if started is not None:
            status = response.status_code
            outcome = "ok" if status < 400 else "rejected" if status < 500 else "error"
            entrypoint = request.url_rule.endpoint if request.url_rule else "unmatched"
            metrics.ENTRYPOINT_DURATION.labels("gateway", entrypoint, outcome).observe(
                time.perf_counter() - started
            )
        return response

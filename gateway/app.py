"""The gateway's WSGI application: error mapping, metrics, health, and the API blueprint."""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from flask import Flask, Response, g, jsonify, request
from kombu import Connection
from marshmallow import ValidationError
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from werkzeug.exceptions import HTTPException

from gateway.errors import ApiError, from_validation
from gateway.rpc import RpcClient
from gateway.settings import Settings
from services.infra import metrics
from services.infra.i18n import _

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> Flask:
    from gateway.openapi import build_spec
    from gateway.routes import api

    settings = settings or Settings()
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.config["SETTINGS"] = settings
    app.extensions["rpc"] = RpcClient(settings.amqp_uri, settings.rpc_timeout)
    app.register_blueprint(api, url_prefix="/api/v1")
    spec = build_spec(app)

    @app.get("/api/v1/openapi.json")
    def openapi() -> Any:
        return jsonify(spec)

    @app.get("/healthz")
    def healthz() -> Any:
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz() -> Any:
        checks = {"broker": _broker_ok(settings.amqp_uri)}
        for service in settings.services:
            try:
                checks[service] = bool(app.extensions["rpc"].call(service, "ping", timeout=2))
            except ApiError:
                checks[service] = False
        ready = all(checks.values())
        return jsonify(
            status="ready" if ready else "not_ready", checks=checks
        ), 200 if ready else 503

    @app.get("/metrics")
    def prometheus() -> Response:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
        return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)

    _install_error_handlers(app)
    _install_timing(app)
    return app


def _broker_ok(amqp_uri: str) -> bool:
    try:
        with Connection(amqp_uri, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1)
        return True
    except Exception:
        return False


def _install_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> Any:
        return jsonify(error.body()), error.status

    @app.errorhandler(ValidationError)
    def invalid(error: ValidationError) -> Any:
        return api_error(from_validation(error))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        code = (error.name or "error").lower().replace(" ", "_")
        return api_error(ApiError(error.code or 500, code, _(error.name or "Error")))

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Any:
        log.exception("unhandled error", extra={"path": request.path})
        return api_error(
            ApiError(
                500,
                "internal_error",
                _("Internal error; the operator has been notified in the logs"),
            )
        )


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

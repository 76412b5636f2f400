"""Start one service on its own: ``python -m services.<name>`` (config: services/<name>/config.yml,
or the file named by SERVICE_CONFIG)."""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import importlib  # noqa: E402

from prometheus_client import start_http_server  # noqa: E402

from services.infra.config import load_config  # noqa: E402
from services.infra.logs import configure_logging  # noqa: E402


def main(service: str) -> None:
    from nameko.cli.run import run

    config = load_config(service)
    configure_logging(service, str(config.get("LOG_LEVEL", "INFO")))
    port = int(config.get("METRICS_PORT") or 0)
    if port:
        start_http_server(port, addr=str(config.get("METRICS_ADDR", "0.0.0.0")))
    module = importlib.import_module(f"services.{service}.service")
    run([module.SERVICE], config)

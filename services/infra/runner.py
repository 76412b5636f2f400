"""Start one service on its own: ``python -m services.<name>`` (config: services/<name>/config.yml,
or the file named by SERVICE_CONFIG)."""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import errno  # noqa: E402
import importlib  # noqa: E402
import signal  # noqa: E402
from typing import Any  # noqa: E402

from prometheus_client import start_http_server  # noqa: E402

from services.infra.config import load_config  # noqa: E402
from services.infra.logs import configure_logging  # noqa: E402


def main(service: str) -> None:
    config = load_config(service)
    configure_logging(service, str(config.get("LOG_LEVEL", "INFO")))
    port = int(config.get("METRICS_PORT") or 0)
    if port:
        start_http_server(port, addr=str(config.get("METRICS_ADDR", "0.0.0.0")))
    module = importlib.import_module(f"services.{service}.service")
    run(module.SERVICE, config)


def run(service_cls: type, config: dict[str, Any]) -> None:
    """Like ``nameko run``, but a repeated SIGTERM/SIGINT (a process-group signal followed by the
    supervisor's own) does not start a second, deadlocking stop: the first one drains the
    in-flight workers, later ones are ignored."""
    from nameko.runners import ServiceRunner

    runner = ServiceRunner(config)
    runner.add_service(service_cls)
    stopping: list[bool] = []

    def shutdown(signum: int, frame: Any) -> None:
        if not stopping:
            stopping.append(True)
            eventlet.spawn_n(runner.stop)  # signal handlers cannot use eventlet primitives

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    runner.start()
    waiter = eventlet.spawn(runner.wait)
    while True:
        try:
            waiter.wait()
            return
        except OSError as exc:  # EINTR when a signal lands while the hub waits on a socket
            if exc.errno != errno.EINTR:
                raise

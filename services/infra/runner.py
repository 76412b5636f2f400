"""Start one service on its own: ``python -m services.<name>`` (config: services/<name>/config.yml,
or the file named by SERVICE_CONFIG)."""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import errno  # noqa: E402
import importlib  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
from typing import Any  # noqa: E402

from nameko.containers import ServiceContainer  # noqa: E402
from prometheus_client import start_http_server  # noqa: E402

from services.infra.config import load_config  # noqa: E402
from services.infra.logs import configure_logging  # noqa: E402

log = logging.getLogger(__name__)

#: How long a dying container may take to kill its extensions before the process just exits.
DEATH_GRACE_SECONDS = 20.0
EXIT_CONTAINER_DIED = 70  # EX_SOFTWARE
CONTAINER_CLS = "services.infra.runner.ExitingContainer"


class ExitingContainer(ServiceContainer):  # type: ignore[misc]
    """A container whose death ends the process within a bounded time.

    nameko kills a container when one of its threads fails unexpectedly; ``run`` then returns
    and the process exits, so that its supervisor (``make run``, or Kubernetes) starts a fresh
    one. But a kill waits for every extension, and an extension that waits for something that
    never comes (a consumer retrying a broker that is away) would leave a process that neither
    serves nor exits. After ``DEATH_GRACE_SECONDS`` the process exits anyway."""

    def kill(self, exc_info: Any = None) -> None:
        if exc_info is not None and not self._being_killed:
            log.critical(
                "service container failed; the process exits to be restarted",
                exc_info=exc_info,
                extra={"service": self.service_name},
            )
            eventlet.spawn_after(DEATH_GRACE_SECONDS, os._exit, EXIT_CONTAINER_DIED)
        super().kill(exc_info)


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

    runner = ServiceRunner({"SERVICE_CONTAINER_CLS": CONTAINER_CLS, **config})
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

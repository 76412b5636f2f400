"""Start the whole system the way README.md does (`make run`), isolated in its own RabbitMQ vhost,
data directory and ports; used by the end-to-end tests and the benchmarks."""

from __future__ import annotations

import os
import random
import signal
import socket
import string
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Launched:
    proc: subprocess.Popen[str]
    url: str
    amqp_uri: str
    vhost: str
    data_dir: Path
    output: list[str] = field(default_factory=list)

    def pids(self) -> dict[str, int]:
        """The supervised processes by name (the supervisor keeps ``<data_dir>/run/<name>.pid``)."""
        return {
            path.stem: int(path.read_text())
            for path in sorted((self.data_dir / "run").glob("*.pid"))
        }

    def secrets(self) -> dict[str, str]:
        return dict(
            line.split("=", 1) for line in (self.data_dir / "secrets.env").read_text().split()
        )


LISTEN_PORTS = range(20000, 32000)
_handed_out: set[int] = set()


def free_port() -> int:
    """A port free now, below the kernel's ephemeral range (32768+ here): a port the kernel
    picked for us could be given, before our server binds it, to any outgoing connection (a
    broker client's own end), which is how a service once failed to start in CI. Ports this
    process handed out before are never handed out again."""
    while True:
        port = random.choice(LISTEN_PORTS)
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port


def launch(
    data_dir: Path,
    *,
    amqp_uri: str,
    management_uri: str | None,
    demo_size: str,
    timeout: float = 240,
) -> Launched:
    """``management_uri`` None: the broker's default vhost (a broker of the caller's own)."""
    if management_uri is None:
        vhost = ""
    else:
        vhost = "sys_" + "".join(random.choices(string.ascii_lowercase, k=8))
        user = urlsplit(amqp_uri).username or "guest"
        requests.put(f"{management_uri}/api/vhosts/{vhost}", timeout=10).raise_for_status()
        requests.put(
            f"{management_uri}/api/permissions/{vhost}/{user}",
            json={"configure": ".*", "write": ".*", "read": ".*"},
            timeout=10,
        ).raise_for_status()
    port = free_port()
    env = {
        **os.environ,
        "AMQP_URI": amqp_uri.rstrip("/") + "/" + vhost,
        "DATA_DIR": str(data_dir),
        "GATEWAY_BIND": f"127.0.0.1:{port}",
        "DEMO_SIZE": demo_size,
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
    system = Launched(proc, f"http://127.0.0.1:{port}", env["AMQP_URI"], vhost, data_dir)
    ready = threading.Event()

    def read() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            system.output.append(line)
            if line.startswith("READY "):
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(timeout):
        stop(system, management_uri)
        raise RuntimeError(
            f"`make run` did not print READY within {timeout}s:\n" + "".join(system.output[-40:])
        )
    return system


def stop(system: Launched, management_uri: str | None, grace: float = 30) -> None:
    """SIGTERM the whole process group and wait until every member has exited (the services
    drain in-flight work first), then drop the vhost. Raises if anything outlived the grace."""
    pgid = system.proc.pid
    os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    try:
        while time.monotonic() < deadline:
            system.proc.poll()  # reap the leader, or it stays in the group as a zombie
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)
        os.killpg(pgid, signal.SIGKILL)
        raise RuntimeError(f"processes of `make run` did not stop within {grace}s of SIGTERM")
    finally:
        if management_uri is not None:
            requests.delete(f"{management_uri}/api/vhosts/{system.vhost}", timeout=10)

# nameko >= 2.14's pytest plugin no longer monkey-patches: do it before anything imports sockets.
import eventlet

eventlet.monkey_patch()

import base64  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

# Test-only keys; real deployments take them from a Secret (see README).
os.environ.setdefault("PII_KEY", base64.b64encode(b"k" * 32).decode())
os.environ.setdefault("PII_HASH_KEY", base64.b64encode(b"h" * 32).decode())


def wait_for(check: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Poll until ``check`` returns something truthy; fail with the last value otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s; last value: {value!r}")
        time.sleep(interval)


@pytest.fixture
def make_config(rabbit_config, tmp_path):
    """A service's own config.yml with the test's vhost and a fresh data directory."""
    from services.infra.config import load_config
    from services.infra.storage import close_all

    def make(service: str, **overrides: Any) -> dict[str, Any]:
        config = load_config(service)
        config.update(
            AMQP_URI=rabbit_config["AMQP_URI"],
            DATA_DIR=str(tmp_path / "data"),
            MONGO_URI=os.environ.get("MONGO_URI"),
            RETRY_BACKOFF_SECONDS=[0.2, 0.4],
            METRICS_PORT=0,
        )
        config.update(overrides)
        return config

    yield make
    close_all()


OPERATOR = {"subject": "op-test", "role": "county_operator", "scope": "/"}


def caller(role: str = "county_operator", scope: str = "/", **extra: str) -> dict[str, Any]:
    """RPC context data naming the caller, as the gateway sends it."""
    return {
        "caller": {
            "subject": extra.pop("subject", f"{role}-test"),
            "role": role,
            "scope": scope,
            **extra,
        }
    }

"""The whole system (`make run`, small demo county) for one test module, in its own vhost, data
directory and ports: shared by the end-to-end and browser tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tools.launch import Launched, launch, stop

STARTUP_SECONDS = 240


@contextmanager
def demo_system(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, name: str
) -> Iterator[Launched]:
    management = request.config.getoption("RABBIT_API_URI")
    launched = launch(
        tmp_path_factory.mktemp(name),
        amqp_uri=request.config.getoption("RABBIT_AMQP_URI"),
        management_uri=management,
        demo_size="small",
        timeout=STARTUP_SECONDS,
    )
    try:
        yield launched
    finally:
        stop(launched, management)


def demo_logins(launched: Launched) -> dict[str, Any]:
    """The demo logins file `make run` writes: tokens, staff accounts, cards, the member's phone."""
    return dict(json.loads((launched.data_dir / "demo-logins.json").read_text()))

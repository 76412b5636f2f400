"""Browser tests: the built pages in headless Chromium (Debian's /usr/bin/chromium, driven by
pytest-playwright), served by a real gateway (gunicorn, the production config) that this fixture
starts with no broker behind it: every page loads, and every API call that would reach a service
answers 503 (the "gateway cannot reach the services" case), which is all these tests need.

Playwright's sync API runs an asyncio loop, which eventlet's monkey-patching (tests/conftest.py)
breaks: these tests run in their own pytest process that does not load the root conftest
(scripts/test.sh: ``pytest --confcutdir tests/browser tests/browser``). In a run that has
patched eventlet they are skipped, never hung.

Pages that need the services behind them use ``system`` instead: the whole system started the way
``make run`` starts it (tools/launch.py: its own vhost, data directory and ports, the small demo
county), once per test module.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.browser.support import CHROMIUM, CSP_RECORDER, DIST, ROOT, SECRET
from tests.system import demo_logins, demo_system
from tools.launch import free_port


def _eventlet_patched() -> bool:
    eventlet = sys.modules.get("eventlet")
    return bool(eventlet and eventlet.patcher.is_monkey_patched("socket"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _eventlet_patched():
        return
    skip = pytest.mark.skip(
        reason="browser tests run in their own process: "
        "pytest --confcutdir tests/browser tests/browser (scripts/test.sh does)"
    )
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    # Debian's chromium, not a browser build downloaded by Playwright
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1280, "height": 800}}


@pytest.fixture(scope="session")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not (DIST / "index.html").is_file():
        pytest.fail("the front end is not built: run scripts/web.sh (make test builds it)")
    port = free_port()
    log_path = tmp_path_factory.mktemp("gateway") / "gateway.log"
    env = {
        **os.environ,
        "TOKEN_SECRET": SECRET,
        "AMQP_URI": f"pyamqp://guest:guest@127.0.0.1:{free_port()}/",  # nothing listens there
        "GATEWAY_BIND": f"127.0.0.1:{port}",
        "GATEWAY_WORKERS": "1",
        "GATEWAY_THREADS": "8",
        "RPC_TIMEOUT_SECONDS": "1",
        "PING_TIMEOUT_SECONDS": "1",
        "WEB_DIST_DIR": str(DIST),
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(gunicorn), "-c", "gateway/gunicorn.conf.py", "gateway.wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if requests.get(url + "/healthz", timeout=1).status_code == 200:
                        break
                except requests.RequestException:  # not listening yet, or still importing
                    pass
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the gateway did not start; see " + str(log_path))
                time.sleep(0.1)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)


@pytest.fixture(scope="module")
def system(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[dict[str, Any]]:
    """The whole system (`make run`) for one test module: ``url``, ``logins`` (the demo logins
    file: tokens, staff accounts with their one-time passwords, cards, the member's phone),
    ``data_dir`` (sms/messages.jsonl and the logs are under it)."""
    with demo_system(request, tmp_path_factory, "system") as launched:
        yield {
            "url": launched.url,
            "logins": demo_logins(launched),
            "data_dir": launched.data_dir,
        }


@pytest.fixture
def web(page: Any) -> Iterator[Any]:
    """The test's page, with CSP violations recorded; the test fails on any."""
    page.add_init_script(CSP_RECORDER)
    yield page
    if not page.is_closed():
        violations = page.evaluate("window.__cspViolations || []")
        assert violations == [], f"Content-Security-Policy violations: {violations}"

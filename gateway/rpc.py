"""RPC to the services: one standalone nameko proxy per gateway thread, every call with a timeout.

A proxy shared by threads fails (DESIGN.md); one per request is too slow. A proxy whose call
timed out or lost its connection is thrown away, so a late reply cannot reach the next caller.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from kombu.exceptions import KombuError
from nameko.exceptions import RemoteError, RpcTimeout, UnknownService
from nameko.standalone.rpc import ClusterRpcProxy

from gateway import errors


class RpcClient:
    def __init__(self, amqp_uri: str, timeout: float) -> None:
        self.config = {"AMQP_URI": amqp_uri}
        self.timeout = timeout
        self._local = threading.local()

    def call(self, service: str, method: str, *args: Any, timeout: float | None = None) -> Any:
        proxy = self._proxy(timeout)
        try:
            return getattr(getattr(proxy, service), method)(*args)
        except RemoteError as error:
            raise errors.from_remote(error) from None
        except UnknownService:
            self._discard(timeout)
            raise errors.unavailable(service) from None
        except RpcTimeout as error:
            self._discard(timeout)
            raise errors.timeout(service, error) from None
        except (OSError, KombuError):
            self._discard(timeout)
            raise errors.unavailable(service) from None

    def _proxy(self, timeout: float | None) -> Any:
        key = timeout or self.timeout
        proxies = self._proxies()
        if key not in proxies:
            runner = ClusterRpcProxy(self.config, timeout=key)
            proxies[key] = (runner, runner.start())
        return proxies[key][1]

    def _discard(self, timeout: float | None) -> None:
        runner, _ = self._proxies().pop(timeout or self.timeout, (None, None))
        if runner is not None:
            with contextlib.suppress(Exception):
                runner.stop()

    def _proxies(self) -> dict[float, tuple[Any, Any]]:
        if not hasattr(self._local, "proxies"):
            self._local.proxies = {}
        return self._local.proxies

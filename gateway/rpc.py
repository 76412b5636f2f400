"""RPC to the services: one standalone nameko proxy per gateway thread, every call with a timeout
and the caller's identity as context data.

A proxy shared by threads fails (DESIGN.md); one per request is too slow. Starting a proxy
connects to the broker, so the start is inside the error handling like the call: a broker that
is away is a 503, never a 500. A proxy whose start or call failed (broker gone, timed out, lost
its connection) is thrown away, so a late reply cannot reach the next caller, and the next call
builds a new one: requests succeed again as soon as the broker is back.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from amqp.exceptions import AMQPError
from kombu.exceptions import KombuError
from nameko.amqp.publish import Publisher
from nameko.exceptions import RemoteError, RpcTimeout, UnknownService
from nameko.rpc import MethodProxy
from nameko.standalone.rpc import ClusterRpcProxy

from gateway import errors
from services.infra.scope import CONTEXT_KEY

log = logging.getLogger(__name__)

# a broker that is away fails a call in about a second instead of nameko's default ~10 s
FAST_FAIL = {"max_retries": 1, "interval_start": 0.2, "interval_step": 0.3, "interval_max": 0.5}
BROKER_ERRORS = (OSError, KombuError, AMQPError)


class FastFailPublisher(Publisher):
    transport_options = {**Publisher.transport_options, **FAST_FAIL}  # noqa: RUF012
    retry_policy = FAST_FAIL


class FastFailMethodProxy(MethodProxy):
    publisher_cls = FastFailPublisher


class ThreadProxy:
    """One thread's connection to the services: a started ClusterRpcProxy (its reply queue)."""

    def __init__(self, config: dict[str, Any], timeout: float) -> None:
        self.runner = ClusterRpcProxy(config, timeout=timeout)
        self.runner.start()  # connects: may raise, the caller discards us

    def call(self, service: str, method: str, args: tuple[Any, ...], caller: Any) -> Any:
        context = self.runner._worker_ctx.data
        context.clear()
        if caller is not None:
            context[CONTEXT_KEY] = caller
        proxy = FastFailMethodProxy(
            self.runner._worker_ctx, service, method, self.runner._reply_listener
        )
        return proxy(*args)

    def discard(self) -> None:
        """Drop the reply connection without talking to the broker (it may be gone)."""
        try:
            connection = self.runner._reply_listener.queue_consumer.connection
            connection.collect()
        except Exception:  # already broken: nothing to release
            log.debug("discarding a broken RPC proxy", exc_info=True)


class RpcClient:
    def __init__(self, amqp_uri: str, timeout: float) -> None:
        self.config = {"AMQP_URI": amqp_uri}
        self.timeout = timeout
        self._local = threading.local()

    def call(
        self,
        service: str,
        method: str,
        *args: Any,
        caller: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Any:
        key = timeout or self.timeout
        try:
            proxy = self._proxy(key)
            return proxy.call(service, method, args, caller)
        except RemoteError as error:
            raise errors.from_remote(error) from None
        except UnknownService:
            # no queue for the service: it is not running; the proxy itself is fine
            raise errors.unavailable(service) from None
        except RpcTimeout:
            self._discard(key)
            raise errors.timeout(service) from None
        except BROKER_ERRORS as error:
            log.warning("RPC %s.%s: broker unavailable (%r)", service, method, error)
            self._discard(key)
            raise errors.unavailable(service) from None

    def _proxy(self, key: float) -> ThreadProxy:
        proxies = self._proxies()
        proxy = proxies.get(key)
        if proxy is None:
            proxy = proxies[key] = ThreadProxy(self.config, key)
        return proxy

    def _discard(self, key: float) -> None:
        proxy = self._proxies().pop(key, None)
        if proxy is not None:
            proxy.discard()

    def _proxies(self) -> dict[float, ThreadProxy]:
        if not hasattr(self._local, "proxies"):
            self._local.proxies = {}
        return self._local.proxies  # type: ignore[no-any-return]

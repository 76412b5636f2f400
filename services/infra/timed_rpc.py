"""nameko's ``RpcProxy`` with a deadline, for one service calling another.

Stock nameko 2 waits for a reply for ever. Here a call waits at most ``timeout`` seconds (read
once from the service's config in ``setup()``), and the request itself expires on the broker
after that time, so a service that comes back later does not act on a request its caller has
given up on (a text sent after the caller already answered "try again"). Its replies are
consumed by the service's reconnecting queue consumer (services.infra.reconnect).
"""

from __future__ import annotations

from typing import Any

from eventlet import Timeout
from nameko.exceptions import RpcTimeout
from nameko.rpc import ReplyListener, RpcProxy

from services.infra.reconnect import ReconnectingQueueConsumer


class ReconnectingReplyListener(ReplyListener):
    """The replies' queue, consumed like every other queue of the service (it survives a broker
    restart and lets the service stop while the broker is away)."""

    queue_consumer = ReconnectingQueueConsumer()


class TimedRpcProxy(RpcProxy):
    rpc_reply_listener = ReconnectingReplyListener()

    def __init__(self, target_service: str, timeout_key: str, default_seconds: float) -> None:
        super().__init__(target_service)
        self.timeout_key = timeout_key
        self.default_seconds = default_seconds
        self.timeout = default_seconds

    def setup(self) -> None:
        self.timeout = float(self.container.config.get(self.timeout_key) or self.default_seconds)
        self.options["expiration"] = self.timeout

    def get_dependency(self, worker_ctx: Any) -> TimedCalls:
        return TimedCalls(super().get_dependency(worker_ctx), self.target_service, self.timeout)


class TimedCalls:
    """``call(method, *args)``: the result, or RpcTimeout after the deadline (nameko's own
    errors otherwise: RemoteError, UnknownService, connection errors)."""

    def __init__(self, proxy: Any, service: str, timeout: float) -> None:
        self.proxy, self.service, self.timeout = proxy, service, timeout

    def call(self, method: str, *args: Any) -> Any:
        reply = getattr(self.proxy, method).call_async(*args)
        with Timeout(self.timeout, RpcTimeout(f"{self.service}.{method}: no answer in time")):
            return reply.result()

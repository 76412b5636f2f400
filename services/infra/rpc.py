"""nameko's ``rpc`` entrypoint, made to survive the broker going away, with the user-caused errors
marked as expected (nameko then logs them as such instead of as failures, and the metrics label
them ``rejected``).

nameko acks an RPC request only after its reply is published. When the reply cannot be
published (the broker is away and the publisher's retries ran out), stock nameko lets the error
out of the worker thread and kills the whole container. Here the service stays up instead: the
request goes back to its queue (or, when its connection is gone too, the broker redelivers it),
so it runs again once the broker is back. RPC handlers are idempotent (DESIGN.md, reliability
rule 1), so a second run records nothing new; the caller, whose reply queue did not survive a
broker restart, has already answered its client with 503 or a timeout.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from nameko.rpc import Rpc, RpcConsumer

from services.infra.errors import ServiceError
from services.infra.reconnect import CONNECTION_ERRORS, ReconnectingQueueConsumer

log = logging.getLogger(__name__)


class ResilientRpcConsumer(RpcConsumer):
    queue_consumer = ReconnectingQueueConsumer()

    def handle_result(self, message: Any, result: Any, exc_info: Any) -> tuple[Any, Any]:
        routing_key = message.delivery_info.get("routing_key")
        try:
            return super().handle_result(message, result, exc_info)  # type: ignore[no-any-return]
        except CONNECTION_ERRORS as exc:
            log.warning(
                "could not send the RPC reply (broker away); the request will run again: %s",
                exc,
                extra={"routing_key": routing_key},
            )
            self.queue_consumer.requeue_message(message)
        except Exception:
            # Not a connection problem (a bug): running the request again would fail the same
            # way, so drop it rather than loop; the caller times out.
            log.exception("could not send the RPC reply", extra={"routing_key": routing_key})
            self.queue_consumer.ack_message(message)
        return result, exc_info


class ResilientRpc(Rpc):
    rpc_consumer = ResilientRpcConsumer()


def rpc(method: Callable[..., Any]) -> Callable[..., Any]:
    return ResilientRpc.decorator(expected_exceptions=ServiceError)(method)  # type: ignore[no-any-return]

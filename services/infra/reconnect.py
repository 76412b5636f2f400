"""Staying up while the broker goes away and comes back.

nameko 2.14's queue consumer reconnects by itself (kombu's ``ConsumerMixin``), but what happens
around it does not survive a broker restart:

1. An RPC reply is published after the worker ran. When the broker is away, the publish fails
   after its retries and the error leaves the worker thread; nameko treats any error in a
   worker's result handling as fatal and kills the whole container ("killing ServiceContainer
   ... ECONNREFUSED"). The kill then waits for the consumer thread, which sits in kombu's
   reconnect loop without looking at ``should_stop``: the process neither serves nor exits.
   (``services.infra.rpc`` handles the reply; this module gives it the tools.)
2. An ack or requeue on the channel of a connection that has just died can raise an ``OSError``
   (the socket is gone before py-amqp notices), which nameko's ``QueueConsumer`` does not catch.
   The broker gives every unacked message back once the connection is gone, so such an ack or
   requeue can be dropped.
3. kombu's reconnect backoff grows to 30 s, so a consumer could come back up to 30 s after the
   broker did; here it is capped at ``RECONNECT_MAX_SECONDS`` (default 5).

Every consumer of a service should use :class:`ReconnectingQueueConsumer` (or a subclass).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from amqp.exceptions import AMQPError
from kombu.exceptions import KombuError
from nameko.messaging import QueueConsumer

log = logging.getLogger(__name__)

DEFAULT_RECONNECT_MAX_SECONDS = 5.0

#: What a lost or closing connection raises on the client side.
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (OSError, AMQPError, KombuError)


class ConsumerStopping(Exception):
    """Raised inside kombu's reconnect loop to give up reconnecting when the container stops."""


def reconnect_max_seconds(config: dict[str, Any]) -> float:
    return float(config.get("RECONNECT_MAX_SECONDS") or DEFAULT_RECONNECT_MAX_SECONDS)


class ReconnectingQueueConsumer(QueueConsumer):
    """nameko's queue consumer with a capped reconnect backoff, a reconnect loop that gives up
    when the container is killed, and acks/requeues that never raise on a dead connection."""

    @contextmanager
    def establish_connection(self) -> Iterator[Any]:
        cap = reconnect_max_seconds(self.container.config)

        def give_up_when_stopping() -> None:  # kombu calls it about once a second while waiting
            if self.should_stop:
                raise ConsumerStopping()

        with self.create_connection() as conn:
            conn.ensure_connection(
                self.on_connection_error,
                self.connect_max_retries,
                interval_start=min(1.0, cap),
                interval_step=1.0,
                interval_max=cap,
                callback=give_up_when_stopping,
            )
            yield conn

    def on_connection_revived(self) -> None:  # before every connection, the first included
        if getattr(self, "_connected_before", False):
            log.warning("reconnected to the broker", extra={"consumer": type(self).__name__})
        self._connected_before = True

    def ack_message(self, message: Any) -> None:
        try:
            super().ack_message(message)
        except CONNECTION_ERRORS as exc:
            log.warning("could not ack (connection lost); the broker redelivers: %s", exc)

    def requeue_message(self, message: Any) -> None:
        try:
            super().requeue_message(message)
        except CONNECTION_ERRORS as exc:
            log.warning("could not requeue (connection lost); the broker redelivers: %s", exc)

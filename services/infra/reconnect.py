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
4. A stop (SIGTERM) while the broker is away waited for the consumer thread to cancel its
   consumers, which it only does once connected again: the process hung until it was killed.
   Here, while waiting for the broker, the reconnect loop drops the consumers whose providers
   unregister (there is nothing to cancel on a dead channel) and ends once none is left.

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

    _connected_before = False
    _pending_remove_providers: dict[Any, Any]  # nameko's

    def run(self, *args: Any, **kwargs: Any) -> None:
        try:
            super().run(*args, **kwargs)
        except ConsumerStopping:
            log.info("consumer stopped while the broker was away")

    @contextmanager
    def establish_connection(self) -> Iterator[Any]:
        cap = reconnect_max_seconds(self.container.config)
        with self.create_connection() as conn:
            conn.ensure_connection(
                self.on_connection_error,
                self.connect_max_retries,
                interval_start=min(1.0, cap),
                interval_step=1.0,
                interval_max=cap,
                callback=self._while_disconnected,  # about once a second while waiting
            )
            yield conn

    def _while_disconnected(self) -> None:
        if self.should_stop:  # the container is being killed
            raise ConsumerStopping()
        if not self._consumers_ready.ready():  # never connected yet: nameko handles a stop
            return
        pending, self._pending_remove_providers = self._pending_remove_providers, {}
        for provider, removed in pending.items():
            self._consumers.pop(provider, None)
            removed.send()
        if not self._consumers:  # every provider has unregistered: the container is stopping
            raise ConsumerStopping()

    def on_connection_revived(self) -> None:  # before every connection, the first included
        if self._connected_before:
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

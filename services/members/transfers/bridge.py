"""How transfer events travel between deployments (each with its own RabbitMQ vhost): a small
nameko entrypoint.

Each deployment publishes its transfer events (transfer_requested, transfer_accepted,
transfer_declined) on its own ``members.events`` exchange through the outbox, like every other
event. It names its peers (``TRANSFERS.peers`` or the ``TRANSFER_PEERS`` environment variable, JSON:
deployment id -> AMQP URI of that peer's vhost) and, for each, keeps one connection to the
peer's broker with a durable queue there named for itself (``transfers.<own deployment id>``)
bound to the peer's ``members.events`` for those three routing keys. A message becomes a worker
of the decorated method (with the service's dependencies); it is acked only after the worker
returned (the request or answer stored), re-queued after a pause when the worker failed, and a
message that can never be handled (malformed, a record that cannot be opened: PoisonMessage) goes
to ``transfers.<own id>.dlq`` on the peer's broker with the reason in ``x-death-reason``, then is
acked. The connection is re-made with backoff when the peer's broker goes away. The handlers are
idempotent (a request by sender and letter number, an answer only on an open letter), so a
redelivery changes nothing.
"""

from __future__ import annotations

import json
import logging
import os
from functools import partial
from typing import Any

import eventlet
from eventlet.event import Event as Waiter
from kombu import Connection, Exchange, Queue, binding
from nameko.extensions import Entrypoint

from services.infra.errors import PoisonMessage

log = logging.getLogger(__name__)
KEYS = ("transfer_requested", "transfer_accepted", "transfer_declined")
RECONNECT_MAX_SECONDS = 5.0
RETRY_PAUSE_SECONDS = 1.0


def peers_of(config: dict[str, Any]) -> dict[str, str]:
    text = os.environ.get("TRANSFER_PEERS", "")
    configured = (config.get("TRANSFERS") or {}).get("peers") or {}
    found = json.loads(text) if text.strip() else configured
    return {str(k): str(v) for k, v in dict(found).items()}


class PeerTransferEvents(Entrypoint):
    def setup(self) -> None:
        config = self.container.config
        self.me = str((config.get("TRANSFERS") or {}).get("deployment_id") or "local")
        self.peers = peers_of(config)
        self.heartbeat = int(config.get("HEARTBEAT", 15))
        self.running = False

    def start(self) -> None:
        self.running = True
        for peer, uri in self.peers.items():
            self.container.spawn_managed_thread(
                partial(self._follow, peer, uri), identifier=f"transfers-from-{peer}"
            )

    def stop(self) -> None:
        self.running = False

    def kill(self) -> None:
        self.running = False

    def _queues(self, channel: Any) -> tuple[Queue, Queue]:
        exchange = Exchange("members.events", type="topic", durable=True)
        name = f"transfers.{self.me}"
        dead = Queue(f"{name}.dlq", durable=True)
        queue = Queue(name, bindings=[binding(exchange, routing_key=k) for k in KEYS], durable=True)
        exchange(channel).declare()
        dead(channel).declare()
        queue(channel).declare()
        return queue, dead

    def _follow(self, peer: str, uri: str) -> None:
        delay = 0.5
        while self.running:
            try:
                # confirmed publishes: a dead-lettered message is acked only once the peer's
                # broker has its copy
                options = {"confirm_publish": True}
                with Connection(uri, heartbeat=self.heartbeat, transport_options=options) as conn:
                    queue, dead = self._queues(conn.channel())
                    handle = partial(self._message, conn, dead)
                    with conn.Consumer(
                        queue, callbacks=[handle], accept=["json"], prefetch_count=1
                    ):
                        delay = 0.5
                        while self.running:
                            try:
                                conn.drain_events(timeout=1)
                            except TimeoutError:
                                conn.heartbeat_check()
            except Exception as error:  # the peer's broker away: try again later
                log.warning("transfers from %s: %s", peer, error)
                eventlet.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_SECONDS)

    def _message(self, conn: Any, dead: Queue, body: Any, message: Any) -> None:
        if isinstance(body, bytes | str):
            try:
                body = json.loads(body)
            except ValueError:
                body = None
        key = message.delivery_info.get("routing_key", "")
        if not isinstance(body, dict) or key not in KEYS:
            self._dead(conn, dead, body, message, "malformed")
            return
        waiter: Waiter = Waiter()

        def done(worker_ctx: Any, result: Any, exc_info: Any) -> tuple[Any, Any]:
            waiter.send(exc_info)
            return result, exc_info

        self.container.spawn_worker(self, (key, body), {}, handle_result=done)
        exc_info = waiter.wait()
        if exc_info is None:
            message.ack()
        elif isinstance(exc_info[1], PoisonMessage):
            self._dead(conn, dead, body, message, str(exc_info[1]))
        else:
            eventlet.sleep(RETRY_PAUSE_SECONDS)
            message.requeue()

    def _dead(self, conn: Any, dead: Queue, body: Any, message: Any, reason: str) -> None:
        producer = conn.Producer()
        producer.publish(
            body if body is not None else message.body,
            routing_key=dead.name,
            serializer="json",
            headers={"x-death-reason": reason[:500]},
            delivery_mode=2,
        )
        message.ack()


peer_transfer_event = PeerTransferEvents.decorator

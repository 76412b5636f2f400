"""Operator tool for dead-letter queues.

    python -m services.infra.dlq list QUEUE.dlq          # show each message's reason and attempts
    python -m services.infra.dlq replay QUEUE.dlq        # send every message back to its queue

Replayed messages start again with a fresh attempt count; consumers still de-duplicate on
event_id, so replaying an event that was in fact handled changes nothing.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from kombu import Connection, Queue


def drain(conn: Connection, name: str, replay: bool) -> list[dict[str, Any]]:
    queue = Queue(name, durable=True)(conn.default_channel)
    queue.queue_declare(passive=True)  # a mistyped name fails instead of creating a queue
    seen = []
    producer = conn.Producer()
    while (message := queue.get(no_ack=False)) is not None:
        headers = dict(message.headers or {})
        seen.append(
            {
                "reason": headers.get("x-death-reason"),
                "attempts": headers.get("x-attempts"),
                "queue": headers.get("x-original-queue"),
                "failed_at": headers.get("x-failed-at"),
            }
        )
        if replay:
            for key in ("x-death-reason", "x-attempts", "x-failed-at", "x-last-error"):
                headers.pop(key, None)
            producer.publish(
                message.body,
                exchange="",
                routing_key=headers["x-original-queue"],
                headers=headers,
                content_type=message.content_type,
                content_encoding=message.content_encoding,
                delivery_mode=2,
            )
            message.ack()
    return seen  # listed messages were not acked: they go back to the queue on close


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("action", choices=("list", "replay"))
    parser.add_argument("queue")
    args = parser.parse_args()
    with Connection(os.environ.get("AMQP_URI", "pyamqp://guest:guest@127.0.0.1:5672/")) as conn:
        for entry in drain(conn, args.queue, args.action == "replay"):
            print(entry)


if __name__ == "__main__":
    main()

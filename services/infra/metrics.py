"""The metrics every service and the gateway expose under the same names (DESIGN.md)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

ENTRYPOINT_DURATION = Histogram(
    "entrypoint_duration_seconds",
    "Time spent in an entrypoint (RPC, event handler, HTTP route).",
    ["service", "entrypoint", "outcome"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
EVENTS_PUBLISHED = Counter(
    "events_published_total", "Events confirmed by the broker.", ["service", "event_type"]
)
EVENTS_CONSUMED = Counter(
    "events_consumed_total",
    "Events taken off a queue, by outcome (handled, duplicate, deferred, failed).",
    ["service", "event_type", "outcome"],
)
EVENTS_RETRIED = Counter(
    "events_retried_total", "Events sent back for a delayed retry.", ["service", "event_type"]
)
EVENTS_DEAD_LETTERED = Counter(
    "events_dead_lettered_total", "Events moved to a dead-letter queue.", ["service", "event_type"]
)


def outcome_of(exc: BaseException | None) -> str:
    from services.infra.errors import ServiceError

    if exc is None:
        return "ok"
    return "rejected" if isinstance(exc, ServiceError) else "error"

"""Small nameko dependency providers: the caller of an RPC, and objects built once in setup()."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nameko.extensions import DependencyProvider

from services.infra.scope import CONTEXT_KEY, Caller


class CallerOf(DependencyProvider):
    """``self.caller()`` in an entrypoint: who is calling, from the RPC's context data."""

    def get_dependency(self, worker_ctx: Any) -> Callable[[], Caller]:
        return lambda: Caller.from_context(worker_ctx.data.get(CONTEXT_KEY))


class BuiltOnce(DependencyProvider):
    """An object built from the service's config once, in ``setup()`` (keys, clients, settings):
    nothing is read from the environment per call."""

    def __init__(self, factory: Callable[[dict[str, Any]], Any]) -> None:
        self.factory = factory
        self.value: Any = None

    def setup(self) -> None:
        self.value = self.factory(self.container.config)

    def get_dependency(self, worker_ctx: Any) -> Any:
        return self.value

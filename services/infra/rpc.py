"""nameko's ``rpc`` entrypoint, with the user-caused errors marked as expected: nameko then logs
them as such instead of as failures, and the metrics label them ``rejected``."""

from collections.abc import Callable
from typing import Any

from nameko.rpc import rpc as nameko_rpc

from services.infra.errors import ServiceError


def rpc(method: Callable[..., Any]) -> Callable[..., Any]:
    return nameko_rpc(expected_exceptions=ServiceError)(method)  # type: ignore[no-any-return]

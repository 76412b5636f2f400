"""Gateway settings, from the environment (a k8s ConfigMap/Secret in production)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Settings:
    amqp_uri: str = field(
        default_factory=lambda: os.environ.get("AMQP_URI", "pyamqp://guest:guest@127.0.0.1:5672/")
    )
    token_secret: str = field(default_factory=lambda: os.environ.get("TOKEN_SECRET", ""))
    rpc_timeout: float = field(
        default_factory=lambda: float(os.environ.get("RPC_TIMEOUT_SECONDS", "5"))
    )
    award_wait: float = field(
        default_factory=lambda: float(os.environ.get("AWARD_WAIT_SECONDS", "2"))
    )
    services: tuple[str, ...] = ("members", "scoring", "volunteer", "notify")

    def __post_init__(self) -> None:
        if len(self.token_secret) < 32:
            raise RuntimeError("TOKEN_SECRET must be set to at least 32 characters")

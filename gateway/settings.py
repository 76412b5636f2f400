"""Gateway settings, from the environment (a k8s ConfigMap/Secret in production)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class Settings:
    amqp_uri: str = field(
        default_factory=lambda: _env("AMQP_URI", "pyamqp://guest:guest@127.0.0.1:5672/")
    )
    token_secret: str = field(default_factory=lambda: _env("TOKEN_SECRET", ""))
    # every RPC waits at most this long for an answer (504 after that)
    rpc_timeout: float = field(default_factory=lambda: float(_env("RPC_TIMEOUT_SECONDS", "5")))
    # /readyz pings with this timeout (the probe's own timeout is 5 s)
    ping_timeout: float = field(default_factory=lambda: float(_env("PING_TIMEOUT_SECONDS", "2")))
    # request bodies: size limit (413) and the time a client has to send one (408)
    max_content_length: int = field(
        default_factory=lambda: int(_env("MAX_CONTENT_LENGTH", str(1024 * 1024)))
    )
    body_read_timeout: float = field(
        default_factory=lambda: float(_env("BODY_READ_TIMEOUT_SECONDS", "10"))
    )
    json_max_depth: int = field(default_factory=lambda: int(_env("JSON_MAX_DEPTH", "32")))
    # meetings may start at most this far ahead of / behind today
    meeting_days_ahead: int = field(
        default_factory=lambda: int(_env("MEETING_HORIZON_DAYS_AHEAD", "730"))
    )
    meeting_days_back: int = field(
        default_factory=lambda: int(_env("MEETING_HORIZON_DAYS_BACK", "365"))
    )
    # number of reverse proxies in front whose X-Forwarded-For is trusted (0: none)
    trusted_proxies: int = field(default_factory=lambda: int(_env("TRUSTED_PROXIES", "0")))
    # sessions (tokens from /auth/sign-in and kiosk pairing): access token lifetime, the paired
    # kiosk's token lifetime, how long a session found valid is believed without asking again
    access_token_seconds: int = field(
        default_factory=lambda: int(_env("ACCESS_TOKEN_SECONDS", "600"))
    )
    kiosk_token_days: int = field(default_factory=lambda: int(_env("KIOSK_TOKEN_DAYS", "365")))
    session_check_seconds: float = field(
        default_factory=lambda: float(_env("SESSION_CHECK_SECONDS", "5"))
    )
    # brute force beyond the per-account lockout: failed sign-ins and pairings per client address
    # and window, per gateway process (429 beyond)
    sign_in_failures_per_ip: int = field(
        default_factory=lambda: int(_env("SIGN_IN_FAILURES_PER_IP", "20"))
    )
    sign_in_window_seconds: int = field(
        default_factory=lambda: int(_env("SIGN_IN_WINDOW_SECONDS", "300"))
    )
    # mounts POST /api/v1/bench/echo (bench/checkin.py's baseline); never in production
    bench_echo: bool = field(default_factory=lambda: _env("GATEWAY_BENCH_ECHO", "") == "1")
    # /readyz fails without these; the others are reported as degraded only
    required_services: tuple[str, ...] = ("members",)
    optional_services: tuple[str, ...] = ("scoring", "volunteer", "notify")

    def __post_init__(self) -> None:
        if len(self.token_secret) < 32:
            raise RuntimeError("TOKEN_SECRET must be set to at least 32 characters")
        if self.max_content_length < 1024 or self.json_max_depth < 2:
            raise RuntimeError("MAX_CONTENT_LENGTH >= 1024 and JSON_MAX_DEPTH >= 2 are required")

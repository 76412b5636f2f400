"""Bench-only nameko service: the bare echo RPC that bench/checkin.py uses as its baseline.

Not part of the production system (the members service no longer has an echo). The benchmark
starts it on the launched system's vhost and the gateway reaches it through
POST /api/v1/bench/echo, mounted only when GATEWAY_BENCH_ECHO=1 at gateway start:

    .venv/bin/python -m nameko run bench.echo_service --config <yaml with AMQP_URI>
"""

from __future__ import annotations

from typing import Any

from nameko.rpc import rpc


class BenchEcho:
    name = "bench_echo"

    @rpc
    def echo(self, payload: Any) -> Any:
        return payload

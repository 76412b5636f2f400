"""Benchmark (not a test): kiosk check-ins through the gateway at fixed concurrency.

Starts the system with `make run` (full demo county, its own vhost and data directory), then
measures, in the same run and through the same gateway stack:
  - baseline: a bare echo RPC (POST /api/v1/diagnostics/echo → members.echo),
  - first sign-ins (201: attendance written, event relayed, points awarded by scoring),
  - repeated swipes (200: nothing new recorded),
and prints throughput, p50/p99 latency and each figure's ratio to the baseline, plus the
demo-county load time.  Usage: .venv/bin/python bench/checkin.py [--concurrency 8] [--count 1500]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.demo_county.generate import generate_county  # noqa: E402
from tools.launch import launch, stop  # noqa: E402

MGMT = os.environ.get("RABBIT_CTL_URI", "http://guest:guest@127.0.0.1:15672")


def run(
    label: str, requests_: list[tuple[str, dict[str, Any], str]], concurrency: int, expect: int
) -> dict[str, Any]:
    latencies: list[float] = []
    sessions: dict[int, requests.Session] = {}

    def one(item: tuple[str, dict[str, Any], str]) -> None:
        import threading

        session = sessions.setdefault(threading.get_ident(), requests.Session())
        url, body, token = item
        started = time.perf_counter()
        response = session.post(
            url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        latencies.append(time.perf_counter() - started)
        if response.status_code != expect:
            raise RuntimeError(f"{label}: {response.status_code} {response.text}")

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, requests_))
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "label": label,
        "n": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": cuts[49] * 1000,
        "p99_ms": cuts[98] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--count", type=int, default=1500)
    args = parser.parse_args()
    amqp = os.environ.get("AMQP_URI", "pyamqp://guest:guest@127.0.0.1:5672/")
    system = launch(
        Path(tempfile.mkdtemp(prefix="bench-")),
        amqp_uri=amqp,
        management_uri=MGMT,
        demo_size="full",
    )
    data_dir, url = system.data_dir, system.url
    try:
        logins = json.loads((data_dir / "demo-logins.json").read_text())
        admin = logins["admin"]["token"]
        kiosk = requests.post(  # a county-level kiosk, enrolled like any other
            url + "/api/v1/kiosks",
            headers={"Authorization": f"Bearer {admin}"},
            json={"device_id": "bench-kiosk", "org_id": "hj", "place": "压测终端"},
            timeout=30,
        ).json()["token"]
        county = generate_county("full", today=datetime.now(UTC).date())
        people = random.Random(1).sample(county.people, args.count)
        meetings: dict[str, str] = {}
        for org_id in sorted({p.org_id for p in people}):
            meeting = requests.post(
                url + "/api/v1/meetings",
                headers={"Authorization": f"Bearer {admin}"},
                timeout=30,
                json={
                    "org_id": org_id,
                    "kind": "theme_day",
                    "title": "压测主题党日",
                    "starts_at": datetime.now(UTC).isoformat(),
                    "window_after_min": 600,
                },
            )
            meetings[org_id] = meeting.json()["meeting_id"]
        swipes = [
            (
                url + "/api/v1/kiosk/check-ins",
                {"card_uid": p.card_uid, "meeting_id": meetings[p.org_id]},
                kiosk,
            )
            for p in people
        ]
        echo = [(url + "/api/v1/diagnostics/echo", {"card_uid": p.card_uid}, kiosk) for p in people]
        run("warm-up", echo, args.concurrency, 200)  # every gateway thread opens its RPC proxy
        results = [
            run("echo RPC (baseline)", echo, args.concurrency, 200),
            run("kiosk first sign-in", swipes, args.concurrency, 201),
            run("kiosk repeated swipe", swipes, args.concurrency, 200),
            run("echo RPC (again)", echo, args.concurrency, 200),
        ]
        base = {
            k: (results[0][k] + results[-1][k]) / 2 for k in ("rps", "p50_ms")
        }  # before and after
        print(
            f"\nconcurrency {args.concurrency}, {args.count} requests each; "
            f"demo county ({logins['counts']['members']} members) loaded in {logins['load_seconds']} s"
        )
        print(f"{'':24}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'rps ratio':>11}{'p50 ratio':>11}")
        for r in results:
            print(
                f"{r['label']:24}{r['rps']:9.1f}{r['p50_ms']:9.1f}{r['p99_ms']:9.1f}"
                f"{r['rps'] / base['rps']:11.2f}{r['p50_ms'] / base['p50_ms']:11.2f}"
            )
    finally:
        stop(system, MGMT)


if __name__ == "__main__":
    main()

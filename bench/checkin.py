"""Benchmark (not a test): kiosk card sign-ins through the gateway at fixed concurrency.

Starts the system with `make run` (full demo county, its own vhost, data directory and ports,
the gateway with GATEWAY_BENCH_ECHO=1) and the bench-only echo service (bench/echo_service.py),
then measures in the same run, through the same gateway stack, tokens and RPC client:

  - baseline: a bare echo RPC (POST /api/v1/bench/echo → bench_echo.echo), before and after the
    sign-ins; the mean of the two is the baseline (the machine is shared and drifts);
  - first sign-ins (201): POST /api/v1/kiosk/check-ins with the demo kiosk's token
    (demo-logins.json "kiosk") and the cards of the members expected at the open meeting
    (demo-logins.json "open_meeting": the members of its organization's subtree). The answer
    comes right after the attendance is recorded; points are fetched separately. One meeting
    has only a few dozen expected members, so the open meeting is followed by further meetings of
    the same organization scheduled by the bench (same kiosk, same cards, same rules);
  - repeated swipes (200): the same swipes again, nothing new recorded;
  - points fetch (200): GET /api/v1/kiosk/check-ins/<id>/points for every first sign-in, once
    scoring has caught up (reported with the statuses it returned).

Between phases the bench waits until the event pipeline is idle (every queue empty), so that the
outbox relay, scoring and notify catching up on one phase do not slow the next; the first
sign-in phase itself does include that background work, as a kiosk at a meeting does.

Prints throughput, p50/p99 latency and the ratios to the echo baseline; targets (issue 5):
first/echo ≥ 0.7, repeat/echo ≥ 0.9 (throughput). Exits non-zero only on errors (an unexpected
status), never on a slow figure.

    .venv/bin/python bench/checkin.py [--concurrency 8] [--count 1500]
"""

from __future__ import annotations

import argparse
import math
from collections import Counter
from typing import Any

from common import (
    CHECK_INS,
    BenchError,
    Call,
    Client,
    Phase,
    baseline_of,
    cards_under,
    cpu_seconds,
    demo_county,
    fail,
    print_phases,
    run_phase,
    running_system,
    schedule_meetings,
    wait_until_idle,
)

ECHO = "/api/v1/bench/echo"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--count", type=int, default=1500, help="requests per phase")
    args = parser.parse_args()
    with running_system("full", bench_echo=True) as system:
        logins = system.logins
        admin, kiosk = logins["admin"]["token"], logins["kiosk"]["token"]
        open_meeting = logins["open_meeting"]
        org_id = open_meeting["org_id"]
        cards = cards_under(demo_county(logins["size"]), org_id)
        if not cards:
            raise BenchError(f"no members expected at the open meeting ({org_id})")
        extra = math.ceil(args.count / len(cards)) - 1
        meetings = [
            open_meeting["meeting_id"],
            *schedule_meetings(system.url, admin, org_id, extra, "m"),
        ]
        swipes = [
            Call("POST", CHECK_INS, kiosk, {"card_uid": card, "meeting_id": meeting}, 201)
            for meeting in meetings
            for card in cards
        ][: args.count]
        repeats = [Call(c.method, c.path, c.token, c.body, 200) for c in swipes]
        echo = [Call("POST", ECHO, kiosk, c.body, 200) for c in swipes]
        client = Client(system.url)

        # Warm-up: every gateway thread opens its RPC proxy; the sign-in path runs once on a
        # meeting of its own so that the measured phases start warm.
        (warm_meeting,) = schedule_meetings(system.url, admin, org_id, 1, "warm")
        warm = [
            Call("POST", CHECK_INS, kiosk, {"card_uid": card, "meeting_id": warm_meeting}, 201)
            for card in cards
        ]
        run_phase(client, "warm-up echo", echo[: max(200, 4 * args.concurrency)], args.concurrency)
        run_phase(client, "warm-up sign-in", warm, args.concurrency)
        run_phase(
            client,
            "warm-up repeat",
            [Call(c.method, c.path, c.token, c.body, 200) for c in warm],
            args.concurrency,
        )
        wait_until_idle(system.launched)

        cpu: dict[str, dict[str, float]] = {}
        drained: dict[str, float] = {}

        def measure(label: str, calls: list[Call], keep: Any = None) -> Phase:
            """One phase, then the wait until its background work is done; CPU time of each
            part of the system from the phase's start until the pipeline went idle."""
            before = cpu_seconds(system)
            phase = run_phase(client, label, calls, args.concurrency, keep=keep)
            idle = wait_until_idle(system.launched, mark=lambda: cpu_seconds(system))
            cpu[label] = {k: v - before.get(k, 0.0) for k, v in idle.mark.items()}
            drained[label] = idle.seconds
            return phase

        echo_before = measure("echo RPC (before)", echo)
        first = measure("kiosk first sign-in", swipes, keep=_check_in_id)
        repeat = measure("kiosk repeated swipe", repeats)
        points_calls = [
            Call("GET", f"{CHECK_INS}/{check_in_id}/points", kiosk)
            for check_in_id in first.answers
            if check_in_id
        ]
        points, points_error = None, None
        try:
            points = measure("points fetch", points_calls, keep=_status)
        except BenchError as error:  # report it after the figures
            points_error = error
        echo_after = measure("echo RPC (after)", echo)
        phases = [p for p in (echo_before, first, repeat, points, echo_after) if p]

        base = baseline_of(echo_before, echo_after)
        print(
            f"\nconcurrency {args.concurrency}; demo county: {logins['counts']['members']} members "
            f"loaded in {logins['load_seconds']} s; kiosk {logins['kiosk']['device_id']}, "
            f"{len(cards)} expected members of {org_id}, {len(meetings)} meetings "
            f"(the open meeting {open_meeting['meeting_id']} and {extra} more of the same "
            f"organization)"
        )
        print(
            f"baseline = mean of the echo RPC before and after: {base['rps']:.1f} req/s, "
            f"p50 {base['p50_ms']:.1f} ms"
        )
        print_phases(phases, base)
        if points:
            print(
                f"points statuses (after the pipeline went idle): {dict(Counter(points.answers))}"
            )
        print(
            f"first/echo   {first.rps / base['rps']:.2f}  (target ≥ 0.7)\n"
            f"repeat/echo  {repeat.rps / base['rps']:.2f}  (target ≥ 0.9)"
        )
        parts = sorted({k for c in cpu.values() for k in c if cpu_part_shown(k)}, key=_part_order)
        print(
            "\nCPU ms per request, from each phase's start until the event pipeline was idle "
            "after it (2 CPUs shared with everything else on the machine):"
        )
        print(f"{'':26}{'idle after s':>13}" + "".join(f"{k:>12}" for k in parts))
        for p in phases:
            used = cpu[p.label]
            print(
                f"{p.label:26}{drained[p.label]:13.1f}"
                + "".join(f"{used.get(k, 0.0) * 1000 / p.n:12.2f}" for k in parts)
            )
        if points_error:
            raise points_error


def cpu_part_shown(part: str) -> bool:
    return part not in ("make run", "run.sh")


def _part_order(part: str) -> tuple[int, str]:
    order = ["gateway", "bench_echo", "members", "scoring", "notify", "volunteer"]
    return (order.index(part) if part in order else len(order), part)


def _check_in_id(response: Any) -> str | None:
    return response.json().get("check_in_id")


def _status(response: Any) -> str:
    return str(response.json()["status"])


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        fail(error)

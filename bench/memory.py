"""Benchmark (not a test): resident memory of every process of the system under a mixed load.

Starts the system with `make run` (full demo county, its own vhost, data directory and ports)
and reads VmRSS from /proc/<pid>/status for every process `make run` started (the four services,
the gunicorn master and its workers, and the make/shell that supervise them):

  - baseline: each process at idle right after start (demo county loaded, event pipeline idle);
  - then a mixed load for 60 s at fixed concurrency (8 threads, a requests.Session each):
    kiosk first sign-ins and repeated swipes (demo kiosk, members expected at the open meeting's
    organization, further meetings of that organization scheduled as the cards run out), the
    kiosk's points fetch, member reads, scorecard and inbox reads (county operator), and the open
    needs list of the kiosk's community (needs recorded beforehand);
  - RSS right after the load, the highest RSS sampled every second during it, and VmHWM (the
    peak since the process started, so it includes the demo-county load).

Each figure is printed beside the 150 MB limit (issue 5) and as a ratio to the process's idle
RSS. Exits non-zero only on errors (an unexpected HTTP status, a process gone), never on a figure
over the limit.

    .venv/bin/python bench/memory.py [--seconds 60] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import itertools
import threading
import time
from collections import Counter
from typing import Any

from common import (
    CHECK_INS,
    BenchError,
    Call,
    Client,
    Proc,
    cards_under,
    demo_county,
    fail,
    org_paths,
    rss_mb,
    running_system,
    schedule_meetings,
    system_processes,
    wait_until_idle,
)

LIMIT_MB = 150.0
NEEDS = 12
MIX = (
    "sign-in",
    "repeat",
    "points",
    "member",
    "sign-in",
    "scorecard",
    "repeat",
    "inbox",
    "needs",
)


class MixedLoad:
    """The operations of the mix; state (who signed in where) shared by the worker threads."""

    def __init__(self, system: Any, concurrency: int) -> None:
        logins = system.logins
        self.client = Client(system.url)
        self.admin, self.kiosk = logins["admin"]["token"], logins["kiosk"]["token"]
        self.url = system.url
        county = demo_county(logins["size"])
        self.org_id = logins["open_meeting"]["org_id"]
        self.cards = cards_under(county, self.org_id)
        paths = org_paths(county)
        kiosk_org = next(
            k.org_id for k in county.kiosks if k.device_id == logins["kiosk"]["device_id"]
        )
        self.community = paths[kiosk_org]
        self.grids = [
            paths[o.org_id] for o in county.orgs if o.kind == "grid" and o.parent_id == kiosk_org
        ]
        self.lock = threading.Lock()
        self.pairs = self._pairs(logins["open_meeting"]["meeting_id"])
        self.signed: list[tuple[str, str]] = []
        self.check_ins: list[str] = []
        self.member_ids: list[str] = [m["member_id"] for m in logins["members"]]
        self.statuses: Counter[tuple[str, int]] = Counter()
        self.wrong: list[str] = []
        self.ops = itertools.count()
        self.picks = itertools.count()

    def _pairs(self, first_meeting: str) -> Any:
        for card in self.cards:
            yield card, first_meeting
        for _ in itertools.count():
            (meeting,) = schedule_meetings(self.url, self.admin, self.org_id, 1, "mem")
            for card in self.cards:
                yield card, meeting

    def record_needs(self) -> None:
        for i in range(NEEDS):
            self.call(
                "record need (setup)",
                Call(
                    "POST",
                    "/api/v1/needs",
                    self.admin,
                    {
                        "grid_path": self.grids[i % len(self.grids)],
                        "title": f"压测需求 {i}",
                        "description": "帮助老人买菜",
                        "category": "errand",
                        "resident_name": "张大爷",
                        "resident_phone": "17000000000",
                    },
                    201,
                ),
            )

    def call(self, op: str, call: Call) -> Any:
        response = self.client.send(call)
        with self.lock:
            self.statuses[(op, response.status_code)] += 1
            if response.status_code != call.expect:
                if len(self.wrong) < 8:
                    self.wrong.append(
                        f"{op}: {call.method} {call.path}: {response.status_code} "
                        f"(expected {call.expect}) {response.text[:300]}"
                    )
                return None
        return response.json()

    def one(self) -> None:
        op = MIX[next(self.ops) % len(MIX)]
        with self.lock:
            signed = self.signed[:]
            ids = self.member_ids[:]
            check_ins = self.check_ins[-50:]
        pick = next(self.picks) * 7919  # a prime stride: spread over what is there
        if (op == "repeat" and not signed) or (op == "points" and not check_ins):
            op = "sign-in"
        if op == "sign-in":
            with self.lock:
                card, meeting = next(self.pairs)
            body = self.call(
                op,
                Call("POST", CHECK_INS, self.kiosk, {"card_uid": card, "meeting_id": meeting}, 201),
            )
            if body:
                with self.lock:
                    self.signed.append((card, meeting))
                    self.check_ins.append(body.get("check_in_id", ""))
                    member_id = body.get("member", {}).get("member_id")
                    if member_id and member_id not in self.member_ids:
                        self.member_ids.append(member_id)
        elif op == "repeat":
            card, meeting = signed[pick % len(signed)]
            self.call(
                op,
                Call("POST", CHECK_INS, self.kiosk, {"card_uid": card, "meeting_id": meeting}, 200),
            )
        elif op == "points":
            self.call(
                op,
                Call("GET", f"{CHECK_INS}/{check_ins[pick % len(check_ins)]}/points", self.kiosk),
            )
        elif op == "needs":
            self.call(op, Call("GET", f"/api/v1/needs?scope={self.community}&limit=50", self.admin))
        else:
            member_id = ids[pick % len(ids)]
            suffix = {"member": "", "scorecard": "/scorecard", "inbox": "/inbox?limit=20"}[op]
            self.call(op, Call("GET", f"/api/v1/members/{member_id}{suffix}", self.admin))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    with running_system("full") as system:
        leader = system.launched.proc.pid
        wait_until_idle(system.launched)
        procs = system_processes(leader)
        idle = {p.pid: rss_mb(p.pid).get("VmRSS", 0.0) for p in procs}

        load = MixedLoad(system, args.concurrency)
        load.record_needs()
        peak = dict(idle)
        stop_at = time.monotonic() + args.seconds
        done = threading.Event()

        def sample() -> None:
            while not done.wait(1.0):
                for p in procs:
                    peak[p.pid] = max(peak[p.pid], rss_mb(p.pid).get("VmRSS", 0.0))

        def worker() -> None:
            while time.monotonic() < stop_at:
                load.one()

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        workers = [threading.Thread(target=worker) for _ in range(args.concurrency)]
        started = time.monotonic()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed = time.monotonic() - started
        done.set()
        sampler.join()
        after = {p.pid: rss_mb(p.pid) for p in procs}
        now = {p.pid for p in system_processes(leader)}

    report(procs, idle, peak, after, now)
    total = sum(load.statuses.values())
    ops = Counter[str]()
    for (op, _), n in load.statuses.items():
        ops[op] += n
    print(
        f"\nmixed load: {total} requests in {elapsed:.0f} s ({total / elapsed:.1f} req/s) at "
        f"concurrency {args.concurrency}: "
        + ", ".join(f"{op} {n}" for op, n in sorted(ops.items()))
    )
    print(
        "statuses: " + ", ".join(f"{op} {s}: {n}" for (op, s), n in sorted(load.statuses.items()))
    )
    gone = [p for p in procs if p.pid not in now]
    if load.wrong or gone:
        problems = load.wrong + [f"{p.name} (pid {p.pid}) exited during the load" for p in gone]
        raise BenchError("\n  ".join(["unexpected results:", *problems]))


def report(
    procs: list[Proc],
    idle: dict[int, float],
    peak: dict[int, float],
    after: dict[int, dict[str, float]],
    now: set[int],
) -> None:
    print(
        f"\n{'process':18}{'pid':>8}{'idle MB':>9}{'after MB':>10}{'peak MB':>9}{'VmHWM MB':>10}"
        f"{'limit MB':>10}{'after ÷ idle':>14}  verdict"
    )
    for p in procs:
        rss = after[p.pid].get("VmRSS", float("nan"))
        hwm = after[p.pid].get("VmHWM", float("nan"))
        worst = max(rss, peak[p.pid])
        verdict = "gone" if p.pid not in now else ("ok" if worst <= LIMIT_MB else "OVER")
        print(
            f"{p.name:18}{p.pid:8d}{idle[p.pid]:9.1f}{rss:10.1f}{peak[p.pid]:9.1f}{hwm:10.1f}"
            f"{LIMIT_MB:10.0f}{rss / idle[p.pid] if idle[p.pid] else float('nan'):14.2f}  {verdict}"
        )
    print(
        "idle: right after start, pipeline idle; after: right after the load; peak: highest "
        "sampled each second during the load; VmHWM: peak since the process started"
    )


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        fail(error)

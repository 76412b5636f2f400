"""Benchmark (not a test): closing a theme day of a 60-member branch (55 signed in, 3 on approved
leave, 2 absent) through the members service: the attendance sheet, the counts and
meeting_closed in one write, the rates rolled up the tree and the members' organizational life.

The system: the members service started as `make run` starts it (`python -m services.members`)
in its own RabbitMQ vhost and data directory; a county → street → community → branch chain, the
branch's 60 members registered over RPC, a kiosk enrolled. Each round's meeting starts a few
seconds after it is scheduled (window 10 minutes before, none after): 3 leave requests are made
and approved before the start, 55 members sign in at the kiosk, and once the start has passed
the meeting is closed (`close_meeting`), then closed again (the idempotent repeat), then its
sheet read (`get_attendance_sheet`, one page of 100).

Baseline, measured in the same run: one `get_meeting` RPC of the same meeting (the floor of any
call through the broker to the service). Figures are medians over the rounds, with each round's
in brackets.

    .venv/bin/python bench/meeting_close.py [--rounds 5]
"""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()  # as the services and nameko's standalone proxy run

import argparse  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import UTC, date, datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from common import BenchError, fail  # noqa: E402
from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402
from outbox_relay import Vhost  # noqa: E402
from roster_import import answering, start_members, wait  # noqa: E402

from services.infra.pii import new_key  # noqa: E402
from services.members.idcard import make_id_number  # noqa: E402

OPERATOR = {"subject": "bench-close", "role": "county_operator", "scope": "/hj"}
KIOSK = {"subject": "bench-kiosk", "role": "kiosk", "scope": "/hj", "device": "bench-kiosk"}
CHAIN = [("hj", None, "committee"), ("hj-s01", "hj", "committee"),
         ("hj-s01-c01", "hj-s01", "committee"), ("hj-s01-c01-b01", "hj-s01-c01", "branch")]  # fmt: skip
BRANCH = CHAIN[-1][0]
MEMBERS, PRESENT, ON_LEAVE = 60, 55, 3
LEAD_SECONDS = 6  # each meeting starts this long after its preparation began
BASELINE_CALLS = 50


def members(n: int) -> list[dict[str, Any]]:
    born = date(1980, 1, 1)
    return [
        {
            "org_id": BRANCH,
            "name": f"测{i:03d}",
            "gender": "male",
            "birth_date": (born + timedelta(days=i)).isoformat(),
            "id_number": make_id_number("410108", born + timedelta(days=i), i % 100, "male"),
            "phone": f"1390000{i:04d}",
            "join_date": "2008-07-01",
            "card_uid": f"BC{i:06X}",
        }
        for i in range(n)
    ]


def prepared(rpc: Any, kiosk: Any, ids: list[str], cards: list[str], n: int) -> tuple[str, float]:
    """A theme day with its leave approved and its sign-ins made; when it starts."""
    starts = datetime.now(UTC) + timedelta(seconds=LEAD_SECONDS)
    meeting = rpc.members.schedule_meeting(
        {
            "meeting_id": f"bench-close-{n}-{int(time.time() * 1000)}",
            "org_id": BRANCH,
            "kind": "theme_day",
            "title": f"主题党日 {n}",
            "starts_at": starts.isoformat(),
            "window_before_min": 10,
            "window_after_min": 0,
        }
    )
    mid = meeting["meeting_id"]
    for member_id in ids[PRESENT : PRESENT + ON_LEAVE]:
        rpc.members.request_leave({"meeting_id": mid, "member_id": member_id, "reason": "出差"})
        rpc.members.decide_leave({"meeting_id": mid, "member_id": member_id, "approve": True})
    for card in cards[:PRESENT]:
        kiosk.members.check_in({"card_uid": card, "meeting_id": mid})
    return mid, starts.timestamp()


def timed(call: Any, *args: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    found = call(*args)
    return time.perf_counter() - started, found


def one_round(rpc: Any, kiosk: Any, ids: list[str], cards: list[str], n: int) -> dict[str, float]:
    mid, starts = prepared(rpc, kiosk, ids, cards, n)
    time.sleep(max(0.0, starts - time.time()) + 0.2)
    close = {"meeting_id": mid}
    took, closing = timed(rpc.members.close_meeting, close)
    counts = (closing["expected"], closing["present"], closing["excused"])
    if counts != (MEMBERS, PRESENT, ON_LEAVE) or not closing["created"]:
        raise BenchError(f"closing {mid} counted {closing}")
    again_took, again = timed(rpc.members.close_meeting, close)
    if again["created"] or again["rate"] != closing["rate"]:
        raise BenchError(f"closing {mid} again answered {again}")
    sheet_took, sheet = timed(rpc.members.get_attendance_sheet, {"meeting_id": mid, "limit": 100})
    if len(sheet["items"]) != MEMBERS:
        raise BenchError(f"the sheet of {mid} has {len(sheet['items'])} rows")
    calls = [timed(rpc.members.get_meeting, mid)[0] for _ in range(BASELINE_CALLS)]
    return {
        "close": took,
        "again": again_took,
        "sheet": sheet_took,
        "get_meeting": statistics.median(calls),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    keys = {"PII_KEY": new_key(), "PII_HASH_KEY": new_key()}
    data = Path(tempfile.mkdtemp(prefix="bench-close-"))
    figures: dict[str, list[float]] = {"close": [], "again": [], "sheet": [], "get_meeting": []}
    with Vhost("bench-close") as vhost:
        proc = start_members(vhost, data, keys)
        try:
            config = {"AMQP_URI": vhost.uri}
            with (
                ClusterRpcProxy(config, timeout=60, context_data={"caller": OPERATOR}) as rpc,
                ClusterRpcProxy(config, timeout=60, context_data={"caller": KIOSK}) as kiosk,
            ):
                wait(lambda: answering(rpc), 60, "the members service answering")
                for org_id, parent, kind in CHAIN:
                    body = {"org_id": org_id, "parent_id": parent, "name": org_id, "kind": kind}
                    rpc.members.create_org(body)
                people = members(MEMBERS)
                ids = [m["member_id"] for m in rpc.members.register_members(people)]
                cards = [p["card_uid"] for p in people]
                rpc.members.enroll_kiosk(
                    {"device_id": KIOSK["device"], "org_id": BRANCH, "place": "会议室"}
                )
                for n in range(args.rounds):
                    for name, value in one_round(rpc, kiosk, ids, cards, n).items():
                        figures[name].append(value)
                month = datetime.now(UTC).strftime("%Y-%m")
                rates = rpc.members.get_attendance_rates(
                    {"org_id": "hj", "from_month": month, "to_month": month}
                )["items"][0]["months"][0]
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            shutil.rmtree(data, ignore_errors=True)
    base = statistics.median(figures["get_meeting"])
    print(f"branch    {MEMBERS} members, {PRESENT} signed in, {ON_LEAVE} on approved leave")
    for name, label in (
        ("get_meeting", "get_meeting (baseline)"),
        ("close", "close_meeting"),
        ("again", "close again (same result)"),
        ("sheet", "attendance sheet, 60 rows"),
    ):
        values = figures[name]
        rounds = ", ".join(f"{v * 1000:.1f}" for v in values)
        ratio = statistics.median(values) / base
        print(f"{label:28} {statistics.median(values) * 1000:7.1f} ms  {ratio:5.1f}x  [{rounds}]")
    print(
        f"county    rates of the month at the root: {rates['meetings']} meetings, "
        f"rate {rates['rate']}"
    )


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        fail(error)

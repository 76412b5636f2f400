"""Benchmark (not a test): the monthly dues (党费) run for the demo county's 11,200 members, in
members per second.

The store: the members' embedded engine (litemongo, as `make run` uses it) in a fresh data
directory, the county's organizations and members registered through the handlers (batches of
500, as the roster import does). Then, each step timed through the dues handlers themselves
(services/members/dues/, no broker: the run is the members service's timer's work):

- declarations: an income (or a reduced category) declared for every member;
- the run: the month's run over the county (walk of the organization tree, each organization's
  members by the name index, one insert of charges and one bulk write of the tallies of every
  organization above them per batch), then the tallies read at the root;
- the run again: finds every member charged and changes nothing;
- payments: one cash payment per member for the month (ledger entry with its dues_paid event,
  the charge marked paid, the paid tallies rolled up, the member's activity).

Baseline, measured in the same run: inserting the same number of plain documents (the charges'
shape) into a fresh collection of the same engine in batches of the run's size: what the run
adds (declarations read, the walk, idempotent counting, the rollups) on top of a write.

Target (issue 8): the run and its rollups for the whole county under 30 s.

    .venv/bin/python bench/dues_run.py [--size full|small]
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import shutil
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from common import demo_county

from services.infra.config import load_config
from services.infra.pii import PiiCipher, new_key
from services.infra.scope import Caller
from services.infra.storage import close_all, ensure_indexes, open_database
from services.members import commands, handlers
from services.members.domain import month_of
from services.members.dues import commands as dues_commands
from services.members.dues import declaring, paying, running
from services.members.dues.entrypoints import dues_settings
from services.members.store import MembersStore
from tools.demo_county.generate import County

OPERATOR = Caller("bench-dues", "county_operator", "/hj")
TARGET_SECONDS = 30


def registered(county: County, uow: MembersStore, cipher: PiiCipher) -> list[str]:
    settings = handlers.Settings(cipher=cipher)
    for org in county.orgs:
        cmd = commands.CreateOrg(org.org_id, org.name, org.kind, org.parent_id, list(org.tags))
        handlers.create_org(cmd, uow, OPERATOR)
    cmds = [
        commands.RegisterMember(
            p.org_id, p.name, p.gender, p.birth_date, p.id_number, p.phone, p.join_date,
            p.status, p.card_uid, list(p.skills),
        )
        for p in county.people
    ]  # fmt: skip
    ids: list[str] = []
    for start in range(0, len(cmds), 500):
        done = handlers.register_members(cmds[start : start + 500], uow, OPERATOR, settings)
        ids += [member.member_id for member, _created in done]
    return ids


def timed(work: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def baseline(data: Path, n: int, batch: int) -> float:
    """Plain inserts of ``n`` charge-shaped documents, ``batch`` at a time, same engine."""
    db = open_database("baseline", None, data)
    docs = [
        {
            "_id": f"m{i:06d}|2026-11",
            "member_id": f"m{i:06d}",
            "org_id": "hj-s01-c01-b01",
            "org_path": "/hj/hj-s01/hj-s01-c01/hj-s01-c01-b01",
            "month": "2026-11",
            "amount_fen": 4000,
            "undeclared": False,
            "paid_by": None,
        }
        for i in range(n)
    ]
    started = time.perf_counter()
    for start in range(0, n, batch):
        db.plain.insert_many(docs[start : start + batch])
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=("full", "small"), default="full")
    args = parser.parse_args()
    county = demo_county(args.size)
    keys = {"PII_KEY": new_key(), "PII_HASH_KEY": new_key()}
    cipher = PiiCipher(base64.b64decode(keys["PII_KEY"]), base64.b64decode(keys["PII_HASH_KEY"]))
    os.environ.update(keys)  # the settings' cipher, as the service reads it
    settings = dues_settings(load_config("members"))
    data = Path(tempfile.mkdtemp(prefix="bench-dues-"))
    try:
        db = open_database("members", None, data)
        ensure_indexes(db, MembersStore.INDEXES)
        uow = MembersStore(db)
        setup, ids = timed(lambda: registered(county, uow, cipher))
        n = len(ids)
        print(f"setup     {len(county.orgs)} organizations, {n} members registered ({setup:.1f} s)")
        month = month_of(settings.clock(), settings.timezone)
        year = int(month[:4])
        rng = random.Random(8)

        def declare_all() -> None:
            for member_id in ids:
                u = rng.random()
                category = "income" if u < 0.8 else ("retiree" if u < 0.95 else "student")
                income = Decimal(rng.randrange(150000, 2500000)) / 100 if u < 0.8 else None
                cmd = dues_commands.DeclareIncome(member_id, year, category, income)
                declaring.declare_income(cmd, uow, OPERATOR, settings)

        declared, _ = timed(declare_all)
        print(f"declare   {n / declared:8.0f} members/s ({declared:.1f} s)")

        def run() -> Any:
            run, _created = running.start_run(
                dues_commands.StartRun("hj", month), uow, OPERATOR, settings
            )
            done = running.work_run(run, uow, settings)
            return done, uow.dues.tallies(["hj"], month)["hj"]

        ran, (done, tally) = timed(run)
        assert done.charged == n and tally.charged_members == n, (done, tally)
        print(
            f"run       {n / ran:8.0f} members/s ({ran:.1f} s): {done.charged} charged in "
            f"{done.orgs_done} organizations, root tally {tally.charged_members} members "
            f"{tally.charged_fen / 100:.2f} yuan"
        )
        again, (redone, tally_again) = timed(run)
        assert redone.charged == n and tally_again == tally, (redone, tally_again)
        print(f"run again {n / again:8.0f} members/s ({again:.1f} s): nothing changed")

        def pay_all() -> int:
            charges = uow.dues.charges
            for member_id in ids:
                charge = charges.find_one({"_id": f"{member_id}|{month}"}, {"amount_fen": 1})
                cmd = dues_commands.RecordPayment(
                    member_id, f"cash-bench-{member_id}", (month,), charge["amount_fen"], "cash"
                )
                paying.record_payment(cmd, uow, OPERATOR, settings)
            return uow.dues.tallies(["hj"], month)["hj"].paid_members

        paid_time, paid = timed(pay_all)
        assert paid == n, paid
        print(f"payments  {n / paid_time:8.0f} members/s ({paid_time:.1f} s), paid rate 100%")
        plain = baseline(data, n, settings.batch)
        print(f"baseline  plain insert of {n} documents: {n / plain:8.0f} docs/s ({plain:.2f} s)")
        print(f"ratios    run / plain insert: {ran / plain:.1f}x the time")
        total = declared + ran + paid_time
        print(f"totals    declarations + run + payments: {total:.1f} s for {n} members")
        verdict = "met" if ran < TARGET_SECONDS else "NOT met"
        print(f"target    run + rollups under {TARGET_SECONDS} s: {verdict} ({ran:.1f} s)")
    finally:
        close_all()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Benchmark (not a test): loading the demo county, in members per second.

Starts the system with `make run` on a fresh data directory and vhost, so the full demo county
(11,200 members, 298 branches) is loaded on first start by tools/demo_county/load.py through the
members service's own RPCs; the loader records `load_seconds` (orgs, members in batches of 200,
kiosks and meetings) in demo-logins.json. Figure: counts.members / load_seconds.

Baseline, measured in the same run: the raw embedded-store insert rate of the same member
documents. After the system stops, every document of the members service's `members` collection
(as stored: encrypted ID number and phone, keyed hashes, masked fields) is inserted again, one
`insert_one` per document as the service writes one document per member, into a fresh embedded
database on the same disk with the same indexes (read from the live collection).

Why this baseline: per member, the loader's path is RPC (a batch of 200 members per call) →
schema validation → PII encryption and keyed hashes → one document write carrying its outbox
event → the relay publishing member_registered. The store write is the floor of that path on
this deployment (the embedded engine cannot be made faster by the service's code), so the ratio
says how much the application layer adds on top of the storage it cannot avoid: 1.0 would be a
loader as fast as raw inserts. The echo RPC rate would be a poor ceiling here: with 200 members
per call the RPC round trip is a small share of the per-member cost.

Target (issue 5 and the scale notes): the whole county in well under 30 s.

    .venv/bin/python bench/demo_load.py
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from common import BenchError, fail, running_system

from services.infra.storage import close_all, open_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=("full", "small"), default="full")
    args = parser.parse_args()
    with running_system(args.size, keep=True) as system:
        logins = system.logins
        data_dir = system.data_dir
    try:
        report(args.size, logins, data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def report(size: str, logins: dict[str, Any], data_dir: Path) -> None:
    members = int(logins["counts"]["members"])
    seconds = float(logins["load_seconds"])
    if seconds <= 0:
        raise BenchError(f"demo-logins.json has load_seconds={seconds}: the county was not loaded")
    raw_n, raw_seconds = raw_insert(data_dir)
    if raw_n != members:
        raise BenchError(f"the members collection holds {raw_n} documents, expected {members}")
    load_rate, raw_rate = members / seconds, raw_n / raw_seconds
    counts = ", ".join(f"{k} {v}" for k, v in logins["counts"].items())
    print(f"\ndemo county ({size}): {counts}")
    print(f"{'':44}{'members':>9}{'seconds':>9}{'members/s':>11}{'ratio':>7}")
    print(
        f"{'raw store insert_one (baseline)':44}{raw_n:9d}{raw_seconds:9.1f}{raw_rate:11.1f}{1:7.2f}"
    )
    print(
        f"{'demo county load through the services':44}{members:9d}{seconds:9.1f}"
        f"{load_rate:11.1f}{load_rate / raw_rate:7.2f}"
    )
    print(
        f"whole county in {seconds:.1f} s = {seconds / 30:.2f} of the 30 s bound (target: well under)"
    )


def raw_insert(data_dir: Path) -> tuple[int, float]:
    """Copy the loaded member documents into a fresh embedded database with the same indexes,
    one insert_one per document; returns (documents, seconds of the inserts)."""
    source = open_database("members", None, data_dir)["members"]
    documents: list[dict[str, Any]] = list(source.find())
    indexes = source.index_information()
    close_all()
    scratch = Path(tempfile.mkdtemp(prefix="bench-raw-"))
    target = open_database("members", None, scratch)["members"]
    for name, spec in indexes.items():
        if name == "_id_":
            continue
        options = {k: v for k, v in spec.items() if k in ("unique", "sparse")}
        target.create_index(list(spec["key"]), name=name, **options)
    started = time.perf_counter()
    for document in documents:
        target.insert_one(document)
    elapsed = time.perf_counter() - started
    close_all()
    shutil.rmtree(scratch, ignore_errors=True)
    return len(documents), elapsed


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        fail(error)

"""Benchmark (not a test): the roster import of the demo county's 11,200 members as one XLSX
file, dry run and import, in members per second.

The file: every person of tools/demo_county (the full county) in the template's columns, into
the county's organizations. The system: the members service started as `make run` starts it
(`python -m services.members`) in its own RabbitMQ vhost and data directory; the county's
organizations are created over RPC, then the file goes in as the gateway sends it (chunks of
512 KB, then start_roster_import), the service's timer runs the dry run, the commit, and the
import in batches. Figures: upload (to a queued job), dry run (queued → checked), import
(committed → done), each in members per second, and the whole file.

Baselines, measured in the same run:
- reading: the same file read by python-calamine and by openpyxl's read-only mode (the service
  reads with the faster: the ratio says how much faster), and the dry run against that raw
  parse (what checking a row costs on top of reading it);
- the import against registering the same members through `handlers.register_members`
  directly (batches of 500, no broker, a fresh embedded store): the floor of the import's
  path, which the import adds its checks, its progress records and the RPC-free timer to.

Target (issue 7): the whole file, dry run and import, in under 30 s on this machine.

    .venv/bin/python bench/roster_import.py [--size full|small] [--rounds 3]
"""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()  # as the services and nameko's standalone proxy run

import argparse  # noqa: E402
import base64  # noqa: E402
import hashlib  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from common import BenchError, demo_county, fail  # noqa: E402
from outbox_relay import Vhost  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

import openpyxl  # noqa: E402
from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402
from python_calamine import CalamineWorkbook  # noqa: E402

from services.infra.pii import PiiCipher, new_key  # noqa: E402
from services.infra.scope import Caller  # noqa: E402
from services.infra.storage import close_all, ensure_indexes, open_database  # noqa: E402
from services.members import commands, handlers  # noqa: E402
from services.members.roster.columns import COLUMNS, SHEET  # noqa: E402
from services.members.roster.sheets import write_xlsx  # noqa: E402
from services.members.store import MembersStore  # noqa: E402
from tools.demo_county.generate import County  # noqa: E402

CHUNK = 512 * 1024
OPERATOR = {"subject": "bench-roster", "role": "county_operator", "scope": "/hj"}
TARGET_SECONDS = 30


def roster_file(county: County) -> bytes:
    headers = [c.header for c in COLUMNS]
    by_header = {
        "姓名": lambda p: p.name,
        "性别": lambda p: "男" if p.gender == "male" else "女",
        "公民身份号码": lambda p: p.id_number,
        "手机号码": lambda p: p.phone,
        "出生日期": lambda p: p.birth_date.isoformat(),
        "入党日期": lambda p: p.join_date.isoformat(),
        "党员类型(正式/预备)": lambda p: "正式" if p.status == "full" else "预备",
        "所在党组织编码": lambda p: p.org_id,
        "技能特长": lambda p: "、".join(p.skills),
        "党员卡号": lambda p: p.card_uid,
    }
    rows = ([by_header[h](p) if h in by_header else "" for h in headers] for p in county.people)
    return write_xlsx(SHEET, headers, rows)


def read_calamine(content: bytes) -> int:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return len(book.get_sheet_by_name(SHEET).to_python(skip_empty_area=False))


def read_openpyxl(content: bytes) -> int:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    return sum(1 for _row in book[SHEET].iter_rows(values_only=True))


def timed(work: Any, *args: Any) -> float:
    started = time.perf_counter()
    work(*args)
    return time.perf_counter() - started


def register_directly(county: County, cipher: PiiCipher) -> float:
    """The baseline: handlers.register_members over a fresh embedded store."""
    data = Path(tempfile.mkdtemp(prefix="bench-roster-direct-"))
    try:
        db = open_database("members", None, data)
        ensure_indexes(db, MembersStore.INDEXES)
        uow = MembersStore(db)
        caller = Caller.from_context(OPERATOR)
        settings = handlers.Settings(cipher=cipher)
        for org in county.orgs:
            cmd = commands.CreateOrg(org.org_id, org.name, org.kind, org.parent_id, list(org.tags))
            handlers.create_org(cmd, uow, caller)
        cmds = [
            commands.RegisterMember(
                p.org_id,
                p.name,
                p.gender,
                p.birth_date,
                p.id_number,
                p.phone,
                p.join_date,
                p.status,
                p.card_uid,
                list(p.skills),
            )
            for p in county.people
        ]
        started = time.perf_counter()
        for start in range(0, len(cmds), 500):
            handlers.register_members(cmds[start : start + 500], uow, caller, settings)
        return time.perf_counter() - started
    finally:
        close_all()
        shutil.rmtree(data, ignore_errors=True)


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_members(vhost: Vhost, data: Path, keys: dict[str, str]) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        **keys,
        "AMQP_URI": vhost.uri,
        "DATA_DIR": str(data),
        "MEMBERS_METRICS_PORT": "0",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("MONGO_URI", None)
    log = (data / "members.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "services.members"], cwd=ROOT, env=env, stdout=log, stderr=log
    )


def wait(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise BenchError(f"{what} did not happen within {timeout:.0f} s")


def answering(rpc: Any) -> bool:
    try:
        return bool(rpc.members.ping())
    except Exception:
        return False


def state_is(rpc: Any, import_id: str, *states: str) -> dict[str, Any] | None:
    job: dict[str, Any] = rpc.members.get_roster_import(import_id)
    if job["state"] == "failed":
        raise BenchError(f"the import failed: {job['error']}")
    return job if job["state"] in states else None


def through_the_service(county: County, content: bytes, keys: dict[str, str]) -> dict[str, float]:
    data = Path(tempfile.mkdtemp(prefix="bench-roster-"))
    with Vhost("bench-roster") as vhost:
        proc = start_members(vhost, data, keys)
        try:
            config = {"AMQP_URI": vhost.uri}
            with ClusterRpcProxy(config, timeout=60, context_data={"caller": OPERATOR}) as rpc:
                wait(lambda: answering(rpc), 60, "the members service answering")
                for org in county.orgs:
                    rpc.members.create_org(
                        {
                            "org_id": org.org_id,
                            "parent_id": org.parent_id,
                            "name": org.name,
                            "kind": org.kind,
                            "tags": list(org.tags),
                        }
                    )
                started = time.perf_counter()
                file_hash = hashlib.sha256(content).hexdigest()
                parts = [content[i : i + CHUNK] for i in range(0, len(content), CHUNK)]
                for n, part in enumerate(parts):
                    chunk = {
                        "file_hash": file_hash,
                        "index": n,
                        "data": base64.b64encode(part).decode(),
                    }
                    rpc.members.put_roster_chunk(chunk)
                job = rpc.members.start_roster_import(
                    {
                        "org_id": county.orgs[0].org_id,
                        "file_hash": file_hash,
                        "size": len(content),
                        "chunks": len(parts),
                        "filename": "county.xlsx",
                    }
                )
                uploaded = time.perf_counter()
                checked = wait(
                    lambda: state_is(rpc, job["import_id"], "checked"), 300, "the dry run"
                )
                dry_run_done = time.perf_counter()
                rpc.members.commit_roster_import(job["import_id"])
                done = wait(lambda: state_is(rpc, job["import_id"], "done"), 600, "the import")
                finished = time.perf_counter()
                root = rpc.members.get_org_node(county.orgs[0].org_id)
                export_started = time.perf_counter()
                made = rpc.members.export_members(
                    {
                        "org_id": county.orgs[0].org_id,
                        "subtree": True,
                        "full": True,
                        "reason": "bench",
                    }
                )
                for n in range(made["chunks"]):
                    rpc.members.read_roster_file({"file_id": made["file_id"], "index": n})
                exported = time.perf_counter()
                peak_mb = peak_rss_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            shutil.rmtree(data, ignore_errors=True)
    people = len(county.people)
    if checked["counts"]["new"] != people or checked["counts"]["refused"]:
        raise BenchError(f"the dry run found {checked['counts']}, expected {people} new rows")
    if done["counts"]["created"] != people or root["counts"]["members"] != people:
        raise BenchError(f"the import did {done['counts']}, the county counts {root['counts']}")
    return {
        "upload": uploaded - started,
        "dry_run": dry_run_done - uploaded,
        "import": finished - dry_run_done,
        "total": finished - started,
        "export": exported - export_started,
        "peak_mb": peak_mb,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=("full", "small"), default="full")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    county = demo_county(args.size)
    people = len(county.people)
    content = roster_file(county)
    print(
        f"roster file: {people} members, {len(content) / 2**20:.1f} MB XLSX ({datetime.now(UTC):%H:%M} UTC)"
    )

    calamine = [timed(read_calamine, content) for _ in range(args.rounds)]
    openpyxl_ro = [timed(read_openpyxl, content) for _ in range(args.rounds)]
    c, o = statistics.median(calamine), statistics.median(openpyxl_ro)
    print(
        f"reading   calamine {people / c:8.0f} rows/s  openpyxl read-only {people / o:8.0f} rows/s"
        f"  calamine {o / c:.1f}x faster (the service reads with calamine)"
    )

    keys = {"PII_KEY": new_key(), "PII_HASH_KEY": new_key()}
    cipher = PiiCipher(base64.b64decode(keys["PII_KEY"]), base64.b64decode(keys["PII_HASH_KEY"]))
    direct = register_directly(county, cipher)
    print(f"baseline  register_members directly: {people / direct:8.0f} members/s ({direct:.1f} s)")

    got = through_the_service(county, content, keys)
    for name in ("upload", "dry_run", "import", "total", "export"):
        print(f"{name:9} {people / got[name]:8.0f} members/s ({got[name]:.1f} s)")
    print(
        f"ratios    dry run / raw calamine parse: {got['dry_run'] / c:.1f}x the time; "
        f"import / direct registration: {got['import'] / direct:.2f}x the time"
    )
    print(f"memory    the members service's peak RSS: {got['peak_mb']:.0f} MB")
    verdict = "met" if got["total"] < TARGET_SECONDS else "NOT met"
    print(f"target    whole file under {TARGET_SECONDS} s: {verdict} ({got['total']:.1f} s)")


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        fail(error)

"""Shared helpers of the system benchmarks (bench/checkin.py, demo_load.py, memory.py).

Benchmarks are not tests: each starts what it needs (`make run` through tools/launch.py, in its
own vhost, data directory and ports), measures, prints figures and their ratio to a baseline
measured in the same run, and exits non-zero only on errors (an unexpected HTTP status, a
process that would not start), never on a slow figure.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import requests

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.demo_county.generate import County, generate_county  # noqa: E402
from tools.launch import Launched, launch, stop  # noqa: E402

CHECK_INS = "/api/v1/kiosk/check-ins"
MGMT = os.environ.get("RABBIT_CTL_URI", "http://guest:guest@127.0.0.1:15672")
AMQP = os.environ.get("AMQP_URI", "pyamqp://guest:guest@127.0.0.1:5672/")
CHINA = ZoneInfo("Asia/Shanghai")
PYTHON = str(ROOT / ".venv" / "bin" / "python")


class BenchError(RuntimeError):
    """Something went wrong (not merely slow): the benchmark exits non-zero."""


# --- the launched system ---------------------------------------------------------------------


@dataclass
class System:
    launched: Launched
    logins: dict[str, Any]
    echo_pid: int | None = None

    @property
    def url(self) -> str:
        return self.launched.url

    @property
    def data_dir(self) -> Path:
        return self.launched.data_dir


@contextlib.contextmanager
def running_system(
    demo_size: str = "full", *, bench_echo: bool = False, keep: bool = False
) -> Iterator[System]:
    """`make run` in its own vhost and data directory, with the demo county loaded; with
    ``bench_echo`` the gateway mounts POST /api/v1/bench/echo and the bench-only echo service
    runs on the same vhost. Everything is stopped on exit; the data directory (logs, stores) is
    removed after a clean run unless ``keep``, and kept (its path printed) after an error."""
    if bench_echo:
        os.environ["GATEWAY_BENCH_ECHO"] = "1"  # launch() copies os.environ into `make run`
    else:
        os.environ.pop("GATEWAY_BENCH_ECHO", None)
    data_dir = Path(tempfile.mkdtemp(prefix="bench-"))
    print(f"starting the system (demo county {demo_size!r}) in {data_dir} ...", flush=True)
    try:
        launched = launch(data_dir, amqp_uri=AMQP, management_uri=MGMT, demo_size=demo_size)
    except BaseException:
        print(f"the system did not start; logs kept in {data_dir}/log", file=sys.stderr)
        raise
    echo: subprocess.Popen[bytes] | None = None
    clean = False
    try:
        logins = json.loads((data_dir / "demo-logins.json").read_text())
        if bench_echo:
            echo = start_echo_service(launched)
        yield System(launched, logins, echo.pid if echo else None)
        clean = True
    finally:
        try:
            if echo is not None:
                stop_echo_service(echo)
        finally:
            stop(launched, MGMT)
        if clean and not keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        elif not clean:
            print(f"logs kept in {data_dir}/log", file=sys.stderr)


def start_echo_service(launched: Launched, timeout: float = 60) -> subprocess.Popen[bytes]:
    """bench/echo_service.py under `nameko run`, on the launched system's vhost; returns once its
    RPC queue has a consumer."""
    config = launched.data_dir / "bench-echo.yml"
    config.write_text(
        json.dumps(  # JSON is YAML; max_workers as the production services' default
            {"AMQP_URI": launched.amqp_uri, "max_workers": 10, "HEARTBEAT": 15}
        )
    )
    log = (launched.data_dir / "log" / "bench_echo.log").open("ab")
    proc = subprocess.Popen(
        [PYTHON, "-m", "nameko", "run", "bench.echo_service", "--config", str(config)],
        cwd=ROOT,
        env={**os.environ, "PYTHONWARNINGS": "ignore::DeprecationWarning"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    queue = f"{MGMT}/api/queues/{quote(launched.vhost, safe='')}/rpc-bench_echo"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(
                f"the bench echo service exited with {proc.returncode}; see {log.name}"
            )
        response = requests.get(queue, timeout=5)
        if response.ok and response.json().get("consumers", 0) > 0:
            return proc
        time.sleep(0.3)
    stop_echo_service(proc)
    raise BenchError(f"the bench echo service did not consume within {timeout}s; see {log.name}")


def stop_echo_service(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- the demo county as the loader loaded it ---------------------------------------------------


def demo_county(size: str) -> County:
    """The county the loader generated: same seed; ``today`` only moves dates, not people."""
    return generate_county(size, today=datetime.now(UTC).astimezone(CHINA).date())


def org_paths(county: County) -> dict[str, str]:
    """org_id → org path ("/hj/hj-s01/..."), as the members service builds it."""
    paths: dict[str, str] = {}
    for org in county.orgs:  # parents come first
        parent = paths[org.parent_id] if org.parent_id else ""
        paths[org.org_id] = f"{parent}/{org.org_id}"
    return paths


def cards_under(county: County, org_id: str) -> list[str]:
    """Card UIDs of the members of ``org_id``'s subtree: the people expected at its meetings."""
    paths = org_paths(county)
    root = paths[org_id]
    return [p.card_uid for p in county.people if (paths[p.org_id] + "/").startswith(root + "/")]


def bench_meeting(org_id: str, label: str, now: datetime | None = None) -> dict[str, Any]:
    """A meeting of ``org_id`` open for sign-in from now for four hours."""
    now = now or datetime.now(UTC)
    return {
        "meeting_id": f"bench-{org_id}-{label}-{now:%H%M%S%f}",
        "org_id": org_id,
        "kind": "theme_day",
        "title": f"压测主题党日 {label}",
        "starts_at": now.astimezone(CHINA).isoformat(),
        "window_before_min": 30,
        "window_after_min": 240,
    }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def schedule_meetings(url: str, admin: str, org_id: str, n: int, label: str) -> list[str]:
    """``n`` bench meetings of ``org_id`` through the gateway (POST /api/v1/meetings)."""
    ids = []
    with requests.Session() as session:
        for i in range(n):
            response = session.post(
                url + "/api/v1/meetings",
                json=bench_meeting(org_id, f"{label}{i:03d}"),
                headers=bearer(admin),
                timeout=30,
            )
            if response.status_code != 201:
                raise BenchError(f"POST /meetings: {response.status_code} {response.text[:300]}")
            ids.append(response.json()["meeting_id"])
    return ids


# --- load at fixed concurrency ----------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    token: str
    body: Any = None
    expect: int = 200


@dataclass
class Phase:
    label: str
    n: int
    seconds: float
    latencies: list[float]
    statuses: Counter[int]
    answers: list[Any] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.n / self.seconds

    def quantile_ms(self, q: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000 if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[q - 1] * 1000


class Client:
    """One requests.Session per thread (keep-alive, like a kiosk)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._local = threading.local()

    def session(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session  # type: ignore[no-any-return]

    def send(self, call: Call) -> requests.Response:
        return self.session().request(
            call.method,
            self.url + call.path,
            json=call.body,
            headers=bearer(call.token),
            timeout=60,
        )


def run_phase(
    client: Client,
    label: str,
    calls: Sequence[Call],
    concurrency: int,
    *,
    keep: Callable[[requests.Response], Any] | None = None,
) -> Phase:
    """Send ``calls`` from ``concurrency`` threads; an unexpected status is an error (raised after
    the phase with the first examples). ``keep`` extracts what to keep of each answer."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    answers: list[Any] = []
    wrong: list[str] = []
    lock = threading.Lock()

    def one(call: Call) -> None:
        started = time.perf_counter()
        response = client.send(call)
        elapsed = time.perf_counter() - started
        kept = keep(response) if keep and response.status_code == call.expect else None
        with lock:
            latencies.append(elapsed)
            statuses[response.status_code] += 1
            if response.status_code != call.expect:
                if len(wrong) < 5:
                    wrong.append(
                        f"{call.method} {call.path}: {response.status_code} (expected "
                        f"{call.expect}) {response.text[:300]}"
                    )
            elif keep:
                answers.append(kept)

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, calls))
    phase = Phase(label, len(calls), time.perf_counter() - started, latencies, statuses, answers)
    if wrong:
        raise BenchError(f"{label}: unexpected statuses {dict(statuses)}:\n  " + "\n  ".join(wrong))
    return phase


def print_phases(phases: Sequence[Phase], baseline: dict[str, float]) -> None:
    """Throughput, p50/p99 latency and each figure's ratio to the baseline (throughput ratio:
    higher is better; p50 ratio: the baseline's p50 over this p50, higher is better)."""
    print(
        f"{'':26}{'n':>6}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'req/s ÷ base':>14}{'base p50 ÷ p50':>16}"
    )
    for p in phases:
        print(
            f"{p.label:26}{p.n:6d}{p.rps:9.1f}{p.quantile_ms(50):9.1f}{p.quantile_ms(99):9.1f}"
            f"{p.rps / baseline['rps']:14.2f}{baseline['p50_ms'] / p.quantile_ms(50):16.2f}"
        )


def baseline_of(*phases: Phase) -> dict[str, float]:
    """The mean of the baseline phases (measured before and after: a noisy machine drifts)."""
    return {
        "rps": statistics.fmean(p.rps for p in phases),
        "p50_ms": statistics.fmean(p.quantile_ms(50) for p in phases),
    }


# --- the event pipeline at rest ---------------------------------------------------------------


@dataclass
class Idle:
    seconds: float  # from the call until the pipeline went (and stayed) idle
    mark: Any = None  # what ``mark`` returned at that moment


def wait_until_idle(
    launched: Launched,
    timeout: float = 180,
    quiet: float = 6.0,
    mark: Callable[[], Any] | None = None,
) -> Idle:
    """Wait until every queue of the system's vhost has been empty (ready and unacknowledged)
    for ``quiet`` seconds, so that one phase's background work (outbox relay, scoring, notify)
    does not run into the next phase. Ready counts come from passive declares over AMQP;
    unacknowledged ones from the management API, whose figures lag by up to its 5 s statistics
    interval (hence the quiet period). ``mark`` is called when the calm began (for example to
    read CPU counters at that moment)."""
    from kombu import Connection

    started = time.monotonic()
    names = [
        q["name"]
        for q in requests.get(
            f"{MGMT}/api/queues/{quote(launched.vhost, safe='')}", timeout=10
        ).json()
        if not q.get("exclusive") and not q["name"].startswith("rpc.reply")
    ]
    calm: Idle | None = None
    with Connection(launched.amqp_uri) as conn:
        channel = conn.channel()
        while time.monotonic() - started < timeout:
            busy = 0
            for name in names[:]:
                try:
                    _, ready, _ = channel.queue_declare(name, passive=True)
                    busy += ready
                except Exception:  # gone or exclusive: the broker closed the channel
                    names.remove(name)
                    channel = conn.channel()
            busy += _unacked(launched.vhost)
            now = time.monotonic()
            if busy:
                calm = None
            elif calm is None:
                calm = Idle(now - started, mark() if mark else None)
            elif now - started - calm.seconds >= quiet:
                return calm
            time.sleep(0.3)
    raise BenchError(f"the event pipeline was still busy {timeout}s after the phase")


def _unacked(vhost: str) -> int:
    queues = requests.get(f"{MGMT}/api/queues/{quote(vhost, safe='')}", timeout=10).json()
    return sum(int(q.get("messages_unacknowledged", 0) or 0) for q in queues)


# --- processes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    name: str
    cmdline: str


def system_processes(leader: int) -> list[Proc]:
    """Every live descendant of ``leader`` (`make run`), named by role: the four services by
    module, the gunicorn master and its workers, the shell and make that supervise them."""
    procs: dict[int, tuple[int, str, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] == "Z":
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        procs[int(entry.name)] = (
            int(fields[1]),
            comm,
            " ".join(a.decode(errors="replace") for a in argv if a),
        )
    family = {leader}
    grew = True
    while grew:
        grew = False
        for pid, (ppid, _, _) in procs.items():
            if ppid in family and pid not in family:
                family.add(pid)
                grew = True
    found = [Proc(pid, procs[pid][0], "", procs[pid][2]) for pid in family if pid in procs]
    named = [
        Proc(p.pid, p.ppid, _role(p, procs[p.pid][1], {q.pid: q for q in found}), p.cmdline)
        for p in found
    ]
    return sorted(named, key=lambda p: (_ORDER.get(p.name.split()[0], 9), p.name, p.pid))


_ORDER = {"members": 0, "scoring": 1, "volunteer": 2, "notify": 3, "gunicorn": 4}


def _role(proc: Proc, comm: str, family: dict[int, Proc]) -> str:
    argv = proc.cmdline.split()
    if "-m" in argv and argv.index("-m") + 1 < len(argv):
        module = argv[argv.index("-m") + 1]
        return module.removeprefix("services.").removeprefix("infra.")
    if _is_gunicorn(proc.cmdline) or comm.startswith("gunicorn"):
        parent = family.get(proc.ppid)
        return "gunicorn worker" if parent and _is_gunicorn(parent.cmdline) else "gunicorn master"
    if argv and argv[0] == "make":
        return "make run"
    for arg in argv[1:3]:
        if arg.endswith((".sh", ".py")):
            return Path(arg).name
    return comm


def _is_gunicorn(cmdline: str) -> bool:
    """The gunicorn executable itself (not a supervisor with gunicorn in its arguments)."""
    argv = cmdline.split()
    return any(Path(a).name == "gunicorn" for a in argv[:2]) or cmdline.startswith("gunicorn:")


def cpu_seconds(system: System) -> dict[str, float]:
    """CPU time (user + system) used so far by each part of the system: the services by name,
    the gunicorn master and workers together as "gateway", the bench echo service."""
    ticks = os.sysconf("SC_CLK_TCK")
    parts = [(p.pid, p.name) for p in system_processes(system.launched.proc.pid)]
    if system.echo_pid:
        parts.append((system.echo_pid, "bench_echo"))
    used: dict[str, float] = {}
    for pid, name in parts:
        with contextlib.suppress(OSError):
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            part = "gateway" if name.startswith("gunicorn") else name
            used[part] = used.get(part, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return used


def rss_mb(pid: int) -> dict[str, float]:
    """VmRSS (resident now) and VmHWM (peak resident) of ``pid`` in MB (MiB)."""
    values: dict[str, float] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
    return values


def fail(error: BaseException) -> None:
    print(f"\nBENCH ERROR: {error}", file=sys.stderr)
    raise SystemExit(1)

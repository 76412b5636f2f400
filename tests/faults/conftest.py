"""Fault-test fixtures: a private RabbitMQ node that a test may stop and start at will (the shared
broker at 127.0.0.1:5672 serves everyone else's tests at the same time), and the whole system
launched on it the way `make run` starts it."""

from __future__ import annotations

import collections
import contextlib
import json
import os
import queue
import random
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from kombu import Connection
from nameko.standalone.rpc import ClusterRpcProxy

from services.infra.storage import open_database
from tools.demo_county.generate import generate_county
from tools.launch import Launched, free_port

SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")  # Debian's package; the /usr/sbin
CTL = Path("/usr/lib/rabbitmq/bin/rabbitmqctl")  # wrappers would switch to the rabbitmq user


@dataclass
class PrivateBroker:
    """One RabbitMQ node of its own: own node name, ports, Erlang cookie (HOME), database, logs
    and config (no management plugin: the system runs in the default vhost)."""

    base: Path
    name: str
    port: int
    dist_port: int
    server: subprocess.Popen[bytes] | None = None

    @property
    def amqp_uri(self) -> str:
        return f"pyamqp://guest:guest@127.0.0.1:{self.port}/"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "HOME": str(self.base),
            "RABBITMQ_CONF_ENV_FILE": str(self.base / "rabbitmq-env.conf"),
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.base / "log"),
            "RABBITMQ_CONFIG_FILE": str(self.base / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base / "enabled_plugins"),
            "RABBITMQ_PID_FILE": str(self.base / "rabbitmq.pid"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        }

    def configure(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        (self.base / "rabbitmq-env.conf").write_text("")  # not /etc/rabbitmq/rabbitmq-env.conf
        (self.base / "enabled_plugins").write_text("[].\n")
        (self.base / "rabbitmq.conf").write_text(f"listeners.tcp.default = 127.0.0.1:{self.port}\n")

    def start(self, timeout: float = 60) -> None:
        log = (self.base / "server.out").open("ab")
        self.server = subprocess.Popen(
            [str(SERVER)],
            env=self.env(),
            cwd=self.base,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # not in the test's process group
        )
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self.server.poll() is not None or time.monotonic() > deadline:
                tail = (self.base / "server.out").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"private RabbitMQ node {self.name} did not start:\n{tail}")
            time.sleep(0.3)

    def answers(self) -> bool:
        try:
            with Connection(self.amqp_uri, connect_timeout=1) as conn:
                conn.ensure_connection(max_retries=0)
            return True
        except Exception:
            return False

    def stop(self, timeout: float = 60) -> None:
        """Stop the node (the whole Erlang VM), as a service manager's restart does."""
        if self.server is None:
            return
        subprocess.run(
            [str(CTL), "-n", self.name, "stop"],
            env=self.env(),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        try:
            self.server.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.server.pid, 9)
            self.server.wait(10)
        self.server = None


@pytest.fixture
def private_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateBroker]:
    if not (SERVER.exists() and CTL.exists()):
        pytest.skip("no rabbitmq-server from Debian's package on this machine")
    base = tmp_path_factory.mktemp("rabbit")
    broker = PrivateBroker(
        base, f"fault{os.getpid()}x{free_port()}@localhost", free_port(), free_port()
    )
    broker.configure()
    broker.start()
    try:
        yield broker
    finally:
        with contextlib.suppress(Exception):
            broker.stop()
        if broker.server is not None:  # stop() gave up: never leave a node behind
            with contextlib.suppress(ProcessLookupError):
                os.killpg(broker.server.pid, 9)
        shutil.rmtree(base, ignore_errors=True)


# -- the system on a broker, and a burst of kiosk sign-ins through its gateway ----------------

OPERATOR = {"caller": {"subject": "fault-test", "role": "county_operator", "scope": "/"}}
CHINA = ZoneInfo("Asia/Shanghai")
RETRY_STATUSES = {503}  # "try again shortly": the kiosk swipes again
SUCCESS_STATUSES = {200, 201}


@dataclass
class Swipe:
    meeting_id: str
    card_uid: str
    statuses: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # no HTTP answer at all
    member_id: str | None = None
    succeeded_at: float | None = None

    @property
    def final(self) -> int | None:
        return self.statuses[-1] if self.statuses else None


@dataclass
class Burst:
    """Kiosk sign-ins from several threads. Each swipe is repeated while the answer is 503 (as
    a person at a kiosk does when told to try again) until it succeeds or the deadline passes;
    any other answer ends it."""

    url: str
    token: str
    swipes: list[Swipe]
    threads: int = 6
    pause: float = 0.2
    deadline: float = 0.0
    timeline: list[tuple[float, int]] = field(default_factory=list)  # (monotonic, status)
    _todo: queue.Queue[Swipe] = field(default_factory=queue.Queue)
    _workers: list[threading.Thread] = field(default_factory=list)

    def start(self, seconds: float = 75) -> None:
        self.deadline = time.monotonic() + seconds
        for swipe in self.swipes:
            self._todo.put(swipe)
        self._workers = [
            threading.Thread(target=self._work, daemon=True) for _ in range(self.threads)
        ]
        for worker in self._workers:
            worker.start()

    def _work(self) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.token}"
        while True:
            try:
                swipe = self._todo.get_nowait()
            except queue.Empty:
                return
            while time.monotonic() < self.deadline:
                body = {"card_uid": swipe.card_uid, "meeting_id": swipe.meeting_id}
                try:
                    answer = session.post(
                        self.url + "/api/v1/kiosk/check-ins", json=body, timeout=40
                    )
                except requests.RequestException as exc:
                    swipe.failures.append(f"{type(exc).__name__}: {exc}")
                    time.sleep(self.pause)
                    continue
                swipe.statuses.append(answer.status_code)
                self.timeline.append((time.monotonic(), answer.status_code))
                if answer.status_code in SUCCESS_STATUSES:
                    swipe.succeeded_at = time.monotonic()
                    swipe.member_id = answer.json()["member"]["member_id"]
                    break
                if answer.status_code not in RETRY_STATUSES:
                    break
                time.sleep(self.pause)

    def done(self) -> int:
        return sum(s.succeeded_at is not None for s in self.swipes)

    def join(self) -> None:
        for worker in self._workers:
            worker.join(max(0.0, self.deadline - time.monotonic()) + 45)

    def statuses(self) -> collections.Counter[int]:
        return collections.Counter(code for s in self.swipes for code in s.statuses)

    def first_success_after(self, moment: float) -> float | None:
        return min(
            (t for t, code in self.timeline if code in SUCCESS_STATUSES and t >= moment),
            default=None,
        )


def open_meetings(amqp_uri: str, org_id: str, count: int) -> list[str]:
    """Meetings open for sign-in now, open to all members, in the demo kiosk's branch."""
    now = datetime.now(CHINA)
    ids = [f"fault-{now:%H%M%S}-{n}" for n in range(count)]
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30, context_data=OPERATOR) as rpc:
        for meeting_id in ids:
            rpc.members.schedule_meeting(
                {
                    "meeting_id": meeting_id,
                    "org_id": org_id,
                    "kind": "lecture",
                    "title": "故障演练",
                    "starts_at": now.isoformat(),
                    "window_before_min": 30,
                    "window_after_min": 120,
                    "open_to_all": True,
                }
            )
    return ids


def county_cards() -> list[str]:
    county = generate_county("small", today=datetime.now(CHINA).date())
    return [person.card_uid for person in county.people]


def burst_for(system: Launched, meetings: int, cards: int | None = None) -> Burst:
    logins = json.loads((system.data_dir / "demo-logins.json").read_text())
    meeting_ids = open_meetings(system.amqp_uri, logins["open_meeting"]["org_id"], meetings)
    uids = county_cards()[:cards]
    swipes = [Swipe(m, uid) for m in meeting_ids for uid in uids]
    random.Random(7).shuffle(swipes)
    return Burst(system.url, logins["kiosk"]["token"], swipes)


def inbox_total(amqp_uri: str, member_ids: set[str]) -> int:
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30, context_data=OPERATOR) as rpc:
        total = 0
        for member_id in member_ids:
            page = rpc.notify.list_inbox(member_id, None, 100)
            total += len(page["items"])
        return total


def wait_for_deliveries(system: Launched, bursts: list[Burst], timeout: float = 60) -> int:
    """Wait until every successful sign-in has reached an inbox (through scoring), or the
    timeout; return the number of inbox messages of the members who signed in."""
    members = {s.member_id for b in bursts for s in b.swipes if s.member_id}
    expected = sum(b.done() for b in bursts)
    deadline = time.monotonic() + timeout
    seen = -1
    while time.monotonic() < deadline:
        try:
            seen = inbox_total(system.amqp_uri, members)
        except Exception:  # a service restarting: ask again
            seen = -1
        if seen >= expected:
            break
        time.sleep(1)
    return seen


@dataclass
class Counts:
    attendance: collections.Counter[tuple[str, str]]  # (meeting, member) -> documents
    ledger: collections.Counter[str]  # source event -> entries
    ledger_total: int
    inbox_total: int
    check_in_ids: set[str]


def count_stores(data_dir: Path, meeting_ids: set[str]) -> Counts:
    """Read the embedded stores after the system has stopped."""
    members = open_database("members", None, data_dir)
    scoring = open_database("scoring", None, data_dir)
    notify = open_database("notify", None, data_dir)
    attendance: collections.Counter[tuple[str, str]] = collections.Counter()
    check_in_ids = set()
    for doc in members.attendance.find({"meeting_id": {"$in": sorted(meeting_ids)}}):
        attendance[(doc["meeting_id"], doc["member_id"])] += 1
        check_in_ids.add(doc["event_id"])
    ledger = collections.Counter(doc["source_event_id"] for doc in scoring.ledger.find({}))
    return Counts(
        attendance=attendance,
        ledger=ledger,
        ledger_total=scoring.ledger.count_documents({}),
        inbox_total=notify.inbox.count_documents({}),
        check_in_ids=check_in_ids,
    )

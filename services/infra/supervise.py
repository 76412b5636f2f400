"""Keep the processes of ``make run`` running.

    python -m services.infra.supervise --log-dir var/log --pid-dir var/run \\
        members='.venv/bin/python -m services.members' gateway='.venv/bin/gunicorn ...'

Each NAME=COMMAND runs with its output appended to ``<log-dir>/<NAME>.log`` and its pid in
``<pid-dir>/<NAME>.pid``. Until the supervisor gets SIGUSR1 (``scripts/run.sh`` sends it once the
system answers), the system is starting: a process that exits then is a start-up failure (a port
in use, a broken config) and stops everything with the tail of its log and exit status 1.
Afterwards, a process that exits is started again after a delay that doubles from 1 s up to
30 s, and starts at 1 s again once the process had stayed up for a minute; every restart is
printed. SIGTERM or SIGINT stops everything: each child gets SIGTERM (services drain in-flight
work), anything still running after the grace period gets SIGKILL, and the supervisor returns
only when every child has exited.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO


@dataclass(frozen=True)
class Backoff:
    first: float = 1.0
    cap: float = 30.0
    healthy_after: float = 60.0

    def next(self, previous: float | None, ran_for: float) -> float:
        """The delay before the next start, given the last delay and how long the process ran."""
        if previous is None or ran_for >= self.healthy_after:
            return self.first
        return min(self.cap, previous * 2)


@dataclass
class Child:
    name: str
    argv: list[str]
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    delay: float | None = None  # the last restart delay; None until the first restart
    restart_at: float | None = None
    restarts: int = 0


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        signum = -returncode
        try:
            name = signal.Signals(signum).name
        except ValueError:
            name = f"signal {signum}"
        return f"exited with code {128 + signum} ({name})"
    return f"exited with code {returncode}"


@dataclass
class Supervisor:
    children: list[Child]
    log_dir: Path
    pid_dir: Path | None = None
    backoff: Backoff = field(default_factory=Backoff)
    grace: float = 25.0
    out: TextIO = sys.stdout
    clock: Callable[[], float] = time.monotonic
    starting: bool = True
    stopping: bool = False

    # -- signals ----------------------------------------------------------------------------

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self._on_stop_signal)
        signal.signal(signal.SIGINT, self._on_stop_signal)
        signal.signal(signal.SIGUSR1, self._on_ready_signal)

    def _on_stop_signal(self, signum: int, frame: Any) -> None:
        self.stopping = True

    def _on_ready_signal(self, signum: int, frame: Any) -> None:
        self.starting = False

    # -- running ----------------------------------------------------------------------------

    def say(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    def spawn(self, child: Child) -> bool:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        child.started_at = self.clock()
        child.restart_at = None
        try:
            with (self.log_dir / f"{child.name}.log").open("ab") as log:
                # same process group: a Ctrl-C in the terminal reaches every process at once
                child.proc = subprocess.Popen(
                    child.argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
                )
        except OSError as exc:
            print(f"{child.name} could not be started: {exc}", file=sys.stderr, flush=True)
            return False
        if self.pid_dir is not None:
            self.pid_dir.mkdir(parents=True, exist_ok=True)
            (self.pid_dir / f"{child.name}.pid").write_text(f"{child.proc.pid}\n")
        return True

    def run(self) -> int:
        """Supervise until stopped; 0 after a requested stop, 1 after a start-up failure."""
        try:
            for child in self.children:
                if not self.spawn(child):
                    if self.starting:
                        return 1
                    self.schedule_restart(child, self.clock())
            return self._watch()
        finally:
            self.stop_all()

    def _watch(self) -> int:
        while not self.stopping:
            now = self.clock()
            for child in self.children:
                due = (
                    child.proc is None and child.restart_at is not None and now >= child.restart_at
                )
                if child.proc is not None and child.proc.poll() is not None:
                    if self.starting:
                        self.start_up_failed(child)
                        return 1
                    self.schedule_restart(child, now)
                elif due:
                    child.restarts += 1
                    if not self.spawn(child):
                        self.schedule_restart(child, now)
            time.sleep(0.1)
        return 0

    def schedule_restart(self, child: Child, now: float) -> None:
        """After an exit (or a failed start): print it and choose when to start again."""
        child.delay = self.backoff.next(child.delay, now - child.started_at)
        child.restart_at = now + child.delay
        what = describe_exit(child.proc.returncode) if child.proc else "could not be started"
        self.say(f"{child.name} {what}; restarting in {child.delay:g} s")
        child.proc = None

    def start_up_failed(self, child: Child) -> None:
        assert child.proc is not None and child.proc.returncode is not None
        print(
            f"{child.name} {describe_exit(child.proc.returncode)} during start-up "
            f"(a port in use? see below):",
            file=sys.stderr,
        )
        print(self.log_tail(child.name), file=sys.stderr, flush=True)

    def log_tail(self, name: str, lines: int = 5) -> str:
        try:
            text = (self.log_dir / f"{name}.log").read_text(errors="replace")
        except OSError:
            return ""
        kept = [line for line in text.splitlines() if "eventlet" not in line.lower()]
        return "\n".join(kept[-lines:])

    def stop_all(self) -> None:
        """SIGTERM every child, wait for all of them, SIGKILL whatever outlives the grace."""
        running = [c.proc for c in self.children if c.proc is not None]
        for proc in running:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = self.clock() + self.grace
        while any(p.poll() is None for p in running) and self.clock() < deadline:
            time.sleep(0.1)
        for child in self.children:
            if child.proc is not None and child.proc.poll() is None:
                self.say(f"{child.name} did not stop within {self.grace:g} s; killing it")
                child.proc.kill()
                child.proc.wait()
        if self.pid_dir is not None:
            for child in self.children:
                (self.pid_dir / f"{child.name}.pid").unlink(missing_ok=True)


def parse_children(specs: Sequence[str]) -> list[Child]:
    children = []
    for spec in specs:
        name, sep, command = spec.partition("=")
        if not sep or not name or not command.strip():
            raise SystemExit(f"expected NAME=COMMAND, got {spec!r}")
        children.append(Child(name, shlex.split(command)))
    return children


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--log-dir", type=Path, required=True)
    parser.add_argument("--pid-dir", type=Path)
    parser.add_argument("--grace", type=float, default=25.0, help="seconds before SIGKILL")
    parser.add_argument("--first-delay", type=float, default=1.0)
    parser.add_argument("--max-delay", type=float, default=30.0)
    parser.add_argument("--healthy-after", type=float, default=60.0)
    parser.add_argument("--ready", action="store_true", help="restart from the start (no SIGUSR1)")
    parser.add_argument("children", nargs="+", metavar="NAME=COMMAND")
    args = parser.parse_args(argv)
    supervisor = Supervisor(
        parse_children(args.children),
        log_dir=args.log_dir,
        pid_dir=args.pid_dir,
        backoff=Backoff(args.first_delay, args.max_delay, args.healthy_after),
        grace=args.grace,
        starting=not args.ready,
    )
    supervisor.install_signal_handlers()
    return supervisor.run()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())

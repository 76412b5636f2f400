"""In-memory fakes of the roster part of the members unit of work."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from services.infra import paging
from services.infra.errors import Stale
from services.infra.scope import Caller
from services.members.domain import Member
from services.members.roster import importing
from services.members.roster.checking import Problem
from services.members.roster.commands import ReadFileChunk
from services.members.roster.domain import WORKING, ImportJob
from services.members.roster.ports import RosterSettings
from tests.unit.fakes import FakeMembersUoW


class FakeImports:
    def __init__(self) -> None:
        self.rows: dict[str, ImportJob] = {}
        self.found: dict[str, Problem] = {}  # problem id -> problem
        self.saves = 0

    def add(self, job: ImportJob) -> tuple[ImportJob, bool]:
        if job.import_id in self.rows:
            return self.rows[job.import_id], False
        self.rows[job.import_id] = job
        return job, True

    def get(self, import_id: str) -> ImportJob | None:
        return self.rows.get(import_id)

    def save(self, job: ImportJob) -> ImportJob:
        stored = self.rows.get(job.import_id)
        if stored is None or stored.version != job.version:
            raise Stale(job.import_id)
        self.saves += 1
        saved = replace(job, version=job.version + 1)
        self.rows[job.import_id] = saved
        return saved

    def working(self, limit: int) -> list[ImportJob]:
        return [j for j in self.rows.values() if j.state in WORKING][:limit]

    def set_problems(self, import_id: str, problems: list[Problem]) -> None:
        for key in [k for k in self.found if k.startswith(import_id + ":")]:
            del self.found[key]
        self._insert(import_id, problems, 0)

    def add_problems(self, import_id: str, problems: list[Problem]) -> None:
        self._insert(import_id, problems, 100)

    def _insert(self, import_id: str, problems: list[Problem], offset: int) -> None:
        seq: dict[int, int] = {}
        for p in problems:
            n = seq[p.row] = seq.get(p.row, offset - 1) + 1
            self.found.setdefault(f"{import_id}:{p.row:07d}:{n:03d}", p)

    def problems(self, import_id: str, cursor: str | None, limit: int) -> Any:
        keys = sorted(k for k in self.found if k.startswith(import_id + ":"))
        last = paging.decode(cursor, ("_id",))
        if last is not None:
            keys = [k for k in keys if k > last["_id"]]
        shown = keys[:limit]
        more = len(keys) > limit
        return [self.found[k] for k in shown], paging.encode({"_id": shown[-1]} if more else None)

    def reasons_by_row(self, import_id: str) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        for key in sorted(k for k in self.found if k.startswith(import_id + ":")):
            p = self.found[key]
            found.setdefault(p.row, []).append(f"{p.column}：{p.reason}")
        return found


class FakeFiles:
    def __init__(self) -> None:
        self.chunks: dict[str, str] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self.until: dict[str, datetime] = {}  # file hash or id -> kept until

    def put_chunk(self, key: str, index: int, sealed: str, keep_until: datetime) -> None:
        self.chunks.setdefault(f"{key}:{index:05d}", sealed)
        until = self.until.get(key)
        self.until[key] = max(until, keep_until) if until else keep_until

    def chunks_of(self, key: str, chunks: int) -> list[str] | None:
        ids = [f"{key}:{n:05d}" for n in range(chunks)]
        return [self.chunks[i] for i in ids] if all(i in self.chunks for i in ids) else None

    def keep(self, meta: dict[str, Any], sealed: list[str], keep_until: datetime) -> dict[str, Any]:
        file_id = "rf-" + uuid.uuid4().hex
        for n, part in enumerate(sealed):
            self.put_chunk(file_id, n, part, keep_until)
        doc = {**meta, "file_id": file_id, "chunks": len(sealed)}
        self.files[file_id] = doc
        return doc

    def meta(self, file_id: str) -> dict[str, Any] | None:
        return self.files.get(file_id)

    def chunk(self, file_id: str, index: int) -> str | None:
        return self.chunks.get(f"{file_id}:{index:05d}")

    def purge(self, now: datetime) -> int:
        """Whole UTC days, as the store: kept until a day before today's."""
        gone = [
            k
            for k, until in self.until.items()
            if until.astimezone(UTC).date() < now.astimezone(UTC).date()
        ]
        removed = 0
        for key in gone:
            for chunk in [c for c in self.chunks if c.startswith(key + ":")]:
                del self.chunks[chunk]
                removed += 1
            removed += self.files.pop(key, None) is not None
            del self.until[key]
        return removed

    def drop(self, file_id: str, chunks: int) -> None:
        for n in range(chunks):
            self.chunks.pop(f"{file_id}:{n:05d}", None)
        self.files.pop(file_id, None)


class FakePeople:
    def __init__(self, uow: FakeMembersUoW) -> None:
        self.uow = uow
        self.lookups = 0

    def by_id_hashes(self, id_hashes: list[str]) -> dict[str, Member]:
        self.lookups += 1
        wanted = set(id_hashes)
        return {m.id_hash: m for m in self.uow.members.rows.values() if m.id_hash in wanted}

    def by_cards(self, card_uids: list[str]) -> dict[str, Member]:
        wanted = set(card_uids)
        return {m.card_uid: m for m in self.uow.members.rows.values() if m.card_uid in wanted}


def downloaded(meta: dict[str, Any], uow: FakeRosterUoW, settings: RosterSettings) -> bytes:
    """A made file as its maker reads it back (chunk by chunk, unsealed; then it is gone)."""
    maker = Caller(meta["owner"], "county_operator", "/")
    return b"".join(
        importing.read_file_chunk(ReadFileChunk(meta["file_id"], n), uow, maker, settings)["data"]
        for n in range(meta["chunks"])
    )


class FakeRosterUoW(FakeMembersUoW):
    def __init__(self) -> None:
        super().__init__()
        self.roster_imports = FakeImports()
        self.roster_files = FakeFiles()
        self.roster_people = FakePeople(self)

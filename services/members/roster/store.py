"""The roster repositories over the members database (MembersStore mixes them in): import jobs,
their problems, file chunks, and the look-ups of persons and cards in batches."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import asdict, replace
from datetime import datetime
from typing import Any, ClassVar

from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.infra import paging
from services.infra.errors import Stale
from services.infra.events import stamp
from services.infra.repository import insert_once, page
from services.infra.retention import PURGE_DAY, PURGE_INDEX, day_of, purge_before
from services.members.domain import Member
from services.members.roster.checking import Problem
from services.members.roster.domain import WORKING, Counts, ImportJob

BY_ID = [("_id", 1)]
LOOKUP_BATCH = 500  # ids per $in


def _problem_id(import_id: str, problem: Problem, n: int) -> str:
    return f"{import_id}:{problem.row:07d}:{n:03d}"


class Imports:
    def __init__(self, db: Any) -> None:
        self.c = db.roster_imports
        self.problems_c = db.roster_problems

    def add(self, job: ImportJob) -> tuple[ImportJob, bool]:
        stored, created = insert_once(self.c, _job_doc(job))
        return _job(stored), created

    def get(self, import_id: str) -> ImportJob | None:
        doc = self.c.find_one({"_id": import_id})
        return _job(doc) if doc else None

    def save(self, job: ImportJob) -> ImportJob:
        doc = _job_doc(job)
        del doc["_id"]
        doc["version"] = job.version + 1
        result = self.c.update_one({"_id": job.import_id, "version": job.version}, {"$set": doc})
        if result.matched_count != 1:
            raise Stale(job.import_id)
        return replace(job, version=job.version + 1)

    def working(self, limit: int) -> list[ImportJob]:
        found = self.c.find({"state": {"$in": list(WORKING)}}).limit(limit)
        return [_job(doc) for doc in found]

    def set_problems(self, import_id: str, problems: list[Problem]) -> None:
        self.problems_c.delete_many({"import_id": import_id})
        self._insert(import_id, problems)

    def add_problems(self, import_id: str, problems: list[Problem]) -> None:
        self._insert(import_id, problems, offset=100)  # after the dry run's of the same row

    def _insert(self, import_id: str, problems: list[Problem], offset: int = 0) -> None:
        seq: dict[int, int] = {}
        docs = []
        for p in problems:
            n = seq[p.row] = seq.get(p.row, offset - 1) + 1
            docs.append({"_id": _problem_id(import_id, p, n), "import_id": import_id, **asdict(p)})
        for start in range(0, len(docs), LOOKUP_BATCH):
            # a problem recorded by an earlier try has the same id
            with contextlib.suppress(BulkWriteError, DuplicateKeyError):
                self.problems_c.insert_many(docs[start : start + LOOKUP_BATCH], ordered=False)

    def problems(
        self, import_id: str, cursor: str | None, limit: int
    ) -> tuple[list[Problem], str | None]:
        after = paging.decode(cursor, ("_id",))
        rows, position = page(self.problems_c, {"import_id": import_id}, BY_ID, after, limit)
        return [_problem(r) for r in rows], paging.encode(position)

    def reasons_by_row(self, import_id: str) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        rows = self.problems_c.find({"import_id": import_id}, {"row": 1, "column": 1, "reason": 1})
        for doc in rows.sort(BY_ID):
            found.setdefault(int(doc["row"]), []).append(f"{doc['column']}：{doc['reason']}")
        return found


def _problem(doc: dict[str, Any]) -> Problem:
    return Problem(int(doc["row"]), doc["column"], doc["value"], doc["reason"])


def _job_doc(job: ImportJob) -> dict[str, Any]:
    doc = asdict(job)
    doc["_id"] = doc.pop("import_id")
    doc["created_at"] = stamp(job.created_at)
    doc["lease_until"] = stamp(job.lease_until) if job.lease_until else None
    doc["updated_at"] = stamp(job.updated_at) if job.updated_at else None
    doc["unknown_columns"] = list(job.unknown_columns)
    return doc


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _job(doc: dict[str, Any]) -> ImportJob:
    created_at = _when(doc["created_at"])
    assert created_at is not None
    return ImportJob(
        import_id=doc["_id"],
        org_id=doc["org_id"],
        org_path=doc["org_path"],
        caller=dict(doc["caller"]),
        file_hash=doc["file_hash"],
        size=int(doc["size"]),
        filename=doc["filename"],
        created_at=created_at,
        state=doc["state"],
        format=doc.get("format") or "",
        encoding=doc.get("encoding") or "",
        counts=Counts(**(doc.get("counts") or {})),
        next_row=int(doc.get("next_row") or 2),
        error=doc.get("error") or "",
        unknown_columns=tuple(doc.get("unknown_columns") or ()),
        lease_until=_when(doc.get("lease_until")),
        updated_at=_when(doc.get("updated_at")),
        version=int(doc.get("version") or 0),
    )


class Files:
    """Uploaded files by their sha256 (``<hash>:<n>`` chunks), and files made for a caller
    (``roster_files``: owner, scope, name, then chunks ``<file_id>:<n>``). Each chunk is
    stored as the handlers give it: sealed text (encrypted: a roster is personal data)."""

    def __init__(self, db: Any) -> None:
        self.chunks = db.roster_chunks
        self.files = db.roster_files

    def put_chunk(self, key: str, index: int, sealed: str, keep_until: datetime) -> None:
        """Stored once (a chunk sent again keeps the first), kept until the later of the days
        asked."""
        self.chunks.update_one(
            {"_id": f"{key}:{index:05d}"},
            {"$setOnInsert": {"data": sealed}, "$max": {PURGE_DAY: day_of(keep_until)}},
            upsert=True,
        )

    def chunks_of(self, key: str, chunks: int) -> list[str] | None:
        ids = [f"{key}:{n:05d}" for n in range(chunks)]
        found = {d["_id"]: d["data"] for d in self.chunks.find({"_id": {"$in": ids}})}
        return [found[i] for i in ids] if len(found) == chunks else None

    def keep(self, meta: dict[str, Any], sealed: list[str], keep_until: datetime) -> dict[str, Any]:
        file_id = "rf-" + uuid.uuid4().hex
        for n, part in enumerate(sealed):
            self.put_chunk(file_id, n, part, keep_until)
        doc = {**meta, "_id": file_id, "chunks": len(sealed), PURGE_DAY: day_of(keep_until)}
        self.files.insert_one(doc)
        return {**doc, "file_id": file_id}

    def meta(self, file_id: str) -> dict[str, Any] | None:
        doc = self.files.find_one({"_id": file_id})
        return {**doc, "file_id": doc["_id"]} if doc else None

    def chunk(self, file_id: str, index: int) -> str | None:
        doc = self.chunks.find_one({"_id": f"{file_id}:{index:05d}"})
        return str(doc["data"]) if doc else None

    def purge(self, now: datetime) -> int:
        """Remove the chunks and files kept until a day before ``now``'s (whole UTC days)."""
        return purge_before(self.chunks, (), now) + purge_before(self.files, (), now)

    def drop(self, file_id: str, chunks: int) -> None:
        self.chunks.delete_many({"_id": {"$in": [f"{file_id}:{n:05d}" for n in range(chunks)]}})
        self.files.delete_one({"_id": file_id})


class People:
    def __init__(self, db: Any) -> None:
        self.c = db.members

    def _by(self, key: str, values: list[str]) -> dict[str, Member]:
        from services.members.store import _member  # that module mixes this one in

        found: dict[str, Member] = {}
        wanted = list(dict.fromkeys(values))
        for start in range(0, len(wanted), LOOKUP_BATCH):
            for doc in self.c.find({key: {"$in": wanted[start : start + LOOKUP_BATCH]}}):
                member = _member(doc)
                if member is not None:
                    found[doc[key]] = member
        return found

    def by_id_hashes(self, id_hashes: list[str]) -> dict[str, Member]:
        return self._by("id_hash", id_hashes)

    def by_cards(self, card_uids: list[str]) -> dict[str, Member]:
        return self._by("card_uid", card_uids)


class RosterStore:
    INDEXES: ClassVar[dict[str, list[Any]]] = {
        "roster_imports": [([("state", 1)], {})],
        "roster_problems": [([("import_id", 1), ("_id", 1)], {})],
        "roster_chunks": [PURGE_INDEX],
        "roster_files": [PURGE_INDEX],
    }

    def __init__(self, db: Any) -> None:
        self.db = db
        self.roster_imports = Imports(db)
        self.roster_files = Files(db)
        self.roster_people = People(db)

"""What the roster handlers work over: the repositories of the unit of work (the members store
mixes the roster's in) and the settings read once at start-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from services.members.domain import Member
from services.members.handlers import Page, UnitOfWork
from services.members.handlers import Settings as MembersSettings
from services.members.roster.checking import Problem, ProfileChanger
from services.members.roster.domain import ImportJob


class ImportRepository(Protocol):
    def add(self, job: ImportJob) -> tuple[ImportJob, bool]:
        """Create-or-find by ``import_id``."""

    def get(self, import_id: str) -> ImportJob | None: ...
    def save(self, job: ImportJob) -> ImportJob:
        """Raises Stale when the stored job changed since it was read."""

    def working(self, limit: int) -> list[ImportJob]:
        """Jobs waiting for a check or an import (index on state)."""

    def set_problems(self, import_id: str, problems: list[Problem]) -> None:
        """The dry run's problems, replacing any a cut-short run left."""

    def add_problems(self, import_id: str, problems: list[Problem]) -> None:
        """Problems the import found (each row's once, whatever the retries)."""

    def problems(self, import_id: str, cursor: str | None, limit: int) -> Page:
        """By row, then column (index import_id, _id)."""

    def reasons_by_row(self, import_id: str) -> dict[int, list[str]]:
        """Every problem's reason by row (the report; the rows the import skips)."""


class FileStore(Protocol):
    """Files in chunks of sealed (encrypted) text."""

    def put_chunk(self, key: str, index: int, sealed: str, keep_until: datetime) -> None: ...
    def chunks_of(self, key: str, chunks: int) -> list[str] | None:
        """Every chunk of a file in order; None when one is missing."""

    def keep(self, meta: dict[str, Any], sealed: list[str], keep_until: datetime) -> dict[str, Any]:
        """Store a file made for a caller (a report, an export): its ``file_id`` and chunks."""

    def purge(self, now: datetime) -> int:
        """Remove what was kept until a day before ``now``'s."""

    def meta(self, file_id: str) -> dict[str, Any] | None: ...
    def chunk(self, file_id: str, index: int) -> str | None: ...
    def drop(self, file_id: str, chunks: int) -> None: ...


class PersonLookup(Protocol):
    def by_id_hashes(self, id_hashes: list[str]) -> dict[str, Member]: ...
    def by_cards(self, card_uids: list[str]) -> dict[str, Member]: ...


class RosterUnitOfWork(UnitOfWork, Protocol):
    @property
    def roster_imports(self) -> ImportRepository: ...

    @property
    def roster_files(self) -> FileStore: ...

    @property
    def roster_people(self) -> PersonLookup: ...


@dataclass(frozen=True)
class RosterSettings:
    members: MembersSettings  # register_members' settings (cipher, clock, timezone)
    change_profile: ProfileChanger  # lifecycle's rules for the profile columns
    max_bytes: int = 20 * 1024 * 1024
    max_rows: int = 60_000
    batch: int = 500  # rows registered (and progress recorded) at a time
    chunk_bytes: int = 512 * 1024  # files travel and are stored in chunks of this size
    lease_seconds: float = 120.0  # a job's worker is presumed dead after this long silent
    upload_days: float = 7  # an uploaded file is kept this long (its job's dry run, import, report)
    made_days: float = 1  # a report or export nobody read to the end
    pause: Callable[[], None] = field(default=lambda: None)  # lets the service breathe

    def now(self) -> datetime:
        return self.members.clock()

"""A roster import as a job: its states, its counts and who asked. No I/O."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from services.infra.errors import Conflict
from services.infra.i18n import _

QUEUED, CHECKING, CHECKED, IMPORTING, DONE, FAILED = (
    "queued",
    "checking",
    "checked",
    "importing",
    "done",
    "failed",
)
STATES = (QUEUED, CHECKING, CHECKED, IMPORTING, DONE, FAILED)
WORKING = (QUEUED, CHECKING, IMPORTING)  # a timer takes these on


@dataclass(frozen=True)
class Counts:
    rows: int = 0  # data rows in the file
    checked: int = 0  # rows the dry run has gone through so far
    new: int = 0  # the dry run: persons to register
    updates: int = 0  # registered persons whose profile the row changes
    unchanged: int = 0  # registered persons the row leaves as they are
    refused: int = 0  # rows with problems (not imported)
    problems: int = 0  # problems listed
    done: int = 0  # the import: rows gone through
    created: int = 0
    updated: int = 0
    failed: int = 0  # rows refused by the import itself (the register changed since the dry run)


@dataclass(frozen=True)
class ImportJob:
    import_id: str
    org_id: str
    org_path: str
    caller: dict[str, str]  # who uploaded (the dry run) or committed (the import) it
    file_hash: str  # sha256 of the file, its chunks stored by it
    size: int
    filename: str
    created_at: datetime
    state: str = QUEUED
    format: str = ""  # xlsx | csv
    encoding: str = ""  # a CSV's: UTF-8, UTF-8 (BOM), GB18030
    counts: Counts = Counts()
    next_row: int = 2  # the import resumes from this row of the file
    error: str = ""  # why it failed
    unknown_columns: tuple[str, ...] = ()
    lease_until: datetime | None = None  # a process working on it until then
    updated_at: datetime | None = None
    version: int = 0

    @staticmethod
    def key(file_hash: str, org_id: str, subject: str) -> str:
        """The same file uploaded by the same person into the same organization is one job."""
        digest = hashlib.sha256(f"{file_hash}|{org_id}|{subject}".encode()).hexdigest()
        return "ri-" + digest[:20]

    @property
    def progress(self) -> dict[str, int]:
        if self.state in (IMPORTING, DONE):
            total = self.counts.new + self.counts.updates + self.counts.unchanged
            return {"done": self.counts.done, "total": max(total, self.counts.done)}
        return {"done": self.counts.checked, "total": self.counts.rows}

    def claimable(self, now: datetime) -> bool:
        return self.state in WORKING and (self.lease_until is None or self.lease_until <= now)

    def leased(self, now: datetime, seconds: float) -> ImportJob:
        return replace(self, lease_until=now + timedelta(seconds=seconds), updated_at=now)

    def start_import(self, caller: dict[str, str], now: datetime) -> tuple[ImportJob, bool]:
        """Commit the checked rows (as ``caller``); a commit asked again answers the job as it
        is. Only a checked job can be committed."""
        if self.state in (IMPORTING, DONE):
            return self, False
        if self.state != CHECKED:
            raise Conflict(
                _("The file is still being checked; commit it once the check is done"),
                state=self.state,
            )
        return replace(self, state=IMPORTING, caller=caller, lease_until=None, updated_at=now), True

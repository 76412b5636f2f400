"""The roster RPCs of the members service (mixed into MembersService): file chunks in and out,
import jobs (upload, read, problems, commit, report), the template and the export; a timer runs
the jobs' dry runs and imports."""

from __future__ import annotations

from typing import Any

import eventlet
from nameko.timer import timer

from services.infra.dependencies import BuiltOnce
from services.infra.rpc import rpc
from services.infra.schemas import dump, load, with_created
from services.members.lifecycle.profile import change_profile
from services.members.roster import exporting, importing, schemas
from services.members.roster.ports import RosterSettings

WORK_SECONDS = 0.5  # how soon an uploaded or committed job is taken up
PURGE_SECONDS = 3600  # old uploads and unread reports and exports are removed hourly


def roster_settings(config: dict[str, Any]) -> RosterSettings:
    """Read once at start-up (config.yml ``ROSTER``)."""
    from services.members.service import settings as members_settings

    c = config.get("ROSTER") or {}
    return RosterSettings(
        members=members_settings(config),
        change_profile=change_profile,
        max_bytes=int(c.get("max_mb", 20)) * 2**20,
        max_rows=int(c.get("max_rows", 60_000)),
        batch=int(c.get("batch", 500)),
        upload_days=float(c.get("upload_days", 7)),
        made_days=float(c.get("made_days", 1)),
        pause=lambda: eventlet.sleep(0),
    )


class RosterEntrypoints:
    """Needs ``uow`` (the MembersStore) and ``caller`` from the service class."""

    uow: Any
    caller: Any
    roster_settings: RosterSettings = BuiltOnce(roster_settings)

    @rpc
    def put_roster_chunk(self, payload: dict[str, Any]) -> None:
        cmd = load(schemas.PutChunk, payload)
        importing.put_chunk(cmd, self.uow, self.caller(), self.roster_settings)

    @rpc
    def start_roster_import(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.StartImport, payload)
        job, created = importing.start_import(cmd, self.uow, self.caller(), self.roster_settings)
        return with_created(schemas.ImportOut, job, created)

    @rpc
    def get_roster_import(self, import_id: str) -> dict[str, Any]:
        ref = load(schemas.ImportRef, {"import_id": import_id})
        job = importing.get_import(ref["import_id"], self.uow, self.caller())
        return dump(schemas.ImportOut, job)  # type: ignore[no-any-return]

    @rpc
    def list_roster_problems(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.ListProblems, query)
        items, next_cursor = importing.list_problems(cmd, self.uow, self.caller())
        return dump(schemas.ProblemsPage, {"items": items, "next_cursor": next_cursor})  # type: ignore[no-any-return]

    @rpc
    def commit_roster_import(self, import_id: str) -> dict[str, Any]:
        ref = load(schemas.ImportRef, {"import_id": import_id})
        job = importing.commit(ref["import_id"], self.uow, self.caller(), self.roster_settings)
        return dump(schemas.ImportOut, job)  # type: ignore[no-any-return]

    @rpc
    def roster_import_report(self, import_id: str) -> dict[str, Any]:
        ref = load(schemas.ImportRef, {"import_id": import_id})
        found = importing.report(ref["import_id"], self.uow, self.caller(), self.roster_settings)
        return dump(schemas.FileOut, found)  # type: ignore[no-any-return]

    @rpc
    def export_members(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.ExportMembers, payload)
        found = exporting.export_members(cmd, self.uow, self.caller(), self.roster_settings)
        return dump(schemas.FileOut, found)  # type: ignore[no-any-return]

    @rpc
    def read_roster_file(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.ReadFileChunk, payload)
        found = importing.read_file_chunk(cmd, self.uow, self.caller(), self.roster_settings)
        return dump(schemas.FileChunkOut, found)  # type: ignore[no-any-return]

    @rpc
    def roster_template(self, payload: dict[str, Any]) -> dict[str, Any]:
        fmt = load(schemas.Template, payload)["format"]
        content = exporting.template(fmt, self.caller())
        kind = importing.sheets.XLSX_TYPE if fmt == "xlsx" else importing.sheets.CSV_TYPE
        out = {"filename": f"党员名册模板.{fmt}", "content_type": kind, "data": content}
        return dump(schemas.TemplateOut, out)  # type: ignore[no-any-return]

    @timer(interval=WORK_SECONDS)
    def run_roster_imports(self) -> None:
        importing.work(self.uow, self.roster_settings)

    @timer(interval=PURGE_SECONDS)
    def purge_roster_files(self) -> None:
        importing.purge_files(self.uow, self.roster_settings)

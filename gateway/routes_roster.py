"""The roster routes of the HTTP API: the template, an import as a job (upload → dry run →
problems → commit → report) and the export of an organization's members, for secretaries and
staff within their area (the roles that register members: ``register_member``); the export
with personal data in full for staff only (``read_member_pii``), with a reason.

A file goes to the members service in chunks (``put_roster_chunk``, at most CHUNK_BYTES each,
keyed by the file's sha256, so a retried chunk changes nothing) and comes back the same way
(``read_roster_file``): no RPC message grows past about 700 KB. The upload's body may be larger
than a JSON body (gateway/guard.py: UPLOAD_MAX_BYTES for this route only)."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from flask import Response, current_app, request

from gateway.access import authorize, caller_context, current_principal, within_scope
from gateway.guard import UPLOAD_MAX_BYTES
from gateway.http_schemas import NoQuery
from gateway.http_schemas_roster import (
    ExportQuery,
    ProblemsQuery,
    RosterImportOut,
    RosterProblemsPage,
    RosterUpload,
    TemplateQuery,
)
from gateway.routing import api, org_in_scope, rpc
from gateway.smorest import secured

ORG_ID = "<string(minlength=1, maxlength=64):org_id>"
IMPORT_ID = "<string(minlength=1, maxlength=40):import_id>"
CHUNK_BYTES = 512 * 1024  # the members service's RosterSettings.chunk_bytes
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_ANSWER = "The file (Content-Disposition names it)"
CSV = "text/csv"
BINARY = {"type": "string", "format": "binary"}
# reading an uploaded file, making a report or an export of a county takes seconds, more than
# an ordinary call may (RPC_TIMEOUT_SECONDS)
FILE_SECONDS = float(os.environ.get("ROSTER_FILE_SECONDS", "60"))


def file_rpc(method: str, *args: Any) -> Any:
    """A members call that reads or makes a whole file, with the time that takes."""
    caller = caller_context(current_principal())
    client = current_app.extensions["rpc"]
    return client.call("members", method, *args, caller=caller, timeout=FILE_SECONDS)


def in_scope(job: dict[str, Any]) -> dict[str, Any]:
    within_scope(current_principal(), job["org_path"])
    return job


def download(filename: str, content_type: str, content: bytes) -> Response:
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    response = Response(content, mimetype=content_type.split(";")[0])
    if "charset" in content_type:
        response.headers["Content-Type"] = content_type
    response.headers["Content-Disposition"] = disposition
    response.headers["Cache-Control"] = "no-store"
    return response


def fetched(meta: dict[str, Any]) -> Response:
    """A file the members service made for this caller, read chunk by chunk."""
    parts = [
        rpc("members", "read_roster_file", {"file_id": meta["file_id"], "index": n})["data"]
        for n in range(int(meta["chunks"]))
    ]
    content = b"".join(base64.b64decode(part) for part in parts)
    return download(meta["filename"], meta["content_type"], content)


@api.route("/roster/template", methods=["GET"])
@secured(api, "import_roster")
@api.arguments(TemplateQuery, location="query")
@api.response(200, BINARY, description=FILE_ANSWER, content_type=XLSX)
@api.alt_response(200, schema=BINARY, description=FILE_ANSWER, content_type=CSV)  # ?format=csv
def roster_template(query: dict[str, Any]) -> Any:
    """The roster template: the headers (Chinese) and, in XLSX, the instructions sheet with an
    example of each column; CSV in UTF-8 with a BOM"""
    found = rpc("members", "roster_template", {"format": query["format"]})
    return download(found["filename"], found["content_type"], base64.b64decode(found["data"]))


def larger_form(view: Callable[..., Any]) -> Callable[..., Any]:
    """Flask's own form limit for this request: the upload's (the guard let it through)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        request.max_content_length = UPLOAD_MAX_BYTES
        return view(*args, **kwargs)

    return wrapper


@api.route(f"/orgs/{ORG_ID}/roster-imports", methods=["POST"])
@secured(api, "import_roster", 404, 409)
@larger_form
@api.arguments(RosterUpload, location="files")
@api.response(202, RosterImportOut)
def upload_roster(files: dict[str, Any], org_id: str) -> Any:
    """Upload a roster (XLSX or CSV) into an organization: answers the import job (202), whose
    dry run checks every row; the same file uploaded again by the same person answers the same
    job. A file that is not a roster is refused at once (400)"""
    org_in_scope(org_id)
    content = files["file"].read()
    file_hash = hashlib.sha256(content).hexdigest()
    chunks = [content[i : i + CHUNK_BYTES] for i in range(0, len(content), CHUNK_BYTES)]
    for index, part in enumerate(chunks):
        payload = {"file_hash": file_hash, "index": index, "data": base64.b64encode(part).decode()}
        rpc("members", "put_roster_chunk", payload)
    job = file_rpc(
        "start_roster_import",
        {
            "org_id": org_id,
            "file_hash": file_hash,
            "size": len(content),
            "chunks": max(1, len(chunks)),
            "filename": (files["file"].filename or "roster.xlsx")[-200:],
        },
    )
    job.pop("created", None)
    return in_scope(job), 202


@api.route(f"/roster-imports/{IMPORT_ID}", methods=["GET"])
@secured(api, "import_roster", 404)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.response(200, RosterImportOut)
def get_roster_import(import_id: str) -> Any:
    """An import job: its state (queued, checking, checked, importing, done, failed), counts
    and progress"""
    return in_scope(rpc("members", "get_roster_import", import_id))


@api.route(f"/roster-imports/{IMPORT_ID}/problems", methods=["GET"])
@secured(api, "import_roster", 404)
@api.arguments(ProblemsQuery, location="query")
@api.response(200, RosterProblemsPage)
def roster_problems(query: dict[str, Any], import_id: str) -> Any:
    """The problems found, by row: row, column header, the value masked, the reason in Chinese
    (paginated)"""
    in_scope(rpc("members", "get_roster_import", import_id))
    wanted = {"import_id": import_id, "cursor": query.get("cursor"), "limit": query["limit"]}
    return rpc("members", "list_roster_problems", wanted)


@api.route(f"/roster-imports/{IMPORT_ID}/commit", methods=["POST"])
@secured(api, "import_roster", 404, 409)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.response(202, RosterImportOut)
def commit_roster_import(import_id: str) -> Any:
    """Import the checked file's valid rows (202: the job imports them in batches; asked again,
    the job as it is). 409 while the file is still being checked"""
    in_scope(rpc("members", "get_roster_import", import_id))
    return in_scope(rpc("members", "commit_roster_import", import_id)), 202


@api.route(f"/roster-imports/{IMPORT_ID}/report", methods=["GET"])
@secured(api, "import_roster", 404)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.response(200, BINARY, description=FILE_ANSWER, content_type=XLSX)
def roster_report(import_id: str) -> Any:
    """The uploaded rows as XLSX with an added 错误说明 column"""
    in_scope(rpc("members", "get_roster_import", import_id))
    return fetched(file_rpc("roster_import_report", import_id))


@api.route(f"/orgs/{ORG_ID}/members/export", methods=["GET"])
@secured(api, "export_members", 404)
@api.arguments(ExportQuery, location="query")
@api.response(200, BINARY, description=FILE_ANSWER, content_type=XLSX)
def export_members(query: dict[str, Any], org_id: str) -> Any:
    """An organization's members (its own, or its subtree's; optionally of one status) as XLSX
    in the template's columns; personal data masked, or in full for staff with a reason (the
    export is audited)"""
    if query["full"]:
        authorize("read_member_pii")
    org_in_scope(org_id)
    wanted = {
        "org_id": org_id,
        "subtree": query["subtree"],
        "status": query.get("status"),
        "full": query["full"],
        "reason": query.get("reason"),
    }
    return fetched(file_rpc("export_members", wanted))

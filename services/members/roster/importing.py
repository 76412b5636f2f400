"""The roster import's handlers: a file arrives in chunks, an upload makes a job (one per file,
organization and person), a timer runs its dry run and, once committed, its import in batches
that record their progress, so a crash resumes where it stopped and a retried batch changes
nothing more."""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

from services.infra.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    ServiceError,
    Stale,
    retrying,
)
from services.infra.i18n import _
from services.infra.scope import Caller, in_subtree
from services.members.domain import Member, Org
from services.members.handlers import SECRETARIES, get_org, register_members
from services.members.roster import commands, sheets
from services.members.roster.checking import (
    NEW,
    REFUSED,
    UNCHANGED,
    UPDATE,
    Candidate,
    Context,
    Problem,
    Seen,
    compare,
    duplicates,
    read_row,
    refuse_fields,
)
from services.members.roster.columns import BY_HEADER, COLUMNS, header_of
from services.members.roster.domain import (
    CHECKED,
    CHECKING,
    DONE,
    FAILED,
    IMPORTING,
    Counts,
    ImportJob,
)
from services.members.roster.ports import RosterSettings, RosterUnitOfWork

Page = tuple[list[Any], str | None]
SEALED = "roster_file"  # the chunks' encryption context


# -- the upload ------------------------------------------------------------------------------


def put_chunk(
    cmd: commands.PutChunk, uow: RosterUnitOfWork, caller: Caller, settings: RosterSettings
) -> None:
    """One chunk of a file, stored by the file's hash (a chunk sent again changes nothing)."""
    caller.require_role(SECRETARIES)
    if (
        len(cmd.data) > settings.chunk_bytes
        or cmd.index * settings.chunk_bytes >= settings.max_bytes
    ):
        raise _too_large(settings)
    keep_until = settings.now() + timedelta(days=settings.upload_days)
    uow.roster_files.put_chunk(cmd.file_hash, cmd.index, seal(cmd.data, settings), keep_until)


def _too_large(settings: RosterSettings) -> InvalidInput:
    return sheets.bad_file(
        _("The file is larger than {mb} MB; split it", mb=settings.max_bytes // 2**20)
    )


def start_import(
    cmd: commands.StartImport, uow: RosterUnitOfWork, caller: Caller, settings: RosterSettings
) -> tuple[ImportJob, bool]:
    """The job of an uploaded file (its chunks already stored): refused at once when the file
    is not a roster (format, size, rows, headers); the same file uploaded again by the same
    person into the same organization answers the job it already has."""
    caller.require_role(SECRETARIES)
    org = get_org(cmd.org_id, uow, caller)
    import_id = ImportJob.key(cmd.file_hash, org.org_id, caller.subject)
    existing = uow.roster_imports.get(import_id)
    if existing is not None:
        caller.require(existing.org_path)
        return existing, False
    if cmd.size > settings.max_bytes:
        raise _too_large(settings)
    content = _content(cmd.file_hash, cmd.chunks, uow, settings)
    if content is None or len(content) != cmd.size or sha256(content) != cmd.file_hash:
        raise sheets.bad_file(_("The file did not arrive whole; upload it again"))
    table = sheets.read_table(content, settings.max_rows)
    fields, unknown = _columns(table)
    missing = [c.header for c in COLUMNS if c.required and c.field not in fields.values()]
    if missing:
        raise sheets.bad_file(
            _("Columns missing: {headers}; start from the template", headers="、".join(missing))
        )
    rows = _data_rows(table)
    if not rows:
        raise sheets.bad_file(_("The file has no member rows below its headers"))
    job = ImportJob(
        import_id=import_id,
        org_id=org.org_id,
        org_path=org.path,
        caller=caller.as_context(),
        file_hash=cmd.file_hash,
        size=cmd.size,
        filename=cmd.filename,
        created_at=settings.now(),
        format=table.format,
        encoding=table.encoding,
        counts=Counts(rows=rows),
        unknown_columns=tuple(unknown),
    )
    return uow.roster_imports.add(job)


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def seal(data: bytes, settings: RosterSettings) -> str:
    """A chunk as stored: encrypted (a roster holds ID numbers, phones and addresses)."""
    return settings.members.cipher.encrypt(base64.b64encode(data).decode(), SEALED)


def unseal(sealed: str, settings: RosterSettings) -> bytes:
    return base64.b64decode(settings.members.cipher.decrypt(sealed, SEALED))


def _content(
    key: str, chunks: int, uow: RosterUnitOfWork, settings: RosterSettings
) -> bytes | None:
    sealed = uow.roster_files.chunks_of(key, chunks)
    return None if sealed is None else b"".join(unseal(part, settings) for part in sealed)


def _columns(table: sheets.Table) -> tuple[dict[int, str], list[str]]:
    """The field of each known column by position, and the headers nobody knows."""
    fields: dict[int, str] = {}
    unknown: list[str] = []
    for index, raw in enumerate(table.headers):
        header = header_of(raw)
        column = BY_HEADER.get(header)
        if column is not None and column.field not in fields.values():
            fields[index] = column.field
        elif header:
            unknown.append(header)
    return fields, unknown


def _data_rows(table: sheets.Table) -> int:
    return sum(1 for _n, _cells in _rows(table, 2))


def _rows(table: sheets.Table, first: int) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) of the non-blank rows from row ``first`` on."""
    for number in range(max(first, table.first_data_row), len(table.rows) + 1):
        cells = table.rows[number - 1]
        if any(c is not None and c != "" for c in cells):
            yield number, cells


# -- reading a job ---------------------------------------------------------------------------


def get_import(import_id: str, uow: RosterUnitOfWork, caller: Caller) -> ImportJob:
    caller.require_role(SECRETARIES)
    job = uow.roster_imports.get(import_id)
    if job is None:
        raise NotFound(_("Unknown roster import"), import_id=import_id)
    caller.require(job.org_path)
    return job


def list_problems(cmd: commands.ListProblems, uow: RosterUnitOfWork, caller: Caller) -> Page:
    job = get_import(cmd.import_id, uow, caller)
    return uow.roster_imports.problems(job.import_id, cmd.cursor, cmd.limit)  # type: ignore[no-any-return]


def report(
    import_id: str, uow: RosterUnitOfWork, caller: Caller, settings: RosterSettings
) -> dict[str, Any]:
    """The uploaded rows with an 错误说明 column, kept as a file for the caller to download."""
    job = get_import(import_id, uow, caller)
    table = _table(job, uow, settings)
    reasons = uow.roster_imports.reasons_by_row(job.import_id)
    content = sheets.report(table, reasons)
    name = job.filename.rsplit(".", 1)[0] + "-错误说明.xlsx"
    return keep_file(content, name, job.org_path, uow, caller, settings)


def keep_file(
    content: bytes,
    filename: str,
    org_path: str,
    uow: RosterUnitOfWork,
    caller: Caller,
    settings: RosterSettings,
) -> dict[str, Any]:
    meta = {
        "filename": filename,
        "content_type": sheets.XLSX_TYPE,
        "owner": caller.subject,
        "org_path": org_path,
        "created_at": settings.now().isoformat(),
    }
    size = settings.chunk_bytes
    parts = [content[i : i + size] for i in range(0, len(content), size)] or [b""]
    sealed = [seal(part, settings) for part in parts]
    keep_until = settings.now() + timedelta(days=settings.made_days)
    return uow.roster_files.keep({**meta, "size": len(content)}, sealed, keep_until)


def purge_files(uow: RosterUnitOfWork, settings: RosterSettings) -> int:
    """Remove uploads past ``upload_days`` and made files past ``made_days`` (whole days)."""
    return uow.roster_files.purge(settings.now())


def read_file_chunk(
    cmd: commands.ReadFileChunk, uow: RosterUnitOfWork, caller: Caller, settings: RosterSettings
) -> dict[str, Any]:
    """A chunk of a file made for this caller (a report, an export), for nobody else; read once:
    the file is gone after its last chunk (asked again, it is made again)."""
    meta = uow.roster_files.meta(cmd.file_id)
    if meta is None or meta.get("owner") != caller.subject:
        raise NotFound(_("Unknown file"), file_id=cmd.file_id)
    caller.require(meta["org_path"])
    sealed = uow.roster_files.chunk(cmd.file_id, cmd.index) if cmd.index < meta["chunks"] else None
    if sealed is None:
        raise NotFound(_("Unknown file"), file_id=cmd.file_id)
    if cmd.index == meta["chunks"] - 1:
        uow.roster_files.drop(cmd.file_id, meta["chunks"])
    return {**meta, "index": cmd.index, "data": unseal(sealed, settings)}


def _table(job: ImportJob, uow: RosterUnitOfWork, settings: RosterSettings) -> sheets.Table:
    chunks = -(-job.size // settings.chunk_bytes) if job.size else 1
    content = _content(job.file_hash, chunks, uow, settings)
    if content is None:
        raise sheets.bad_file(_("The file did not arrive whole; upload it again"))
    return sheets.read_table(content, settings.max_rows)


# -- the dry run and the import (a timer runs them) -----------------------------------------


def commit(
    import_id: str, uow: RosterUnitOfWork, caller: Caller, settings: RosterSettings
) -> ImportJob:
    """Import the checked file's valid rows (the timer does it, in batches); asked again, the
    job as it is."""
    job = get_import(import_id, uow, caller)
    started, changed = job.start_import(caller.as_context(), settings.now())
    if not changed:
        return job
    try:
        return uow.roster_imports.save(started)
    except Stale:
        return get_import(import_id, uow, caller)


def work(uow: RosterUnitOfWork, settings: RosterSettings, limit: int = 5) -> int:
    """Take up the jobs waiting (a dry run or an import), each under a lease so that one process
    works on it; a job whose worker died is taken up again once its lease has run out."""
    taken = 0
    for job in uow.roster_imports.working(limit):
        now = settings.now()
        if not job.claimable(now):
            continue
        try:
            job = uow.roster_imports.save(job.leased(now, settings.lease_seconds))
        except Stale:
            continue
        taken += 1
        try:
            if job.state == IMPORTING:
                run_import(job, uow, settings)
            else:
                dry_run(job, uow, settings)
        except (ServiceError, Stale) as error:
            _failed(job, error, uow)
    return taken


def _failed(job: ImportJob, error: Exception, uow: RosterUnitOfWork) -> None:
    if isinstance(error, Stale):
        return  # another process took the job over
    current = uow.roster_imports.get(job.import_id) or job
    message = error.message if isinstance(error, ServiceError) else str(error)
    uow.roster_imports.save(replace(current, state=FAILED, error=message, lease_until=None))


def _context(
    job: ImportJob,
    table: sheets.Table,
    uow: RosterUnitOfWork,
    caller: Caller,
    settings: RosterSettings,
) -> Context:
    """The organizations the file names that lie within the job's organization and the
    caller's area (any other is unknown to the file), read once each."""
    fields, _unknown = _columns(table)
    at = next((i for i, f in fields.items() if f == "org_id"), None)
    named = {job.org_id}
    if at is not None:
        rows = table.rows[table.header_row :]
        named |= {str(r[at]).strip() for r in rows if at < len(r) and r[at]}
    orgs: dict[str, Org] = {}
    for org_id in sorted(named):
        org = uow.orgs.get(org_id)
        if org is None or org.dissolved:
            continue
        if in_subtree(org.path, job.org_path) and caller.covers(org.path):
            orgs[org_id] = org
    return Context(
        default_org_id=job.org_id,
        orgs=orgs,
        cipher=settings.members.cipher,
        today=settings.now().astimezone(settings.members.timezone).date(),
        change_profile=settings.change_profile,
    )


def _candidates(
    table: sheets.Table, first: int, last: int | None, ctx: Context, skip: set[int]
) -> list[Candidate]:
    fields, _unknown = _columns(table)
    found = []
    for number, cells in _rows(table, first):
        if last is not None and number > last:
            break
        if number in skip:
            continue
        values = {f: cells[i] if i < len(cells) else None for i, f in fields.items()}
        found.append(read_row(number, values, ctx))
    return found


def _compare_all(
    found: list[Candidate], uow: RosterUnitOfWork, caller: Caller, job: ImportJob, ctx: Context
) -> None:
    """Each row against the register, the persons and cards read in batches."""
    ready = [c for c in found if c.ok and c.member is not None]
    people = uow.roster_people.by_id_hashes([c.member.id_hash for c in ready if c.member])
    cards = uow.roster_people.by_cards(
        [c.member.card_uid for c in ready if c.member and c.member.card_uid]
    )

    def covers(path: str) -> bool:
        return caller.covers(path) and in_subtree(path, job.org_path)

    for c in ready:
        assert c.member is not None
        holder = cards.get(c.member.card_uid) if c.member.card_uid else None
        compare(c, people.get(c.member.id_hash), holder, covers, ctx)


def dry_run(job: ImportJob, uow: RosterUnitOfWork, settings: RosterSettings) -> ImportJob:
    """Check every row, a batch at a time (its progress recorded), then across the file (the
    same person or card twice); store each problem; count what the import would do. Of each
    row only what the check across the file needs is kept past its batch."""
    caller = Caller.from_context(job.caller)
    table = _table(job, uow, settings)
    ctx = _context(job, table, uow, caller, settings)
    problems = [
        Problem(table.header_row, header, "", _("Unknown column {header}: ignored", header=header))
        for header in job.unknown_columns
    ]
    kinds: Counter[str] = Counter()
    seen: list[Seen] = []
    refused: set[int] = set()
    for start in range(table.first_data_row, len(table.rows) + 1, settings.batch):
        batch = _candidates(table, start, start + settings.batch - 1, ctx, set())
        _compare_all(batch, uow, caller, job, ctx)
        for c in batch:
            problems += c.problems
            kinds[c.kind] += 1
            seen += filter(None, [Seen.of(c)])
        refused |= {c.row for c in batch if not c.ok}
        checking = replace(
            job, state=CHECKING, counts=replace(job.counts, checked=sum(kinds.values()))
        )
        job = uow.roster_imports.save(checking.leased(settings.now(), settings.lease_seconds))
        settings.pause()
    for s, problem in duplicates(seen):
        problems.append(problem)
        if s.row not in refused:
            refused.add(s.row)
            kinds[s.kind] -= 1
            kinds[REFUSED] += 1
    uow.roster_imports.set_problems(job.import_id, problems)
    counts = Counts(
        rows=sum(kinds.values()),
        checked=sum(kinds.values()),
        new=kinds[NEW],
        updates=kinds[UPDATE],
        unchanged=kinds[UNCHANGED],
        refused=len(refused),
        problems=len(problems),
    )
    checked = replace(
        job, state=CHECKED, counts=counts, lease_until=None, updated_at=settings.now()
    )
    return uow.roster_imports.save(checked)


def run_import(job: ImportJob, uow: RosterUnitOfWork, settings: RosterSettings) -> ImportJob:
    """Register the new rows and update the changed ones, a batch at a time from where the job
    stopped, recording progress after each; each row is checked again against the register as
    it is now (a row refused now is listed with the dry run's problems, not imported)."""
    caller = Caller.from_context(job.caller)
    table = _table(job, uow, settings)
    ctx = _context(job, table, uow, caller, settings)
    skip = set(uow.roster_imports.reasons_by_row(job.import_id))
    while job.next_row <= len(table.rows):
        last = job.next_row + settings.batch - 1
        found = _candidates(table, job.next_row, last, ctx, skip)
        _compare_all(found, uow, caller, job, ctx)
        created, updated = _apply(found, uow, caller, settings, ctx)
        refused = [c for c in found if not c.ok]
        uow.roster_imports.add_problems(job.import_id, [p for c in refused for p in c.problems])
        counts = job.counts
        job = uow.roster_imports.save(
            replace(
                job,
                next_row=last + 1,
                counts=replace(
                    counts,
                    done=counts.done + len(found),
                    created=counts.created + created,
                    updated=counts.updated + updated,
                    failed=counts.failed + len(refused),
                    problems=counts.problems + sum(len(c.problems) for c in refused),
                ),
            ).leased(settings.now(), settings.lease_seconds)
        )
        settings.pause()
    return uow.roster_imports.save(
        replace(job, state=DONE, lease_until=None, updated_at=settings.now())
    )


def _apply(
    found: list[Candidate],
    uow: RosterUnitOfWork,
    caller: Caller,
    settings: RosterSettings,
    ctx: Context,
) -> tuple[int, int]:
    """Register the batch's new persons (with their profile) and save the changed profiles;
    (created, updated)."""
    new = [c for c in found if c.kind == NEW and c.cmd is not None]
    created = sum(was_created for _member, was_created in _register(new, uow, caller, settings))
    updated = 0
    for c in found:
        if c.kind == UPDATE and c.existing is not None:
            try:
                updated += _save_profile(c.existing, dict(c.profile), uow, ctx)
            except InvalidInput as refused:  # the member changed since the check
                refuse_fields(c, refused)
            except ServiceError as refused:  # changed again and again meanwhile
                c.refuse("id_number", refused.message)
    return created, updated


def _register(
    new: list[Candidate], uow: RosterUnitOfWork, caller: Caller, settings: RosterSettings
) -> list[tuple[Member | None, bool]]:
    """register_members for the batch; when it refuses one, each on its own (a refused row gets
    its problem)."""
    cmds = [c.cmd for c in new if c.cmd is not None]
    try:
        return list(register_members(cmds, uow, caller, settings.members))
    except ServiceError:
        pass
    results: list[tuple[Member | None, bool]] = []
    for c in new:
        assert c.cmd is not None
        try:
            [(member, was_created)] = register_members([c.cmd], uow, caller, settings.members)
            results.append((member, was_created))
        except InvalidInput as refused:
            refuse_fields(c, refused)
            results.append((None, False))
        except Conflict as refused:  # the card went to someone else meanwhile
            c.refuse("card_uid" if c.cmd.card_uid else "id_number", refused.message)
            results.append((None, False))
        except ServiceError as refused:  # e.g. registered outside the area meanwhile
            c.refuse("id_number", refused.message)
            results.append((None, False))
    return results


def _save_profile(
    member: Member, changes: dict[str, Any], uow: RosterUnitOfWork, ctx: Context
) -> bool:
    """Apply the profile changes (lifecycle's rules, ``member_updated``); read again and retry
    when the member changed meanwhile (a Conflict after the last try, never a silent skip).
    True when something changed."""

    def attempt() -> bool:
        nonlocal member
        changed, events = ctx.change_profile(member, changes, ctx.cipher, ctx.today)
        if not events:
            return False
        try:
            uow.members.save(changed, events)  # type: ignore[attr-defined]
        except Stale:
            member = uow.members.get(member.member_id) or member
            raise
        return True

    return retrying(attempt, _("Too many concurrent changes to this member; try again"))

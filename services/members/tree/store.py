"""The register's repositories over the members database (MembersStore mixes them in): the
organizations' history, the move jobs, and a move's batch rewrites of everything kept by path.

Every rewrite finds its documents by equality on an indexed key (a subtree's organizations,
members and sign-in attempts by ``ancestors``; meetings, invitations, kiosks, home branches and
account scopes by the exact path of each moved organization), since the embedded engine's
indexes serve equality only; each rewritten document no longer matches, so a repeated batch
changes nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pymongo import UpdateOne

from services.infra import paging
from services.infra.events import Event, stamp
from services.infra.outbox import set_with_events
from services.infra.repository import insert_once, page
from services.infra.scope import ancestors
from services.members.accounts.store import Accounts
from services.members.domain import Org, org_ids_on
from services.members.tree.domain import MoveJob, moved_path

NEWEST_FIRST = [("at", -1), ("_id", -1)]
ANCESTORS_MARK = "org_ancestors"  # store_versions: every organization carries its ancestors


class OrgHistoryLog:
    def __init__(self, db: Any) -> None:
        self.c = db.org_history

    def record(self, entry: Any) -> None:
        doc = {k: v for k, v in entry.items() if k != "change_id"}
        insert_once(self.c, {"_id": entry["change_id"], **doc, "at": stamp(entry["at"])})

    def of_org(self, org_id: str, cursor: str | None, limit: int) -> tuple[list[Any], str | None]:
        """Newest first (index org_id, at, _id)."""
        after = paging.decode(cursor, ("at", "_id"))
        rows, position = page(self.c, {"org_id": org_id}, NEWEST_FIRST, after, limit)
        items = [
            {
                **{k: v for k, v in r.items() if k != "_id"},
                "change_id": r["_id"],
                "at": datetime.fromisoformat(r["at"]),
            }
            for r in rows
        ]
        return items, paging.encode(position)


def _job_doc(job: MoveJob) -> dict[str, Any]:
    return {
        "_id": job.move_id,
        "org_id": job.org_id,
        "from_path": job.from_path,
        "to_path": job.to_path,
        "new_parent_id": job.new_parent_id,
        "old_parent_id": job.old_parent_id,
        "orgs": job.orgs,
        "members": job.members,
        "by_status": dict(job.by_status),
        "started_at": stamp(job.started_at),
        "actor": dict(job.actor),
        "state": job.state,
        "phase": job.phase,
        "cursor": job.cursor,
        "progress": dict(job.progress),
        "finished_at": stamp(job.finished_at) if job.finished_at else None,
    }


def _job(doc: dict[str, Any] | None) -> MoveJob | None:
    if doc is None:
        return None
    finished = doc.get("finished_at")
    return MoveJob(
        move_id=doc["_id"],
        org_id=doc["org_id"],
        from_path=doc["from_path"],
        to_path=doc["to_path"],
        new_parent_id=doc["new_parent_id"],
        old_parent_id=doc.get("old_parent_id"),
        orgs=int(doc["orgs"]),
        members=int(doc["members"]),
        by_status={k: int(v) for k, v in (doc.get("by_status") or {}).items()},
        started_at=datetime.fromisoformat(doc["started_at"]),
        actor=doc.get("actor") or {},
        state=doc["state"],
        phase=doc["phase"],
        cursor=doc.get("cursor"),
        progress={k: int(v) for k, v in (doc.get("progress") or {}).items()},
        finished_at=datetime.fromisoformat(finished) if finished else None,
    )


class OrgMoves:
    def __init__(self, db: Any) -> None:
        self.c = db.org_moves

    def add(self, job: MoveJob) -> None:
        insert_once(self.c, _job_doc(job))

    def get(self, move_id: str) -> MoveJob | None:
        return _job(self.c.find_one({"_id": move_id}))

    def running(self) -> list[MoveJob]:
        found = self.c.find({"state": "running"}).sort([("_id", 1)]).limit(1000)
        return [j for j in map(_job, found) if j is not None]

    def latest_of(self, org_id: str) -> MoveJob | None:
        found = list(
            self.c.find({"org_id": org_id}).sort([("started_at", -1), ("_id", -1)]).limit(1)
        )
        return _job(found[0]) if found else None

    def advance(self, job: MoveJob, phase: str, cursor: str | None = None) -> bool:
        fields: dict[str, Any] = {"phase": phase, "cursor": cursor}
        if phase == "done":
            fields.update(state="done", finished_at=stamp(datetime.now().astimezone()))
        result = self.c.update_one({"_id": job.move_id, "phase": job.phase}, {"$set": fields})
        return bool(result.modified_count == 1)

    def set_cursor(self, job: MoveJob, cursor: str) -> None:
        self.c.update_one({"_id": job.move_id, "phase": job.phase}, {"$set": {"cursor": cursor}})

    def count(self, job: MoveJob, what: str, n: int) -> None:
        if n:
            self.c.update_one({"_id": job.move_id}, {"$inc": {f"progress.{what}": n}})

    def drop(self, move_id: str) -> None:
        self.c.delete_one({"_id": move_id, "phase": "root"})


def _rewrite(collection: Any, key: str, docs: list[dict[str, Any]], sets: list[Any]) -> int:
    """One batch: each document's new fields, if it still has the path it was read with. A
    versioned document (organizations, members) gets a new version, so a save from what was
    read before the move fails (``Stale``) instead of writing the old path back."""
    if not docs:
        return 0
    versioned = key == "path" or collection.name == "members"
    change: Any = {"$inc": {"version": 1}} if versioned else {}
    updates = [
        UpdateOne({"_id": d["_id"], key: d[key]}, {"$set": s, **change})
        for d, s in zip(docs, sets, strict=True)
    ]
    collection.bulk_write(updates, ordered=False)
    return len(docs)


def _moved(collection: Any, key: str, from_path: str, to_path: str, limit: int) -> int:
    """A batch of a subtree's documents (``ancestors`` holds ``from_path``) moved to
    ``to_path``: their ``key`` path and ``ancestors``."""
    docs = list(collection.find({"ancestors": from_path}, {key: 1}).limit(limit))
    sets = []
    for d in docs:
        path = moved_path(d[key], from_path, to_path)
        fields: dict[str, Any] = {key: path, "ancestors": ancestors(path)}
        if key == "path":
            fields["depth"] = len(org_ids_on(path))
        sets.append(fields)
    return _rewrite(collection, key, docs, sets)


class Paths:
    """A move's rewrites of the members database (the move job drives them in order)."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self.accounts = Accounts(db)

    def move_root(self, job: MoveJob) -> None:
        self._backfill_ancestors()
        self.db.orgs.update_one(
            {"_id": job.org_id, "path": job.from_path},
            {
                "$set": {
                    "parent_id": job.new_parent_id,
                    "path": job.to_path,
                    "ancestors": ancestors(job.to_path),
                    "depth": len(org_ids_on(job.to_path)),
                },
                "$inc": {"version": 1},
            },
        )

    def _backfill_ancestors(self) -> None:
        """Organizations stored before they carried ``ancestors`` (a move finds a subtree by
        it) get it before the first move of a database: one pass over those lacking it, then
        a mark in ``store_versions`` (a database written since has it on every organization)."""
        if self.db.store_versions.find_one({"_id": ANCESTORS_MARK}):
            return
        for doc in self.db.orgs.find({"ancestors": {"$exists": False}}, {"path": 1}):
            self.db.orgs.update_one(
                {"_id": doc["_id"], "path": doc["path"]},
                {"$set": {"ancestors": ancestors(doc["path"])}},
            )
        self.db.store_versions.update_one(
            {"_id": ANCESTORS_MARK}, {"$set": {"done": True}}, upsert=True
        )

    def shift_counters(self, job: MoveJob) -> None:
        old = org_ids_on(job.from_path)[:-1]
        new = org_ids_on(job.to_path)[:-1]
        shared = set(old) & set(new)
        lowered = {"counts.orgs_below": -job.orgs, "counts.members": -job.members}
        lowered.update({f"counts.by_status.{s}": -n for s, n in job.by_status.items() if n})
        raised = {k: -v for k, v in lowered.items()}
        if [i for i in old if i not in shared]:
            self.db.orgs.update_many(
                {"_id": {"$in": [i for i in old if i not in shared]}}, {"$inc": lowered}
            )
        if [i for i in new if i not in shared]:
            self.db.orgs.update_many(
                {"_id": {"$in": [i for i in new if i not in shared]}}, {"$inc": raised}
            )
        if old:
            self.db.orgs.update_one({"_id": old[-1]}, {"$inc": {"counts.children": -1}})
        self.db.orgs.update_one({"_id": new[-1]}, {"$inc": {"counts.children": 1}})

    def rewrite_orgs(self, from_path: str, to_path: str, limit: int) -> int:
        return _moved(self.db.orgs, "path", from_path, to_path, limit)

    def rewrite_members(self, from_path: str, to_path: str, limit: int) -> int:
        return _moved(self.db.members, "org_path", from_path, to_path, limit)

    def rewrite_attempts(self, from_path: str, to_path: str, limit: int) -> int:
        """Staff sign-in attempts and members' phone sign-in records filed under the subtree."""
        staff = _moved(self.db.sign_in_attempts, "org_path", from_path, to_path, limit)
        return staff + _moved(self.db.member_sign_ins, "org_path", from_path, to_path, limit)

    def subtree_after(self, path: str, after: str | None, limit: int) -> list[Org]:
        from services.members.store import _org  # the one mapping of an org document

        rows, _position = page(
            self.db.orgs,
            {"ancestors": path},
            [("_id", 1)],
            {"_id": after} if after else None,
            limit,
        )
        return [_org(r) for r in rows]

    def rewrite_keyed(self, old_path: str, new_path: str) -> int:
        from services.members.store import window_keys

        n = 0
        meetings = self.db.meetings
        for d in meetings.find({"org_path": old_path}, {"opens_at": 1, "closes_at": 1}):
            keys = window_keys(
                new_path,
                datetime.fromisoformat(d["opens_at"]),
                datetime.fromisoformat(d["closes_at"]),
            )
            meetings.update_one(
                {"_id": d["_id"], "org_path": old_path},
                {"$set": {"org_path": new_path, "window_keys": keys}},
            )
            n += 1
        for d in meetings.find({"invited_org_paths": old_path}, {"invited_org_paths": 1}):
            invited = [new_path if p == old_path else p for p in d["invited_org_paths"]]
            meetings.update_one({"_id": d["_id"]}, {"$set": {"invited_org_paths": invited}})
            n += 1
        n += self.db.kiosks.update_many(
            {"org_path": old_path}, {"$set": {"org_path": new_path}}
        ).modified_count
        n += self.db.members.update_many(
            {"home_org_path": old_path}, {"$set": {"home_org_path": new_path}}
        ).modified_count
        n += self._rewrite_mobile_hosts(old_path, new_path)
        n += self._rewrite_orglife(old_path, new_path)
        n += self._rewrite_dues_charges(old_path, new_path)
        n += self.accounts.move_scopes(old_path, new_path)
        return int(n)

    def _rewrite_mobile_hosts(self, old_path: str, new_path: str) -> int:
        """mobile/: members taking part at the moved organization (their home may lie anywhere)
        get its new path and ancestors (index mobile_host_ancestors)."""
        hosted = {"mobile_host_ancestors": old_path, "mobile.host_org_path": old_path}
        update = {
            "$set": {"mobile.host_org_path": new_path, "mobile_host_ancestors": ancestors(new_path)}
        }
        return int(self.db.members.update_many(hosted, update).modified_count)

    def _rewrite_orglife(self, old_path: str, new_path: str) -> int:
        """orglife/: pending leave for the moved organization's meetings (the approvals page
        finds it by pending_under), and the attendance sheets' rows of its members (their home
        organization reads them by its path)."""
        pending = {"pending_under": old_path, "meeting_org_path": old_path}
        moved_leave = {"$set": {"meeting_org_path": new_path, "pending_under": ancestors(new_path)}}
        n = self.db.leave_requests.update_many(pending, moved_leave).modified_count
        rows = {"member_org_path": old_path}
        moved_rows = {
            "$set": {"member_org_path": new_path, "member_ancestors": ancestors(new_path)}
        }
        n += self.db.attendance_sheets.update_many(rows, moved_rows).modified_count
        return int(n)

    def _rewrite_dues_charges(self, old_path: str, new_path: str) -> int:
        """dues/: the moved organization's charges (the undeclared list finds them by
        ancestors); the tallies stay where they were counted, keyed by organization id."""
        org_id = old_path.rsplit("/", 1)[-1]
        charges = {"org_id": org_id, "org_path": old_path}
        moved = {"$set": {"org_path": new_path, "ancestors": ancestors(new_path)}}
        return int(self.db.dues_charges.update_many(charges, moved).modified_count)

    def publish_moved(self, job: MoveJob, events: list[Event]) -> None:
        self.db.orgs.update_one(
            {"_id": job.org_id, "moved_by": {"$ne": job.move_id}},
            set_with_events({"moved_by": job.move_id}, events),
        )


class TreeStore:
    INDEXES: ClassVar[dict[str, list[Any]]] = {
        "org_history": [([("org_id", 1), ("at", -1), ("_id", -1)], {})],
        "org_moves": [
            ([("state", 1)], {}),
            ([("org_id", 1), ("started_at", -1), ("_id", -1)], {}),
        ],
    }

    def __init__(self, db: Any) -> None:
        self.db = db
        self.org_history = OrgHistoryLog(db)
        self.org_moves = OrgMoves(db)
        self.paths = Paths(db)

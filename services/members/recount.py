"""The members service's counters: rebuilt from the stored documents, for repair and for data
stored before they existed. Never run on a request: it reads every organization, member,
meeting and attendance once.

What is counted, and where it is kept up as things are created (services/members/store.py):

- ``orgs.counts``: ``children`` (direct sub-organizations), ``orgs_below`` (organizations in the
  subtree, itself excluded), ``own_members``, ``members`` (the subtree's, its own included);
  raised by create_org and register_member.
- ``meetings.signed_in``: members signed in.
- ``tallies`` (``<org_id>|<YYYY-MM>``): meetings starting that month in the organization's
  subtree and sign-ins at them; raised by schedule_meeting for the organization and every one
  above it.
- Sign-ins (``signed_in`` and the tallies' attendance) are counted off the card-swipe path:
  handlers.count_sign_ins folds the sign-ins recorded since its last run every
  COUNT_SIGN_INS_SECONDS, one write per meeting and per organization above it.

A created document carries the ``uncounted`` mark until its counters have been raised; the call
that clears the mark (one conditional update; for sign-ins, a claim with a token) raises them,
so a repeated create counts once and a retried create counts what a crash left uncounted. A
crash between clearing the mark and raising the counters leaves them short: ``python -m services.members.recount`` (quiet
system) sets them right. The members service runs the rebuild once when it starts on a
database written before the counters existed (``store_versions``).
"""

from __future__ import annotations

import argparse
import os
from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from services.infra.events import stamp
from services.infra.scope import ancestors

VERSION = 3  # 2: meetings' window_keys (a kiosk's meetings of the day); 3: members by status
MARKER = "counters"
DEFAULT_TIMEZONE = "Asia/Shanghai"


def upgrade(db: Any, zone: ZoneInfo) -> bool:
    """Rebuild once for a database stored before the counters (True when it did)."""
    found = db.store_versions.find_one({"_id": MARKER})
    if found and int(found.get("version", 0)) >= VERSION:
        return False
    rebuild(db, zone)
    _mark(db)
    return True


def _mark(db: Any) -> None:
    db.store_versions.replace_one({"_id": MARKER}, {"_id": MARKER, "version": VERSION}, upsert=True)


def rebuild(db: Any, zone: ZoneInfo) -> dict[str, int]:
    """Every counter from the documents; the fields the lists are served by filled in where an
    older version did not store them. Returns how many documents of each kind were read."""
    orgs = _orgs(db)
    own, own_by_status = _members(db)
    meetings = _meetings(db, zone)
    signed_in, attended = _attendance(db, meetings)
    children: Counter[str] = Counter()
    below: Counter[str] = Counter()
    members: Counter[str] = Counter()
    by_status: dict[str, Counter[str]] = {}
    for path in orgs.values():
        children[path.rsplit("/", 1)[0]] += 1
        below.update(ancestors(path)[:-1])
    for path, n in own.items():
        for above in ancestors(path):
            members[above] += n
    for path, statuses in own_by_status.items():
        for above in ancestors(path):
            by_status.setdefault(above, Counter()).update(statuses)
    for org_id, path in orgs.items():
        counts = {
            "children": children[path],
            "orgs_below": below[path],
            "own_members": own[path],
            "members": members[path],
            "by_status": dict(by_status.get(path, {})),
        }
        db.orgs.update_one(
            {"_id": org_id},
            {
                "$set": {"counts": counts, "depth": len(ancestors(path))},
                "$unset": {"uncounted": ""},
            },
        )
    for meeting_id, (_path, _month) in meetings.items():
        db.meetings.update_one(
            {"_id": meeting_id},
            {"$set": {"signed_in": signed_in[meeting_id]}, "$unset": {"uncounted": ""}},
        )
    _tallies(db, meetings, attended)
    for collection in (db.members, db.attendance):  # a mark, or a claim a crash left behind
        collection.update_many({"uncounted": {"$exists": True}}, {"$unset": {"uncounted": ""}})
    return {
        "orgs": len(orgs),
        "members": sum(own.values()),
        "meetings": len(meetings),
        "attendance": sum(signed_in.values()),
    }


def _orgs(db: Any) -> dict[str, str]:
    return {doc["_id"]: doc["path"] for doc in db.orgs.find({}, {"path": 1})}


def _members(db: Any) -> tuple[Counter[str], dict[str, Counter[str]]]:
    """Members in the register by organization path, and members of every status by path;
    ancestors and name keys filled in where missing."""
    from services.members.domain import IN_REGISTER
    from services.members.store import name_keys

    own: Counter[str] = Counter()
    by_status: dict[str, Counter[str]] = {}
    wanted = {"org_path": 1, "name": 1, "ancestors": 1, "name_keys": 1, "status": 1}
    for doc in db.members.find({}, wanted):
        by_status.setdefault(doc["org_path"], Counter())[doc["status"]] += 1
        if doc["status"] in IN_REGISTER:
            own[doc["org_path"]] += 1
        if "ancestors" not in doc or "name_keys" not in doc:
            fields = {"ancestors": ancestors(doc["org_path"]), "name_keys": name_keys(doc["name"])}
            db.members.update_one({"_id": doc["_id"]}, {"$set": fields})
    return own, by_status


def _meetings(db: Any, zone: ZoneInfo) -> dict[str, tuple[str, str]]:
    """Each meeting's organization path and month; times stored at fixed width and the kiosks'
    window keys filled in where not."""
    from services.members.store import window_keys

    found = {}
    wanted = {"org_path": 1, "starts_at": 1, "opens_at": 1, "closes_at": 1, "window_keys": 1}
    for doc in db.meetings.find({}, wanted):
        times = {k: datetime.fromisoformat(doc[k]) for k in ("starts_at", "opens_at", "closes_at")}
        fixed: dict[str, Any] = {k: stamp(v) for k, v in times.items() if stamp(v) != doc[k]}
        if "window_keys" not in doc:
            fixed["window_keys"] = window_keys(
                doc["org_path"], times["opens_at"], times["closes_at"]
            )
        if fixed:
            db.meetings.update_one({"_id": doc["_id"]}, {"$set": fixed})
        found[doc["_id"]] = (doc["org_path"], f"{times['starts_at'].astimezone(zone):%Y-%m}")
    return found


def _attendance(
    db: Any, meetings: dict[str, tuple[str, str]]
) -> tuple[Counter[str], Counter[tuple[str, str]]]:
    """Sign-ins per meeting, and per (organization path, month) of the meeting; times stored
    at fixed width and the recording time filled in where not."""
    per_meeting: Counter[str] = Counter()
    per_month: Counter[tuple[str, str]] = Counter()
    for doc in db.attendance.find({}, {"meeting_id": 1, "checked_in_at": 1, "recorded_at": 1}):
        per_meeting[doc["meeting_id"]] += 1
        if doc["meeting_id"] in meetings:
            per_month[meetings[doc["meeting_id"]]] += 1
        checked_in_at = stamp(datetime.fromisoformat(doc["checked_in_at"]))
        if checked_in_at != doc["checked_in_at"] or "recorded_at" not in doc:
            fields = {"checked_in_at": checked_in_at}
            fields["recorded_at"] = doc.get("recorded_at") or checked_in_at
            db.attendance.update_one({"_id": doc["_id"]}, {"$set": fields})
    return per_meeting, per_month


def _tallies(
    db: Any, meetings: dict[str, tuple[str, str]], attended: Counter[tuple[str, str]]
) -> None:
    tallies: dict[tuple[str, str], dict[str, int]] = {}
    for kind, counted in (("meetings", Counter(meetings.values())), ("attendance", attended)):
        for (path, month), n in counted.items():
            for above in ancestors(path):
                tally = tallies.setdefault((above.rsplit("/", 1)[1], month), Counter())
                tally[kind] += n
    db.tallies.delete_many({})
    for (org_id, month), tally in tallies.items():
        db.tallies.insert_one(
            {
                "_id": f"{org_id}|{month}",
                "org_id": org_id,
                "month": month,
                "meetings": tally["meetings"],
                "attendance": tally["attendance"],
            }
        )


def main() -> None:
    parser = argparse.ArgumentParser(description="Rebuild the members service's counters.")
    parser.parse_args()
    from services.infra.config import data_dir, load_config
    from services.infra.storage import open_database

    config = load_config("members")
    db = open_database("members", config.get("MONGO_URI") or None, data_dir(config))
    zone = ZoneInfo(str(config.get("TIMEZONE") or os.environ.get("TIMEZONE") or DEFAULT_TIMEZONE))
    read = rebuild(db, zone)
    _mark(db)
    print("counters rebuilt from " + ", ".join(f"{n} {kind}" for kind, n in read.items()))


if __name__ == "__main__":
    main()

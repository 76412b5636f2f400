"""Retention by whole UTC days, the same code on MongoDB and on the embedded engine.

A record that may go some time after a moment of its own (an attempt's time, a session's end)
carries ``purge_day``: that moment's UTC day (``YYYY-MM-DD``), indexed, None while it has no
such moment (a live kiosk session). ``purge_before`` removes every day before the cutoff's day,
one day at a time: an equality lookup, which the embedded engine's hash indexes serve (they
serve no ranges, so ``$lt`` on a time would scan the collection), in batches with a pause
between them. TTL indexes are no option: the embedded engine emulates them by scanning the
collection on every read, and times are stored as strings, which MongoDB's TTL ignores.

A record therefore lives between N and N+1 days past its moment. A mark per collection
(``purge_marks``) keeps the last day removed, so each run looks only at the days since. The first
run on a collection reads it once (a scan) for its oldest day and gives the records stored before
``purge_day`` existed theirs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

from services.infra.events import stamp

PURGE_DAY = "purge_day"
PURGE_INDEX: tuple[list[tuple[str, int]], dict[str, Any]] = ([(PURGE_DAY, 1)], {})
MARKS = "purge_marks"
BATCH = 200
ONE_DAY = timedelta(days=1)


def day_of(moment: datetime | None) -> str | None:
    """The UTC day of a moment, as ``purge_day`` holds it."""
    return stamp(moment)[:10] if moment is not None else None


def purge_day(doc: dict[str, Any], fields: Iterable[str]) -> str | None:
    """The day of the latest of ``fields`` set in ``doc`` (stored stamps sort as moments do)."""
    moments = [doc[f] for f in fields if doc.get(f)]
    return str(max(moments))[:10] if moments else None


def purge_before(
    collection: Any,
    fields: tuple[str, ...],
    cutoff: datetime,
    *,
    batch: int = BATCH,
    pause: Callable[[], None] = lambda: time.sleep(0),  # let other green threads run
    day_field: str = PURGE_DAY,
) -> int:
    """Remove the records whose ``purge_day`` (or ``day_field``) lies before the cutoff's day;
    how many. ``fields`` name the stamps the day is made of (for records stored without it)."""
    marks = collection.database[MARKS]
    last = date.fromisoformat(str(day_of(cutoff))) - ONE_DAY
    mark = marks.find_one({"_id": collection.name})
    if mark is not None:
        day = date.fromisoformat(mark["through"]) + ONE_DAY
    else:
        day = _first_run(collection, fields, day_field, batch, pause) or last
    deleted = 0
    while day <= last:
        deleted += _purge_day(collection, day_field, day.isoformat(), batch, pause)
        _mark(marks, collection.name, day)
        day += ONE_DAY
    if mark is None:
        _mark(marks, collection.name, last)
    return deleted


def _purge_day(
    collection: Any, day_field: str, day: str, batch: int, pause: Callable[[], None]
) -> int:
    ids = [doc["_id"] for doc in collection.find({day_field: day}, {"_id": 1})]
    deleted = 0
    for start in range(0, len(ids), batch):
        chunk = {"_id": {"$in": ids[start : start + batch]}, day_field: day}  # still that day
        deleted += int(collection.delete_many(chunk).deleted_count)
        pause()
    return deleted


def _mark(marks: Any, name: str, day: date) -> None:
    marks.update_one({"_id": name}, {"$max": {"through": day.isoformat()}}, upsert=True)


def _first_run(
    collection: Any,
    fields: tuple[str, ...],
    day_field: str,
    batch: int,
    pause: Callable[[], None],
) -> date | None:
    """The oldest day in the collection; records without their day get it."""
    oldest: str | None = None
    projection = {day_field: 1, **{f: 1 for f in fields}}
    for n, doc in enumerate(collection.find({}, projection), start=1):
        if day_field not in doc:
            doc[day_field] = purge_day(doc, fields)
            collection.update_one({"_id": doc["_id"]}, {"$set": {day_field: doc[day_field]}})
        found = doc[day_field]
        oldest = found if found and (oldest is None or found < oldest) else oldest
        if n % batch == 0:
            pause()
    return date.fromisoformat(oldest) if oldest else None

"""Store factory: a pymongo ``Database`` on a real server, or the embedded on-disk engine.

``MONGO_URI`` set: pymongo against that server, database ``<prefix><service>``.
``MONGO_URI`` unset: litemongo (mongomock's query engine over SQLite files, pymongo's API), one
folder per service under the data directory. Both are used through pymongo's API only.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from nameko.extensions import DependencyProvider

IndexSpec = tuple[list[tuple[str, int]], dict[str, Any]]

_OPEN: dict[tuple[str, str], Any] = {}
_LOCK = threading.Lock()


def open_database(service: str, mongo_uri: str | None, data_dir: Path) -> Any:
    """Return the service's database; one client per (location, service) per process."""
    key = (mongo_uri or str(data_dir), service)
    with _LOCK:
        if key not in _OPEN:
            _OPEN[key] = _connect(service, mongo_uri, data_dir)
        return _OPEN[key]


def _connect(service: str, mongo_uri: str | None, data_dir: Path) -> Any:
    if mongo_uri:
        import pymongo

        client: Any = pymongo.MongoClient(mongo_uri, tz_aware=True, connect=False)
        return client.get_default_database(default=f"dangjian_{service}")
    import litemongo

    folder = data_dir / service
    folder.mkdir(parents=True, exist_ok=True)
    return litemongo.connect(str(folder))[service]


def close_all() -> None:
    with _LOCK:
        for db in _OPEN.values():
            db.client.close()
        _OPEN.clear()


def ensure_indexes(db: Any, indexes: Mapping[str, Iterable[IndexSpec]]) -> None:
    for collection, specs in indexes.items():
        for keys, options in specs:
            db[collection].create_index(keys, **options)


class Database(DependencyProvider):
    """Injects the service's store (a repository class built on the database).

    ``repository`` is a plain class taking a pymongo-style ``Database``; it declares its
    indexes in ``INDEXES`` and is testable without nameko. The stores hold nothing but
    collection handles (every write is atomic on its own), so one instance, built in
    ``setup()``, serves every worker; a store that needed per-call state (a transaction session)
    would be built per worker in ``get_dependency`` instead.
    """

    def __init__(self, repository: type) -> None:
        self.repository = repository
        self.db: Any = None
        self.store: Any = None

    def setup(self) -> None:
        from services.infra.config import data_dir

        config = self.container.config
        self.db = open_database(
            self.container.service_name, config.get("MONGO_URI") or None, data_dir(config)
        )
        ensure_indexes(self.db, getattr(self.repository, "INDEXES", {}))
        self.store = self.repository(self.db)
        prepare = getattr(self.store, "prepare", None)
        if prepare is not None:  # a store's upgrade of data stored by an older version
            prepare(config)

    def get_dependency(self, worker_ctx: Any) -> Any:
        return self.store

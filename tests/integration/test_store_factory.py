"""The store factory: embedded engine by default, a MongoDB server when MONGO_URI is set."""

import os

import pytest
from pymongo.errors import DuplicateKeyError

from services.infra.storage import close_all, ensure_indexes, open_database


def test_embedded_engine_persists_one_folder_per_service_and_enforces_unique_indexes(tmp_path):
    db = open_database("members", None, tmp_path)
    ensure_indexes(db, {"members": [([("card_uid", 1)], {"unique": True})]})
    db.members.insert_one({"_id": "a", "card_uid": "X"})
    with pytest.raises(DuplicateKeyError):
        db.members.insert_one({"_id": "b", "card_uid": "X"})
    close_all()
    assert (tmp_path / "members").is_dir()
    assert (
        open_database("members", None, tmp_path).members.find_one({"card_uid": "X"})["_id"] == "a"
    )
    close_all()


@pytest.mark.mongo
@pytest.mark.skipif(
    not os.environ.get("MONGO_URI"), reason="set MONGO_URI to run against a MongoDB server"
)
def test_mongo_server_is_used_when_configured(tmp_path):
    db = open_database("members", os.environ["MONGO_URI"], tmp_path)
    assert type(db).__module__.startswith("pymongo")
    assert not (tmp_path / "members").exists()


def test_kiosks_on_the_swipe_path_are_reused_for_a_few_seconds_only(tmp_path):
    from services.infra.storage import ensure_indexes, open_database
    from services.members.domain import Kiosk
    from services.members.store import MembersStore

    db = open_database("members", None, tmp_path)
    ensure_indexes(db, MembersStore.INDEXES)
    store = MembersStore(db)
    store.kiosks.add(Kiosk("k1", "b1", "/hj/b1", "活动室"))
    assert store.kiosks.get_recent("k1").place == "活动室"
    db.kiosks.update_one({"_id": "k1"}, {"$set": {"place": "会议室"}})
    assert store.kiosks.get_recent("k1").place == "活动室"  # the swipe path's cached copy
    assert store.kiosks.get("k1").place == "会议室"
    store.kiosks.recent.found.expire(time=store.kiosks.recent.found.timer() + 60)
    assert store.kiosks.get_recent("k1").place == "会议室"
    assert (
        MembersStore(open_database("members", None, tmp_path / "other")).kiosks.get_recent("k1")
        is None
    )  # another database never sees this one's kiosks

"""Every rule and branch of the volunteer handlers, over in-memory fakes (no broker); the needs
repository's listing also on the embedded store, so the fake and the store keep one contract."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import litemongo
import pytest
from marshmallow import ValidationError

from services.infra.errors import Forbidden, InvalidInput
from services.infra.pii import PiiCipher
from services.infra.scope import Caller
from services.volunteer import commands, handlers, schemas
from services.volunteer.needs import Need
from services.volunteer.store import VolunteerStore
from tests.unit.fakes_notify_volunteer import FakeVolunteerUoW

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
CIPHER = PiiCipher(b"k" * 32, b"h" * 32)
GRID = "/hj/c1/g1"
WORKER = Caller("worker-1", "grid_worker", "/hj/c1")
OTHER_COMMUNITY = Caller("worker-2", "community_worker", "/hj/c2")


def settings(at=NOW):
    return handlers.Settings(cipher=CIPHER, clock=lambda: at)


def need_cmd(grid_path=GRID, phone="17000000001", **overrides):
    fields = dict(
        grid_path=grid_path,
        title="独居老人水管漏水",
        category="repair",
        resident_name="赵桂兰",
        resident_phone=phone,
    )
    return commands.RecordNeed(**{**fields, **overrides})


def record(uow, caller=WORKER, at=NOW, **overrides):
    return handlers.record_need(need_cmd(**overrides), uow, caller, settings(at))


def listing(uow, caller, scope="/hj/c1", cursor=None, limit=50):
    return handlers.list_open_needs(commands.ListOpenNeeds(scope, cursor, limit), uow, caller)


@pytest.fixture
def uow():
    return FakeVolunteerUoW()


# -- recording -------------------------------------------------------------------------------


def test_a_need_is_recorded_by_the_caller_with_the_resident_encrypted_and_announced(uow):
    need = record(uow)
    assert need.recorded_by == "worker-1" and need.recorded_at == NOW and need.status == "open"
    assert (need.resident_name_masked, need.resident_phone_masked) == ("赵*兰", "170****0001")
    assert "赵桂兰" not in need.resident_name_enc and "17000000001" not in str(
        need.resident_phone_enc
    )
    assert CIPHER.decrypt(need.resident_name_enc, "resident_name") == "赵桂兰"
    assert CIPHER.decrypt(need.resident_phone_enc or "", "phone") == "17000000001"
    assert need.ancestors == ["/hj", "/hj/c1", "/hj/c1/g1"]
    assert uow.needs.rows == {need.need_id: need}
    [event] = uow.needs.events
    assert event["type"] == "need_recorded"
    payload = event["payload"]
    assert payload["org_path"] == GRID and payload["need_id"] == need.need_id
    assert (payload["grid_path"], payload["category"], payload["title"]) == (
        GRID,
        "repair",
        "独居老人水管漏水",
    )
    assert payload["recorded_at"] == "2026-11-23T10:00:00Z"
    assert not schemas.NeedRecorded().validate(payload)


def test_a_resident_without_a_phone(uow):
    need = record(uow, phone=None)
    assert need.resident_phone_enc is None and need.resident_phone_masked is None


def test_a_need_outside_the_callers_area_is_refused_and_nothing_stored(uow):
    with pytest.raises(Forbidden):
        record(uow, caller=OTHER_COMMUNITY)
    assert uow.needs.rows == {} and uow.needs.events == []


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("county_operator", True),
        ("org_admin", True),
        ("community_worker", True),
        ("grid_leader", True),
        ("grid_worker", True),
        ("branch_secretary", False),
        ("member", False),
        ("kiosk", False),
    ],
)
def test_community_roles_record_needs(uow, role, allowed):
    caller = Caller("someone", role, "/hj")
    if allowed:
        assert record(uow, caller=caller).recorded_by == "someone"
    else:
        with pytest.raises(Forbidden):
            record(uow, caller=caller)
        assert uow.needs.rows == {}


# -- listing ---------------------------------------------------------------------------------


def test_open_needs_are_listed_by_subtree(uow):
    mine = record(uow)
    record(uow, caller=OTHER_COMMUNITY, grid_path="/hj/c2/g1")
    closed = record(uow, at=NOW + timedelta(minutes=1))
    uow.needs.rows[closed.need_id] = replace(closed, status="closed")
    assert [n.need_id for n in listing(uow, WORKER)[0]] == [mine.need_id]
    assert [n.need_id for n in listing(uow, WORKER, scope=GRID)[0]] == [mine.need_id]
    assert listing(uow, OTHER_COMMUNITY, scope="/hj/c2/g2") == ([], None)
    everything = Caller("op", "county_operator", "/")
    assert len(listing(uow, everything, scope="/")[0]) == 2


def test_a_scope_outside_the_callers_area_is_refused(uow):
    record(uow)
    with pytest.raises(Forbidden):
        listing(uow, OTHER_COMMUNITY, scope="/hj/c1")
    with pytest.raises(Forbidden):
        listing(uow, WORKER, scope="/hj")  # the parent of one's area is not one's area
    with pytest.raises(Forbidden):
        listing(uow, WORKER, scope="/")


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("county_operator", True),
        ("org_admin", True),
        ("community_worker", True),
        ("grid_leader", True),
        ("grid_worker", True),
        ("branch_secretary", True),
        ("member", True),
        ("kiosk", False),
    ],
)
def test_who_may_list_needs(uow, role, allowed):
    record(uow)
    caller = Caller("someone", role, "/hj/c1")
    if allowed:
        assert len(listing(uow, caller)[0]) == 1
    else:
        with pytest.raises(Forbidden):
            listing(uow, caller)


def test_needs_page_newest_first_with_a_cursor(uow):
    for minutes in (2, 0, 4, 1, 3):
        record(uow, at=NOW + timedelta(minutes=minutes))
    seen, cursor, pages = [], None, 0
    while True:
        found, cursor = listing(uow, WORKER, cursor=cursor, limit=2)
        seen += [n.recorded_at for n in found]
        pages += 1
        if cursor is None:
            break
    assert pages == 3 and seen == [NOW + timedelta(minutes=m) for m in (4, 3, 2, 1, 0)]


def test_a_forged_cursor_is_invalid_input(uow):
    with pytest.raises(InvalidInput):
        listing(uow, WORKER, cursor="eyJ4IjoxfQ")  # valid base64 JSON, wrong keys


# -- contract --------------------------------------------------------------------------------


def test_record_need_payload_loads_into_the_command():
    cmd = schemas.NeedIn().load(
        {"grid_path": GRID, "title": "修水管", "category": "repair", "resident_name": "赵桂兰"}
    )
    assert cmd == commands.RecordNeed(GRID, "修水管", "repair", "赵桂兰")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"recorded_by": "someone-else"}, "recorded_by"),  # the caller records, not the payload
        ({"grid_path": "hj/c1"}, "grid_path"),
        ({"category": "party"}, "category"),
        ({"resident_phone": "12345"}, "resident_phone"),
        ({"title": "a\udc80b"}, "title"),
        ({"resident_name": "赵\x00兰"}, "resident_name"),
    ],
)
def test_record_need_payload_is_strict(overrides, field):
    payload = {"grid_path": GRID, "title": "t", "category": "repair", "resident_name": "赵桂兰"}
    with pytest.raises(ValidationError) as error:
        schemas.NeedIn().load({**payload, **overrides})
    assert field in error.value.messages


@pytest.mark.parametrize(("scope", "valid"), [("/", True), ("/hj/c1", True), ("hj", False)])
def test_list_scope_is_an_org_path_or_the_root(scope, valid):
    if valid:
        assert schemas.ListOpenNeeds().load({"scope": scope}).scope == scope
    else:
        with pytest.raises(ValidationError):
            schemas.ListOpenNeeds().load({"scope": scope})


def test_results_show_the_resident_masked_and_no_storage_field(uow):
    need = record(uow)
    page = schemas.NeedsPage().dump({"items": [need], "next_cursor": "c"})
    assert page["next_cursor"] == "c"
    assert page["items"] == [
        {
            "need_id": need.need_id,
            "grid_path": GRID,
            "title": "独居老人水管漏水",
            "description": "",
            "category": "repair",
            "status": "open",
            "resident_name_masked": "赵*兰",
            "resident_phone_masked": "170****0001",
            "recorded_by": "worker-1",
            "recorded_at": "2026-11-23T10:00:00+00:00",
        }
    ]


# -- the same listing contract on the embedded store -----------------------------------------


@pytest.fixture(params=["fake", "store"])
def repo(request, tmp_path):
    if request.param == "fake":
        yield FakeVolunteerUoW().needs
        return
    client = litemongo.connect(str(tmp_path))
    yield VolunteerStore(client["volunteer"]).needs
    client.close()


def test_the_store_and_the_fake_list_alike(repo):
    def need(need_id, grid_path, at, status="open"):
        return Need(
            need_id, grid_path, "t", "", "repair", status, "enc", "赵*兰", None, None, "w", at
        )

    same_moment = NOW + timedelta(microseconds=500_000)
    for i, at in enumerate([NOW, same_moment, same_moment, NOW + timedelta(seconds=1)]):
        repo.add(need(f"n{i}", GRID, at), [])
    repo.add(need("closed", GRID, NOW + timedelta(hours=1), status="closed"), [])
    repo.add(need("elsewhere", "/hj/c2/g1", NOW + timedelta(hours=1)), [])
    seen, cursor = [], None
    while True:
        found, cursor = repo.open_under("/hj/c1", cursor, 3)
        seen += [n.need_id for n in found]
        if cursor is None:
            break
    assert seen == ["n3", "n2", "n1", "n0"]
    assert [n.need_id for n in repo.open_under("/", None, 10)[0]][:1] == ["elsewhere"]
    [stored] = [n for n in repo.open_under(GRID, None, 1)[0]]
    assert stored == need("n3", GRID, NOW + timedelta(seconds=1))


# -- the console's needs page and home page --------------------------------------------------


def test_needs_are_listed_by_status_or_all_in_a_subtree_or_a_grid(uow):
    record(uow)
    closed = record(uow, at=NOW + timedelta(minutes=1), grid_path="/hj/c1/g2")
    uow.needs.rows[closed.need_id] = replace(closed, status="closed")

    def listed(status, scope="/hj/c1"):
        found, _ = handlers.list_needs(commands.ListNeeds(scope, status), uow, WORKER)
        return [n.status for n in found]

    assert listed("open") == ["open"] and listed("closed") == ["closed"]
    assert listed(None) == ["closed", "open"] and listed(None, "/hj/c1/g2") == ["closed"]
    with pytest.raises(Forbidden):
        handlers.list_needs(commands.ListNeeds("/hj/c1"), uow, OTHER_COMMUNITY)


def test_needs_are_counted_in_a_subtree_up_to_a_cap(uow, monkeypatch):
    for minutes in range(3):
        record(uow, at=NOW + timedelta(minutes=minutes))
    counted = handlers.count_needs(commands.CountNeeds("/hj/c1"), uow, WORKER)
    assert counted == {"scope": "/hj/c1", "status": "open", "count": 3, "capped": False}
    monkeypatch.setattr(handlers, "COUNT_CAP", 2)
    capped = handlers.count_needs(
        commands.CountNeeds("/hj", None), uow, Caller("c", "org_admin", "/hj")
    )
    assert (capped["count"], capped["capped"]) == (2, True)
    with pytest.raises(Forbidden):
        handlers.count_needs(commands.CountNeeds("/hj/c1"), uow, OTHER_COMMUNITY)


def test_the_needs_query_takes_a_status_or_none_for_all():
    assert schemas.ListNeeds().load({"scope": "/hj"}).status == "open"
    assert schemas.ListNeeds().load({"scope": "/hj", "status": None}).status is None
    with pytest.raises(ValidationError):
        schemas.ListNeeds().load({"scope": "/hj", "status": "lost"})


def test_the_store_and_the_fake_filter_and_count_alike(repo):
    def need(need_id, grid_path, status):
        return Need(
            need_id, grid_path, "t", "", "repair", status, "enc", "赵*兰", None, None, "w", NOW
        )

    for need_id, grid_path, status in [
        ("a", GRID, "open"),
        ("b", GRID, "closed"),
        ("c", "/hj/c1/g2", "open"),
        ("d", "/hj/c2/g1", "open"),
    ]:
        repo.add(need(need_id, grid_path, status), [])
    assert [n.need_id for n in repo.under("/hj/c1", None, None, 10)[0]] == ["c", "b", "a"]
    assert [n.need_id for n in repo.under(GRID, "closed", None, 10)[0]] == ["b"]
    assert repo.count_under("/hj/c1", "open", 10) == 2
    assert repo.count_under("/", None, 10) == 4 and repo.count_under("/", None, 3) == 3

import re
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from nameko.exceptions import RemoteError

from services.members.idcard import check_digit, is_valid, make_id_number
from tools.demo_county.generate import County, generate_county, second_friday
from tools.demo_county.load import demo_accounts, ensure_accounts, member_sign_in, sms_file

TODAY = date(2026, 11, 22)
ZHENGZHOU_AREAS = {"410102", "410103", "410104", "410105", "410106", "410108"}


@pytest.fixture(scope="module")
def full() -> County:
    return generate_county("full", today=TODAY)


@pytest.fixture(scope="module")
def small() -> County:
    return generate_county("small", today=TODAY)


# -- ID numbers ------------------------------------------------------------------------------


def test_check_digit_matches_published_examples():
    assert check_digit("11010519491231002") == "X"  # the GB 11643-1999 documentation example
    assert check_digit("44052418800101001") == "4"  # the standard's other worked example
    assert is_valid("11010519491231002X") and is_valid("440524188001010014")


def test_invalid_numbers_are_rejected():
    february_30 = "11010519490230002"
    assert not is_valid(february_30 + check_digit(february_30))
    assert not is_valid("110105194912310021")  # wrong check digit
    assert not is_valid("11010519491231002")  # too short
    assert not is_valid("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X")  # non-ASCII digits


def test_make_id_number_encodes_gender_in_the_17th_digit():
    born = date(1990, 2, 28)
    for seq in range(100):
        male, female = (make_id_number("410108", born, seq, g) for g in ("male", "female"))
        assert is_valid(male) and is_valid(female)
        assert male[:6] == "410108" and male[6:14] == "19900228" and male[14:16] == f"{seq:02d}"
        assert int(male[16]) % 2 == 1 and int(female[16]) % 2 == 0
    with pytest.raises(ValueError):
        make_id_number("410108", born, 100, "male")


# -- the full county -------------------------------------------------------------------------


def test_full_county_matches_the_seed_figures(full):
    kinds = Counter(o.kind for o in full.orgs)
    streets = [o for o in full.orgs if o.kind == "working_committee" and not o.tags]
    assert len(streets) == 8 and all(o.parent_id == "hj" for o in streets)
    assert kinds["committee"] == 1 and kinds["general_branch"] == 75 and kinds["branch"] == 298
    assert len(full.people) == 11_200 and len(full.kiosks) == 75 and len(full.meetings) == 298
    special = [o for o in full.orgs if o.kind == "branch" and o.tags]
    assert len(special) == 20 and {o.parent_id for o in special} == {"hj-lx"}
    assert {o.tags for o in special} == {("two_new",), ("building",)}
    grids = Counter(o.parent_id for o in full.orgs if o.kind == "grid")
    assert len(grids) == 75 and all(3 <= n <= 8 for n in grids.values())
    assert all(o.tags == ("grid",) for o in full.orgs if o.kind == "grid")


def test_org_ids_are_unique_slugs_in_topological_order(full):
    seen: set[str] = set()
    for org in full.orgs:
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", org.org_id)
        assert org.org_id not in seen
        assert org.parent_id is None or org.parent_id in seen, org
        seen.add(org.org_id)
    assert full.orgs[0].org_id == "hj"


def test_communities_under_streets_and_villages_under_towns(full):
    by_id = {o.org_id: o for o in full.orgs}
    for org in full.orgs:
        if org.kind == "general_branch":
            parent = by_id[org.parent_id or ""].name
            assert ("村" in org.name) == ("镇" in parent) and ("社区" in org.name) == (
                "街道" in parent
            )
    kiosk_orgs = [k.org_id for k in full.kiosks]
    assert sorted(kiosk_orgs) == sorted(o.org_id for o in full.orgs if o.kind == "general_branch")
    assert all(k.place.endswith("党群服务中心") for k in full.kiosks)


def test_every_branch_has_between_8_and_80_members(full):
    sizes = Counter(p.org_id for p in full.people)
    assert set(sizes) == {o.org_id for o in full.orgs if o.kind == "branch"}
    assert all(8 <= n <= 80 for n in sizes.values())
    assert max(sizes.values()) - min(sizes.values()) > 30  # uneven


def test_people_are_synthetic_valid_and_unique(full):
    for p in full.people:
        assert is_valid(p.id_number) and p.id_number[:6] in ZHENGZHOU_AREAS
        assert p.id_number[6:14] == f"{p.birth_date:%Y%m%d}"
        assert int(p.id_number[16]) % 2 == (1 if p.gender == "male" else 0)
        assert re.fullmatch(r"17[01][0-9]{8}", p.phone)
        assert re.fullmatch(r"[0-9A-F]{8}", p.card_uid)
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,3}", p.name)
        assert 1945 <= p.birth_date.year <= 2004
    for field in ("member_id_hint", "id_number", "phone", "card_uid"):
        assert len({getattr(p, field) for p in full.people}) == len(full.people), field


def test_join_dates_and_probation(full):
    for p in full.people:
        born, joined = p.birth_date, p.join_date
        age = joined.year - born.year - ((joined.month, joined.day) < (born.month, born.day))
        assert age >= 18 and joined < TODAY
        within_a_year = p.join_date > TODAY - timedelta(days=365)
        assert within_a_year == (p.status == "probationary")
    share = sum(p.status == "probationary" for p in full.people) / len(full.people)
    assert 0.03 < share < 0.07


def test_theme_days_for_every_branch(full):
    branches = [o.org_id for o in full.orgs if o.kind == "branch"]
    assert [m.org_id for m in full.meetings] == branches
    for m in full.meetings:
        assert m.kind == "theme_day" and m.meeting_id == f"m-{m.org_id}-202611-theme"
        assert m.starts_at.isoformat() == "2026-11-13T09:00:00+08:00"
        assert (m.window_before_min, m.window_after_min) == (20, 20)


# -- determinism, small size, dates ----------------------------------------------------------


def test_deterministic(full, small):
    assert generate_county("full", today=TODAY) == full
    assert generate_county("small", seed=410108, today=TODAY) == small
    assert generate_county("small", seed=1, today=TODAY).people != small.people


def test_only_join_dates_and_meetings_depend_on_today(small):
    later = generate_county("small", today=date(2027, 3, 2))
    assert later.orgs == small.orgs and later.kiosks == small.kiosks
    assert [replace(p, join_date=TODAY) for p in later.people] == [
        replace(p, join_date=TODAY) for p in small.people
    ]
    assert later.meetings[0].starts_at == datetime.fromisoformat("2027-03-12T09:00:00+08:00")


def test_small_county_keeps_the_shape(small):
    kinds = Counter(o.kind for o in small.orgs)
    streets = [o for o in small.orgs if o.kind == "working_committee" and not o.tags]
    assert len(streets) == 2 and kinds["general_branch"] == 4 and kinds["branch"] == 8
    assert kinds["grid"] == 8 and len(small.people) == 120 and len(small.kiosks) == 4
    assert any("two_new" in o.tags for o in small.orgs if o.kind == "branch")
    assert all(8 <= n <= 80 for n in Counter(p.org_id for p in small.people).values())


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 22), date(2026, 11, 13)),
        (date(2026, 11, 1), date(2026, 11, 13)),
        (date(2026, 5, 31), date(2026, 5, 8)),  # the 1st is a Friday
        (date(2026, 8, 1), date(2026, 8, 14)),  # the 1st is a Saturday
        (date(2026, 10, 9), date(2026, 10, 9)),
    ],
)
def test_second_friday(day, expected):
    assert second_friday(day) == expected and expected.weekday() == 4


def test_unknown_size_and_too_early_today_are_refused():
    with pytest.raises(ValueError):
        generate_county("huge", today=TODAY)
    with pytest.raises(ValueError):
        generate_county("small", today=date(2020, 1, 1))


# -- demo staff accounts ---------------------------------------------------------------------


class FakeAccounts:
    def __init__(self):
        self.made = {}

    def create_account(self, request):
        if request["username"] in self.made:
            raise RemoteError("Conflict", '{"message": "This username is already taken"}')
        self.made[request["username"]] = request
        path = "/hj/" + request["roles"][0]["org_id"]
        return {"account_id": "ac-" + request["username"], "roles": [{"scope": path}]}


class FakeRpc:
    def __init__(self):
        self.members = FakeAccounts()


def test_demo_accounts_cover_four_roles_around_the_demo_branch(small):
    accounts = demo_accounts(small, "hj-s01-c01-b01")
    assert [(a["username"], a["role"], a["org_id"]) for a in accounts] == [
        ("demo-county", "county_operator", "hj"),
        ("demo-street", "org_admin", "hj-s01"),
        ("demo-secretary", "branch_secretary", "hj-s01-c01-b01"),
        ("demo-grid", "grid_worker", "hj-s01-c01-g01"),
    ]


def test_demo_accounts_are_created_once_with_random_passwords(small):
    rpc, wanted = FakeRpc(), demo_accounts(small, "hj-s01-c01-b01")
    first, created = ensure_accounts(rpc, wanted, [])
    assert first == created and len(created) == 4
    passwords = {a["initial_password"] for a in created}
    assert len(passwords) == 4
    assert all(
        rpc.members.made[a["username"]]["password"] == a["initial_password"] for a in created
    )
    again, created = ensure_accounts(rpc, wanted, first)
    assert again == first and created == []  # they exist: nothing changed, the file keeps them
    forgotten, _ = ensure_accounts(rpc, wanted, [])
    assert [a["initial_password"] for a in forgotten] == [None] * 4


# -- the demo member's sign-in by SMS code ---------------------------------------------------


def test_the_demo_member_on_a_phone_is_the_first_demo_member_with_a_number(small, tmp_path):
    first = next(p for p in small.people if p.org_id == "hj-s01-c01-b01")
    members = [{"member_id": "mb-1", "card_uid": first.card_uid}]
    shown = member_sign_in(small, members, tmp_path / "sms" / "messages.jsonl")
    assert shown == {
        "member_id": "mb-1",
        "name": first.name,
        "card_uid": first.card_uid,
        "phone": first.phone,
        "sms_file": str(tmp_path / "sms" / "messages.jsonl"),
    }


def test_the_sms_file_is_notify_s(monkeypatch, tmp_path):
    monkeypatch.delenv("SMS_FILE", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert sms_file() == tmp_path / "sms" / "messages.jsonl"
    monkeypatch.setenv("SMS_FILE", str(tmp_path / "texts.jsonl"))
    assert sms_file() == tmp_path / "texts.jsonl"

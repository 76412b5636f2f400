"""The profile rules (lifecycle/profile.py): each field's check, the ID number's consistency, the
event naming changed fields only, and the handler's scope, version and idempotency."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from services.infra.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.members.domain import Grid
from services.members.lifecycle.commands import UpdateMemberProfile
from services.members.lifecycle.profile import (
    ETHNICITIES,
    change_profile,
    mask_address,
)
from services.members.lifecycle.updating import update_member_profile
from tests.unit.fakes_lifecycle import (
    NOW,
    OPERATOR,
    SECRETARY1,
    SECRETARY2,
    cipher,
    lifecycle_settings,
    registered,
    world,
)

TODAY = NOW.date()


@pytest.fixture
def uow():
    return world()


@pytest.fixture
def member(uow):
    return registered(uow)


def fields_of(error: InvalidInput) -> dict[str, list[str]]:
    return error.details["fields"]  # type: ignore[return-value]


def test_the_56_ethnic_groups_and_other():
    assert len(ETHNICITIES) == 57 and "汉族" in ETHNICITIES and "其他" in ETHNICITIES


def test_changed_fields_are_applied_and_named_without_values(member):
    changes = {
        "ethnicity": "回族",
        "education": "大学本科",
        "work_unit": "惠济区人民医院",
        "duties": "书记、组织委员",
        "skills": ["维修家电", "维修家电", " 理发 "],
        "address": "河南省郑州市惠济区天河路12号",
        "gender": "男",  # already male: no change
    }
    changed, events = change_profile(member, changes, cipher(), TODAY)
    assert changed.ethnicity == "回族" and changed.education == "大学本科"
    assert changed.duties == ("书记", "组织委员") and changed.skills == ("维修家电", "理发")
    assert cipher().decrypt(changed.address_enc, "address") == "河南省郑州市惠济区天河路12号"
    assert changed.address_masked == "河南省郑州市****"
    [event] = events
    assert event["type"] == "member_updated"
    payload = event["payload"]
    assert payload["changed"] == [
        "address",
        "duties",
        "education",
        "ethnicity",
        "skills",
        "work_unit",
    ]
    assert "天河路" not in str(payload) and "医院" not in str(payload)


def test_nothing_changed_means_no_event(member):
    same = {"gender": member.gender, "birth_date": member.birth_date.isoformat(), "skills": []}
    assert change_profile(member, same, cipher(), TODAY) == (member, [])


def test_every_bad_field_is_reported_at_once_in_chinese(member):
    with pytest.raises(InvalidInput) as refused:
        change_profile(
            member,
            {
                "ethnicity": "火星族",
                "education": "幼儿园",
                "gender": "x",
                "join_date": "2005-13-01",
                "duties": ["书" * 21],
                "address": "郑州",
            },
            cipher(),
            TODAY,
        )
    problems = fields_of(refused.value)
    assert set(problems) == {"ethnicity", "education", "gender", "join_date", "duties", "address"}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for ms in problems.values() for m in ms)


def test_unknown_fields_are_refused(member):
    with pytest.raises(InvalidInput) as refused:
        change_profile(member, {"status": "full", "name": "李四"}, cipher(), TODAY)
    assert set(fields_of(refused.value)) == {"status", "name"}


def test_birth_date_and_gender_must_match_the_id_number(member):
    with pytest.raises(InvalidInput) as refused:
        change_profile(
            member, {"birth_date": date(1981, 5, 6), "gender": "female"}, cipher(), TODAY
        )
    assert set(fields_of(refused.value)) == {"birth_date", "gender"}


@pytest.mark.parametrize(
    "join_date",
    [date(2027, 1, 1), date(1997, 1, 1)],  # the future; before the 18th birthday (born 1980)
)
def test_join_date_rules(member, join_date):
    with pytest.raises(InvalidInput) as refused:
        change_profile(member, {"join_date": join_date}, cipher(), TODAY)
    assert set(fields_of(refused.value)) == {"join_date"}


def test_join_date_cannot_follow_the_current_status(member):
    since = replace(member, status_since=date(2010, 1, 1))
    with pytest.raises(InvalidInput):
        change_profile(since, {"join_date": date(2011, 1, 1)}, cipher(), TODAY)


def test_a_probationers_end_moves_with_the_join_date(uow):
    member = registered(uow, status="probationary", join_date=date(2026, 3, 1), seq=2, card=None)
    assert member.probation_ends == date(2027, 3, 1)
    changed, _events = change_profile(member, {"join_date": "2026-02-01"}, cipher(), TODAY)
    assert changed.probation_ends == date(2027, 2, 1)


def test_address_and_optional_fields_clear(member):
    with_address, _e = change_profile(member, {"address": "河南省郑州市惠济区"}, cipher(), TODAY)
    cleared, events = change_profile(
        with_address, {"address": None, "ethnicity": ""}, cipher(), TODAY
    )
    assert cleared.address_enc == "" and cleared.address_masked == ""
    assert events[0]["payload"]["changed"] == ["address"]
    assert mask_address("") == ""


def test_grid_must_be_an_existing_grid(uow, member):
    uow.orgs.rows["g1"] = replace(uow.orgs.get("b1"), org_id="g1", kind="grid", grid=Grid())
    changed, _e = change_profile(member, {"grid_id": "g1"}, cipher(), TODAY, find_org=uow.orgs.get)
    assert changed.grid_id == "g1"
    for wrong in ("b2", "nowhere", "Not An Id"):
        with pytest.raises(InvalidInput):
            change_profile(member, {"grid_id": wrong}, cipher(), TODAY, find_org=uow.orgs.get)


# -- the handler -------------------------------------------------------------------------------


def test_update_saves_once_and_a_retry_answers_the_same(uow, member):
    cmd = UpdateMemberProfile(member.member_id, {"work_unit": "区医院"}, version=member.version)
    first = update_member_profile(cmd, uow, SECRETARY1, lifecycle_settings())
    again = update_member_profile(cmd, uow, SECRETARY1, lifecycle_settings())
    assert first == again and first.work_unit == "区医院" and first.version == member.version + 1
    assert [e["type"] for e in uow.members.events].count("member_updated") == 1


def test_a_change_from_an_older_version_is_refused(uow, member):
    settings = lifecycle_settings()
    update_member_profile(
        UpdateMemberProfile(member.member_id, {"work_unit": "区医院"}), uow, SECRETARY1, settings
    )
    stale = UpdateMemberProfile(member.member_id, {"work_unit": "市医院"}, version=member.version)
    with pytest.raises(Conflict):
        update_member_profile(stale, uow, SECRETARY1, settings)


def test_scope_and_role_are_checked(uow, member):
    cmd = UpdateMemberProfile(member.member_id, {"work_unit": "区医院"})
    with pytest.raises(Forbidden):
        update_member_profile(cmd, uow, SECRETARY2, lifecycle_settings())
    with pytest.raises(Forbidden):
        update_member_profile(cmd, uow, replace(OPERATOR, role="grid_worker"), lifecycle_settings())
    with pytest.raises(NotFound):
        update_member_profile(
            UpdateMemberProfile("mb-none", {}), uow, OPERATOR, lifecycle_settings()
        )


def test_registration_takes_the_optional_profile_checked_alike(uow):
    from services.members import commands, handlers
    from services.members.idcard import make_id_number
    from tests.unit.fakes_lifecycle import members_settings

    born = date(1980, 5, 6)
    cmd = commands.RegisterMember(
        org_id="b1",
        name="王五",
        gender="male",
        birth_date=born,
        id_number=make_id_number("410108", born, 7, "male"),
        phone="13800009999",
        join_date=date(2005, 7, 1),
        ethnicity="满族",
        duties=["书记"],
        address="河南省郑州市惠济区天河路",
    )
    member, created = handlers.register_member(cmd, uow, OPERATOR, members_settings())
    assert created and member.ethnicity == "满族" and member.duties == ("书记",)
    assert member.address_masked == "河南省郑州市****"
    assert [e["type"] for e in uow.members.events] == ["member_registered"]
    with pytest.raises(InvalidInput):
        handlers.register_member(
            replace(cmd, education="幼儿园", id_number=make_id_number("410108", born, 8, "male")),
            uow,
            OPERATOR,
            members_settings(),
        )

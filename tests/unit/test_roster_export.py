"""The roster export over in-memory fakes: masked unless staff ask for personal data with a
reason (then one audit entry), an organization's own members or its subtree's, by status, in
the template's columns so that an edited export imports back."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime

import openpyxl
import pytest

from services.infra.errors import Forbidden, InvalidInput
from services.infra.pii import PiiCipher
from services.infra.schemas import load
from services.infra.scope import Caller
from services.members import commands, handlers
from services.members.idcard import make_id_number
from services.members.lifecycle.profile import change_profile
from services.members.roster import commands as roster_commands
from services.members.roster import exporting, schemas
from services.members.roster.columns import SHEET
from services.members.roster.ports import RosterSettings
from tests.unit.fakes_roster import FakeRosterUoW, downloaded

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
OPERATOR = Caller("op", "county_operator", "/hj")
STREET1 = Caller("s1", "org_admin", "/hj/s1")
SECRETARY1 = Caller("sec", "branch_secretary", "/hj/s1/b1")
BORN = date(1980, 5, 6)


@pytest.fixture
def settings():
    members = handlers.Settings(cipher=PiiCipher(b"k" * 32, b"h" * 32), clock=lambda: NOW)
    return RosterSettings(members=members, change_profile=change_profile)


@pytest.fixture
def uow(settings):
    uow = FakeRosterUoW()
    for org_id, parent in [("hj", None), ("s1", "hj"), ("b1", "s1"), ("b2", "s1")]:
        handlers.create_org(
            commands.CreateOrg(org_id, f"{org_id}支部", "branch", parent_id=parent), uow, OPERATOR
        )
    for seq, (org_id, name, status) in enumerate(
        [("b1", "张三丰", "full"), ("b1", "李四", "probationary"), ("b2", "王五", "full")], 1
    ):
        cmd = commands.RegisterMember(
            org_id,
            name,
            "male",
            BORN,
            make_id_number("410108", BORN, seq, "male"),
            f"1380000{seq:04d}",
            date(2005, 7, 1),
            status=status,
        )
        handlers.register_member(cmd, uow, OPERATOR, settings.members)
    return uow


def rows(meta, uow, settings):
    book = openpyxl.load_workbook(io.BytesIO(downloaded(meta, uow, settings)), read_only=True)
    return [list(r) for r in book[SHEET].iter_rows(values_only=True)]


def export(uow, settings, caller=SECRETARY1, **asked):
    cmd = roster_commands.ExportMembers(**{"org_id": "b1", **asked})
    return exporting.export_members(cmd, uow, caller, settings)


def test_an_export_is_masked_and_not_audited(uow, settings):
    got = rows(export(uow, settings), uow, settings)
    assert got[0][:4] == ["党员编号", "姓名", "性别", "公民身份号码"]
    assert [r[1] for r in got[1:]] == ["张*丰", "李*"]
    assert got[1][3] == make_id_number("410108", BORN, 1, "male")[:4] + "*" * 10 + got[1][3][-4:]
    assert got[1][4] == "138****0001"
    assert uow.audit.entries == []


def test_a_subtree_by_status(uow, settings):
    got = rows(export(uow, settings, caller=STREET1, org_id="s1", subtree=True), uow, settings)
    assert len(got) == 4
    probationary = export(
        uow, settings, caller=STREET1, org_id="s1", subtree=True, status="probationary"
    )
    assert [r[-1] for r in rows(probationary, uow, settings)[1:]] == ["预备"]


def test_full_personal_data_for_staff_with_a_reason_is_audited_once(uow, settings):
    meta = export(uow, settings, caller=STREET1, full=True, reason="年度党员统计核对")
    got = rows(meta, uow, settings)
    assert got[1][1] == "张三丰" and got[1][3] == make_id_number("410108", BORN, 1, "male")
    [entry] = uow.audit.entries
    assert entry["count"] == 2 and entry["reason"] == "年度党员统计核对"
    assert sorted(entry["member_ids"]) == sorted(r[0] for r in got[1:])


def test_full_personal_data_is_refused_to_secretaries_and_without_a_reason(uow, settings):
    with pytest.raises(Forbidden):
        export(uow, settings, full=True, reason="核对")
    with pytest.raises(InvalidInput):
        load(schemas.ExportMembers, {"org_id": "b1", "full": True})
    assert uow.audit.entries == []


def test_another_area_is_refused(uow, settings):
    with pytest.raises(Forbidden):
        export(uow, settings, org_id="b2")


def test_an_export_pages_through_the_members(uow, settings, monkeypatch):
    monkeypatch.setattr(exporting, "PAGE", 1)
    pauses = []
    meta = export(uow, replace(settings, pause=lambda: pauses.append(1)), caller=STREET1)
    assert len(rows(meta, uow, settings)) == 3 and len(pauses) >= 2
    county = export(uow, settings, caller=OPERATOR, org_id="hj", subtree=True)  # pages of 1 org
    got = [r[0] for r in rows(county, uow, settings)[1:]]
    assert sorted(got) == sorted(uow.members.rows) and len(got) == 3

"""The roster import over in-memory fakes: reading files (XLSX, CSV in its encodings, dates,
limits), every kind of problem of the dry run, the import in batches (idempotent, resumed after
a crash, a changed row updating the member), the report file and the template."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest

from services.infra.errors import Conflict, Forbidden, InvalidInput, NotFound, Stale
from services.infra.pii import PiiCipher
from services.infra.scope import Caller
from services.members import commands, handlers
from services.members.idcard import make_id_number
from services.members.lifecycle.profile import change_profile
from services.members.roster import commands as roster_commands
from services.members.roster import importing, sheets
from services.members.roster.columns import COLUMNS, ERROR_HEADER, SHEET, date_of
from services.members.roster.ports import RosterSettings
from tests.unit.fakes_roster import FakeRosterUoW, downloaded

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
OPERATOR = Caller("op", "county_operator", "/hj")
STREET1 = Caller("s1", "org_admin", "/hj/s1")
SECRETARY1 = Caller("sec", "branch_secretary", "/hj/s1/b1")
HEADERS = [c.header for c in COLUMNS]


@pytest.fixture
def settings():
    members = handlers.Settings(cipher=PiiCipher(b"k" * 32, b"h" * 32), clock=lambda: NOW)
    return RosterSettings(members=members, change_profile=change_profile, batch=3)


@pytest.fixture
def uow():
    uow = FakeRosterUoW()
    for org_id, parent in [
        ("hj", None),
        ("s1", "hj"),
        ("s2", "hj"),
        ("b1", "s1"),
        ("b2", "s1"),
        ("b3", "s2"),
    ]:
        handlers.create_org(
            commands.CreateOrg(org_id, org_id, "branch", parent_id=parent), uow, OPERATOR
        )
    return uow


def person(seq=1, gender="male", born=date(1980, 5, 6), **cells):
    row = {
        "姓名": "张三丰",
        "性别": "男" if gender == "male" else "女",
        "公民身份号码": make_id_number("410108", born, seq, gender),
        "手机号码": "13800001234",
        "入党日期": "2005-07-01",
        "所在党组织编码": "b1",
    }
    row.update(cells)
    return row


def registration(org_id, name, seq, card=None):
    born = date(1980, 5, 6)
    id_number = make_id_number("410108", born, seq, "male")
    return commands.RegisterMember(
        org_id, name, "male", born, id_number, "13800001234", date(2005, 7, 1), card_uid=card
    )


def xlsx(rows, headers=None):
    headers = headers or HEADERS
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = SHEET
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h, "") for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, encoding="utf-8", headers=None):
    headers = headers or HEADERS
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return out.getvalue().encode(encoding)


def upload(content, uow, settings, caller=SECRETARY1, org_id="b1", name="roster.xlsx"):
    file_hash = hashlib.sha256(content).hexdigest()
    size = settings.chunk_bytes
    parts = [content[i : i + size] for i in range(0, len(content), size)]
    for n, part in enumerate(parts):
        importing.put_chunk(roster_commands.PutChunk(file_hash, n, part), uow, caller, settings)
    cmd = roster_commands.StartImport(org_id, file_hash, len(content), len(parts), name)
    return importing.start_import(cmd, uow, caller, settings)


def checked(content, uow, settings, caller=SECRETARY1, org_id="b1"):
    job, _created = upload(content, uow, settings, caller, org_id)
    assert importing.work(uow, settings) == 1
    return uow.roster_imports.get(job.import_id)


def problems(job, uow):
    found, _cursor = uow.roster_imports.problems(job.import_id, None, 200)
    return [(p.row, p.column, p.reason) for p in found]


def committed(job, uow, settings, caller=SECRETARY1):
    importing.commit(job.import_id, uow, caller, settings)
    importing.work(uow, settings)
    return uow.roster_imports.get(job.import_id)


# -- reading files ---------------------------------------------------------------------------


def test_csv_in_every_encoding_is_read_and_named(settings):
    rows = [person()]
    for raw, encoding in [
        (csv_bytes(rows, "utf-8-sig"), "UTF-8 (BOM)"),
        (csv_bytes(rows, "utf-8"), "UTF-8"),
        (csv_bytes(rows, "gb18030"), "GB18030"),
    ]:
        table = sheets.read_table(raw, 100)
        assert (table.format, table.encoding) == ("csv", encoding)
        assert table.rows[1][0] == "张三丰"


@pytest.mark.parametrize(
    "raw",
    [
        date(2005, 7, 1),
        datetime(2005, 7, 1),
        "2005-07-01",
        "2005/7/1",
        "2005年7月1日",
        "2005.7.1",
        "20050701",
        38534.0,  # an Excel serial number
    ],
)
def test_dates_are_read_as_people_write_them(raw):
    assert date_of(raw) == date(2005, 7, 1)


def test_not_a_roster_is_refused_with_a_chinese_reason(settings):
    for raw in [b"", b"PK\x03\x04not a zip", b"\x00\x01\x02\xff\xfe" * 10]:
        with pytest.raises(InvalidInput) as refused:
            sheets.read_table(raw, 100)
        assert refused.value.details["fields"]["file"]


def test_too_many_rows_and_macros_are_refused():
    with pytest.raises(InvalidInput, match="超过3行"):
        sheets.read_table(csv_bytes([person()] * 5), 3)
    book = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(book, "w") as archive:
        archive.writestr("xl/vbaProject.bin", b"macro")
    with pytest.raises(InvalidInput, match="宏"):
        sheets.read_table(book.getvalue(), 10)


def test_a_file_without_the_required_columns_is_refused_at_upload(uow, settings):
    raw = csv_bytes([{"姓名": "张三"}], headers=["姓名", "备注"])
    with pytest.raises(InvalidInput, match="公民身份号码"):
        upload(raw, uow, settings)
    assert uow.roster_imports.rows == {}


def test_a_file_that_did_not_arrive_whole_is_refused(uow, settings):
    raw = xlsx([person()])
    cmd = roster_commands.StartImport("b1", hashlib.sha256(raw).hexdigest(), len(raw), 1, "x.xlsx")
    with pytest.raises(InvalidInput):
        importing.start_import(cmd, uow, SECRETARY1, settings)
    importing.put_chunk(
        roster_commands.PutChunk(cmd.file_hash, 0, raw[:-1] + b"x"), uow, SECRETARY1, settings
    )
    with pytest.raises(InvalidInput):
        importing.start_import(cmd, uow, SECRETARY1, settings)


def test_an_upload_is_limited_and_checked_against_the_caller(uow, settings):
    with pytest.raises(Forbidden):
        upload(xlsx([person()]), uow, settings, caller=SECRETARY1, org_id="b2")
    with pytest.raises(Forbidden):
        upload(xlsx([person()]), uow, settings, caller=Caller("g", "grid_worker", "/hj/s1"))
    small = replace(settings, max_bytes=1000)
    with pytest.raises(InvalidInput, match="MB"):
        upload(xlsx([person()] * 50), uow, small)


# -- the dry run -----------------------------------------------------------------------------


def test_the_same_upload_answers_the_job_it_made(uow, settings):
    raw = xlsx([person()])
    first, created = upload(raw, uow, settings)
    again, created_again = upload(raw, uow, settings)
    assert (created, created_again) == (True, False)
    assert again.import_id == first.import_id
    other, _ = upload(raw, uow, settings, caller=STREET1)
    assert other.import_id != first.import_id


def test_a_clean_file_is_checked_and_counted(uow, settings):
    rows = [person(seq=n, 姓名=f"党员{n}") for n in range(1, 6)]
    job = checked(xlsx(rows), uow, settings)
    assert job.state == "checked"
    assert (job.counts.rows, job.counts.new, job.counts.refused) == (5, 5, 0)
    assert job.format == "xlsx"
    assert uow.members.rows == {}  # a dry run registers nobody


def test_the_dry_run_and_the_import_show_their_progress(uow, settings):
    rows = [person(seq=n, 姓名=f"党员{n}") for n in range(1, 8)]
    job, _ = upload(xlsx(rows), uow, settings)
    assert (job.state, job.progress) == ("queued", {"done": 0, "total": 7})
    seen = []

    def watch():
        now = uow.roster_imports.get(job.import_id)
        seen.append((now.state, now.progress["done"]))

    watched = replace(settings, pause=watch)
    importing.work(uow, watched)
    assert seen == [("checking", 3), ("checking", 6), ("checking", 7)]
    importing.commit(job.import_id, uow, SECRETARY1, settings)
    assert uow.roster_imports.get(job.import_id).progress == {"done": 0, "total": 7}
    seen.clear()
    importing.work(uow, watched)
    assert seen == [("importing", 3), ("importing", 6), ("importing", 7)]
    assert uow.roster_imports.get(job.import_id).progress == {"done": 7, "total": 7}


def test_every_problem_is_listed_with_row_column_masked_value_and_reason(uow, settings):
    good_id = make_id_number("410108", date(1980, 5, 6), 7, "male")
    wrong_check = good_id[:17] + ("0" if good_id[17] != "0" else "1")
    rows = [
        person(seq=1, 公民身份号码=wrong_check),  # row 2
        person(seq=2, 出生日期="1981-01-01"),  # row 3: not the ID number's
        person(seq=3, 所在党组织编码="b3"),  # row 4: outside the secretary's area
        person(seq=4, 所在党组织编码="nope"),  # row 5: unknown
        person(seq=5, 入党日期="1990-01-01"),  # row 6: joined at 9
        person(seq=6, 手机号码="123"),  # row 7
        person(seq=8, 性别="男女", 民族="火星族"),  # row 8
        person(seq=9, 入党日期="去年"),  # row 9
        person(seq=10, 姓名=""),  # row 10
    ]
    job = checked(xlsx(rows), uow, settings)
    found = problems(job, uow)
    by_row = {row: (column, reason) for row, column, reason in found}
    assert by_row[2] == ("公民身份号码", "身份证号码校验位错误，请核对")
    assert by_row[3] == ("出生日期", "出生日期与身份证号码不一致，请核对")
    assert by_row[4][0] == by_row[5][0] == "所在党组织编码"
    assert by_row[6] == ("入党日期", "入党时须年满十八周岁，请核对入党日期")
    assert by_row[7][0] == "手机号码"
    assert {c for r, c, _ in found if r == 8} == {"性别"}  # the profile is checked once registrable
    assert by_row[9][0] == "入党日期"
    assert by_row[10] == ("姓名", "此列必须填写")
    assert job.counts.refused == 9
    listed, _ = uow.roster_imports.problems(job.import_id, None, 200)
    shown = next(p for p in listed if p.row == 2)
    assert shown.value == wrong_check[:4] + "*" * 10 + wrong_check[-4:]
    assert all("\u4e00" <= p.reason[0] <= "\u9fff" or p.reason[0] in "“该此身" for p in listed)


def test_profile_columns_are_checked_by_the_profile_rules(uow, settings):
    job = checked(xlsx([person(民族="火星族", 学历="大学本科")]), uow, settings)
    assert [c for _r, c, _ in problems(job, uow)] == ["民族"]


def test_duplicates_in_the_file_refuse_every_copy(uow, settings):
    rows = [
        person(seq=1, 党员卡号="A0000001"),
        person(seq=1, 党员卡号="A0000002"),  # the same person
        person(seq=2, 党员卡号="A0000003"),
        person(seq=3, 党员卡号="A0000003"),  # the same card
        person(seq=4),
    ]
    job = checked(xlsx(rows), uow, settings)
    found = problems(job, uow)
    assert {(r, c) for r, c, _ in found} == {
        (2, "公民身份号码"),
        (3, "公民身份号码"),
        (4, "党员卡号"),
        (5, "党员卡号"),
    }
    assert "2、3" in next(reason for r, _c, reason in found if r == 2)
    assert (job.counts.new, job.counts.refused) == (1, 4)


def test_a_person_registered_outside_the_callers_area_is_refused_without_saying_where(
    uow, settings
):
    elsewhere = registration("b3", "李四", 1)
    handlers.register_member(elsewhere, uow, OPERATOR, settings.members)
    job = checked(xlsx([person(seq=1)]), uow, settings)
    [(row, column, reason)] = problems(job, uow)
    assert (row, column) == (2, "公民身份号码")
    assert "b3" not in reason and "s2" not in reason


def test_a_card_of_another_member_is_refused(uow, settings):
    other = registration("b1", "李四", 9, card="A0000009")
    handlers.register_member(other, uow, OPERATOR, settings.members)
    job = checked(xlsx([person(seq=1, 党员卡号="a0000009")]), uow, settings)
    assert problems(job, uow) == [(2, "党员卡号", "该党员卡已登记给其他党员")]


def test_unknown_columns_are_reported_in_the_report(uow, settings):
    headers = [*HEADERS, "备注"]
    job = checked(xlsx([person(备注="x")], headers=headers), uow, settings)
    assert job.unknown_columns == ("备注",)
    assert problems(job, uow) == [(1, "备注", "无法识别的列“备注”，已忽略")]
    assert (job.counts.new, job.counts.refused) == (1, 0)
    meta = importing.report(job.import_id, uow, SECRETARY1, settings)
    book = openpyxl.load_workbook(io.BytesIO(downloaded(meta, uow, settings)))
    assert "备注" in book[SHEET].cell(row=1, column=len(headers) + 1).value
    assert committed(job, uow, settings).counts.created == 1


# -- the import ------------------------------------------------------------------------------


def test_the_import_registers_the_valid_rows_and_skips_the_others(uow, settings):
    home = "河南省郑州市惠济区天河路1号"
    profile = {"民族": "回族", "党内职务": "委员、组织委员", "家庭住址": home}
    rows = [person(seq=n, 姓名=f"党员{n}", **profile) for n in range(1, 8)]
    rows.insert(2, person(seq=50, 手机号码="1"))  # row 4 refused
    job = checked(xlsx(rows), uow, settings)
    done = committed(job, uow, settings)
    assert done.state == "done"
    assert (done.counts.created, done.counts.failed, done.counts.done) == (7, 0, 7)
    assert len(uow.members.rows) == 7
    member = next(m for m in uow.members.rows.values() if m.name == "党员1")
    assert (member.ethnicity, member.duties) == ("回族", ("委员", "组织委员"))  # registered with
    assert member.address_masked.startswith("河南省郑州市") and "天河路" not in member.address_enc
    assert uow.orgs.get("b1").counts.own_members == 7
    kinds = [e["type"] for e in uow.members.events]
    assert kinds.count("member_registered") == 7 and kinds.count("member_updated") == 0


def test_the_same_file_again_changes_nothing(uow, settings):
    raw = xlsx([person(seq=n, 姓名=f"党员{n}") for n in range(1, 5)])
    committed(checked(raw, uow, settings), uow, settings)
    events = len(uow.members.events)
    again = checked(raw, uow, settings, caller=STREET1)  # another job: another person uploads it
    assert (again.counts.new, again.counts.unchanged) == (0, 4)
    done = committed(again, uow, settings, caller=STREET1)
    assert (done.counts.created, done.counts.updated) == (0, 0)
    assert len(uow.members.events) == events
    assert uow.orgs.get("b1").counts.own_members == 4


def test_a_changed_row_updates_the_member(uow, settings):
    committed(checked(xlsx([person(seq=1, 工作单位="甲公司")]), uow, settings), uow, settings)
    changed = checked(xlsx([person(seq=1, 工作单位="乙公司", 技能特长="理发")]), uow, settings)
    assert (changed.counts.updates, changed.counts.new) == (1, 0)
    done = committed(changed, uow, settings)
    assert done.counts.updated == 1
    [member] = uow.members.rows.values()
    assert (member.work_unit, member.skills) == ("乙公司", ("理发",))
    assert uow.members.events[-1]["type"] == "member_updated"


def test_a_row_changing_what_an_import_may_not_change_is_refused(uow, settings):
    committed(checked(xlsx([person(seq=1)]), uow, settings), uow, settings)
    job = checked(xlsx([person(seq=1, 姓名="张三", 手机号码="13900001234")]), uow, settings)
    assert {c for _r, c, _ in problems(job, uow)} == {"姓名", "手机号码"}


def test_a_commit_repeated_or_of_an_unchecked_job(uow, settings):
    job, _ = upload(xlsx([person()]), uow, settings)
    with pytest.raises(Conflict):
        importing.commit(job.import_id, uow, SECRETARY1, settings)
    importing.work(uow, settings)
    first = importing.commit(job.import_id, uow, SECRETARY1, settings)
    again = importing.commit(job.import_id, uow, SECRETARY1, settings)
    assert first.state == again.state == "importing"
    with pytest.raises(NotFound):
        importing.commit("ri-00000000000000000000", uow, SECRETARY1, settings)
    with pytest.raises(Forbidden):
        importing.get_import(job.import_id, uow, Caller("x", "branch_secretary", "/hj/s1/b2"))


def test_a_crash_mid_import_resumes_where_it_stopped(uow, settings):
    rows = [person(seq=n, 姓名=f"党员{n}") for n in range(1, 9)]
    job = checked(xlsx(rows), uow, settings)
    importing.commit(job.import_id, uow, SECRETARY1, settings)
    calls = {"n": 0}

    def crash():
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("the process died")

    with pytest.raises(RuntimeError):
        importing.work(uow, replace(settings, pause=crash))
    stopped = uow.roster_imports.get(job.import_id)
    assert (stopped.state, stopped.next_row, stopped.counts.done) == ("importing", 5, 3)
    assert importing.work(uow, settings) == 0  # its lease has not run out yet
    later = replace(
        settings, members=replace(settings.members, clock=lambda: NOW + timedelta(minutes=5))
    )
    assert importing.work(uow, later) == 1
    done = uow.roster_imports.get(job.import_id)
    assert (done.state, done.counts.created, done.counts.done) == ("done", 8, 8)
    assert len(uow.members.rows) == 8


def test_a_batch_done_again_after_a_crash_changes_nothing_more(uow, settings):
    rows = [person(seq=n, 姓名=f"党员{n}", 学历="大学本科") for n in range(1, 4)]
    job = checked(xlsx(rows), uow, settings)
    importing.commit(job.import_id, uow, SECRETARY1, settings)
    importing.work(uow, settings)
    events = len(uow.members.events)
    redo = uow.roster_imports.get(job.import_id)
    uow.roster_imports.rows[job.import_id] = replace(redo, state="importing", next_row=2)
    importing.work(uow, settings)
    assert len(uow.members.events) == events
    assert uow.orgs.get("b1").counts.own_members == 3


def test_a_row_refused_at_import_time_is_listed(uow, settings):
    job = checked(xlsx([person(seq=1), person(seq=2, 姓名="李四")]), uow, settings)
    # meanwhile the first person is registered in another area
    taken = registration("b3", "王五", 1)
    handlers.register_member(taken, uow, OPERATOR, settings.members)
    done = committed(job, uow, settings)
    assert (done.counts.created, done.counts.failed) == (1, 1)
    assert [r for r, _c, _ in problems(done, uow)] == [2]


def test_the_report_has_the_error_column(uow, settings):
    rows = [person(seq=1), person(seq=2, 手机号码="123")]
    job = checked(xlsx(rows), uow, settings)
    meta = importing.report(job.import_id, uow, SECRETARY1, settings)
    with pytest.raises(NotFound):  # made for the secretary only
        importing.read_file_chunk(
            roster_commands.ReadFileChunk(meta["file_id"], 0), uow, STREET1, settings
        )
    sealed = uow.roster_files.chunk(meta["file_id"], 0)
    assert "UEsDB" not in sealed  # stored encrypted: not the workbook's base64 (PK\x03\x04...)
    book = openpyxl.load_workbook(io.BytesIO(downloaded(meta, uow, settings)), read_only=True)
    got = [list(r) for r in book[SHEET].iter_rows(values_only=True)]
    assert got[0][-1] == ERROR_HEADER
    assert got[1][-1] in ("", None)
    assert got[2][-1].startswith("手机号码：")
    with pytest.raises(NotFound):  # read once: gone after its last chunk
        downloaded(meta, uow, settings)


def test_uploaded_chunks_are_stored_encrypted(uow, settings):
    raw = csv_bytes([person()])
    upload(raw, uow, settings)
    [sealed] = uow.roster_files.chunks.values()
    assert base64.b64encode(raw).decode()[:40] not in sealed
    assert "张三丰" not in sealed and person()["公民身份号码"] not in sealed


def test_the_template_reads_back_as_an_empty_roster(uow, settings):
    for fmt in ("xlsx", "csv"):
        table = sheets.read_table(sheets.template(fmt), 10)
        assert [str(h) for h in table.headers] == HEADERS
    raw = sheets.template("xlsx")
    assert base64.b64encode(raw)


def test_uploads_and_unread_files_are_purged_after_their_days(uow, settings):
    raw = xlsx([person()])
    job = checked(raw, uow, settings)
    report = importing.report(job.import_id, uow, SECRETARY1, settings)

    def at(days):
        clock = lambda: NOW + timedelta(days=days)  # noqa: E731
        return replace(settings, members=replace(settings.members, clock=clock))

    assert importing.purge_files(uow, at(1)) == 0  # kept through the day after
    assert importing.purge_files(uow, at(2)) >= 1  # the report nobody read
    assert uow.roster_files.meta(report["file_id"]) is None
    later = at(5)  # the same file sent again: kept a week from then
    upload(raw, uow, later, caller=STREET1)
    assert importing.purge_files(uow, at(9)) == 0
    assert importing.purge_files(uow, at(13)) >= 1
    with pytest.raises(InvalidInput):  # the job's file is gone: its report says so
        importing.report(job.import_id, uow, SECRETARY1, at(13))


def test_headers_below_a_title_row_are_found(uow, settings):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = SHEET
    ws.append(["惠济区党员名册（2026年）"])
    ws.append(HEADERS)
    ws.append([person(seq=1).get(h, "") for h in HEADERS])
    ws.append([person(seq=2, 手机号码="1").get(h, "") for h in HEADERS])
    out = io.BytesIO()
    book.save(out)
    job = checked(out.getvalue(), uow, settings)
    assert (job.counts.rows, job.counts.new) == (2, 1)
    assert [(r, c) for r, c, _ in problems(job, uow)] == [(4, "手机号码")]
    meta = importing.report(job.import_id, uow, SECRETARY1, settings)
    report = openpyxl.load_workbook(io.BytesIO(downloaded(meta, uow, settings)), read_only=True)
    got = [list(r) for r in report[SHEET].iter_rows(values_only=True)]
    assert got[0][0] == "惠济区党员名册（2026年）" and got[0][-1] in ("", None)
    assert got[1][-1] == ERROR_HEADER and got[3][-1].startswith("手机号码：")
    assert committed(job, uow, settings).counts.created == 1


def test_a_file_with_headers_only_is_refused_at_upload(uow, settings):
    with pytest.raises(InvalidInput, match="没有党员信息"):
        upload(csv_bytes([]), uow, settings)
    assert uow.roster_imports.rows == {}


def test_a_batch_the_register_refuses_is_registered_row_by_row(uow, settings, monkeypatch):
    rows = [
        person(seq=1, 党员卡号="A0000001"),
        person(seq=2, 姓名="李四"),
        person(seq=3, 姓名="王五"),
    ]
    job = checked(xlsx(rows), uow, settings)
    real = importing.register_members

    def register(cmds, *args):  # the card went to someone else between the check and the write
        if any(c.card_uid == "A0000001" for c in cmds):
            raise Conflict("该党员卡已登记给其他党员")
        return real(cmds, *args)

    monkeypatch.setattr(importing, "register_members", register)
    done = committed(job, uow, settings)
    assert (done.counts.created, done.counts.failed) == (2, 1)
    assert problems(done, uow) == [(2, "党员卡号", "该党员卡已登记给其他党员")]


def test_a_changed_row_whose_member_keeps_changing_is_refused_not_skipped(
    uow, settings, monkeypatch
):
    committed(checked(xlsx([person(seq=1, 工作单位="甲公司")]), uow, settings), uow, settings)
    changed = checked(xlsx([person(seq=1, 工作单位="乙公司")]), uow, settings)
    saves = []

    def always_stale(member, events):  # another writer wins every time
        saves.append(member.member_id)
        raise Stale(member.member_id)

    monkeypatch.setattr(uow.members, "save", always_stale)
    done = committed(changed, uow, settings)
    assert (done.counts.updated, done.counts.failed) == (0, 1)
    assert len(saves) == 4  # tried again from a fresh read each time, then refused
    [(row, column, reason)] = problems(done, uow)
    assert (row, column) == (2, "公民身份号码") and "同时修改" in reason
    [member] = uow.members.rows.values()
    assert member.work_unit == "甲公司"

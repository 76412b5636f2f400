"""The roster import and export through nameko on the real broker and the embedded store:
upload in chunks → dry run (the service's timer) → commit → the same file again changes nothing
→ a changed row updates the member → the report has the 错误说明 column; an import cut short
by a crash resumes where its progress says, once its lease has run out; the export pages
through the members and audits a full one."""

import base64
import hashlib
import io
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ClusterRpcProxy

from services.infra.storage import open_database
from services.members.idcard import make_id_number
from services.members.roster.columns import COLUMNS, ERROR_HEADER, SHEET
from services.members.service import MembersService
from tests.conftest import caller, wait_for

HEADERS = [c.header for c in COLUMNS]
CHUNK = 512 * 1024
SECRETARY = caller("branch_secretary", "/hj/hj-b1", subject="sec-1")
STREET = caller("org_admin", "/hj", subject="admin-1")


def row(n, org_id="hj-b1", **cells):
    born = date(1970, 1, 1) + timedelta(days=n)
    values = {
        "姓名": f"党员{n}",
        "性别": "女",
        "公民身份号码": make_id_number("410108", born, n % 100, "female"),
        "手机号码": f"1710000{n:04d}",
        "入党日期": (born + timedelta(days=365 * 20)).isoformat(),
        "所在党组织编码": org_id,
        "学历": "大学本科",
    }
    values.update(cells)
    return values


def workbook(rows):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = SHEET
    ws.append(HEADERS)
    for r in rows:
        ws.append([r.get(h, "") for h in HEADERS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(rpc, content, org_id="hj-b1"):
    file_hash = hashlib.sha256(content).hexdigest()
    parts = [content[i : i + CHUNK] for i in range(0, len(content), CHUNK)]
    for n, part in enumerate(parts):
        rpc.members.put_roster_chunk(
            {"file_hash": file_hash, "index": n, "data": base64.b64encode(part).decode()}
        )
    return rpc.members.start_roster_import(
        {"org_id": org_id, "file_hash": file_hash, "size": len(content), "chunks": len(parts)}
    )


def settled(rpc, import_id, state):
    return wait_for(
        lambda: (job := rpc.members.get_roster_import(import_id))["state"] == state and job,
        timeout=30,
    )


def fetched(rpc, meta):
    parts = [
        rpc.members.read_roster_file({"file_id": meta["file_id"], "index": n})["data"]
        for n in range(meta["chunks"])
    ]
    return b"".join(base64.b64decode(p) for p in parts)


@pytest.fixture
def system(runner_factory, make_config):
    config = make_config("members", ROSTER={"batch": 4})
    runner_factory(config, MembersService).start()
    with (
        ClusterRpcProxy(config, timeout=30, context_data=caller("county_operator", "/hj")) as op,
        ClusterRpcProxy(config, timeout=30, context_data=SECRETARY) as secretary,
        ClusterRpcProxy(config, timeout=30, context_data=STREET) as street,
    ):
        for org_id, parent in [("hj", None), ("hj-b1", "hj"), ("hj-b2", "hj")]:
            op.members.create_org(
                {"org_id": org_id, "parent_id": parent, "name": org_id, "kind": "branch"}
            )
        yield {"op": op, "secretary": secretary, "street": street, "config": config}


def test_upload_check_commit_again_change_and_report(system):
    sec = system["secretary"]
    rows = [row(n) for n in range(1, 10)] + [row(50, 手机号码="12"), row(51, org_id="hj-b2")]
    content = workbook(rows)
    job = upload(sec, content)
    assert job["created"] is True and job["state"] in ("queued", "checking", "checked")
    checked = settled(sec, job["import_id"], "checked")
    assert checked["counts"]["new"] == 9 and checked["counts"]["refused"] == 2
    problems = sec.members.list_roster_problems({"import_id": job["import_id"], "limit": 1})
    assert problems["items"][0]["row"] == 11 and problems["next_cursor"]
    rest = sec.members.list_roster_problems(
        {"import_id": job["import_id"], "cursor": problems["next_cursor"]}
    )
    assert [(p["row"], p["column"]) for p in rest["items"]] == [(12, "所在党组织编码")]
    assert upload(sec, content)["import_id"] == job["import_id"]  # the same upload, the same job

    sec.members.commit_roster_import(job["import_id"])
    done = settled(sec, job["import_id"], "done")
    assert (done["counts"]["created"], done["counts"]["done"]) == (9, 9)
    assert sec.members.get_org_node("hj-b1")["counts"]["own_members"] == 9

    again = upload(system["street"], content)  # another person, the same file: a new job
    assert settled(system["street"], again["import_id"], "checked")["counts"]["unchanged"] == 9
    system["street"].members.commit_roster_import(again["import_id"])
    redone = settled(system["street"], again["import_id"], "done")
    assert (redone["counts"]["created"], redone["counts"]["updated"]) == (0, 0)
    assert sec.members.get_org_node("hj-b1")["counts"]["own_members"] == 9

    changed = upload(sec, workbook([row(1, 学历="硕士研究生", 工作单位="惠济区政府")]))
    assert settled(sec, changed["import_id"], "checked")["counts"]["updates"] == 1
    sec.members.commit_roster_import(changed["import_id"])
    assert settled(sec, changed["import_id"], "done")["counts"]["updated"] == 1
    [member] = sec.members.list_members({"org_id": "hj-b1", "q": "党员1", "limit": 1})["items"]
    found = sec.members.get_member(member["member_id"])
    assert (found["education"], found["work_unit"]) == ("硕士研究生", "惠济区政府")

    report = fetched(sec, sec.members.roster_import_report(job["import_id"]))
    sheet = openpyxl.load_workbook(io.BytesIO(report), read_only=True)[SHEET]
    got = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert got[0][-1] == ERROR_HEADER and len(got) == 12
    assert got[10][-1].startswith("手机号码：") and got[1][-1] in ("", None)
    with pytest.raises(RemoteError) as refused:  # made for the secretary
        fetched(system["street"], sec.members.roster_import_report(job["import_id"]))
    assert refused.value.exc_type == "NotFound"


def test_bad_files_are_refused_at_upload_and_change_nothing(system):
    sec = system["secretary"]
    with pytest.raises(RemoteError) as refused:
        upload(sec, b"not a spreadsheet \x00\x01")
    assert refused.value.exc_type == "InvalidInput" and "XLSX" in refused.value.value
    with pytest.raises(RemoteError) as outside:
        upload(sec, workbook([row(1)]), org_id="hj-b2")
    assert outside.value.exc_type == "Forbidden"
    db = open_database("members", system["config"]["MONGO_URI"], Path(system["config"]["DATA_DIR"]))
    assert db.roster_imports.count_documents({}) == 0


def test_an_import_cut_short_resumes_where_it_stopped(system):
    sec, config = system["secretary"], system["config"]
    rows = [row(n) for n in range(100, 112)]
    job = upload(sec, workbook(rows))
    settled(sec, job["import_id"], "checked")
    # a crash after the first batch of 4: those are registered, the job says so, and its
    # worker's lease is still running
    first = [
        {
            "org_id": "hj-b1",
            "name": r["姓名"],
            "gender": "female",
            "birth_date": f"{r['公民身份号码'][6:10]}-{r['公民身份号码'][10:12]}-{r['公民身份号码'][12:14]}",
            "id_number": r["公民身份号码"],
            "phone": r["手机号码"],
            "join_date": r["入党日期"],
        }
        for r in rows[:4]
    ]
    sec.members.register_members(first)
    db = open_database("members", config["MONGO_URI"], Path(config["DATA_DIR"]))
    db.roster_imports.update_one(
        {"_id": job["import_id"]},
        {
            "$set": {
                "state": "importing",
                "next_row": 6,
                "counts.done": 4,
                "counts.created": 4,
                "lease_until": "2000-01-01T00:00:00.000000Z",  # the worker died long ago
                "caller": SECRETARY["caller"],
            }
        },
    )
    done = settled(sec, job["import_id"], "done")
    assert (done["counts"]["done"], done["counts"]["created"]) == (12, 12)
    assert sec.members.get_org_node("hj-b1")["counts"]["own_members"] == 12
    assert db.members.count_documents({"org_id": "hj-b1"}) == 12


def test_the_export_masked_and_in_full(system):
    sec, street = system["secretary"], system["street"]
    job = upload(sec, workbook([row(n) for n in range(200, 205)]))
    settled(sec, job["import_id"], "checked")
    sec.members.commit_roster_import(job["import_id"])
    settled(sec, job["import_id"], "done")
    masked = fetched(sec, sec.members.export_members({"org_id": "hj-b1"}))
    rows = list(openpyxl.load_workbook(io.BytesIO(masked))[SHEET].iter_rows(values_only=True))
    assert len(rows) == 6 and "*" in rows[1][3]
    full = street.members.export_members(
        {"org_id": "hj", "subtree": True, "full": True, "reason": "年度统计核对"}
    )
    rows = list(
        openpyxl.load_workbook(io.BytesIO(fetched(street, full)))[SHEET].iter_rows(values_only=True)
    )
    assert len(rows) == 6 and "*" not in rows[1][3]
    db = open_database("members", system["config"]["MONGO_URI"], Path(system["config"]["DATA_DIR"]))
    [entry] = db.audit.find({"action": "roster_export"})
    assert entry["count"] == 5 and entry["reason"] == "年度统计核对"
    with pytest.raises(RemoteError) as refused:
        sec.members.export_members({"org_id": "hj-b1", "full": True, "reason": "核对"})
    assert refused.value.exc_type == "Forbidden"


def test_files_are_kept_and_purged_by_day_on_the_embedded_store(tmp_path):
    """A chunk sent again keeps its first content and the later day ($setOnInsert and $max
    in one upsert); whole days go through the retention index."""
    from datetime import UTC, datetime

    from services.infra.storage import close_all, ensure_indexes
    from services.members.store import MembersStore

    db = open_database("members", None, tmp_path)
    try:
        ensure_indexes(db, MembersStore.INDEXES)
        files = MembersStore(db).roster_files
        day = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
        files.put_chunk("h1", 0, "first", day + timedelta(days=7))
        files.put_chunk("h1", 0, "second", day + timedelta(days=12))
        files.put_chunk("h1", 0, "third", day + timedelta(days=2))
        assert files.chunks_of("h1", 1) == ["first"]
        made = files.keep({"owner": "x", "org_path": "/hj"}, ["a", "b"], day + timedelta(days=1))
        assert files.purge(day) == 0
        assert files.purge(day + timedelta(days=2)) == 3  # the made file: 2 chunks and its entry
        assert files.meta(made["file_id"]) is None and files.chunks_of("h1", 1) == ["first"]
        assert files.purge(day + timedelta(days=13)) == 1
        assert files.chunks_of("h1", 1) is None
    finally:
        close_all()

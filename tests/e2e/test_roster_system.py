"""The roster routes on the running system (`make run`, the small demo county), into a fresh
branch the county creates: the template, an upload's dry run and its problems, the commit, the
same file again, a CSV in GB18030, the report with its 错误说明 column, bad files refused with a
Chinese reason, and the export masked or, for staff with a reason, in full (the tests run in
the order written: later ones find the members the upload test imported)."""

import io
from datetime import date, timedelta

import openpyxl
import pytest
import requests

from gateway.auth import issue_token
from services.members.idcard import make_id_number
from tests.conftest import wait_for
from tests.system import demo_system

BRANCH = "rst-b1"
PATH = f"/hj/hj-s01/{BRANCH}"
SHEET = "党员名册"


@pytest.fixture(scope="module")
def system(tmp_path_factory, request):
    with demo_system(request, tmp_path_factory, "roster") as launched:
        secret = launched.secrets()["TOKEN_SECRET"]

        def token(role, scope, subject):
            return issue_token(secret, subject=subject, role=role, scope=scope)

        system = {
            "url": launched.url + "/api/v1",
            "county": token("county_operator", "/hj", "rst-county"),
            "street": token("org_admin", "/hj/hj-s01", "rst-street"),
            "secretary": token("branch_secretary", PATH, "rst-secretary"),
        }
        made = call(system, "county", "post", "/orgs", json={
            "org_id": BRANCH, "parent_id": "hj-s01", "name": "名册导入测试支部", "kind": "branch"
        })  # fmt: skip
        assert made.status_code == 201, made.text
        yield system


def call(system, actor, method, path, **kwargs):
    headers = {"Authorization": f"Bearer {system[actor]}"}
    return requests.request(method, system["url"] + path, headers=headers, timeout=60, **kwargs)


def person(n, **cells):
    born = date(1975, 3, 1) + timedelta(days=n)
    values = {
        "姓名": f"导入{n}",
        "性别": "男",
        "公民身份号码": make_id_number("410108", born, n % 100, "male"),
        "手机号码": f"1719900{n:04d}",
        "入党日期": f"{born.year + 25}年{born.month}月{born.day}日",
        "所在党组织编码": BRANCH,
    }
    values.update(cells)
    return values


def filled_template(system, rows):
    """The downloaded template with its example row replaced by ``rows``."""
    answer = call(system, "secretary", "get", "/roster/template?format=xlsx")
    assert answer.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    sheet = book[SHEET]
    headers = [c.value for c in sheet[1]]
    sheet.delete_rows(2)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(system, content, name="名册.xlsx", actor="secretary"):
    return call(
        system, actor, "post", f"/orgs/{BRANCH}/roster-imports", files={"file": (name, content)}
    )


def settled(system, import_id, state, actor="secretary"):
    def check():
        job = call(system, actor, "get", f"/roster-imports/{import_id}").json()
        assert job["state"] != "failed", job
        return job if job["state"] == state else None

    return wait_for(check, timeout=60, interval=0.3)


def test_the_template_downloads_in_both_formats(system):
    xlsx = call(system, "secretary", "get", "/roster/template")
    assert xlsx.status_code == 200
    assert "filename*=UTF-8''" in xlsx.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert [c.value for c in book[SHEET][1]][:3] == ["姓名", "性别", "公民身份号码"]
    assert "填写说明" in book.sheetnames
    csv = call(system, "secretary", "get", "/roster/template?format=csv")
    assert csv.content.startswith("\ufeff姓名,性别".encode())


def test_upload_dry_run_commit_again_and_report(system):
    rows = [person(n) for n in range(1, 6)] + [person(90, 手机号码="12345"), person(1, 姓名="重复")]
    content = filled_template(system, rows)
    answer = upload(system, content)
    assert answer.status_code == 202, answer.text
    job = answer.json()
    checked = settled(system, job["import_id"], "checked")
    assert checked["counts"]["new"] == 4 and checked["counts"]["refused"] == 3
    problems = call(
        system, "secretary", "get", f"/roster-imports/{job['import_id']}/problems?limit=2"
    )
    page = problems.json()
    assert [p["row"] for p in page["items"]] == [2, 7] and page["next_cursor"]
    assert page["items"][0]["column"] == "公民身份号码" and "第2、8行" in page["items"][0]["reason"]
    assert "*" in page["items"][0]["value_masked"]
    rest = call(
        system,
        "secretary",
        "get",
        f"/roster-imports/{job['import_id']}/problems?cursor={page['next_cursor']}",
    ).json()
    assert {(p["row"], p["column"]) for p in rest["items"]} == {(8, "公民身份号码")}

    assert upload(system, content).json()["import_id"] == job["import_id"]
    commit = call(system, "secretary", "post", f"/roster-imports/{job['import_id']}/commit")
    assert commit.status_code == 202
    done = settled(system, job["import_id"], "done")
    assert done["counts"]["created"] == 4
    node = call(system, "secretary", "get", f"/orgs/{BRANCH}").json()
    assert node["counts"]["own_members"] == 4

    again = upload(system, content, actor="street")  # the street's own job of the same file
    assert (
        settled(system, again.json()["import_id"], "checked", "street")["counts"]["unchanged"] == 4
    )

    report = call(system, "secretary", "get", f"/roster-imports/{job['import_id']}/report")
    assert report.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(report.content), read_only=True)[SHEET]
    got = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert got[0][-1] == "错误说明" and got[6][-1].startswith("手机号码：")


def test_a_gb18030_csv_and_a_changed_row(system):
    header = "姓名,性别,公民身份号码,手机号码,入党日期,学历,工作单位"
    p = person(2)  # imported by the test above
    line = f"{p['姓名']},男,{p['公民身份号码']},{p['手机号码']},{p['入党日期']},大学本科,郑州市惠济区某单位"
    answer = upload(system, f"{header}\r\n{line}\r\n".encode("gb18030"), "名册.csv")
    assert answer.status_code == 202, answer.text
    checked = settled(system, answer.json()["import_id"], "checked")
    assert (checked["encoding"], checked["counts"]["updates"]) == ("GB18030", 1)
    call(system, "secretary", "post", f"/roster-imports/{checked['import_id']}/commit")
    assert settled(system, checked["import_id"], "done")["counts"]["updated"] == 1


def test_bad_files_are_refused_in_chinese(system):
    for content, name in [(b"%PDF-1.4 not a roster", "a.pdf"), (b"", "empty.csv")]:
        answer = upload(system, content, name)
        assert answer.status_code == 400
        assert answer.headers["Content-Type"].startswith("application/problem+json")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in answer.json()["detail"])
    missing = upload(system, "姓名,备注\n张三,x\n".encode(), "a.csv")
    assert missing.status_code == 400 and "公民身份号码" in missing.json()["detail"]


def test_the_export_masked_and_in_full(system):
    masked = call(system, "secretary", "get", f"/orgs/{BRANCH}/members/export")
    assert masked.status_code == 200
    rows = list(
        openpyxl.load_workbook(io.BytesIO(masked.content))[SHEET].iter_rows(values_only=True)
    )
    assert rows[0][0] == "党员编号" and len(rows) >= 5
    assert all("*" in r[3] and "*" in r[4] for r in rows[1:])  # ID number, phone
    refused = call(
        system, "secretary", "get", f"/orgs/{BRANCH}/members/export?full=true&reason=核对"
    )
    assert refused.status_code == 403
    no_reason = call(system, "street", "get", f"/orgs/{BRANCH}/members/export?full=true")
    assert no_reason.status_code == 400
    full = call(system, "street", "get", f"/orgs/{BRANCH}/members/export?full=true&reason=年度核对")
    assert full.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(full.content))[SHEET].iter_rows(values_only=True))
    assert all("*" not in r[3] for r in rows[1:])

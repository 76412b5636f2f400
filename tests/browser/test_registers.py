"""The registers' console pages against the whole system (`make run`, the small demo county): a
street admin imports a roster with one bad row into a branch (the dry run lists the problem,
the valid row is imported, the result stays when the page is opened again), and the county
operator moves a fresh organization with a child under another street (the move's progress,
then the tree and the path show where it went), and the county operator edits a member's
profile, has the card reported lost and replaced, and suspends the member (the status history
shows it). axe-core and a screenshot on every page."""

from __future__ import annotations

import random
import re
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import requests
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from services.members.idcard import make_id_number
from tests.browser.support import checked, pick_org
from tests.browser.test_operations_and_phone import call, choose, sign_in, staff  # noqa: F401

ADMIN_PASSWORD = "Street-Admin-2026"


def admin(system: dict[str, Any], method: str, path: str, body: Any = None) -> Any:
    """A call as the demo county operator's token (no session) from the logins file."""
    return call(system, method, path, body, system["logins"]["admin"]["token"])


def roster_file(system: dict[str, Any], folder: Path) -> tuple[Path, str]:
    """An XLSX laid out as the template the system gives: one new member, and one row whose ID
    number's check character is wrong. The good row's name."""
    answer = requests.get(
        system["url"] + "/api/v1/roster/template?format=xlsx",
        headers={"Authorization": "Bearer " + system["logins"]["admin"]["token"]},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    headers = [cell.value for cell in load_workbook(BytesIO(answer.content)).worksheets[0][1]]
    seq = random.Random().randrange(100)
    good = make_id_number("410108", date(1986, 3, 14), seq, "female")
    bad = make_id_number("410108", date(1987, 5, 20), seq, "male")
    bad = bad[:17] + ("0" if bad[17] != "0" else "1")
    name = f"试导{seq:02d}"
    rows = [
        {
            "姓名": name,
            "性别": "女",
            "公民身份号码": good,
            "手机号码": f"170{seq:02d}998877",
            "入党日期": "2012-07-01",
            "党员类型(正式/预备)": "正式",
        },
        {
            "姓名": "错行",
            "性别": "男",
            "公民身份号码": bad,
            "手机号码": "17011112222",
            "入党日期": "2013-07-01",
        },
    ]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "党员名册"
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(str(header), "") for header in headers])
    path = folder / "名册.xlsx"
    book.save(path)
    return path, name


def workbook(path: Path) -> Any:
    """A downloaded XLSX (saved without its extension, which openpyxl wants)."""
    return load_workbook(BytesIO(path.read_bytes()))


def street_admin_signed_in(web: Any, system: dict[str, Any]) -> None:
    """demo-street past its first sign-in (its password set through the API), then signed in."""
    account = next(a for a in system["logins"]["accounts"] if a["username"] == "demo-street")
    credentials = {"username": "demo-street", "password": account["initial_password"]}
    pair = call(system, "POST", "/auth/sign-in", credentials)
    change = {"current_password": account["initial_password"], "new_password": ADMIN_PASSWORD}
    call(system, "POST", "/auth/password", change, pair["access_token"])
    sign_in(web, system, "demo-street", ADMIN_PASSWORD)


def test_street_admin_imports_a_roster_with_a_bad_row(web, system, tmp_path):
    branch = admin(system, "GET", "/orgs/" + system["logins"]["branch_secretary"]["org_id"])
    path, name = roster_file(system, tmp_path)
    street_admin_signed_in(web, system)

    # from the branch's member list to the wizard, which knows the branch
    web.goto(system["url"] + f"/orgs?org={branch['org_id']}")
    expect(web.get_by_test_id("org-summary")).to_contain_text(branch["name"])
    web.get_by_test_id("roster-import").click()
    expect(web).to_have_url(re.compile(rf"/roster/import\?org={branch['org_id']}$"))
    checked(web, "console-roster-file")
    with web.expect_download() as template:
        web.get_by_test_id("roster-template-xlsx").click()
    assert template.value.suggested_filename.endswith(".xlsx")
    assert workbook(template.value.path()).worksheets[0]["A1"].value == "姓名"

    # a file of another type is refused in the page
    web.get_by_test_id("roster-upload").locator("input[type=file]").set_input_files(
        {"name": "名册.txt", "mimeType": "text/plain", "buffer": b"x"}
    )
    expect(web.get_by_text("只能上传 .xlsx 或 .csv 文件")).to_be_visible()
    expect(web.get_by_test_id("roster-send")).to_be_disabled()

    # the roster: checked first, the bad row listed with its column and reason
    web.get_by_test_id("roster-upload").locator("input[type=file]").set_input_files(str(path))
    expect(web.get_by_test_id("roster-file")).to_contain_text("名册.xlsx")
    web.get_by_test_id("roster-send").click()
    expect(web).to_have_url(re.compile(r"[?&]import=ri-[0-9a-f]+"))
    expect(web.get_by_test_id("roster-counts")).to_be_visible(timeout=30_000)
    for key, n in (("rows", 2), ("valid", 1), ("refused", 1)):
        expect(web.get_by_test_id(f"roster-count-{key}")).to_have_text(str(n))
    problems = web.get_by_test_id("roster-problems").locator("tbody tr")
    expect(problems).to_have_count(1)
    expect(problems.first).to_contain_text("3")  # the file's third row (the headers are 1)
    expect(problems.first).to_contain_text("公民身份号码")
    checked(web, "console-roster-checked")
    # the report: the file again with the error column
    with web.expect_download() as report:
        web.get_by_test_id("roster-report").click()
    sheet = workbook(report.value.path()).worksheets[0]
    assert "错误说明" in [cell.value for cell in sheet[1]]

    # the valid row imported, after a confirmation
    web.get_by_test_id("roster-commit").click()
    web.locator(".el-message-box").get_by_role("button", name="导入", exact=True).click()
    result = web.get_by_test_id("roster-result")
    expect(result).to_be_visible(timeout=30_000)
    expect(result).to_contain_text("新增 1 人")
    expect(result).to_contain_text("未导入 1 行")
    checked(web, "console-roster-done")

    # the job is in the address: opened again, the result is there
    web.reload()
    expect(web.get_by_test_id("roster-result")).to_contain_text("新增 1 人")

    # and the member is in the branch's list
    web.get_by_test_id("roster-result").get_by_role("button", name="返回组织架构").click()
    web.get_by_label("姓名").fill(name)
    web.get_by_role("button", name="搜索").click()
    rows = web.get_by_test_id("members-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(name[0] + "*")

    # the branch's probations ending soon, in their own tab
    web.get_by_role("tab", name="转正提醒").click()
    expect(web.get_by_test_id("probation-due-table")).to_be_visible()
    checked(web, "console-probation-due")


def test_county_operator_moves_an_organization_with_its_child(web, system, staff):  # noqa: F811
    root = admin(system, "GET", "/orgs/roots")["items"][0]
    streets = admin(system, "GET", f"/orgs/{root['org_id']}/children")["items"]
    here, there = streets[0], streets[1]
    tag = f"{random.Random().randrange(10**6):06d}"
    moving = admin(
        system,
        "POST",
        "/orgs",
        {
            "org_id": f"mv-{tag}",
            "parent_id": here["org_id"],
            "name": f"迁移测试党总支{tag}",
            "kind": "general_branch",
            "tags": [],
        },
    )
    child = admin(
        system,
        "POST",
        "/orgs",
        {
            "org_id": f"mv-{tag}-b1",
            "parent_id": moving["org_id"],
            "name": f"迁移测试支部{tag}",
            "kind": "branch",
            "tags": [],
        },
    )
    sign_in(web, system, "demo-county", staff)

    web.goto(system["url"] + f"/orgs?org={moving['org_id']}")
    summary = web.get_by_test_id("org-summary")
    expect(summary).to_contain_text(moving["name"])
    expect(web.get_by_test_id("org-path")).to_contain_text(moving["path"])
    tree = web.get_by_test_id("org-tree")
    expect(tree.locator(".el-tree-node.is-current")).to_contain_text(moving["name"])

    # the new parent chosen level by level; the move confirmed with what moves along
    web.get_by_test_id("org-move").click()
    dialog = web.locator(".el-dialog", has_text="移动组织")
    expect(dialog).to_contain_text("将连同其下 1 个下级组织、0 名党员一起移动")
    pick_org(web, dialog.get_by_label("新的上级组织"), [root["name"], there["name"]])
    dialog.get_by_test_id("org-move-submit").click()
    box = web.locator(".el-message-box")
    expect(box).to_contain_text(f"确定把“{moving['name']}”移到“{there['name']}”之下吗")
    checked(web, "console-org-move")
    box.get_by_role("button", name="移动", exact=True).click()

    # the job followed to its end, then the tree and the path where it went
    new_path = f"{there['path']}/{moving['org_id']}"
    expect(dialog.get_by_test_id("org-move-progress")).to_contain_text(
        f"移动完成，新的组织路径：{new_path}", timeout=30_000
    )
    # the move's toast comes a moment after the progress says done (and the tree reloads under
    # the dialog): waited for, so that checked() waits for it to go before axe-core reads
    expect(web.locator(".el-message")).to_be_visible()
    checked(web, "console-org-moved")
    dialog.get_by_role("button", name="关闭", exact=True).click()
    expect(web.get_by_test_id("org-path")).to_contain_text(new_path)
    current = tree.locator(".el-tree-node.is-current")
    expect(current).to_contain_text(moving["name"])
    parent = tree.locator(".el-tree-node", has=web.locator(f"[data-org-id='{there['org_id']}']"))
    expect(parent.locator(f"[data-org-id='{moving['org_id']}']")).to_be_visible()
    assert (
        admin(system, "GET", f"/orgs/{child['org_id']}")["path"] == f"{new_path}/{child['org_id']}"
    )

    # the move is in the organization's history, in words
    web.get_by_role("tab", name="变更记录").click()
    history = web.get_by_test_id("org-history")
    expect(history.locator("tbody tr", has_text="移动").first).to_contain_text(new_path)
    checked(web, "console-org-history")


STATUS_NAMES = {"full": "正式党员", "probationary": "预备党员"}


def test_county_operator_edits_a_member_replaces_the_card_and_changes_the_status(
    web,
    system,
    staff,  # noqa: F811
):
    member = system["logins"]["members"][1]
    record = admin(system, "GET", f"/members/{member['member_id']}")
    sign_in(web, system, "demo-county", staff)
    web.goto(system["url"] + f"/members/{member['member_id']}")
    profile = web.get_by_test_id("member-profile")
    expect(profile).to_contain_text(member["name"][0] + "*")

    # the profile: a gender against the ID number's digit is refused in the page, then saved
    web.get_by_test_id("member-edit").click()
    form = web.get_by_test_id("profile-form")
    own, other = ("女", "男") if record["gender"] == "female" else ("男", "女")
    form.get_by_text(other, exact=True).click()
    web.get_by_test_id("profile-submit").click()
    expect(form.get_by_text("性别与身份证号不一致")).to_be_visible()
    form.get_by_text(own, exact=True).click()
    form.get_by_label("民族").fill("回族")
    checked(web, "console-member-edit")
    web.get_by_test_id("profile-submit").click()
    expect(profile).to_contain_text("回族")

    # the card reported lost (asked once more), then replaced by a UID typed as bytes
    web.get_by_role("tab", name="党员卡").click()
    web.get_by_test_id("card-lost").click()
    lost = web.locator(".el-dialog", has_text="挂失党员卡")
    lost.get_by_label("原因").fill("卡片遗失")
    web.get_by_test_id("card-submit").click()
    box = web.locator(".el-message-box")
    expect(box).to_contain_text(member["card_uid"])
    box.get_by_role("button", name="挂失", exact=True).click()
    expect(web.get_by_test_id("member-card")).to_have_text("未绑定")
    cards = web.get_by_test_id("member-cards")
    expect(cards.locator("tbody tr", has_text=member["card_uid"])).to_contain_text("已挂失")
    web.get_by_test_id("card-replace").click()
    replace = web.locator(".el-dialog", has_text="补办党员卡")
    replace.get_by_label("卡号").fill("not-a-card")
    web.get_by_test_id("card-submit").click()
    expect(replace.get_by_text("卡号应为 4-10 个字节的十六进制数字")).to_be_visible()
    new_uid = f"{random.Random().randrange(1, 2**32):08X}"
    replace.get_by_label("卡号").fill(":".join(new_uid[i : i + 2] for i in range(0, 8, 2)).lower())
    expect(replace).to_contain_text(f"将登记为：{new_uid}")
    checked(web, "console-member-card")
    web.get_by_test_id("card-submit").click()
    expect(web.get_by_test_id("member-card")).to_have_text(new_uid)
    expect(cards.locator("tbody tr", has_text=new_uid)).to_contain_text("使用中")

    # suspended: the allowed changes only, the reason and the approver
    web.get_by_test_id("member-change-status").click()
    dialog = web.locator(".el-dialog", has_text="确认变更")
    choose(web, dialog.get_by_label("变更为"), "停止党籍")
    dialog.get_by_label("原因").fill("长期不参加组织生活")
    choose(web, dialog.get_by_label("批准机构"), "支部委员会")
    checked(web, "console-member-status")
    web.get_by_test_id("status-submit").click()
    expect(web.get_by_test_id("member-status")).to_have_text("停止党籍")
    web.get_by_role("tab", name="状态记录").click()
    expect(web.get_by_test_id("status-history")).to_contain_text(
        f"停止党籍：{STATUS_NAMES[record['status']]} → 停止党籍"
    )
    checked(web, "console-member-history")


def test_county_operator_places_members_in_a_temporary_branch_then_dissolves_it(
    web,
    system,
    staff,  # noqa: F811
):
    member = system["logins"]["members"][3]
    home = admin(system, "GET", f"/members/{member['member_id']}")
    street = admin(system, "GET", "/orgs/" + home["org_path"].split("/")[2])
    tag = f"{random.Random().randrange(10**6):06d}"
    ends_on = f"{date.today().year + 1}-06-30"
    branch = admin(
        system,
        "POST",
        "/orgs",
        {
            "org_id": f"tmp-{tag}",
            "parent_id": street["org_id"],
            "name": f"防汛行动支部{tag}",
            "kind": "branch",
            "tags": ["action"],
            "ends_on": ends_on,
        },
    )
    sign_in(web, system, "demo-county", staff)
    web.goto(system["url"] + f"/orgs?org={branch['org_id']}")
    tree = web.get_by_test_id("org-tree")
    expect(tree.locator(".el-tree-node.is-current")).to_contain_text(f"至 {ends_on}")
    expect(web.get_by_test_id("org-summary")).to_contain_text(f"临时组织，至 {ends_on}")

    # a member of another branch found by card and placed here for the branch's time
    web.get_by_test_id("org-place").click()
    dialog = web.locator(".el-dialog", has_text="安排党员到临时党支部")
    dialog.get_by_label("党员").fill(member["card_uid"])
    web.get_by_role("option", name=re.compile(re.escape(member["name"][0]) + r"\*")).click()
    dialog.get_by_label("原因").fill("汛期值守")
    checked(web, "console-org-place")
    dialog.get_by_test_id("org-place-submit").click()
    rows = web.get_by_test_id("members-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(member["name"][0] + "*")
    assert admin(system, "GET", f"/members/{member['member_id']}")["org_id"] == branch["org_id"]

    # dissolved: the member goes home, the branch stays in the tree, greyed and marked
    web.get_by_test_id("org-dissolve").click()
    dialog = web.locator(".el-dialog", has_text="撤销组织")
    dialog.get_by_label("原因").fill("汛期结束")
    dialog.get_by_test_id("org-dissolve-submit").click()
    web.locator(".el-message-box").get_by_role("button", name="撤销", exact=True).click()
    expect(web.get_by_test_id("org-dissolved")).to_be_visible()
    expect(web.get_by_test_id("org-actions").get_by_role("button")).to_have_count(0)
    node = tree.locator(f"[data-org-id='{branch['org_id']}']")
    expect(node).to_contain_text("已撤销")
    assert admin(system, "GET", f"/members/{member['member_id']}")["org_id"] == home["org_id"]
    checked(web, "console-org-dissolved")

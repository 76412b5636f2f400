"""A transfer within the deployment (组织关系转接) in the console against the whole system (`make
run`, the small demo county): the county operator opens 组织关系转接, issues a letter for a
member (the member picker, the receiving branch chosen level by level; the form's own checks
first), finds it under 转出 waiting, views the printable letter, then accepts it under 转入:
the member now belongs to the receiving branch. axe-core and a screenshot on every step."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.support import checked, pick_org
from tests.browser.test_operations_and_phone import call, sign_in, staff  # noqa: F401

RECEIVER = "hj-s02-c01-b01"


def admin(system: dict[str, Any], method: str, path: str, body: Any = None) -> Any:
    return call(system, method, path, body, system["logins"]["admin"]["token"])


def test_county_operator_issues_then_accepts_a_transfer(
    web,
    system,
    staff,  # noqa: F811
):
    member = next(
        m
        for m in system["logins"]["members"]
        if admin(system, "GET", f"/members/{m['member_id']}")["org_id"] != RECEIVER
    )
    parts = [p for p in admin(system, "GET", f"/orgs/{RECEIVER}")["path"].split("/") if p]
    names = [admin(system, "GET", f"/orgs/{org_id}")["name"] for org_id in parts]
    sign_in(web, system, "demo-county", staff)
    web.goto(system["url"] + "/transfers")
    table = web.get_by_test_id("transfers-table")
    expect(table).to_contain_text("暂无介绍信")
    checked(web, "console-transfers-empty")

    web.get_by_test_id("transfer-issue").click()
    dialog = web.locator(".el-dialog", has_text="开具介绍信")
    web.get_by_test_id("transfer-submit").click()
    expect(dialog.get_by_text("请选择党员")).to_be_visible()  # the page's own check
    checked(web, "console-transfers-issue")
    dialog.get_by_label("党员").fill(member["card_uid"])
    web.get_by_role("option", name=re.compile(re.escape(member["name"][0]) + r"\*")).click()
    pick_org(web, dialog.get_by_label("接收党组织"), names)
    dialog.get_by_label("原因").fill("工作调动")
    web.get_by_test_id("transfer-submit").click()
    expect(web.get_by_text(re.compile(r"介绍信已开具"))).to_be_visible()

    rows = table.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("待接收")
    expect(rows.first).to_contain_text(names[-1])
    assert member["name"] not in rows.first.inner_text()  # masked
    checked(web, "console-transfers-outgoing")
    rows.first.get_by_role("button", name="查看").click()
    letter = web.get_by_test_id("transfer-letter")
    expect(letter).to_contain_text("组织关系介绍信")
    expect(letter).to_contain_text(names[-1])
    checked(web, "console-transfers-letter")
    web.locator(".el-dialog", has=letter).get_by_role("button", name="关闭", exact=True).click()

    web.get_by_test_id("transfers-tabs").get_by_role("tab", name="转入", exact=True).click()
    expect(rows).to_have_count(1)
    rows.first.get_by_test_id("transfer-accept").click()
    web.locator(".el-message-box").get_by_role("button", name="确认").click()
    expect(rows.first).to_contain_text("已接收")
    assert admin(system, "GET", f"/members/{member['member_id']}")["org_id"] == RECEIVER
    checked(web, "console-transfers-accepted")

    web.get_by_test_id("transfers-tabs").get_by_role("tab", name="外地转入").click()
    expect(web.get_by_test_id("transfers-remote-table")).to_contain_text("暂无介绍信")
    checked(web, "console-transfers-remote")

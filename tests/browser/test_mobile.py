"""Mobile members (流动党员) and lapse warnings in the console against the whole system (`make
run`, the small demo county): the county operator registers a member as mobile through the
dialog (the form's own checks first: an end past six months is refused in the page), sees them
among 外出党员 with the place and host, then under 在此参加 of the host, reads their sign-ins,
and opens the lapse warnings. axe-core and a screenshot on every page."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from playwright.sync_api import expect

from tests.browser.support import checked
from tests.browser.test_operations_and_phone import call, sign_in, staff  # noqa: F401

HOST = "hj-s02-c01-b01"


def admin(system: dict[str, Any], method: str, path: str, body: Any = None) -> Any:
    return call(system, method, path, body, system["logins"]["admin"]["token"])


def fill_day(dialog: Any, label: str, day: date) -> None:
    field = dialog.get_by_label(label)
    field.fill(day.isoformat())
    field.press("Enter")


def test_county_operator_registers_a_mobile_member_and_sees_the_lapse_list(
    web,
    system,
    staff,  # noqa: F811
):
    member = next(
        m
        for m in system["logins"]["members"]
        if admin(system, "GET", f"/members/{m['member_id']}")["org_id"] != HOST
    )
    host = admin(system, "GET", f"/orgs/{HOST}")
    sign_in(web, system, "demo-county", staff)
    web.goto(system["url"] + "/mobile-members")
    expect(web.get_by_test_id("mobile-table")).to_contain_text("暂无流动党员")
    checked(web, "console-mobile-empty")

    web.get_by_test_id("mobile-register").click()
    dialog = web.locator(".el-dialog", has_text="登记流动党员")
    dialog.get_by_label("党员").fill(member["card_uid"])
    web.get_by_role("option", name=re.compile(re.escape(member["name"][0]) + r"\*")).click()
    dialog.get_by_label("外出地点").fill("广东省深圳市南山区")
    fill_day(dialog, "预计返回", date.today() + timedelta(days=300))
    dialog.get_by_label("参加活动的党组织").fill(HOST)
    web.get_by_test_id("mobile-submit").click()
    expect(dialog.get_by_text("外出登记最长 6 个月")).to_be_visible()
    fill_day(dialog, "预计返回", date.today() + timedelta(days=60))
    checked(web, "console-mobile-register")
    web.get_by_test_id("mobile-submit").click()
    rows = web.get_by_test_id("mobile-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("广东省深圳市南山区")
    expect(rows.first).to_contain_text(host["name"])
    expect(rows.first).to_contain_text("外出中")
    assert admin(system, "GET", f"/members/{member['member_id']}")["org_id"] != HOST
    checked(web, "console-mobile-away")

    web.get_by_test_id("mobile-tabs").get_by_text("在此参加").click()
    expect(rows).to_have_count(1)
    rows.first.get_by_role("button", name="签到记录").click()
    signs = web.locator(".el-dialog", has_text="签到记录")
    expect(signs).to_be_visible()
    checked(web, "console-mobile-attendance")
    signs.get_by_role("button", name=re.compile("Close|关闭")).click()

    web.goto(system["url"] + "/lapse-warnings")
    expect(web.get_by_test_id("lapse-table")).to_be_visible()
    expect(web.get_by_text("视为自行脱党")).to_be_visible()
    checked(web, "console-lapse-warnings")

"""The 党费管理 page against the whole system (`make run`, the small demo county): the county
operator runs this month over the demo branch (its members charged without a declaration),
declares one member's income, records that member's cash payment (the month chosen, the amount
computed), and sees the member paid and the branch's paid rate. axe-core and a screenshot on
the page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.support import checked
from tests.browser.test_operations_and_phone import sign_in, staff  # noqa: F401


def test_operator_runs_the_month_declares_and_records_a_payment(web, system, staff):  # noqa: F811
    branch = system["logins"]["open_meeting"]["org_id"]
    sign_in(web, system, "demo-county", staff)
    web.get_by_role("menuitem", name="党费管理").click()
    expect(web).to_have_url(re.compile(r"/dues"))
    web.goto(system["url"] + f"/dues?org={branch}")

    web.get_by_test_id("dues-run").click()
    expect(web.locator(".el-message", has_text="计缴完成")).to_be_visible(timeout=60_000)
    register = web.get_by_test_id("dues-register")
    first = register.locator("tbody tr").first
    expect(first).to_contain_text("未申报")
    expect(web.get_by_test_id("dues-paid-rate")).to_have_text("0.0%")

    first.get_by_test_id("dues-declare").click()
    web.get_by_test_id("dues-income").fill("4000")
    web.get_by_test_id("dues-declare-submit").click()
    expect(web.locator(".el-message", has_text="已申报")).to_be_visible()
    expect(first).to_contain_text("未交")
    expect(first).to_contain_text("40.00")

    first.get_by_test_id("dues-pay").click()
    expect(web.get_by_test_id("dues-pay-total")).to_have_text("40.00")
    checked(web, "console-dues-payment")
    web.get_by_test_id("dues-pay-submit").click()
    expect(web.locator(".el-message", has_text="已记录缴费 40.00 元")).to_be_visible()
    expect(first).to_contain_text("已交")
    expect(web.get_by_test_id("dues-paid-rate")).not_to_have_text("0.0%")
    checked(web, "console-dues")

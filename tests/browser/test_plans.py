"""The 组织生活计划 page against the whole system (`make run`, the small demo county): the county
operator opens the demo branch's plan (a grid of meeting kinds by month, this month's theme day
held, the theme days marked, the warnings with 安排会议 opening the schedule dialog) and the
community's gaps of this month. axe-core and a screenshot on the page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.support import checked
from tests.browser.test_operations_and_phone import sign_in, staff  # noqa: F401


def test_operator_reads_a_branchs_plan_and_the_gaps_below(web, system, staff):  # noqa: F811
    branch = system["logins"]["open_meeting"]["org_id"]
    sign_in(web, system, "demo-county", staff)
    web.get_by_role("menuitem", name="组织生活计划").click()
    expect(web).to_have_url(re.compile(r"/plans"))
    web.goto(system["url"] + f"/plans?org={branch}")

    grid = web.get_by_test_id("plan-grid")
    expect(grid).to_be_visible()
    expect(grid.get_by_test_id("theme-day")).to_have_count(12)
    theme = grid.locator("tbody tr", has_text="主题党日")
    expect(theme.locator('td[data-state="done"]')).to_have_count(1)  # the demo's this month
    expect(grid.locator("tbody tr", has_text="支部委员会")).to_be_visible()
    warnings = web.get_by_test_id("plan-warnings")
    expect(warnings.locator("tbody tr").first).to_be_visible()
    checked(web, "console-plans")

    due = grid.locator("tbody tr", has=web.get_by_test_id("plan-schedule")).first
    due_kind = due.locator("th").first.inner_text().strip().splitlines()[0]
    due.get_by_test_id("plan-schedule").click()
    dialog = web.get_by_test_id("schedule-dialog")
    expect(dialog).to_be_visible()
    # the dialog starts with the due period's kind
    expect(dialog.locator(".el-form-item", has_text="会议类型")).to_contain_text(due_kind)
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_be_hidden()

    # the gaps of the organizations below a community: the demo branch among them
    community = branch.rsplit("-", 1)[0]
    web.goto(system["url"] + f"/plans?org={community}")
    gaps = web.get_by_test_id("plan-gaps")
    expect(gaps.locator("tbody tr", has_text="支部委员会").first).to_be_visible()
    checked(web, "console-plan-gaps")

"""The console's organization tree, member and meeting pages against the whole system (`make run`,
the small demo county): the branch secretary's day, the issue's "done" walk-through (first
sign-in with a new password, the tree, a member and their page, a meeting scheduled for now, a
kiosk paired in another tab with a code from the console, the member's card typed on it, the
points on the kiosk and the member in the live attendance list, a swipe kept while the network
was down and replayed when it came back), and the street admin's audited read of a member's
full personal data. axe-core and a screenshot on every page."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import requests
from playwright.sync_api import expect

from tests.browser.support import CSP_RECORDER, checked, pick_org

NEW_PASSWORD = "Branch-Secretary-2026"
ATTENDANCE = re.compile(r"/api/v1/meetings/[^/]+/attendance")


def account(system: dict[str, Any], username: str) -> dict[str, Any]:
    return next(a for a in system["logins"]["accounts"] if a["username"] == username)


def api_get(system: dict[str, Any], path: str) -> Any:
    token = system["logins"]["admin"]["token"]
    answer = requests.get(
        system["url"] + "/api/v1" + path, headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    answer.raise_for_status()
    return answer.json()


def sign_in_first_time(web: Any, system: dict[str, Any], username: str) -> None:
    """A demo account's first sign-in: its one-time password, then a new one of its own."""
    web.goto(system["url"] + "/sign-in")
    web.get_by_label("用户名").fill(username)
    web.get_by_label("密码", exact=True).fill(account(system, username)["initial_password"])
    web.get_by_role("button", name="登录").click()
    expect(web).to_have_url(re.compile(r"/password$"))
    web.get_by_label("当前密码").fill(account(system, username)["initial_password"])
    web.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    web.get_by_label("确认新密码").fill(NEW_PASSWORD)
    web.get_by_role("button", name="保存").click()
    expect(web).to_have_url(re.compile(r"/$"))


def set_visibility(page: Any, state: str) -> None:
    """What the browser does when the tab is hidden or shown again."""
    page.evaluate(
        """(state) => {
            Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
            document.dispatchEvent(new Event('visibilitychange'));
        }""",
        state,
    )


def test_secretary_finds_a_member_schedules_a_meeting_and_sees_a_swipe_arrive(web, context, system):
    logins = system["logins"]
    branch = api_get(system, "/orgs/" + logins["branch_secretary"]["org_id"])
    member = logins["members"][0]
    sign_in_first_time(web, system, "demo-secretary")
    expect(web.get_by_label("角色与范围")).to_have_text("党支部书记 · " + branch["name"])

    # the tree starts at the secretary's branch, chosen at once: its counters and members
    web.get_by_role("menuitem", name="组织架构").click()
    expect(web).to_have_url(re.compile(rf"/orgs\?org={branch['org_id']}$"))
    tree = web.get_by_test_id("org-tree")
    expect(tree.get_by_text(branch["name"])).to_be_visible()
    summary = web.get_by_test_id("org-summary")
    expect(summary).to_contain_text(branch["name"])
    expect(summary).to_contain_text(str(branch["counts"]["members"]))
    rows = web.get_by_test_id("members-table").locator("tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() == min(branch["counts"]["own_members"], 20)
    # personal data masked in every row; the full read is not this role's
    table = web.get_by_test_id("members-table").inner_text()
    assert re.search(r"\d{4}\*{10}[\dX]{4}", table) and re.search(r"1\d\d\*{4}\d{4}", table)
    assert member["name"] not in table
    expect(web.get_by_role("button", name="查看完整信息")).to_have_count(0)
    checked(web, "console-orgs")

    # a card that is not hex is refused in the page, nothing sent
    web.get_by_label("党员卡号").fill("not-a-card")
    web.get_by_role("button", name="搜索").click()
    expect(web.get_by_text("卡号为 8-20 位十六进制字符（0-9、A-F）")).to_be_visible()
    # the subtree needs a name or a card (checked in the page and by the server)
    web.get_by_label("党员卡号").fill("")
    web.get_by_text("含下级组织").click()
    web.get_by_role("button", name="搜索").click()
    expect(web.get_by_text("查找下级组织的党员时，请输入姓名或卡号")).to_be_visible()
    web.get_by_text("含下级组织").click()

    # by surname, then by card (either case): the one member
    web.get_by_label("姓名").fill(member["name"][0])
    web.get_by_role("button", name="搜索").click()
    expect(rows.first).to_contain_text(member["name"][0] + "*")
    for name in web.get_by_test_id("members-table").locator("tbody tr td:first-child").all():
        assert name.inner_text().startswith(member["name"][0])
    web.get_by_label("姓名").fill("")
    web.get_by_label("党员卡号").fill(member["card_uid"].lower())
    web.get_by_role("button", name="搜索").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(member["card_uid"])
    rows.first.get_by_role("button", name="详情").click()

    # the member's page: profile masked, card, sign-ins, points card, inbox
    expect(web).to_have_url(re.compile(rf"/members/{member['member_id']}$"))
    profile = web.get_by_test_id("member-profile")
    expect(profile).to_contain_text(member["name"][0] + "*")
    expect(web.get_by_test_id("member-card")).to_have_text(member["card_uid"])
    expect(profile).to_contain_text(branch["name"])
    expect(web.locator(".el-breadcrumb")).to_contain_text("组织架构")
    expect(web.get_by_test_id("member-attendance")).to_contain_text("暂无签到记录")
    checked(web, "console-member")
    web.get_by_role("tab", name="积分卡").click()
    expect(web.get_by_test_id("scorecard")).to_contain_text("基本分：0 / 60 分")
    expect(web.get_by_test_id("scorecard")).to_contain_text("还差 40 分")
    checked(web, "console-member-points")
    web.get_by_role("tab", name="站内消息").click()
    expect(web.get_by_text("暂无消息")).to_be_visible()

    # 会议管理: the branch's meetings this month; a new one for now
    web.get_by_role("menuitem", name="会议管理").click()
    expect(web).to_have_url(re.compile(rf"/meetings\?org={branch['org_id']}$"))
    expect(web.get_by_test_id("meetings-table").locator("tbody tr").first).to_be_visible()
    checked(web, "console-meetings")
    web.get_by_test_id("new-meeting").click()
    dialog = web.get_by_test_id("schedule-dialog")
    dialog.get_by_test_id("schedule-submit").click()
    expect(dialog.get_by_text("请输入会议名称")).to_be_visible()  # checked in the page
    dialog.locator(".el-select__wrapper", has=web.get_by_label("会议类型")).click()
    web.get_by_role("option", name="支部党员大会").click()
    dialog.get_by_label("会议名称").fill("支部党员大会（浏览器测试）")
    expect(dialog.get_by_text("签到时间窗口：开始前 20 分钟至开始后 20 分钟")).to_be_visible()
    checked(web, "console-meeting-new")

    # a start beyond the horizon: the server's message next to the field
    starts = dialog.get_by_label("开始时间")
    starts.fill("2035-01-01 09:00")
    starts.press("Enter")
    with web.expect_response("**/api/v1/meetings") as refused:
        dialog.get_by_test_id("schedule-submit").click()
    assert refused.value.status == 400
    message = refused.value.json()["errors"]["starts_at"][0]
    assert re.search(r"[\u4e00-\u9fff]", message)  # Chinese
    starts_item = dialog.locator(".el-form-item", has=web.get_by_label("开始时间"))
    expect(starts_item.locator(".el-form-item__error")).to_have_text(message)
    checked(web, "console-meeting-new-refused")
    starts.fill(datetime.now().strftime("%Y-%m-%d %H:%M"))
    starts.press("Enter")
    with web.expect_response("**/api/v1/meetings") as created:
        dialog.get_by_test_id("schedule-submit").click()
    assert created.value.status == 201, created.value.text()
    meeting = created.value.json()
    assert meeting["kind"] == "general_meeting" and meeting["org_id"] == branch["org_id"]

    # the meeting's page: expected and signed-in counts, the live list (empty)
    expect(web).to_have_url(re.compile(rf"/meetings/{meeting['meeting_id']}$"))
    expect(web.get_by_test_id("window-state")).to_have_text("签到进行中")
    expect(web.get_by_test_id("expected-count")).to_have_text(str(branch["counts"]["members"]))
    expect(web.get_by_test_id("signed-in-count")).to_have_text("0")
    live = web.get_by_test_id("live-attendance")
    expect(live).to_contain_text("还没有人签到")
    checked(web, "console-meeting-live-empty")

    # in a second console tab the secretary makes a pairing code for the branch's meeting place
    place = "支部党员活动室"
    console = context.new_page()
    console.add_init_script(CSP_RECORDER)
    console.goto(system["url"] + "/kiosks")
    console.get_by_test_id("pairing-create").click()
    dialog = console.get_by_role("dialog", name="生成配对码")
    pick_org(console, dialog.get_by_label("所属组织"), [branch["name"]])
    dialog.get_by_label("安放地点").fill(place)
    with console.expect_response("**/api/v1/kiosks/pairing-codes") as made:
        console.get_by_test_id("pairing-submit").click()
    assert made.value.status == 201 and made.value.json()["org_id"] == branch["org_id"]
    code = made.value.json()["code"]
    expect(console.get_by_test_id("pairing-code")).to_have_text(code[:4] + " " + code[4:])
    assert console.evaluate("window.__cspViolations") == []
    console.close()

    # /kiosk in another tab: the code, then the meeting (the demo's open one is open too)
    kiosk_page = context.new_page()
    kiosk_page.add_init_script(CSP_RECORDER)
    kiosk_page.goto(system["url"] + "/kiosk")
    kiosk_page.get_by_label("配对码").fill(code)
    kiosk_page.get_by_role("button", name="配对并开始签到").click()
    kiosk_page.get_by_test_id("meeting-choice").filter(has_text=meeting["title"]).click()
    expect(kiosk_page.get_by_test_id("current-meeting")).to_have_text(
        "签到会议：" + meeting["title"]
    )
    expect(kiosk_page.get_by_text(place)).to_be_visible()

    # the member's card, typed as a keyboard-wedge reader types it: the points appear
    expect(kiosk_page.get_by_test_id("card-input")).to_be_focused()
    kiosk_page.keyboard.type(member["card_uid"])
    kiosk_page.keyboard.press("Enter")
    answer = kiosk_page.get_by_test_id("kiosk-message")
    expect(answer).to_contain_text("签到成功")
    expect(answer).to_contain_text(member["name"][0] + "*")
    expect(answer).to_contain_text(re.compile(r"获得 \d+ 积分"), timeout=15000)
    checked(kiosk_page, "kiosk-signed-in-walk-through")

    # ...and appears in the live list within a poll or two, counted
    web.bring_to_front()
    expect(live.locator("tbody tr")).to_have_count(1, timeout=10000)
    expect(live).to_contain_text(member["name"][0] + "*")
    expect(live).to_contain_text("现场刷卡")
    expect(live.locator("tr.row-new")).to_have_count(1)  # marked as it arrived
    expect(web.get_by_test_id("signed-in-count")).to_have_text("1")

    # the network drops: the kiosk keeps the next swipe in the browser and sends it once the
    # network is back; it arrives marked 离线补录
    other = logins["members"][1]
    context.set_offline(True)
    kiosk_page.bring_to_front()
    kiosk_page.keyboard.type(other["card_uid"])
    kiosk_page.keyboard.press("Enter")
    expect(kiosk_page.get_by_test_id("queue-count")).to_have_text("待补传 1 条")
    context.set_offline(False)
    expect(kiosk_page.get_by_test_id("replay-notice")).to_have_text("已补传 1 条签到")
    assert kiosk_page.evaluate("window.__cspViolations") == []
    kiosk_page.close()
    web.bring_to_front()
    expect(live.locator("tbody tr")).to_have_count(2, timeout=15000)
    expect(live.locator("tbody tr").first).to_contain_text("离线补录")
    expect(web.get_by_test_id("signed-in-count")).to_have_text("2")
    checked(web, "console-meeting-live")

    # hidden: no more polling; shown again: at once
    asked: list[str] = []
    web.on("request", lambda r: asked.append(r.url) if ATTENDANCE.search(r.url) else None)
    set_visibility(web, "hidden")
    expect(web.get_by_test_id("live-status")).to_have_text("页面不可见，已暂停刷新")
    web.wait_for_timeout(500)  # a request already on its way when it was hidden
    asked.clear()
    web.wait_for_timeout(4000)
    assert asked == []
    with web.expect_request(ATTENDANCE):
        set_visibility(web, "visible")
    expect(web.get_by_test_id("live-status")).to_have_text("每 3 秒自动刷新")

    # the member's page now shows the sign-in
    web.goto(system["url"] + f"/members/{member['member_id']}")
    expect(web.get_by_test_id("member-attendance")).to_contain_text("支部党员大会（浏览器测试）")


def test_street_admin_reads_a_members_full_data_once_with_a_reason(web, system):
    reason = "核对组织关系转接材料"
    logins = system["logins"]
    branch_id = logins["branch_secretary"]["org_id"]
    member = logins["members"][2]
    sign_in_first_time(web, system, "demo-street")

    # the address names the branch: the tree opens down to it
    web.goto(system["url"] + f"/orgs?org={branch_id}")
    branch = api_get(system, "/orgs/" + branch_id)
    expect(web.get_by_test_id("org-summary")).to_contain_text(branch["name"])
    expect(web.locator(".el-tree-node.is-current")).to_contain_text(branch["name"])
    web.get_by_label("党员卡号").fill(member["card_uid"])
    web.get_by_role("button", name="搜索").click()
    rows = web.get_by_test_id("members-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("button", name="查看完整信息").click()

    dialog = web.get_by_test_id("pii-dialog")
    expect(dialog).to_contain_text("查看将记入审计日志")
    dialog.get_by_role("button", name="确认查看").click()
    expect(dialog.get_by_text("请填写查看原因")).to_be_visible()  # required, nothing sent
    dialog.get_by_label("查看原因").fill("查")
    dialog.get_by_role("button", name="确认查看").click()
    expect(dialog.get_by_text("查看原因为 2-200 个字")).to_be_visible()
    checked(web, "console-pii-reason")

    dialog.get_by_label("查看原因").fill(reason)
    with web.expect_response("**/personal-data?*") as answer:
        dialog.get_by_role("button", name="确认查看").click()
    assert answer.value.status == 200
    assert answer.value.request.url.endswith("reason=" + requests.utils.quote(reason))
    shown = dialog.get_by_test_id("pii-result")
    expect(shown).to_contain_text(member["name"])  # the full name
    text = shown.inner_text()
    assert re.search(r"\b\d{17}[\dX]\b", text) and re.search(r"\b1\d{10}\b", text)
    expect(dialog).to_contain_text("以下信息仅显示这一次")
    checked(web, "console-pii-shown")

    # closed: forgotten; opened again, the reason is asked again
    dialog.get_by_role("button", name="关闭", exact=True).click()
    expect(web.get_by_test_id("pii-result")).to_have_count(0)
    rows.first.get_by_role("button", name="查看完整信息").click()
    expect(web.get_by_test_id("pii-dialog").get_by_label("查看原因")).to_have_value("")
    expect(web.get_by_test_id("pii-result")).to_have_count(0)

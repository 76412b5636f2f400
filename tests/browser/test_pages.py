"""The console, kiosk and phone pages in headless Chromium: each renders in Chinese under the
gateway's Content-Security-Policy, passes axe-core (no serious or critical violation) and is
saved as a screenshot under test-output/screenshots/."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import expect

from gateway.auth import issue_token
from tests.browser.support import SECRET, assert_accessible, screenshot

KIOSK_SETTINGS = {
    "device_id": "kiosk-c01",
    "token": issue_token(
        SECRET,
        subject="kiosk-c01",
        role="kiosk",
        scope="/hj/hj-s01/hj-s01-c01",
        device="kiosk-c01",
    ),
    "org_id": "hj-s01-c01",
    "place": "惠济区第一社区党群服务中心",
    "uid_format": "hex",
    "byte_order": "as_read",
}

POINTS = {"status": "awarded", "points": 2, "category": "meetings", "total": 37}


def kiosk_meeting(meeting_id: str, title: str, opens_in: int, closes_in: int) -> dict[str, Any]:
    """A meeting of GET /api/v1/kiosk/meetings whose sign-in opens and closes so many minutes
    from now."""
    now = datetime.now(UTC)
    opens, closes = now + timedelta(minutes=opens_in), now + timedelta(minutes=closes_in)
    return {
        "meeting_id": meeting_id,
        "title": title,
        "kind": "theme_day",
        "starts_at": (opens + timedelta(minutes=20)).isoformat(),
        "opens_at": opens.isoformat(),
        "closes_at": closes.isoformat(),
        "open_now": opens_in <= 0 <= closes_in,
    }


def paired_kiosk(web: Any, gateway: str, kept: list[dict[str, Any]] | None = None) -> None:
    """The kiosk page as paired (and with the meetings it kept when it last asked)."""
    web.goto(gateway + "/kiosk")
    web.evaluate(
        "(s) => localStorage.setItem('dangjian.kiosk.settings', s)", json.dumps(KIOSK_SETTINGS)
    )
    if kept is not None:
        meetings = json.dumps({"meetings": kept, "chosen": None})
        web.evaluate("(m) => localStorage.setItem('dangjian.kiosk.meetings', m)", meetings)
    web.reload()


def checked_in(card_uid: str, n: int) -> dict[str, Any]:
    return {
        "message": "签到成功",
        "first_sign_in": True,
        "check_in_id": f"ci-{n}",
        "checked_in_at": "2026-01-05T09:00:00Z",
        "member": {"member_id": f"p{n}", "name_masked": "王*明", "org_path": "/hj/hj-s01"},
        "meeting": {
            "meeting_id": "m-2026-01",
            "title": "一月主题党日",
            "kind": "party_day",
            "starts_at": "2026-01-05T08:30:00Z",
        },
        "points": {"status": "pending", "href": f"/api/v1/kiosk/check-ins/ci-{n}/points"},
    }


QUEUED_SWIPES = """
() => new Promise((resolve, reject) => {
  const open = indexedDB.open('dangjian-kiosk');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const all = open.result.transaction('swipes').objectStore('swipes').getAll();
    all.onsuccess = () => resolve(all.result);
    all.onerror = () => reject(all.error);
  };
})
"""


def test_console_sign_in_page_renders_in_chinese_and_shows_the_server_message(web, gateway):
    web.goto(gateway + "/")
    expect(web).to_have_url(re.compile(r"/sign-in$"))  # the router sends a visitor to sign in
    expect(web.get_by_role("heading", name="智慧党建管理后台")).to_be_visible()
    expect(web).to_have_title(re.compile("账号登录"))
    assert web.evaluate("document.documentElement.lang") == "zh-CN"
    expect(web.get_by_label("用户名")).to_be_visible()
    expect(web.get_by_label("密码", exact=True)).to_be_visible()
    assert_accessible(web)
    screenshot(web, "console-sign-in")

    # empty fields: the form's own Chinese messages, nothing sent
    web.get_by_role("button", name="登录").click()
    expect(web.get_by_text("请输入用户名")).to_be_visible()

    # the server's answer (a problem) is shown as the server worded it
    web.get_by_label("用户名").fill("secretary01")
    web.get_by_label("密码", exact=True).fill("not-the-password")
    with web.expect_response(lambda r: r.url.endswith("/api/v1/auth/sign-in")) as answer:
        web.get_by_role("button", name="登录").click()
    problem = answer.value.json()
    assert answer.value.status >= 400
    assert answer.value.headers["content-type"].startswith("application/problem+json")
    assert re.search(r"[\u4e00-\u9fff]", problem["detail"])  # Chinese
    expect(web.get_by_test_id("problem-alert")).to_contain_text(problem["detail"])
    screenshot(web, "console-sign-in-refused")


def test_console_unknown_page_says_so(web, gateway):
    web.goto(gateway + "/no/such/page")
    expect(web.get_by_text("页面不存在")).to_be_visible()
    expect(web.get_by_role("link", name="返回首页")).to_be_visible()
    assert_accessible(web)
    screenshot(web, "console-not-found")


def test_kiosk_unpaired_shows_the_set_up_form(web, gateway):
    web.goto(gateway + "/kiosk")
    expect(web.get_by_role("heading", name="终端设置")).to_be_visible()
    expect(web.get_by_label("配对码")).to_be_visible()
    assert_accessible(web)
    screenshot(web, "kiosk-set-up")


def touch_targets_below(page: Any, minimum: int) -> list[str]:
    return page.evaluate(
        """(minimum) => [...document.querySelectorAll('button, input, a, [role=button]')]
            .filter((el) => el.offsetParent !== null)
            .map((el) => [el, el.getBoundingClientRect()])
            .filter(([, r]) => r.width < minimum || r.height < minimum)
            .map(([el, r]) => `${el.outerHTML.slice(0, 80)} ${r.width}x${r.height}`)""",
        minimum,
    )


def test_kiosk_idle_focus_and_swipes_kept_while_the_gateway_cannot_be_reached(
    web, gateway, context
):
    # the gateway cannot reach the services: the kiosk signs in to the meeting it kept
    paired_kiosk(web, gateway, [kiosk_meeting("m-2026-01", "一月主题党日", -10, 60)])
    card = web.get_by_test_id("card-input")
    expect(web.get_by_role("heading", name="请刷党员卡签到")).to_be_visible()
    expect(web.get_by_text(KIOSK_SETTINGS["place"])).to_be_visible()
    expect(web.get_by_test_id("current-meeting")).to_have_text("签到会议：一月主题党日")
    expect(card).to_be_focused()
    assert touch_targets_below(web, 48) == []
    assert_accessible(web)
    screenshot(web, "kiosk-idle")

    # the gateway answers but cannot reach the services (503): the swipe is kept
    web.keyboard.type("04a1b2c3")
    web.keyboard.press("Enter")
    expect(web.get_by_test_id("queue-count")).to_have_text("待补传 1 条")
    expect(web.get_by_test_id("kiosk-message")).to_contain_text("签到已暂存")

    # the gateway cannot be reached at all: kept too, after the first
    context.set_offline(True)
    expect(web.get_by_text("网络未连接")).to_be_visible()
    expect(card).to_be_focused()
    web.keyboard.type("04:A1:B2:C4")
    web.keyboard.press("Enter")
    expect(web.get_by_test_id("queue-count")).to_have_text("待补传 2 条")
    assert_accessible(web)
    screenshot(web, "kiosk-swipe-kept")

    swipes = web.evaluate(QUEUED_SWIPES)
    assert [(s["card_uid"], s["meeting_id"]) for s in swipes] == [
        ("04A1B2C3", "m-2026-01"),
        ("04A1B2C4", "m-2026-01"),
    ]
    times = [s["swiped_at"] for s in swipes]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", t) for t in times)
    assert times == sorted(times)

    # garbage from the reader is refused on the spot, not queued
    web.keyboard.type("04A1B2")
    web.keyboard.press("Enter")
    expect(web.get_by_test_id("kiosk-message")).to_contain_text("卡号太短")
    expect(web.get_by_test_id("queue-count")).to_have_text("待补传 2 条")

    # the gateway is back (played by the test): the kept swipes go first, oldest first, each
    # with the time it was made; then a live swipe is answered at once, its points a moment later
    sent: list[dict[str, Any]] = []

    def check_in(route: Any) -> None:
        body = json.loads(route.request.post_data or "{}")
        sent.append(body)
        fulfil(route, 201, checked_in(body["card_uid"], len(sent)))

    web.route("**/api/v1/kiosk/check-ins", check_in)
    web.route("**/api/v1/kiosk/check-ins/*/points", lambda r: fulfil(r, 200, POINTS))
    context.set_offline(False)  # the browser's "online" event starts the replay
    expect(web.get_by_test_id("replay-notice")).to_have_text("已补传 2 条签到")
    expect(web.get_by_test_id("queue-count")).to_have_count(0)
    assert sent == [
        {"card_uid": "04A1B2C3", "meeting_id": "m-2026-01", "swiped_at": times[0]},
        {"card_uid": "04A1B2C4", "meeting_id": "m-2026-01", "swiped_at": times[1]},
    ]
    assert web.evaluate(QUEUED_SWIPES) == []

    web.keyboard.type("04A1B2C5")
    web.keyboard.press("Enter")
    expect(web.get_by_test_id("kiosk-message")).to_contain_text("签到成功")
    expect(web.get_by_test_id("kiosk-message")).to_contain_text("王*明")
    expect(web.get_by_test_id("kiosk-message")).to_contain_text("获得 2 积分，本年累计 37 分")
    assert sent[-1] == {"card_uid": "04A1B2C5", "meeting_id": "m-2026-01"}  # live: server time
    assert_accessible(web)
    screenshot(web, "kiosk-signed-in")


def test_kiosk_finds_its_meeting_asks_again_and_a_person_chooses_among_several(web, gateway):
    answer: dict[str, Any] = {"items": [kiosk_meeting("m-later", "十一月党课", 120, 180)]}
    asked: list[str] = []

    def meetings(route: Any) -> None:
        asked.append(route.request.headers.get("authorization", ""))
        fulfil(route, 200, answer)

    sent: list[dict[str, Any]] = []

    def check_in(route: Any) -> None:
        body = json.loads(route.request.post_data or "{}")
        sent.append(body)
        if body["meeting_id"] == "m-a":  # its window has just closed on the server
            fulfil(route, 409, {"status": 409, "detail": "会议不在签到时间内"})
        else:
            fulfil(route, 201, checked_in(body["card_uid"], len(sent)))

    web.route("**/api/v1/kiosk/meetings", meetings)
    web.route("**/api/v1/kiosk/check-ins", check_in)
    web.route("**/api/v1/kiosk/check-ins/*/points", lambda r: fulfil(r, 200, POINTS))
    paired_kiosk(web, gateway)

    # none open: said so, with the next one today; a swipe asks again
    message = web.get_by_test_id("kiosk-message")
    expect(web.get_by_role("heading", name="当前没有可签到的会议")).to_be_visible()
    expect(message).to_contain_text(re.compile(r"今天下一场：十一月党课，\d\d:\d\d 开始签到"))
    assert asked == ["Bearer " + KIOSK_SETTINGS["token"]]
    card = web.get_by_test_id("card-input")
    expect(card).to_be_focused()
    assert_accessible(web)
    screenshot(web, "kiosk-no-meeting")
    answer["items"] = [kiosk_meeting("m-a", "周一支部学习", -30, 30), *answer["items"]]
    web.keyboard.type("04A1B2C3")
    web.keyboard.press("Enter")
    expect(message).to_contain_text("当前没有可签到的会议")

    # one open: chosen by itself
    expect(web.get_by_test_id("current-meeting")).to_have_text("签到会议：周一支部学习")
    expect(web.get_by_role("heading", name="请刷党员卡签到")).to_be_visible(timeout=10000)
    expect(card).to_be_focused()

    # the server says it is not open (409): asked again, and now two are open: a person chooses
    answer["items"] = [
        kiosk_meeting("m-b", "主题党日", -5, 60),
        kiosk_meeting("m-c", "党课", -1, 60),
    ]
    web.keyboard.type("04A1B2C3")
    web.keyboard.press("Enter")
    chooser = web.get_by_test_id("meeting-chooser")
    expect(chooser.get_by_role("heading", name="请选择本终端签到的会议")).to_be_visible()
    choices = web.get_by_test_id("meeting-choice")
    expect(choices).to_have_count(2)
    expect(choices.first).to_contain_text("主题党日")
    assert touch_targets_below(web, 48) == []
    assert_accessible(web)
    screenshot(web, "kiosk-choose-meeting")
    choices.nth(1).click()
    expect(web.get_by_test_id("current-meeting")).to_have_text("签到会议：党课")
    expect(card).to_be_focused()
    web.keyboard.type("04A1B2C4")
    web.keyboard.press("Enter")
    expect(message).to_contain_text("签到成功")
    assert sent[-1] == {"card_uid": "04A1B2C4", "meeting_id": "m-c"}
    assert [s["meeting_id"] for s in sent] == ["m-a", "m-c"]

    # the choice may be changed while both are open; the chosen one is kept across a reload
    web.get_by_role("button", name="更换会议").click()
    expect(choices).to_have_count(2)
    choices.first.click()
    expect(web.get_by_test_id("current-meeting")).to_have_text("签到会议：主题党日")
    web.reload()
    expect(web.get_by_test_id("current-meeting")).to_have_text("签到会议：主题党日")
    expect(card).to_be_focused()
    assert_accessible(web)

    # 重新配对 lays the set-up form over the kiosk, which stays paired until a new code pairs:
    # a wrong code changes nothing, and cancelling returns to signing in as before
    wrong_code = {
        "type": "https://dangjian.example/problems/not_found",
        "title": "未找到",
        "status": 404,
        "detail": "配对码错误或已过期，请重新生成",
        "code": "not_found",
    }
    web.route("**/api/v1/kiosk/pair", lambda r: fulfil(r, 404, wrong_code))
    reversed_reader = {**KIOSK_SETTINGS, "byte_order": "reversed"}
    web.evaluate(
        "(s) => localStorage.setItem('dangjian.kiosk.settings', s)", json.dumps(reversed_reader)
    )
    web.reload()
    web.get_by_role("button", name="重新配对").click()
    expect(web.get_by_text("新的配对码配对成功前，本终端仍按原配对签到。")).to_be_visible()
    expect(web.get_by_label("反转顺序")).to_be_checked()  # the reader as it is set now
    web.get_by_label("配对码").fill("12345678")
    web.get_by_role("button", name="配对并开始签到").click()
    expect(web.get_by_role("alert")).to_have_text("配对码错误或已过期，请重新生成")
    assert_accessible(web)
    screenshot(web, "kiosk-pair-again")
    kept = json.loads(web.evaluate("localStorage.getItem('dangjian.kiosk.settings')"))
    assert kept == reversed_reader
    web.get_by_role("button", name="取消，返回签到").click()
    expect(web.get_by_test_id("current-meeting")).to_have_text("签到会议：主题党日")
    expect(card).to_be_focused()


def test_phone_sign_in_page_renders_in_chinese(web, gateway):
    web.set_viewport_size({"width": 390, "height": 844})
    web.goto(gateway + "/m/")
    expect(web).to_have_url(re.compile(r"/m/sign-in$"))
    expect(web.get_by_text("党员登录")).to_be_visible()
    expect(web.get_by_label("手机号")).to_be_visible()
    expect(web.get_by_role("button", name="获取验证码")).to_be_visible()
    assert_accessible(web)
    screenshot(web, "phone-sign-in")


ACCOUNT = {
    "account_id": "acc-1",
    "username": "secretary01",
    "display_name": "李书记",
    "roles": [
        {
            "role": "branch_secretary",
            "org_id": "hj-s01-c01-b01",
            "scope": "/hj/hj-s01/hj-s01-c01/hj-s01-c01-b01",
        }
    ],
}


OVERVIEW = {
    "scope": "/hj/hj-s01/hj-s01-c01/hj-s01-c01-b01",
    "month": "2026-01",
    "roots": [],
    "organizations": 1,
    "members": 35,
    "meetings_this_month": 2,
    "attendance_this_month": 58,
    "open_needs": None,
}


def pair(n: int, must_change: bool = False) -> dict[str, Any]:
    return {
        "access_token": f"access-{n}",
        "refresh_token": f"refresh-{n}",
        "token_type": "Bearer",
        "expires_in": 900,
        "must_change_password": must_change,
        "account": ACCOUNT,
    }


def fulfil(route: Any, status: int, body: Any) -> None:
    kind = "application/problem+json" if status >= 400 else "application/json"
    route.fulfill(status=status, content_type=kind, body=json.dumps(body, ensure_ascii=False))


def test_console_first_sign_in_sets_a_password_then_shows_the_shell_and_chart(web, gateway):
    """The console against the sign-in contract, its answers played by the test (the accounts
    routes need the whole system): a new password first, the server's field message next to
    its field, then the shell (menu, breadcrumb, user) and the home chart."""
    password_answers = [
        (
            400,
            {
                "type": "https://dangjian.example/problems/invalid_input",
                "title": "请求有误",
                "status": 400,
                "detail": "部分字段缺失或无效",
                "code": "invalid_input",
                "errors": {"new_password": ["密码至少需要 10 个字符，且包含字母和数字"]},
            },
        ),
        (200, pair(2)),
    ]
    needs = [
        {"need_id": f"n{i}", "category": c, "status": "open"}
        for i, c in enumerate(["repair", "repair", "health", "elderly_care"])
    ]
    web.route("**/api/v1/auth/sign-in", lambda r: fulfil(r, 200, pair(1, must_change=True)))
    web.route("**/api/v1/auth/password", lambda r: fulfil(r, *password_answers.pop(0)))
    web.route("**/api/v1/needs?*", lambda r: fulfil(r, 200, {"items": needs, "next_cursor": None}))
    web.route("**/api/v1/overview", lambda r: fulfil(r, 200, OVERVIEW))
    named = [{**role, "org_name": "第一社区第一党支部"} for role in ACCOUNT["roles"]]
    me = {**ACCOUNT, "roles": named, "active_role": {"index": 0, **ACCOUNT["roles"][0]}}
    web.route("**/api/v1/auth/me", lambda r: fulfil(r, 200, me))

    web.goto(gateway + "/sign-in")
    web.get_by_label("用户名").fill("secretary01")
    web.get_by_label("密码", exact=True).fill("Initial-1234")
    web.get_by_role("button", name="登录").click()

    expect(web).to_have_url(re.compile(r"/password$"))
    expect(web.get_by_text("首次登录或密码已重置，请先设置新密码")).to_be_visible()
    web.get_by_label("当前密码").fill("Initial-1234")
    web.get_by_label("新密码", exact=True).fill("short1")
    web.get_by_label("确认新密码").fill("short1")
    web.get_by_role("button", name="保存").click()
    new_password_item = web.locator(".el-form-item", has=web.get_by_label("新密码", exact=True))
    expect(new_password_item.locator(".el-form-item__error")).to_have_text(
        "密码至少需要 10 个字符，且包含字母和数字"
    )
    assert_accessible(web)
    screenshot(web, "console-password-field-error")

    web.get_by_label("新密码", exact=True).fill("Better-Password-2026")
    web.get_by_label("确认新密码").fill("Better-Password-2026")
    with web.expect_request("**/api/v1/auth/password") as sent:
        web.get_by_role("button", name="保存").click()
    assert sent.value.headers["authorization"] == "Bearer access-1"
    expect(web).to_have_url(re.compile(r"/$"))
    expect(web.get_by_role("menuitem", name="首页")).to_be_visible()
    expect(web.get_by_test_id("user-menu")).to_contain_text("李书记")
    expect(web.locator(".el-breadcrumb")).to_contain_text("首页")
    expect(web.get_by_text("共 4 条待办需求")).to_be_visible()
    expect(web.get_by_label("2026-01 概况")).to_be_visible()
    expect(web.get_by_test_id("figure-members")).to_have_text("35")
    expect(web.get_by_label("角色与范围")).to_have_text("党支部书记 · 第一社区第一党支部")
    expect(web.get_by_test_id("figure-attendanceThisMonth")).to_have_text("58")
    expect(web.get_by_test_id("figure-openNeeds")).to_have_text("—")  # volunteer away
    expect(web.get_by_text("志愿服务暂不可用")).to_be_visible()
    expect(web.locator("canvas")).to_be_visible()
    tokens = json.loads(web.evaluate("localStorage.getItem('dangjian.console.tokens')"))
    assert tokens["access_token"] == "access-2"  # the pair the password change answered
    web.wait_for_timeout(500)  # the chart's entry animation
    assert_accessible(web)
    screenshot(web, "console-home")

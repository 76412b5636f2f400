"""Meetings held in the console against the whole system (`make run`, the small demo county):
the county operator approves a member's leave on the 请假审批 page, then closes a theme day
whose sign-in window has closed (two members signed in at the demo kiosk, one on approved
leave) from its meeting page: the counts, the rate and the attendance sheet, then the minutes
with a photo. axe-core and a screenshot on every page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.support import checked
from tests.browser.test_operations_and_phone import call, sign_in, staff  # noqa: F401

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 300


def admin(system: dict[str, Any], method: str, path: str, body: Any = None) -> Any:
    return call(system, method, path, body, system["logins"]["admin"]["token"])


def meeting(system: dict[str, Any], starts: datetime, title: str) -> str:
    body = {
        "org_id": system["logins"]["open_meeting"]["org_id"],
        "kind": "theme_day",
        "title": title,
        "starts_at": starts.isoformat(),
    }
    return str(admin(system, "POST", "/meetings", body)["meeting_id"])


def test_leave_is_approved_on_the_approvals_page(web, system, staff):  # noqa: F811
    member = system["logins"]["members"][0]
    mid = meeting(system, datetime.now(UTC) + timedelta(days=2), "主题党日（请假审批）")
    admin(
        system,
        "POST",
        f"/meetings/{mid}/leave",
        {"member_id": member["member_id"], "reason": "出差"},
    )

    sign_in(web, system, "demo-county", staff)
    web.get_by_role("menuitem", name="请假审批").click()
    expect(web).to_have_url(re.compile(r"/leave"))
    row = web.get_by_test_id("pending-leave").locator("tbody tr", has_text=member["member_id"])
    expect(row).to_be_visible()
    expect(row).to_contain_text("出差")
    checked(web, "console-leave")
    row.get_by_test_id("approve").click()
    expect(row).to_have_count(0)

    web.goto(system["url"] + f"/meetings/{mid}")
    leave = web.get_by_test_id("meeting-leave")
    expect(leave.get_by_test_id("leave-status").first).to_have_text("已批准")
    expect(web.get_by_test_id("closing-hint")).to_be_visible()  # the window is ahead
    checked(web, "console-meeting-leave")


def test_a_meeting_is_closed_with_its_sheet_and_minutes(web, system, staff, tmp_path: Path):  # noqa: F811
    members = system["logins"]["members"]
    starts = datetime.now(UTC) - timedelta(hours=2)  # its sign-in window (±20 min) has closed
    mid = meeting(system, starts, "主题党日（结束会议）")
    kiosk = system["logins"]["kiosk"]["token"]
    for member in members[:2]:  # sent later by the kiosk, swiped while the window was open
        swipe = {
            "card_uid": member["card_uid"],
            "meeting_id": mid,
            "swiped_at": (starts + timedelta(minutes=5)).isoformat(),
        }
        call(system, "POST", "/kiosk/check-ins", swipe, kiosk)

    sign_in(web, system, "demo-county", staff)
    web.goto(system["url"] + f"/meetings/{mid}")
    close = web.get_by_test_id("close-meeting")
    expect(close).to_be_enabled()
    checked(web, "console-meeting-to-close")
    close.click()
    web.get_by_role("dialog").get_by_role("button", name="结束会议").click()

    expect(web.get_by_test_id("closing-present")).to_have_text("2")
    expected = int(web.get_by_test_id("closing-expected").inner_text())
    expect(web.get_by_test_id("closing-absent")).to_have_text(str(expected - 2))
    expect(web.get_by_test_id("closing-rate")).to_contain_text("%")
    sheet = web.get_by_test_id("attendance-sheet")
    expect(sheet.get_by_test_id("outcome").filter(has_text="出席")).to_have_count(2)
    expect(close).to_have_count(0)
    checked(web, "console-meeting-closed")

    photo = tmp_path / "会议.jpg"
    photo.write_bytes(JPEG)
    web.get_by_test_id("minutes-topic-input").fill("学习党章")
    web.get_by_test_id("minutes-content-input").fill("集中学习并讨论。")
    web.get_by_test_id("minutes-photos").locator("input[type=file]").set_input_files(str(photo))
    web.get_by_test_id("minutes-save").click()
    expect(web.get_by_test_id("minutes-topic")).to_have_text("学习党章")
    expect(web.get_by_test_id("minutes-photo")).to_have_count(1)
    checked(web, "console-meeting-minutes")

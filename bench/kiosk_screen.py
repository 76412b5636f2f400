"""Benchmark (not a test): the kiosk page in Chromium, from a card swipe to the points on the
screen, on the demo county.

Starts the system with `make run` (full demo county, its own vhost and data directory, the gateway
with GATEWAY_BENCH_ECHO=1) and the bench-only echo service, opens /kiosk in headless Chromium
(Debian's, as the browser tests use) set up as the demo kiosk, and types the cards of the members
expected at the open meeting as a keyboard-wedge reader does (the UID, then Enter), one swipe after
the other, over the open meeting and further meetings of the same organization. The page itself
records, with performance.now():

  - swipe → answer: Enter until the screen says 签到成功 (the attendance is recorded);
  - swipe → points: Enter until the screen shows the points (获得 N 积分 / 本项积分已达上限).

Baseline, measured in the same run from the same page: the browser's bare round trip through the
same gateway, tokens and RPC client (fetch POST /api/v1/bench/echo → bench_echo.echo). Prints the
median and p99 of each and their ratios to the baseline's median. Exits non-zero only on errors.

    .venv/bin/python bench/kiosk_screen.py [--meetings 3]
"""

from __future__ import annotations

import argparse
import json
import statistics

from common import BenchError, cards_under, demo_county, running_system, schedule_meetings
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
RECORDER = """() => {
  const screen = document.querySelector('[data-testid=kiosk-message]');
  window.__marks = [];
  let started = null, answered = null;
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { started = performance.now(); answered = null; }
  }, true);
  new MutationObserver(() => {
    if (started === null) return;
    const text = screen.textContent || '';
    if (answered === null && text.includes('签到成功')) answered = performance.now();
    if (answered !== null && /获得 \\d+ 积分|已达上限/.test(text)) {
      window.__marks.push([answered - started, performance.now() - started]);
      started = null;
    }
  }).observe(screen, { subtree: true, childList: true, characterData: true });
}"""
ECHO_ROUND_TRIPS = """async ([token, n]) => {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await fetch('/api/v1/bench/echo', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
      body: JSON.stringify({ card_uid: 'A1B2C3D4', meeting_id: 'echo' }),
    });
    await r.text();
    if (r.status !== 200) throw new Error('echo answered ' + r.status);
    times.push(performance.now() - t0);
  }
  return times;
}"""


def quantile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meetings", type=int, default=3, help="meetings swiped through")
    args = parser.parse_args()
    with running_system("full", bench_echo=True) as system, sync_playwright() as playwright:
        logins = system.logins
        kiosk, open_meeting = logins["kiosk"], logins["open_meeting"]
        org_id = open_meeting["org_id"]
        cards = cards_under(demo_county(logins["size"]), org_id)
        meetings = [
            open_meeting["meeting_id"],
            *schedule_meetings(
                system.url, logins["admin"]["token"], org_id, args.meetings - 1, "k"
            ),
        ]
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        page = browser.new_page()
        page.goto(system.url + "/kiosk")
        echo: list[float] = []
        marks: list[list[float]] = []
        settings = {
            "device_id": kiosk["device_id"],
            "token": kiosk["token"],
            "org_id": kiosk.get("org_id") or org_id,
            "place": kiosk.get("place") or "党群服务中心",
            "uid_format": "hex",
            "byte_order": "as_read",
        }
        page.evaluate(
            "(s) => localStorage.setItem('dangjian.kiosk.settings', s)", json.dumps(settings)
        )
        for meeting_id in meetings:
            # all are open at once: the meeting chosen on the kiosk, kept as its choice
            chosen = json.dumps({"meetings": [], "chosen": meeting_id})
            page.evaluate("(m) => localStorage.setItem('dangjian.kiosk.meetings', m)", chosen)
            page.reload()
            page.get_by_test_id("current-meeting").wait_for()  # the kiosk has its meetings
            page.get_by_test_id("card-input").wait_for()
            echo += page.evaluate(ECHO_ROUND_TRIPS, [kiosk["token"], 30])
            page.evaluate(RECORDER)
            for n, card in enumerate(cards, start=1):
                page.keyboard.type(card)
                page.keyboard.press("Enter")
                try:
                    page.wait_for_function(
                        "(n) => window.__marks.length >= n", arg=n, timeout=20000
                    )
                except Exception as error:
                    text = page.get_by_test_id("kiosk-message").text_content()
                    raise BenchError(
                        f"swipe {card} at {meeting_id}: screen says {text!r}"
                    ) from error
            marks += page.evaluate("() => window.__marks")
        browser.close()

    answered = [a for a, _ in marks]
    points = [p for _, p in marks]
    base = statistics.median(echo)
    print(
        f"\nkiosk page in Chromium; demo county {logins['counts']['members']} members; "
        f"{len(marks)} swipes ({len(cards)} members of {org_id} × {len(meetings)} meetings)"
    )
    print(f"{'':28}{'n':>6}{'p50 ms':>10}{'p99 ms':>10}{'p50 ÷ base p50':>16}")
    for label, values in (
        ("browser echo round trip", echo),
        ("swipe → answer on screen", answered),
        ("swipe → points on screen", points),
    ):
        p50 = statistics.median(values)
        print(
            f"{label:28}{len(values):6d}{p50:10.1f}{quantile(values, 99):10.1f}{p50 / base:16.2f}"
        )


if __name__ == "__main__":
    main()

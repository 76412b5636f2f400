"""What the browser tests share: the gateway's token secret, screenshots, the axe-core check and
the console's organization picker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "gateway" / "web" / "dist"
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
SECRET = "b" * 48  # the test gateway's TOKEN_SECRET

# collects Content-Security-Policy violations before any script of the page runs
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(
    `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_accessible(page: Any) -> None:
    """axe-core on the page as it is now: no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], "axe-core: " + "\n".join(bad)


def checked(page: Any, name: str) -> None:
    """axe-core and a screenshot once the page has settled: the console's last toast gone (it
    fades out on its own timer, which may start while axe-core reads it at a fraction of its
    contrast) and no transition running; endless spinners aside."""
    expect(page.locator(".el-message")).to_have_count(0, timeout=10_000)
    page.wait_for_function(
        """() => document.getAnimations().every(
            (a) => a.playState !== 'running'
              || a.effect?.getComputedTiming().iterations === Infinity)"""
    )
    assert_accessible(page)
    screenshot(page, name)


def pick_org(web: Any, field: Any, names: list[str], *, any_level: bool = True) -> None:
    """Chooses an organization in a form's cascader, opening each level by its name; at any
    level the node's radio chooses it, in a grids-only picker the grid itself."""
    field.click()
    popper = web.locator(".org-cascader-popper:visible")
    for name in names[:-1]:
        popper.get_by_text(name, exact=True).click()
    last = popper.locator(".el-cascader-node", has=web.get_by_text(names[-1], exact=True))
    if any_level:
        last.locator(".el-radio").click()
        web.keyboard.press("Escape")
    else:
        last.click()
    expect(web.locator(".org-cascader-popper:visible")).to_have_count(0)

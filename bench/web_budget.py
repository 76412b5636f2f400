"""Benchmark (not a test): the JavaScript each page makes a browser download before it can run,
gzipped, against its budget.

Reads the Vite manifest of the build (gateway/web/dist/.vite/manifest.json; `make web` or
`scripts/web.sh` builds it). A page's initial JS is its entry chunk and every chunk it imports
statically, transitively (what the browser fetches before the first line runs); chunks loaded by
dynamic import (routes, ECharts on the console's home page) are not in it. Each file is gzipped
on its own at zlib's default level 6, as a server would send it.

Budgets: console (index.html) <= 300 KB, kiosk (kiosk.html) <= 150 KB; the phone pages (m.html)
are printed without one. For the console the first screens are printed as well, for information:
the sign-in page (initial + the sign-in route), the home page after sign-in (initial + the
layout and home routes, ECharts included), the organization tree, a meeting's live list, the
residents' needs, accounts and kiosks (initial + the layout and that route); for the phone pages
their sign-in and points pages likewise.

Exits non-zero only when the build or its manifest is missing, never on a figure over budget.

    .venv/bin/python bench/web_budget.py [--dist gateway/web/dist]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KB = 1024
BUDGETS_KB = {"index.html": 300, "kiosk.html": 150, "m.html": None}
CONSOLE_SCREENS = {
    "sign-in page": ["src/console/views/SignInView.vue"],
    "home after sign-in": [
        "src/console/layout/ConsoleLayout.vue",
        "src/console/views/HomeView.vue",
    ],
    "organization tree": [
        "src/console/layout/ConsoleLayout.vue",
        "src/console/views/orgs/OrgsView.vue",
    ],
    "meeting live list": [
        "src/console/layout/ConsoleLayout.vue",
        "src/console/views/meetings/MeetingView.vue",
    ],
    "residents' needs": [
        "src/console/layout/ConsoleLayout.vue",
        "src/console/views/needs/NeedsView.vue",
    ],
    "accounts": [
        "src/console/layout/ConsoleLayout.vue",
        "src/console/views/accounts/AccountsView.vue",
    ],
    "kiosks": [
        "src/console/layout/ConsoleLayout.vue",
        "src/console/views/kiosks/KiosksView.vue",
    ],
}
PHONE_SCREENS = {
    "sign-in page": ["src/mobile/views/SignInView.vue"],
    "points after sign-in": [
        "src/mobile/views/TabsLayout.vue",
        "src/mobile/views/PointsView.vue",
    ],
}
SCREENS = {"index.html": ("console", CONSOLE_SCREENS), "m.html": ("phone", PHONE_SCREENS)}


def static_closure(manifest: dict[str, dict], keys: list[str]) -> list[str]:
    """The JS files of these chunks and of everything they import statically, each once."""
    files: list[str] = []
    seen: set[str] = set()
    stack = list(reversed(keys))
    while stack:
        key = stack.pop()
        if key in seen:
            continue
        seen.add(key)
        chunk = manifest[key]
        if chunk["file"].endswith(".js"):
            files.append(chunk["file"])
        stack.extend(reversed(chunk.get("imports", [])))
    return files


def css_of(manifest: dict[str, dict], keys: list[str]) -> list[str]:
    return sorted({css for key in keys for css in manifest[key].get("css", [])})


def sizes(dist: Path, files: list[str]) -> tuple[int, int]:
    raw = gz = 0
    for name in files:
        data = (dist / name).read_bytes()
        raw += len(data)
        gz += len(gzip.compress(data, compresslevel=6))
    return raw, gz


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "gateway" / "web" / "dist")
    args = parser.parse_args()
    manifest_path = args.dist / ".vite" / "manifest.json"
    if not manifest_path.is_file():
        print(f"no build at {args.dist}: run `make web` (scripts/web.sh) first", file=sys.stderr)
        return 1
    manifest: dict[str, dict] = json.loads(manifest_path.read_text(encoding="utf-8"))

    shown = manifest_path.relative_to(ROOT) if manifest_path.is_relative_to(ROOT) else manifest_path
    print(f"initial JS per page, gzip level 6 ({shown})")
    print(f"{'page':<34} {'files':>5} {'raw KB':>9} {'gzip KB':>9} {'budget':>8} {'ratio':>7}")
    for page, budget in BUDGETS_KB.items():
        files = static_closure(manifest, [page])
        raw, gz = sizes(args.dist, files)
        ratio = f"{gz / (budget * KB):.2f}" if budget else "-"
        verdict = "" if not budget else "  within budget" if gz <= budget * KB else "  OVER BUDGET"
        limit = f"{budget} KB" if budget else "-"
        print(
            f"{page:<34} {len(files):>5} {raw / KB:>9.1f} {gz / KB:>9.1f} {limit:>8} {ratio:>7}"
            f"{verdict}"
        )
        css_raw, css_gz = sizes(args.dist, css_of(manifest, [page]))
        print(
            f"{'  + its CSS (not in the budget)':<34} {'':>5} {css_raw / KB:>9.1f} {css_gz / KB:>9.1f}"
        )
        name, screens = SCREENS.get(page, ("", {}))
        for screen, routes in screens.items():
            keys = [page, *routes]
            raw, gz = sizes(args.dist, static_closure(manifest, keys))
            ratio = f"{gz / (budget * KB):.2f}" if budget else "-"
            print(
                f"{'  ' + name + ' ' + screen:<34} {len(static_closure(manifest, keys)):>5} "
                f"{raw / KB:>9.1f} {gz / KB:>9.1f} {'(info)':>8} {ratio:>7}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

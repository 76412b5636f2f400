"""The built front ends (gateway/web, built into gateway/web/dist by scripts/web.sh), served by
the gateway next to the API.

- ``/`` and every console path -> ``index.html`` (the console routes in history mode, so a
  reload of ``/password`` works), except the API and the probes: ``/api/...``, ``/healthz``,
  ``/readyz`` and ``/metrics`` keep their own answers (404 problem for an unknown API path);
- ``/kiosk`` and ``/kiosk/...`` -> ``kiosk.html``; ``/m`` and ``/m/...`` -> ``m.html``;
- ``/assets/...``: Vite's content-hashed files, cached for a year (``immutable``);
- the other files of dist's top level (favicon.svg), cached briefly;
- a path whose last segment names a file (has a dot) that is not there: 404, never a page.

Pages are answered ``no-cache`` (revalidated every time, so a new build is picked up at once)
with a Content-Security-Policy that allows nothing inline and nothing from elsewhere:
``style-src 'self'`` without ``'unsafe-inline'`` holds because the build emits CSS files only, and
what Element Plus, Vant and ECharts style at run time goes through the CSSOM (``element.style``,
constructable style sheets), which CSP does not restrict; the browser tests fail on any CSP
violation. When dist is missing, pages answer a 503 problem saying the front end is not built.

These routes are plain Flask routes, not flask-smorest ones: the OpenAPI document stays the API's.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Blueprint, Flask, Response, send_from_directory
from werkzeug.routing import BaseConverter

from gateway.errors import ApiError
from services.infra.i18n import _

DEFAULT_DIST = Path(__file__).resolve().parent / "web" / "dist"

CONSOLE, KIOSK, PHONE = "index.html", "kiosk.html", "m.html"

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
PAGE_HEADERS = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
IMMUTABLE = "public, max-age=31536000, immutable"
ONE_YEAR = 31536000
TOP_LEVEL_MAX_AGE = 3600

# first path segments that are never a console page (their own routes answer, or 404)
RESERVED = ("api", "healthz", "readyz", "metrics", "assets", "kiosk", "m")


class ConsolePathConverter(BaseConverter):
    """Any path below ``/`` except the reserved first segments (so ``/api/v1/unknown`` is the
    API's 404 and ``POST /api/...`` never meets the console's GET-only rule: no 405)."""

    regex = r"(?!(?:" + "|".join(RESERVED) + r")(?:/|$))[^/].*?"
    part_isolating = False


def dist_dir() -> Path:
    return Path(os.environ.get("WEB_DIST_DIR") or DEFAULT_DIST)


def install(app: Flask, dist: Path | None = None) -> None:
    """Serve the built pages of ``dist`` (default: $WEB_DIST_DIR, else gateway/web/dist)."""
    root = (dist or dist_dir()).resolve()
    app.url_map.converters["console_path"] = ConsolePathConverter
    web = Blueprint("web", __name__)

    def page(name: str) -> Response:
        if not (root / name).is_file():
            raise ApiError(
                503,
                _("The web front end is not built: run make run (or scripts/web.sh) first"),
                code="front_end_not_built",
            )
        response = send_from_directory(root, name, max_age=0, conditional=True)
        response.headers.update(PAGE_HEADERS)
        return response

    @web.get("/")
    def console_home() -> Response:
        return page(CONSOLE)

    @web.get("/<console_path:path>")
    def console(path: str) -> Response:
        last = path.rsplit("/", 1)[-1]
        # favicon.svg and the like from public/ (the pages only through their own paths)
        if "/" not in path and not last.endswith(".html") and (root / last).is_file():
            response = send_from_directory(root, last, max_age=TOP_LEVEL_MAX_AGE)
            response.headers["X-Content-Type-Options"] = "nosniff"
            return response
        if "." in last:
            raise ApiError(404)  # a missing file is not a page
        return page(CONSOLE)

    @web.get("/kiosk")
    @web.get("/kiosk/")
    @web.get("/kiosk/<path:_rest>")
    def kiosk(_rest: str = "") -> Response:
        return page(KIOSK)

    @web.get("/m")
    @web.get("/m/")
    @web.get("/m/<path:_rest>")
    def phone(_rest: str = "") -> Response:
        return page(PHONE)

    @web.get("/assets/<path:filename>")
    def assets(filename: str) -> Response:
        # send_from_directory refuses paths that leave the folder (404)
        response = send_from_directory(root / "assets", filename, max_age=ONE_YEAR)
        response.headers["Cache-Control"] = IMMUTABLE
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    app.register_blueprint(web)

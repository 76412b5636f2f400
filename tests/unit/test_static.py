"""The built front ends served by the gateway (gateway/static.py), over Flask's test client and a
tiny fake dist folder: which page answers which path, caching, security headers, what never
falls back to a page, and the 503 when nothing is built."""

import pytest

from gateway.app import create_app
from gateway.settings import Settings
from gateway.static import CONTENT_SECURITY_POLICY, IMMUTABLE

PROBLEM = "application/problem+json"
PAGES = {"index.html": "console", "kiosk.html": "kiosk", "m.html": "phone"}


class NoRpc:
    def call(self, *args, **kwargs):
        raise AssertionError("the static routes call no service")


def app_with(dist):
    settings = Settings(token_secret="s" * 40, amqp_uri="pyamqp://guest:guest@127.0.0.1:1/")
    return create_app(settings, rpc_client=NoRpc(), web_dist=dist)


@pytest.fixture
def dist(tmp_path):
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    for name, marker in PAGES.items():
        (root / name).write_text(f"<!doctype html><title>{marker}</title>", encoding="utf-8")
    (root / "assets" / "index-AbC123.js").write_text("console.log(1)", encoding="utf-8")
    (root / "assets" / "index-AbC123.css").write_text("body{}", encoding="utf-8")
    (root / "favicon.svg").write_text("<svg/>", encoding="utf-8")
    (root / ".vite").mkdir()
    (root / ".vite" / "manifest.json").write_text("{}", encoding="utf-8")
    return root


@pytest.fixture
def client(dist):
    return app_with(dist).test_client()


def page_of(response):
    for marker in PAGES.values():
        if f"<title>{marker}</title>" in response.get_data(as_text=True):
            return marker
    return None


@pytest.mark.parametrize(
    ("path", "page"),
    [
        ("/", "console"),
        ("/sign-in", "console"),
        ("/password", "console"),
        ("/members/p1/records", "console"),
        ("/apis", "console"),  # only the segment "api" is reserved
        ("/kiosk", "kiosk"),
        ("/kiosk/", "kiosk"),
        ("/kiosk/settings", "kiosk"),
        ("/m", "phone"),
        ("/m/", "phone"),
        ("/m/sign-in", "phone"),
        ("/m/a/b", "phone"),
    ],
)
def test_each_path_gets_its_page_with_no_cache_and_a_strict_csp(client, path, page):
    response = client.get(path)
    assert response.status_code == 200
    assert page_of(response) == page
    assert response.mimetype == "text/html"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_policy_allows_nothing_inline_and_nothing_from_elsewhere():
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    assert directives["frame-ancestors"] == "'none'"


def test_a_page_is_revalidated_by_its_etag(client):
    first = client.get("/")
    again = client.get("/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_hashed_assets_are_immutable(client):
    response = client.get("/assets/index-AbC123.js")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "console.log(1)"
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "javascript" in response.mimetype
    assert client.get("/assets/index-AbC123.css").mimetype == "text/css"


def test_top_level_public_files_are_served(client):
    response = client.get("/favicon.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert "immutable" not in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    [
        "/assets/missing-123.js",
        "/assets/../index.html",
        "/assets/%2e%2e/kiosk.html",
        "/robots.txt",  # a missing file is not a page
        "/members/photo.png",
        "/.vite/manifest.json",
        "/index.html",
    ],
)
def test_missing_files_are_a_404_problem_never_a_page(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == PROBLEM
    assert page_of(response) is None


@pytest.mark.parametrize(
    "path", ["/api", "/api/v1", "/api/v1/no-such-thing", "/healthz/x", "/readyz/x", "/metrics/x"]
)
def test_the_api_and_the_probes_never_fall_back_to_the_console(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == PROBLEM
    assert page_of(response) is None


def test_other_methods_on_api_paths_stay_404_and_pages_are_get_only(client):
    assert client.post("/api/v1/no-such-thing", json={}).status_code == 404
    assert client.delete("/api/v1/no-such-thing").status_code == 404
    response = client.post("/sign-in", json={})
    assert response.status_code == 405
    assert response.mimetype == PROBLEM


def test_the_api_routes_still_answer(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/api/v1/needs").status_code == 401  # a real route: sign in first
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_the_openapi_document_lists_no_page_routes(client, dist, tmp_path):
    with_pages = client.get("/api/v1/openapi.json").get_json()["paths"]
    without = app_with(tmp_path / "nothing").test_client()
    assert with_pages == without.get("/api/v1/openapi.json").get_json()["paths"]
    # paths are relative to /api/v1: none of the page routes is among them
    assert not {"/", "/{path}", "/kiosk", "/m", "/assets/{filename}"} & set(with_pages)
    assert all(path.startswith("/") and "console_path" not in path for path in with_pages)


@pytest.mark.parametrize("path", ["/", "/password", "/kiosk", "/m/sign-in"])
def test_without_a_build_pages_answer_a_clear_503_problem(tmp_path, path):
    client = app_with(tmp_path / "not-built").test_client()
    response = client.get(path)
    assert response.status_code == 503
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["code"] == "front_end_not_built"
    assert "前端" in body["detail"] and "make run" in body["detail"]
    assert client.get("/healthz").status_code == 200

"""The OpenAPI document of the HTTP API, built from the same marshmallow schemas that validate it."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from gateway import http_schemas as http
from services.members import schemas as members
from services.volunteer import schemas as volunteer

ERRORS = {
    "400": "Malformed JSON, missing fields or wrong types",
    "401": "No token, or an invalid or expired one",
    "403": "Role not allowed, or the object is outside the caller's organization subtree",
    "404": "Unknown object",
    "409": "Conflicts with the current state",
    "503": "A service or the broker is unavailable",
    "504": "A service did not answer in time",
}

# path, method, summary, request schema, {status: (description, response schema)}
ROUTES: list[tuple[str, str, str, str | None, dict[str, tuple[str, str | None]]]] = [
    (
        "/orgs",
        "post",
        "Create an organization under a parent",
        "OrgIn",
        {"201": ("Created", "OrgOut"), "200": ("Already existed", "OrgOut")},
    ),
    (
        "/members",
        "post",
        "Register a member with a smart card",
        "MemberIn",
        {"201": ("Registered", "MemberOut"), "200": ("Already registered", "MemberOut")},
    ),
    (
        "/members/{member_id}",
        "get",
        "A member's record, personal data masked",
        None,
        {"200": ("The member", "MemberOut")},
    ),
    (
        "/members/{member_id}/personal-data",
        "get",
        "Full ID number and phone (audited)",
        None,
        {"200": ("Personal data", None)},
    ),
    (
        "/members/{member_id}/scorecard",
        "get",
        "The member's points card for a year",
        None,
        {"200": ("Scorecard", None)},
    ),
    (
        "/members/{member_id}/inbox",
        "get",
        "The member's in-app messages",
        None,
        {"200": ("Messages", None)},
    ),
    (
        "/meetings",
        "post",
        "Schedule a meeting with a sign-in window",
        "MeetingIn",
        {"201": ("Scheduled", "MeetingOut"), "200": ("Already scheduled", "MeetingOut")},
    ),
    (
        "/kiosks",
        "post",
        "Enroll a kiosk device at a place; returns its token",
        "KioskIn",
        {"201": ("Enrolled", "KioskEnrolled")},
    ),
    (
        "/kiosk/check-ins",
        "post",
        "Sign in at a meeting by card (kiosk device token)",
        "KioskCheckInBody",
        {
            "201": ("First sign-in", "KioskCheckInResult"),
            "200": ("Repeated swipe: same result, nothing new recorded", "KioskCheckInResult"),
        },
    ),
    (
        "/needs",
        "post",
        "Record a resident's need under a grid",
        "NeedIn",
        {"201": ("Recorded", "NeedOut")},
    ),
    ("/needs", "get", "Open needs under an organization subtree", None, {"200": ("Needs", None)}),
    (
        "/diagnostics/echo",
        "post",
        "Echo a JSON object through the members service",
        None,
        {"200": ("The same object", None)},
    ),
]

SCHEMAS = {
    "OrgIn": members.OrgIn,
    "OrgOut": members.OrgOut,
    "MemberIn": members.MemberIn,
    "MemberOut": members.MemberOut,
    "MeetingIn": members.MeetingIn,
    "MeetingOut": members.MeetingOut,
    "KioskIn": members.KioskIn,
    "KioskEnrolled": http.KioskEnrolled,
    "KioskCheckInBody": http.KioskCheckInBody,
    "KioskCheckInResult": http.KioskCheckInResult,
    "NeedIn": volunteer.NeedIn,
    "NeedOut": volunteer.NeedOut,
    "Error": http.ErrorBody,
}


def build_spec(app: Flask) -> dict[str, Any]:
    spec = APISpec(
        title="智慧党建 platform API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        servers=[{"url": "/api/v1"}],
    )
    spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    for name, schema in SCHEMAS.items():
        spec.components.schema(name, schema=schema)
    operations: dict[str, dict[str, Any]] = {}
    for path, method, summary, body, responses in ROUTES:
        operations.setdefault(path, {})[method] = _operation(path, summary, body, responses)
    for path, ops in operations.items():
        spec.path(path=path, operations=ops)
    return spec.to_dict()


def _operation(
    path: str, summary: str, body: str | None, responses: dict[str, tuple[str, str | None]]
) -> dict[str, Any]:
    def content(schema: str | None) -> dict[str, Any]:
        json_schema = {"$ref": f"#/components/schemas/{schema}"} if schema else {"type": "object"}
        return {"application/json": {"schema": json_schema}}

    op: dict[str, Any] = {
        "summary": summary,
        "security": [{"bearer": []}],
        "responses": {
            code: {"description": d, "content": content(s)} for code, (d, s) in responses.items()
        }
        | {code: {"description": d, "content": content("Error")} for code, d in ERRORS.items()},
    }
    if "{member_id}" in path:
        op["parameters"] = [
            {"name": "member_id", "in": "path", "required": True, "schema": {"type": "string"}}
        ]
    if body:
        op["requestBody"] = {"required": True, "content": content(body)}
    return op

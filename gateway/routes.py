"""The HTTP API: each route is authorize → call the owning service → shape the answer."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request

from gateway import kiosk
from gateway.access import caller, json_body, within_scope
from gateway.auth import issue_token
from gateway.errors import ApiError
from gateway.http_schemas import NeedsQuery
from services.infra.i18n import _

api = Blueprint("api", __name__)


def rpc(service: str, method: str, *args: Any) -> Any:
    return current_app.extensions["rpc"].call(service, method, *args)


def created_or_found(result: dict[str, Any]) -> Any:
    """201 for a new object, 200 when the same natural key already existed (idempotent create)."""
    created = result.pop("created")
    return jsonify(result), 201 if created else 200


def org_path_of(org_id: Any) -> str:
    if not isinstance(org_id, str):
        raise ApiError(
            400,
            "invalid_input",
            _("Some fields are missing or invalid"),
            fields={"org_id": [_("Not a valid string.")]},
        )
    return rpc("members", "get_org", org_id)["path"]


@api.post("/orgs")
def create_org() -> Any:
    principal, body = caller("create_org"), json_body()
    parent = body.get("parent_id")
    if parent is None:
        within_scope(principal, "/")
    else:
        within_scope(principal, org_path_of(parent))
    org = rpc("members", "create_org", body)
    return created_or_found(org)


@api.post("/members")
def register_member() -> Any:
    principal, body = caller("register_member"), json_body()
    within_scope(principal, org_path_of(body.get("org_id")))
    member = rpc("members", "register_member", body)
    return created_or_found(member)


@api.get("/members/<member_id>")
def get_member(member_id: str) -> Any:
    principal = caller("read_member")
    member = _readable_member(principal, member_id)
    return jsonify(member)


@api.get("/members/<member_id>/personal-data")
def read_member_pii(member_id: str) -> Any:
    principal = caller("read_member_pii")
    _readable_member(principal, member_id)
    actor = {"subject": principal.subject, "role": principal.role, "ip": request.remote_addr}
    return jsonify(rpc("members", "read_member_pii", member_id, actor))


@api.get("/members/<member_id>/scorecard")
def scorecard(member_id: str) -> Any:
    principal = caller("read_scorecard")
    _readable_member(principal, member_id)
    year = request.args.get("year", type=int)
    return jsonify(rpc("scoring", "get_scorecard", member_id, year))


@api.get("/members/<member_id>/inbox")
def inbox(member_id: str) -> Any:
    principal = caller("read_scorecard")
    _readable_member(principal, member_id)
    return jsonify(messages=rpc("notify", "get_inbox", member_id, 50))


@api.post("/meetings")
def schedule_meeting() -> Any:
    principal, body = caller("schedule_meeting"), json_body()
    within_scope(principal, org_path_of(body.get("org_id")))
    meeting = rpc("members", "schedule_meeting", body)
    return created_or_found(meeting)


@api.post("/kiosks")
def enroll_kiosk() -> Any:
    principal, body = caller("enroll_kiosk"), json_body()
    within_scope(principal, org_path_of(body.get("org_id")))
    device = rpc("members", "enroll_kiosk", body)
    secret = current_app.config["SETTINGS"].token_secret
    token = issue_token(
        secret,
        subject=device["device_id"],
        role="kiosk",
        scope=device["org_path"],
        device=device["device_id"],
        ttl_days=365,
    )
    return jsonify({**device, "token": token}), 201


@api.post("/kiosk/check-ins")
def kiosk_check_in() -> Any:
    principal = caller("kiosk_check_in")
    return kiosk.check_in(principal, json_body())


@api.post("/needs")
def record_need() -> Any:
    principal, body = caller("record_need"), json_body()
    grid_path = body.get("grid_path")
    within_scope(principal, grid_path if isinstance(grid_path, str) else "")
    need = rpc("volunteer", "record_need", {**body, "recorded_by": principal.subject})
    return jsonify(need), 201


@api.get("/needs")
def list_needs() -> Any:
    principal = caller("list_needs")
    query = NeedsQuery().load(request.args.to_dict())
    scope = query["scope"] or principal.scope
    within_scope(principal, scope)
    return jsonify(needs=rpc("volunteer", "list_open_needs", scope, query["limit"]))


@api.post("/diagnostics/echo")
def echo() -> Any:
    caller("echo")
    return jsonify(rpc("members", "echo", json_body()))


def _readable_member(principal: Any, member_id: str) -> dict[str, Any]:
    member = rpc("members", "get_member", member_id)
    if principal.role == "member":
        if principal.subject != member_id:
            raise ApiError(403, "forbidden", _("Members may only read their own records"))
    else:
        within_scope(principal, member["org_path"])
    return member

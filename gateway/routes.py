"""The HTTP API under /api/v1. Each route: authorize the role (``secured``), load the query and
body through the gateway's schemas, check the target organization against the caller's scope,
call the owning service with the caller as context data, answer through an output schema.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from gateway.access import current_principal, member_self_only, within_scope
from gateway.auth import issue_token
from gateway.http_schemas import (
    CheckInIn,
    CheckInOut,
    CheckInPointsOut,
    EchoIn,
    EntriesPage,
    EntriesQuery,
    InboxPage,
    KioskEnrolledOut,
    KioskIn,
    KioskMeetingsOut,
    MeetingIn,
    MeetingOut,
    MemberIn,
    MemberOut,
    NeedIn,
    NeedOut,
    NeedsPage,
    NeedsQuery,
    NoQuery,
    OrgIn,
    OrgOut,
    PageQuery,
    PersonalDataOut,
    PersonalDataQuery,
    ScorecardOut,
    YearQuery,
)
from gateway.routing import (
    api,
    bench,
    created_or_found,
    org_in_scope,
    rpc,
    without_none,
)
from gateway.smorest import BODY, secured
from services.infra.i18n import _

MEMBER_ID = "<string(minlength=1, maxlength=64):member_id>"
CHECK_IN_ID = "<string(minlength=1, maxlength=200):check_in_id>"


def readable_member(member_id: str) -> dict[str, Any] | None:
    """A member may read their own records; anyone else reads members within their scope."""
    principal = current_principal()
    if member_self_only(principal, member_id):
        return None
    member: dict[str, Any] = rpc("members", "get_member", member_id)
    within_scope(principal, member["org_path"])
    return member


# -- organizations and members ---------------------------------------------------------------


@api.route("/orgs", methods=["POST"])
@secured(api, "create_org", 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(OrgIn)
@api.response(201, OrgOut, description="Created")
@api.alt_response(200, schema=OrgOut, description="Already existed (same id, within your scope)")
def create_org(body: dict[str, Any]) -> Any:
    """Create an organization under a parent (a root one without parent_id)"""
    parent = body["parent_id"]
    if parent is None:
        within_scope(current_principal(), "/" + body["org_id"])
    else:
        org_in_scope(parent)
    return created_or_found(rpc("members", "create_org", body))


@api.route("/members", methods=["POST"])
@secured(api, "register_member", 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(MemberIn)
@api.response(201, MemberOut, description="Registered")
@api.alt_response(200, schema=MemberOut, description="Already registered (same person)")
def register_member(body: dict[str, Any]) -> Any:
    """Register a member, optionally with a smart card"""
    org_in_scope(body["org_id"])
    return created_or_found(rpc("members", "register_member", MemberIn().dump_for_rpc(body)))


@api.route(f"/members/{MEMBER_ID}", methods=["GET"])
@secured(api, "read_member", 404)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.response(200, MemberOut)
def get_member(member_id: str) -> Any:
    """A member's record, personal data masked"""
    member = readable_member(member_id)
    return member if member is not None else rpc("members", "get_member", member_id)


@api.route(f"/members/{MEMBER_ID}/personal-data", methods=["GET"])
@secured(api, "read_member_pii", 404)
@api.arguments(PersonalDataQuery, location="query")
@api.response(200, PersonalDataOut)
def read_member_pii(query: dict[str, Any], member_id: str) -> Any:
    """Full name, ID number and phone: staff only, with a reason, written to the audit log"""
    readable_member(member_id)
    return rpc("members", "read_member_pii", member_id, query["reason"])


@api.route(f"/members/{MEMBER_ID}/scorecard", methods=["GET"])
@secured(api, "read_points", 404)
@api.arguments(YearQuery, location="query")
@api.response(200, ScorecardOut)
def scorecard(query: dict[str, Any], member_id: str) -> Any:
    """The member's points card for a year"""
    readable_member(member_id)
    return rpc("scoring", "get_scorecard", member_id, query.get("year"))


@api.route(f"/members/{MEMBER_ID}/points-entries", methods=["GET"])
@secured(api, "read_points", 404)
@api.arguments(EntriesQuery, location="query")
@api.response(200, EntriesPage)
def points_entries(query: dict[str, Any], member_id: str) -> Any:
    """The member's points ledger for a year, oldest first (cursor-paginated)"""
    readable_member(member_id)
    return rpc(
        "scoring",
        "list_entries",
        member_id,
        query.get("year"),
        query.get("cursor"),
        query["limit"],
    )


@api.route(f"/members/{MEMBER_ID}/inbox", methods=["GET"])
@secured(api, "read_inbox", 404)
@api.arguments(PageQuery, location="query")
@api.response(200, InboxPage)
def inbox(query: dict[str, Any], member_id: str) -> Any:
    """The member's in-app messages, newest first (cursor-paginated)"""
    readable_member(member_id)
    return rpc("notify", "list_inbox", member_id, query.get("cursor"), query["limit"])


# -- meetings and kiosks ---------------------------------------------------------------------


@api.route("/meetings", methods=["POST"])
@secured(api, "schedule_meeting", 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(MeetingIn)
@api.response(201, MeetingOut, description="Scheduled")
@api.alt_response(200, schema=MeetingOut, description="Already scheduled (same meeting_id)")
def schedule_meeting(body: dict[str, Any]) -> Any:
    """Schedule a meeting with a sign-in window"""
    org_in_scope(body["org_id"])
    payload = without_none(
        {**body, "starts_at": body["starts_at"].isoformat()},
        "meeting_id",
        "window_before_min",
        "window_after_min",
    )
    return created_or_found(rpc("members", "schedule_meeting", payload))


@api.route("/kiosks", methods=["POST"])
@secured(api, "enroll_kiosk", 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(KioskIn)
@api.response(201, KioskEnrolledOut, description="Enrolled; the answer carries its token")
@api.alt_response(200, schema=KioskEnrolledOut, description="Already enrolled here; a new token")
def enroll_kiosk(body: dict[str, Any]) -> Any:
    """Enroll a kiosk device at a place; returns the device's token"""
    org_in_scope(body["org_id"])
    device, status = created_or_found(rpc("members", "enroll_kiosk", body))
    token = issue_token(
        current_app.config["SETTINGS"].token_secret,
        subject=device["device_id"],
        role="kiosk",
        scope=device["org_path"],
        device=device["device_id"],
        ttl_days=current_app.config["SETTINGS"].kiosk_token_days,
    )
    return {**device, "token": token}, status


@api.route("/kiosk/meetings", methods=["GET"])
@secured(api, "kiosk_check_in")
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.response(200, KioskMeetingsOut)
def kiosk_meetings() -> Any:
    """The meetings this kiosk may sign members in to now or later today (kiosk device
    token): the kiosk chooses the one open now by itself"""
    return rpc("members", "list_kiosk_meetings")


@api.route("/kiosk/check-ins", methods=["POST"])
@secured(api, "kiosk_check_in", 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(CheckInIn)
@api.response(201, CheckInOut, description="First sign-in; the points follow at points.href")
@api.alt_response(200, schema=CheckInOut, description="Repeated swipe: nothing new recorded")
def kiosk_check_in(body: dict[str, Any]) -> Any:
    """Sign in at a meeting by card (kiosk device token). Answers as soon as the attendance is
    recorded; the points are fetched afterwards from ``points.href``."""
    swiped_at = body.get("swiped_at")
    result = rpc("members", "check_in", {**body, "swiped_at": swiped_at and swiped_at.isoformat()})
    first = bool(result["created"])
    answer = {
        "message": _check_in_message(first, result["recorded_offline"]),
        "first_sign_in": first,
        "check_in_id": result["check_in_id"],
        "checked_in_at": result["checked_in_at"],
        "recorded_offline": result["recorded_offline"],
        "member": result["member"],
        "meeting": result["meeting"],
        "points": {
            "status": "pending",
            "href": f"{api.url_prefix}/kiosk/check-ins/{result['check_in_id']}/points",
        },
    }
    return answer, 201 if first else 200


def _check_in_message(first: bool, offline: bool) -> str:
    if not first:
        return _("Already signed in; nothing new was recorded")
    return _("Signed in (recorded offline)") if offline else _("Signed in")


@api.route(f"/kiosk/check-ins/{CHECK_IN_ID}/points", methods=["GET"])
@secured(api, "kiosk_check_in", 404)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.response(200, CheckInPointsOut)
def check_in_points(check_in_id: str) -> Any:
    """The points a sign-in earned ("pending" until scoring has awarded them)"""
    return rpc("scoring", "get_check_in_points", check_in_id)


# -- residents' needs ------------------------------------------------------------------------


@api.route("/needs", methods=["POST"])
@secured(api, "record_need", *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(NeedIn)
@api.response(201, NeedOut, description="Recorded")
def record_need(body: dict[str, Any]) -> Any:
    """Record a resident's need under a grid (the recorder is the caller)"""
    within_scope(current_principal(), body["grid_path"])
    return rpc("volunteer", "record_need", body)


@api.route("/needs", methods=["GET"])
@secured(api, "list_needs")
@api.arguments(NeedsQuery, location="query")
@api.response(200, NeedsPage)
def list_needs(query: dict[str, Any]) -> Any:
    """Needs of a status (open unless asked) under an organization subtree or in a grid, newest
    first (cursor-paginated)"""
    scope = query.get("scope") or current_principal().scope
    within_scope(current_principal(), scope)
    status = None if query["status"] == "all" else query["status"]
    wanted = {"scope": scope, "status": status, "cursor": query.get("cursor")}
    return rpc("volunteer", "list_needs", {**wanted, "limit": query["limit"]})


# -- benchmark hook (GATEWAY_BENCH_ECHO=1 only) ----------------------------------------------


@bench.route("/echo", methods=["POST"])
@secured(bench, "bench_echo", *BODY)
@bench.arguments(NoQuery, location="query", as_kwargs=True)
@bench.arguments(EchoIn)
@bench.response(200, description="The same object, through the bench-only echo service")
def bench_echo(body: dict[str, Any]) -> Any:
    """Echo a JSON object through RPC bench_echo.echo (bench/checkin.py's baseline)"""
    return rpc("bench_echo", "echo", body)


# the account, session and kiosk-pairing routes, the members' SMS-code sign-in and the
# console's reads join the same blueprint
from gateway import (  # noqa: E402, F401
    routes_accounts,
    routes_auth,
    routes_console,
    routes_dues,
    routes_lifecycle,
    routes_member_auth,
    routes_mobile,
    routes_orglife,
    routes_plans,
    routes_roster,
    routes_transfers,
    routes_tree,
)

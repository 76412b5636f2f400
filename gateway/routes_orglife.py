"""HTTP routes of services/members/orglife/ (joined to the API blueprint by gateway/routes.py):
leave requests (a member for themselves, ``request_leave``; decided by the organizer,
``manage_meetings``), closing a meeting with its attendance sheet, the minutes (纪实) with
photos, and the attendance rates of an organization and its children (``read_plans``). The
meeting or organization is checked against the caller's scope here before the call, and again by
the members service; a closed meeting's sheet is also readable, row by row, by the home
organization of a mobile member who was expected there."""

from __future__ import annotations

import base64
from typing import Any

from flask import Response, request

from gateway.access import current_principal, member_self_only, within_scope
from gateway.http_schemas import NoQuery, PageQuery
from gateway.http_schemas_orglife import (
    ClosingOut,
    LeaveDecisionIn,
    LeaveIn,
    LeaveOut,
    LeavePage,
    MinutesForm,
    MinutesOut,
    PendingLeaveQuery,
    RatesPage,
    RatesQuery,
    SheetOut,
    SheetQuery,
)
from gateway.routes import MEMBER_ID
from gateway.routes_console import MEETING_ID, ORG_ID, in_scope, paged
from gateway.routing import api, created_or_found, org_in_scope, rpc
from gateway.smorest import BODY, secured

PHOTO_ID = "<string(minlength=1, maxlength=120):photo_id>"
IMAGE = {"type": "string", "format": "binary"}


def meeting_in_scope(meeting_id: str) -> dict[str, Any]:
    """The meeting (from members), once it is known to lie within the caller's scope."""
    return in_scope(rpc("members", "get_meeting", meeting_id))


def may_ask_leave_for(meeting_id: str, member_id: str) -> None:
    """A member for themselves; staff for a member of, or a meeting in, their area."""
    principal = current_principal()
    if member_self_only(principal, member_id):
        return
    meeting = rpc("members", "get_meeting", meeting_id)
    if principal.covers(meeting["org_path"]):
        return
    member = rpc("members", "get_member", member_id)
    within_scope(principal, member["org_path"])


# -- leave -------------------------------------------------------------------------------------


@api.route(f"/meetings/{MEETING_ID}/leave", methods=["POST"])
@secured(api, "request_leave", 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(LeaveIn)
@api.response(201, LeaveOut, description="Requested")
@api.alt_response(200, schema=LeaveOut, description="Already requested (pending or approved)")
def request_leave(body: dict[str, Any], meeting_id: str) -> Any:
    """Request leave (请假) for an expected member before the meeting starts, with a reason;
    one request per member and meeting: asked again, the standing one (a declined or withdrawn
    one may be asked again)"""
    may_ask_leave_for(meeting_id, body["member_id"])
    return created_or_found(rpc("members", "request_leave", {**body, "meeting_id": meeting_id}))


@api.route(f"/meetings/{MEETING_ID}/leave/{MEMBER_ID}/decision", methods=["POST"])
@secured(api, "manage_meetings", 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(LeaveDecisionIn)
@api.response(200, LeaveOut)
def decide_leave(body: dict[str, Any], meeting_id: str, member_id: str) -> Any:
    """Approve or decline (with a reason) a pending leave request, until the meeting is closed;
    the same decision again changes nothing, another one is 409"""
    meeting_in_scope(meeting_id)
    payload = {**body, "meeting_id": meeting_id, "member_id": member_id}
    return rpc("members", "decide_leave", payload)


@api.route(f"/meetings/{MEETING_ID}/leave/{MEMBER_ID}/withdraw", methods=["POST"])
@secured(api, "request_leave", 404, 409)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.response(200, LeaveOut)
def withdraw_leave(meeting_id: str, member_id: str) -> Any:
    """Withdraw a leave request before the meeting starts"""
    may_ask_leave_for(meeting_id, member_id)
    payload = {"meeting_id": meeting_id, "member_id": member_id}
    return rpc("members", "withdraw_leave", payload)


@api.route(f"/meetings/{MEETING_ID}/leave", methods=["GET"])
@secured(api, "read_meetings", 404)
@api.arguments(PageQuery, location="query")
@api.response(200, LeavePage)
def meeting_leave(query: dict[str, Any], meeting_id: str) -> Any:
    """A meeting's leave requests, oldest first (paginated)"""
    meeting_in_scope(meeting_id)
    return rpc("members", "list_meeting_leave", paged(query, meeting_id=meeting_id))


@api.route("/leave/pending", methods=["GET"])
@secured(api, "manage_meetings", 404)
@api.arguments(PendingLeaveQuery, location="query")
@api.response(200, LeavePage)
def pending_leave(query: dict[str, Any]) -> Any:
    """Leave requests waiting for a decision for meetings in your area (or an organization's
    subtree), oldest first (paginated): the approvals page"""
    if query.get("org_id"):
        org_in_scope(query["org_id"])
    found = rpc("members", "list_pending_leave", paged(query, org_id=query.get("org_id")))
    for item in found["items"]:
        within_scope(current_principal(), item["meeting_org_path"])
    return found


# -- closing, sheet, minutes -------------------------------------------------------------------


@api.route(f"/meetings/{MEETING_ID}/close", methods=["POST"])
@secured(api, "manage_meetings", 404, 409)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.response(201, ClosingOut)
@api.alt_response(
    200,
    schema=ClosingOut,
    description="Already closed: the same result",
)
def close_meeting(meeting_id: str) -> Any:
    """Close a meeting once its sign-in window has closed: the attendance sheet (present,
    excused: approved leave, absent), the rate present / (expected - excused) and
    meeting_closed; closing again answers the same. A closed meeting takes no sign-ins and no
    leave"""
    meeting_in_scope(meeting_id)
    return created_or_found(rpc("members", "close_meeting", {"meeting_id": meeting_id}))


@api.route(f"/meetings/{MEETING_ID}/sheet", methods=["GET"])
@secured(api, "read_meetings", 404)
@api.arguments(SheetQuery, location="query")
@api.response(200, SheetOut)
def attendance_sheet(query: dict[str, Any], meeting_id: str) -> Any:
    """A closed meeting's counts and attendance sheet, one row per expected member with the
    outcome and the member's own organization, names masked (paginated by member id). The home
    organization of a mobile member expected there reads its own members' rows"""
    found = rpc("members", "get_attendance_sheet", paged(query, meeting_id=meeting_id))
    principal = current_principal()
    if not principal.covers(found["closing"]["org_path"]):
        for row in found["items"]:
            within_scope(principal, row["member_org_path"])
    return found


@api.route(f"/meetings/{MEETING_ID}/minutes", methods=["PUT"])
@secured(api, "manage_meetings", 404, 409)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(MinutesForm, location="form", content_type="multipart/form-data")
@api.response(200, MinutesOut)
def put_minutes(form: dict[str, Any], meeting_id: str) -> Any:
    """The minutes (纪实) of a closed meeting: topic, content and photos (JPEG or PNG, checked by
    their content; count and size limits from the configuration), as a multipart form; photos
    sent again are kept once, earlier ones stay"""
    meeting_in_scope(meeting_id)
    files = request.files.getlist("photos")
    photos = [base64.b64encode(f.read()).decode("ascii") for f in files]
    payload = {**form, "meeting_id": meeting_id, "photos": photos}
    return rpc("members", "put_minutes", payload)


@api.route(f"/meetings/{MEETING_ID}/minutes", methods=["GET"])
@secured(api, "read_meetings", 404)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.response(200, MinutesOut)
def get_minutes(meeting_id: str) -> Any:
    """A meeting's minutes with its photos' ids"""
    meeting_in_scope(meeting_id)
    return rpc("members", "get_minutes", meeting_id)


@api.route(f"/meetings/{MEETING_ID}/minutes/photos/{PHOTO_ID}", methods=["GET"])
@secured(api, "read_meetings", 404)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.response(200, IMAGE, description="The photo (JPEG or PNG)", content_type="image/jpeg")
@api.alt_response(200, schema=IMAGE, description="The photo", content_type="image/png")
def minutes_photo(meeting_id: str, photo_id: str) -> Any:
    """One photo of a meeting's minutes"""
    meeting_in_scope(meeting_id)
    found = rpc("members", "read_minutes_photo", {"meeting_id": meeting_id, "photo_id": photo_id})
    response = Response(base64.b64decode(found["content"]), mimetype=found["content_type"])
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


# -- rates -------------------------------------------------------------------------------------


@api.route(f"/orgs/{ORG_ID}/attendance-rates", methods=["GET"])
@secured(api, "read_plans", 404)
@api.arguments(RatesQuery, location="query")
@api.response(200, RatesPage)
def attendance_rates(query: dict[str, Any], org_id: str) -> Any:
    """Attendance rates per month of an organization's subtree (closed meetings, expected,
    excused, present, rate) from a month to a month, and with children=true a page of its
    child organizations' for a table (the organization itself first on the first page)"""
    org_in_scope(org_id)
    wanted = paged(
        query,
        org_id=org_id,
        from_month=query["from_month"],
        to_month=query["to_month"],
        children=query["children"],
    )
    return rpc("members", "get_attendance_rates", wanted)

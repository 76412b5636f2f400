"""The console's reads, for staff (a member reads their own sign-ins): the organization tree
level by level, an organization's members and meetings, a member's sign-ins, a meeting and its
live attendance, the home page's figures. The gateway checks every organization, meeting and
member against the caller's scope (before the call, or on the answer before it is sent); the
members service checks them again."""

from __future__ import annotations

from typing import Any

from gateway.access import current_principal, within_scope
from gateway.errors import ApiError
from gateway.http_schemas import NoQuery, PageQuery
from gateway.http_schemas_console import (
    LiveAttendanceOut,
    LiveAttendanceQuery,
    MeetingsPage,
    MeetingsQuery,
    MeetingSummaryOut,
    MemberSignInsPage,
    MembersPage,
    MembersQuery,
    OrgNodeOut,
    OrgsPage,
    OverviewOut,
)
from gateway.routes import MEMBER_ID, readable_member
from gateway.routing import api, org_in_scope, rpc
from gateway.smorest import secured

ORG_ID = "<string(minlength=1, maxlength=64):org_id>"
MEETING_ID = "<string(minlength=1, maxlength=80):meeting_id>"
UNAVAILABLE = (503, 504)


def paged(query: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {**fields, "cursor": query.get("cursor"), "limit": query["limit"]}


def in_scope(found: dict[str, Any], key: str = "org_path") -> dict[str, Any]:
    """The answer, once the object it describes is known to lie within the caller's scope."""
    within_scope(current_principal(), found[key])
    return found


# -- the organization tree -------------------------------------------------------------------


@api.route("/orgs/roots", methods=["GET"])
@secured(api, "browse_orgs")
@api.arguments(PageQuery, location="query")
@api.response(200, OrgsPage)
def root_orgs(query: dict[str, Any]) -> Any:
    """Where the caller's tree starts: the organization at their scope (every root organization
    for a deployment-wide scope)"""
    found: dict[str, Any] = rpc("members", "list_orgs", paged(query))
    for org in found["items"]:
        in_scope(org, "path")
    return found


@api.route(f"/orgs/{ORG_ID}", methods=["GET"])
@secured(api, "browse_orgs", 404)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.response(200, OrgNodeOut)
def get_org(org_id: str) -> Any:
    """An organization with its counters (sub-organizations, members)"""
    return in_scope(rpc("members", "get_org_node", org_id), "path")


@api.route(f"/orgs/{ORG_ID}/children", methods=["GET"])
@secured(api, "browse_orgs", 404)
@api.arguments(PageQuery, location="query")
@api.response(200, OrgsPage)
def org_children(query: dict[str, Any], org_id: str) -> Any:
    """An organization's direct sub-organizations, by id, each with its counters (paginated)"""
    org_in_scope(org_id)
    return rpc("members", "list_orgs", paged(query, org_id=org_id))


# -- an organization's members and meetings --------------------------------------------------


@api.route(f"/orgs/{ORG_ID}/members", methods=["GET"])
@secured(api, "list_members", 404)
@api.arguments(MembersQuery, location="query")
@api.response(200, MembersPage)
def org_members(query: dict[str, Any], org_id: str) -> Any:
    """An organization's own members by name (or its subtree's, searched by name or card);
    name search by prefix, card search by the exact UID; personal data masked (paginated)"""
    org_in_scope(org_id)
    wanted = {
        "q": query.get("q"),
        "card_uid": query.get("card"),
        "subtree": query["subtree"],
        "status": query.get("status"),
    }
    return rpc("members", "list_members", paged(query, org_id=org_id, **wanted))


@api.route(f"/orgs/{ORG_ID}/meetings", methods=["GET"])
@secured(api, "read_meetings", 404)
@api.arguments(MeetingsQuery, location="query")
@api.response(200, MeetingsPage)
def org_meetings(query: dict[str, Any], org_id: str) -> Any:
    """An organization's meetings starting in [from, to), by start time, each with how many are
    expected and signed in (paginated)"""
    org_in_scope(org_id)
    since, until = query.get("since"), query.get("until")
    wanted = {
        "since": since and since.isoformat(),
        "until": until and until.isoformat(),
        "newest_first": query["order"] == "desc",
    }
    return rpc("members", "list_meetings", paged(query, org_id=org_id, **wanted))


# -- meetings and sign-ins -------------------------------------------------------------------


@api.route(f"/meetings/{MEETING_ID}", methods=["GET"])
@secured(api, "read_meetings", 404)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.response(200, MeetingSummaryOut)
def get_meeting(meeting_id: str) -> Any:
    """A meeting with how many are expected and signed in"""
    return in_scope(rpc("members", "get_meeting", meeting_id))


@api.route(f"/meetings/{MEETING_ID}/attendance", methods=["GET"])
@secured(api, "read_meetings", 404)
@api.arguments(LiveAttendanceQuery, location="query")
@api.response(200, LiveAttendanceOut)
def meeting_attendance(query: dict[str, Any], meeting_id: str) -> Any:
    """A meeting's sign-ins in the order recorded, names masked, with the expected and
    signed-in counts: poll it every few seconds with after=next_cursor"""
    wanted = {"meeting_id": meeting_id, "after": query.get("after"), "limit": query["limit"]}
    return in_scope(rpc("members", "follow_attendance", wanted))


@api.route(f"/members/{MEMBER_ID}/attendance", methods=["GET"])
@secured(api, "read_attendance", 404)
@api.arguments(PageQuery, location="query")
@api.response(200, MemberSignInsPage)
def member_attendance(query: dict[str, Any], member_id: str) -> Any:
    """A member's sign-ins, newest first, with each meeting's title, kind and time
    (paginated; a member reads their own)"""
    readable_member(member_id)
    return rpc("members", "list_member_attendance", paged(query, member_id=member_id))


# -- the home page ---------------------------------------------------------------------------


@api.route("/overview", methods=["GET"])
@secured(api, "browse_orgs")
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.response(200, OverviewOut)
def overview() -> Any:
    """The caller's scope at a glance: organizations and members (counters), meetings and
    sign-ins this month (monthly tallies), open needs (an index count; null while the volunteer
    service is unavailable)"""
    found: dict[str, Any] = rpc("members", "get_overview")
    for org in found["roots"]:
        in_scope(org, "path")
    scope = current_principal().scope
    try:
        needs = rpc("volunteer", "count_needs", {"scope": scope, "status": "open"})
        open_needs = needs["count"]
    except ApiError as error:
        if error.status not in UNAVAILABLE:
            raise
        open_needs = None
    return {**found, "open_needs": open_needs}

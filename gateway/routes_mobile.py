"""HTTP routes of services/members/mobile/ (joined to the API blueprint by gateway/routes.py):
mobile members (流动党员) registered, their host changed, their return, the home's and the
host's lists, a mobile member's sign-ins, and the lapse warnings. The member or organization is
checked against the caller's scope here before the call (the host's secretary reads a hosted
member's sign-ins: that the member is hosted in the caller's area the members service checks),
and again by the members service. Each change asked again with the same body answers the same."""

from __future__ import annotations

from typing import Any

from gateway.access import current_principal, within_scope
from gateway.http_schemas import NoQuery, PageQuery
from gateway.http_schemas_console import MemberSignInsPage
from gateway.http_schemas_mobile import (
    HostIn,
    LapseWarningsPage,
    MobileIn,
    MobileMemberOut,
    MobileMembersPage,
    MobileQuery,
)
from gateway.routes import MEMBER_ID
from gateway.routes_console import ORG_ID, paged
from gateway.routes_lifecycle import member_in_scope
from gateway.routing import api, org_in_scope, rpc
from gateway.smorest import BODY, secured


@api.route(f"/members/{MEMBER_ID}/mobile", methods=["POST"])
@secured(api, "manage_mobile", 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(MobileIn)
@api.response(200, MobileMemberOut)
def register_mobile(body: dict[str, Any], member_id: str) -> Any:
    """Register a member as mobile (流动党员): where they are, since and until when (at most 6
    months, configuration), and the organization where they take part (mobile_member_registered)"""
    member_in_scope(member_id)
    payload = {
        **body,
        "member_id": member_id,
        "since": body["since"].isoformat(),
        "until": body["until"].isoformat(),
    }
    return rpc("members", "register_mobile_member", payload)


@api.route(f"/members/{MEMBER_ID}/mobile/host", methods=["PUT"])
@secured(api, "manage_mobile", 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(HostIn)
@api.response(200, MobileMemberOut)
def change_mobile_host(body: dict[str, Any], member_id: str) -> Any:
    """Choose or change where a mobile member takes part (mobile_member_host_changed)"""
    member_in_scope(member_id)
    return rpc("members", "change_mobile_host", {**body, "member_id": member_id})


@api.route(f"/members/{MEMBER_ID}/mobile/return", methods=["POST"])
@secured(api, "manage_mobile", 404, 409)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.response(200, MobileMemberOut)
def end_mobile_stay(member_id: str) -> Any:
    """The member's return (回归) ends the stay (mobile_member_returned)"""
    member_in_scope(member_id)
    return rpc("members", "end_mobile_stay", {"member_id": member_id})


@api.route(f"/orgs/{ORG_ID}/mobile-members", methods=["GET"])
@secured(api, "list_members", 404)
@api.arguments(MobileQuery, location="query")
@api.response(200, MobileMembersPage)
def list_mobile_members(query: dict[str, Any], org_id: str) -> Any:
    """The subtree's members who are away (外出党员, soonest end first; overdue=true: past their
    end), or with hosted=true the mobile members taking part in the subtree (在此参加)"""
    org_in_scope(org_id)
    wanted = paged(query, org_id=org_id, hosted=query["hosted"], overdue=query["overdue"])
    return rpc("members", "list_mobile_members", wanted)


@api.route(f"/members/{MEMBER_ID}/mobile-attendance", methods=["GET"])
@secured(api, "list_members", 404)
@api.arguments(PageQuery, location="query")
@api.response(200, MemberSignInsPage)
def mobile_attendance(query: dict[str, Any], member_id: str) -> Any:
    """A mobile member's sign-ins, newest first: the home's staff read all, the host's staff
    those since the stay began"""
    member = rpc("members", "get_mobile_member", member_id)
    host = (member.get("mobile") or {}).get("host_org_path")
    principal = current_principal()
    if host is None or not principal.covers(host):
        within_scope(principal, member["org_path"])
    return rpc("members", "list_mobile_attendance", paged(query, member_id=member_id))


@api.route(f"/orgs/{ORG_ID}/lapse-warnings", methods=["GET"])
@secured(api, "read_lapse", 404)
@api.arguments(PageQuery, location="query")
@api.response(200, LapseWarningsPage)
def lapse_warnings(query: dict[str, Any], org_id: str) -> Any:
    """Members of the subtree without organizational life or dues for months (warned at 3 and
    5, the rule 6: configuration), still inactive, longest first; recording a lapse is a status
    change a person decides"""
    org_in_scope(org_id)
    return rpc("members", "list_lapse_warnings", paged(query, org_id=org_id))

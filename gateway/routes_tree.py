"""The organization register's routes: change an organization (rename, tags, end date, grid),
move a subtree, merge a branch into another, dissolve, place members in a temporary branch and
return them, read the history. Structural changes are for county operators and organization
admins within their subtree (``create_org``'s roles: least privilege, a branch secretary changes
none of them, the grid's people included); the gateway checks every organization against the
caller's scope first, the members service checks them again."""

from __future__ import annotations

from typing import Any

from gateway.access import current_principal, within_scope
from gateway.http_schemas import NoQuery, PageQuery
from gateway.http_schemas_console import OrgNodeOut
from gateway.http_schemas_tree import (
    HistoryPage,
    MergeIn,
    MoveIn,
    MoveOut,
    OrgPatchIn,
    PlacedOut,
    ReasonIn,
    ReturnedOut,
    TemporaryMembersIn,
)
from gateway.routes_console import ORG_ID, in_scope, paged
from gateway.routing import api, org_in_scope, rpc
from gateway.smorest import BODY, secured

MOVE_ID = "<string(minlength=1, maxlength=64):move_id>"
MANAGE = "manage_orgs"  # county operators, organization admins (gateway/access.py)


@api.route(f"/orgs/{ORG_ID}", methods=["PATCH"])
@secured(api, MANAGE, 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(OrgPatchIn)
@api.response(200, OrgNodeOut)
def update_org(body: dict[str, Any], org_id: str) -> Any:
    """Rename an organization, change its tags, a temporary branch's end date or a grid's
    leader, workers and households; send the version it was read at (409 when someone changed
    it meanwhile: reload)"""
    org_in_scope(org_id)
    return in_scope(rpc("members", "update_org", {**body, "org_id": org_id}), "path")


@api.route(f"/orgs/{ORG_ID}/move", methods=["POST"])
@secured(api, MANAGE, 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(MoveIn)
@api.response(202, MoveOut)
def move_org(body: dict[str, Any], org_id: str) -> Any:
    """Move an organization with its subtree under a new parent: every path below follows
    (members, meetings, kiosks, accounts' roles); follow the job at /org-moves/{move_id}. The
    same request again answers the same job"""
    org_in_scope(org_id)
    org_in_scope(body["new_parent_id"])
    return rpc("members", "move_org", {**body, "org_id": org_id})


@api.route(f"/org-moves/{MOVE_ID}", methods=["GET"])
@secured(api, MANAGE, 404)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.response(200, MoveOut)
def get_org_move(move_id: str) -> Any:
    """A move of a subtree: running or done, with what it has rewritten"""
    job: dict[str, Any] = rpc("members", "get_org_move", move_id)
    within_scope(current_principal(), job["from_path"])
    within_scope(current_principal(), job["to_path"])
    return job


@api.route(f"/orgs/{ORG_ID}/merge", methods=["POST"])
@secured(api, MANAGE, 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(MergeIn)
@api.response(200, OrgNodeOut)
def merge_org(body: dict[str, Any], org_id: str) -> Any:
    """Merge a branch into another: its members move there; it is kept, dissolved, with its
    meetings and kiosks as history; answers the branch merged into"""
    org_in_scope(org_id)
    org_in_scope(body["into_org_id"])
    return in_scope(rpc("members", "merge_org", {**body, "org_id": org_id}), "path")


@api.route(f"/orgs/{ORG_ID}/dissolve", methods=["POST"])
@secured(api, MANAGE, 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(ReasonIn)
@api.response(200, OrgNodeOut)
def dissolve_org(body: dict[str, Any], org_id: str) -> Any:
    """Dissolve an organization without members or live sub-organizations (a temporary branch
    returns its members to their home branches); it is kept, marked dissolved"""
    org_in_scope(org_id)
    return in_scope(rpc("members", "dissolve_org", {**body, "org_id": org_id}), "path")


@api.route(f"/orgs/{ORG_ID}/temporary-members", methods=["POST"])
@secured(api, MANAGE, 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(TemporaryMembersIn)
@api.response(200, PlacedOut)
def place_temporary_members(body: dict[str, Any], org_id: str) -> Any:
    """Place members in a temporary or action branch (they return to their home branch when it
    is dissolved)"""
    org_in_scope(org_id)
    return rpc("members", "place_temporary_members", {**body, "org_id": org_id})


@api.route(f"/orgs/{ORG_ID}/temporary-members/return", methods=["POST"])
@secured(api, MANAGE, 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(TemporaryMembersIn)
@api.response(200, ReturnedOut)
def return_temporary_members(body: dict[str, Any], org_id: str) -> Any:
    """Return members of a temporary branch to their home branches before it ends"""
    org_in_scope(org_id)
    return rpc("members", "return_temporary_members", {**body, "org_id": org_id})


@api.route(f"/orgs/{ORG_ID}/history", methods=["GET"])
@secured(api, MANAGE, 404)
@api.arguments(PageQuery, location="query")
@api.response(200, HistoryPage)
def org_history(query: dict[str, Any], org_id: str) -> Any:
    """An organization's changes (who, when, what: field [old, new]), newest first (paginated)"""
    org_in_scope(org_id)
    return rpc("members", "list_org_history", paged(query, org_id=org_id))

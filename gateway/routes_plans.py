"""HTTP routes of services/members/plans/ (joined to the API blueprint by gateway/routes.py):
an organization's yearly plan of meetings (what is done, due, missing or upcoming, the theme
days, warnings) and a subtree's organizations missing required meetings in a month. For every
staff role (``read_plans``); the organization is checked against the caller's scope here
before the call, and again by the members service."""

from __future__ import annotations

from typing import Any

from gateway.http_schemas_plans import PlanGapsPage, PlanGapsQuery, PlanOut, PlanQuery
from gateway.routes_console import ORG_ID, paged
from gateway.routing import api, org_in_scope, rpc
from gateway.smorest import secured


@api.route(f"/orgs/{ORG_ID}/plan", methods=["GET"])
@secured(api, "read_plans", 404)
@api.arguments(PlanQuery, location="query")
@api.response(200, PlanOut)
def org_plan(query: dict[str, Any], org_id: str) -> Any:
    """An organization's plan of meetings for a year (this year by default): per meeting kind
    and period the required and held counts and the state, the theme days, and the warnings"""
    org_in_scope(org_id)
    return rpc("members", "get_plan", {"org_id": org_id, "year": query.get("year")})


@api.route(f"/orgs/{ORG_ID}/plan-gaps", methods=["GET"])
@secured(api, "read_plans", 404)
@api.arguments(PlanGapsQuery, location="query")
@api.response(200, PlanGapsPage)
def org_plan_gaps(query: dict[str, Any], org_id: str) -> Any:
    """The organizations of the subtree (itself included) with required meetings due or
    missing in the periods containing a month (this month by default), by id (paginated)"""
    org_in_scope(org_id)
    return rpc("members", "list_plan_gaps", paged(query, org_id=org_id, period=query.get("period")))

"""The members' lifecycle routes of the HTTP API: a member's profile, status (with its history),
the probationary members whose year ends soon, search by name, card or ID number, and cards.
Changes are for secretaries and staff (the ``register_member`` permission), reads for every
staff role (``list_members``; a member reads their own status and card history). The member or
organization is checked against the caller's scope here before the call, and again by the
members service. Each route asked again with the same body answers the same."""

from __future__ import annotations

from typing import Any

from gateway.access import current_principal, within_scope
from gateway.errors import ApiError
from gateway.http_schemas import MemberOut, NoQuery, PageQuery
from gateway.http_schemas_lifecycle import (
    CardEndIn,
    CardIn,
    CardsPage,
    MembersFoundPage,
    ProbationDueQuery,
    ProfileIn,
    SearchQuery,
    StatusChangeIn,
    StatusHistoryPage,
)
from gateway.routes import MEMBER_ID, readable_member
from gateway.routes_console import paged
from gateway.routing import api, org_in_scope, rpc
from gateway.smorest import BODY, secured
from services.infra.i18n import _


def member_in_scope(member_id: str) -> dict[str, Any]:
    """The member (from members), once it is known to lie within the caller's scope."""
    member: dict[str, Any] = rpc("members", "get_member", member_id)
    within_scope(current_principal(), member["org_path"])
    return member


# -- profile and status ----------------------------------------------------------------------


@api.route(f"/members/{MEMBER_ID}", methods=["PATCH"])
@secured(api, "change_member", 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(ProfileIn)
@api.response(200, MemberOut)
def update_member_profile(body: dict[str, Any], member_id: str) -> Any:
    """Change a member's profile (gender, birth date, ethnicity, education, join date, work
    unit, duties, skills, home address, grid); publishes member_updated with the field names"""
    member_in_scope(member_id)
    payload = {**ProfileIn().dump_for_rpc(body), "member_id": member_id}
    return rpc("members", "update_member_profile", payload)


@api.route(f"/members/{MEMBER_ID}/status", methods=["POST"])
@secured(api, "change_member", 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(StatusChangeIn)
@api.response(200, MemberOut)
def change_member_status(body: dict[str, Any], member_id: str) -> Any:
    """Change a member's status (confirmation, extended probation, suspension, exit,
    reinstatement) with its effective date, reason and approver; never a deletion"""
    member_in_scope(member_id)
    payload = {**body, "member_id": member_id, "effective_on": body["effective_on"].isoformat()}
    return rpc("members", "change_member_status", payload)


@api.route(f"/members/{MEMBER_ID}/status-history", methods=["GET"])
@secured(api, "read_member", 404)
@api.arguments(PageQuery, location="query")
@api.response(200, StatusHistoryPage)
def status_history(query: dict[str, Any], member_id: str) -> Any:
    """A member's status changes, newest first (cursor-paginated)"""
    readable_member(member_id)
    return rpc("members", "list_status_history", paged(query, member_id=member_id))


@api.route("/members/probation-due", methods=["GET"])
@secured(api, "list_members", 404)
@api.arguments(ProbationDueQuery, location="query")
@api.response(200, MembersFoundPage)
def probation_due(query: dict[str, Any]) -> Any:
    """Probationary members of an organization's subtree whose year ends within the days asked
    (30 by default), soonest first (cursor-paginated)"""
    org_in_scope(query["org_id"])
    wanted = paged(query, org_id=query["org_id"], within_days=query.get("within_days"))
    return rpc("members", "list_probation_due", wanted)


@api.route("/members/search", methods=["GET"])
@secured(api, "list_members", 404)
@api.arguments(SearchQuery, location="query")
@api.response(200, MembersFoundPage)
def search_members(query: dict[str, Any]) -> Any:
    """Members of a subtree by ID number, card UID (either case) or the start of a name, decided
    from what is typed; personal data masked (cursor-paginated)"""
    org_id = query.get("org_id") or current_principal().scope.rstrip("/").rpartition("/")[2]
    if not org_id:
        raise ApiError(
            400,
            _("Some fields are missing or invalid"),
            errors={"org_id": [_("Choose an organization within your area to search")]},
        )
    org_in_scope(org_id)
    return rpc("members", "search_members", paged(query, org_id=org_id, q=query["q"]))


# -- cards -----------------------------------------------------------------------------------


@api.route(f"/members/{MEMBER_ID}/card", methods=["POST"])
@secured(api, "manage_cards", 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(CardIn)
@api.response(200, MemberOut)
def issue_card(body: dict[str, Any], member_id: str) -> Any:
    """Give a member without a card a card nobody ever held (card_issued)"""
    member_in_scope(member_id)
    return rpc("members", "issue_card", {**body, "member_id": member_id})


@api.route(f"/members/{MEMBER_ID}/card/lost", methods=["POST"])
@secured(api, "manage_cards", 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(CardEndIn)
@api.response(200, MemberOut)
def report_card_lost(body: dict[str, Any], member_id: str) -> Any:
    """Block the member's card at once (card_blocked): a swipe with it is refused and recorded"""
    member_in_scope(member_id)
    return rpc("members", "report_card_lost", {**body, "member_id": member_id})


@api.route(f"/members/{MEMBER_ID}/card/replace", methods=["POST"])
@secured(api, "manage_cards", 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(CardIn)
@api.response(200, MemberOut)
def replace_card(body: dict[str, Any], member_id: str) -> Any:
    """A new card for the member's card in use or lost; the old UID stays blocked"""
    member_in_scope(member_id)
    return rpc("members", "replace_card", {**body, "member_id": member_id})


@api.route(f"/members/{MEMBER_ID}/card/return", methods=["POST"])
@secured(api, "manage_cards", 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(CardEndIn)
@api.response(200, MemberOut)
def return_card(body: dict[str, Any], member_id: str) -> Any:
    """Take the member's card back (an exit does it by itself); it signs nobody in again"""
    member_in_scope(member_id)
    return rpc("members", "return_card", {**body, "member_id": member_id})


@api.route(f"/members/{MEMBER_ID}/cards", methods=["GET"])
@secured(api, "read_member", 404)
@api.arguments(PageQuery, location="query")
@api.response(200, CardsPage)
def card_history(query: dict[str, Any], member_id: str) -> Any:
    """The member's cards, newest first: each UID, when it was issued and how it ended"""
    readable_member(member_id)
    return rpc("members", "list_cards", paged(query, member_id=member_id))

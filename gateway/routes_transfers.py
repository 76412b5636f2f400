"""HTTP routes of services/members/transfers/ (joined to the API blueprint by gateway/routes.py):
introduction letters between organizations (组织关系转接). The sender's secretary (the member
within their area) issues, cancels and re-issues; the receiver's secretary (the destination
within their area) accepts or declines; both read the letter and their lists. Permission
``manage_transfers``; the members service checks every object again."""

from __future__ import annotations

from typing import Any

from gateway.access import current_principal
from gateway.credentials import request_id
from gateway.errors import ApiError
from gateway.http_schemas import NoQuery
from gateway.http_schemas_transfers import (
    TRANSFER_ID,
    DeclineIn,
    IncomingAcceptIn,
    IncomingDeclineIn,
    IncomingOut,
    IncomingPage,
    IncomingQuery,
    RequestIn,
    TransferIn,
    TransferOut,
    TransfersPage,
    TransfersQuery,
)
from gateway.routes_console import paged
from gateway.routing import api, org_in_scope, rpc
from gateway.smorest import BODY, secured
from services.infra.i18n import _


def letter_in_scope(transfer_id: str) -> dict[str, Any]:
    """The letter, once its sender or its receiver lies within the caller's scope."""
    letter: dict[str, Any] = rpc("members", "get_transfer", {"transfer_id": transfer_id})
    principal = current_principal()
    paths = [letter["from_org_path"], (letter.get("to") or {}).get("org_path")]
    if not any(path and principal.covers(path) for path in paths):
        raise ApiError(403, _("This organization is outside your area of responsibility"))
    return letter


@api.route("/transfers", methods=["POST"])
@secured(api, "manage_transfers", 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(TransferIn)
@api.response(200, TransferOut)
def issue_transfer(body: dict[str, Any]) -> Any:
    """Issue an introduction letter for a member of your area to an organization of this
    deployment (to_org_id) or of another one (to_deployment, to_org_name); the same request_id
    again answers the same letter"""
    member = rpc("members", "get_member", body["member_id"])
    org_in_scope(member["org_id"])
    payload = {"request_id": request_id(), **body}
    return rpc("members", "issue_transfer", payload)


@api.route("/transfers", methods=["GET"])
@secured(api, "manage_transfers", 404)
@api.arguments(TransfersQuery, location="query")
@api.response(200, TransfersPage)
def list_transfers(query: dict[str, Any]) -> Any:
    """Letters issued by an organization's subtree (outgoing) or addressed to it (incoming),
    newest first, with their states and reminder flags (cursor-paginated)"""
    org_in_scope(query["org_id"])
    wanted = paged(
        query,
        org_id=query["org_id"],
        direction=query["direction"],
        open_only=query["open_only"],
    )
    return rpc("members", "list_transfers", wanted)


@api.route(f"/transfers/{TRANSFER_ID}", methods=["GET"])
@secured(api, "manage_transfers", 404)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.response(200, TransferOut)
def get_transfer(transfer_id: str) -> Any:
    """The letter (for its sender and its receiver)"""
    return letter_in_scope(transfer_id)


def _act(method: str, transfer_id: str, **more: Any) -> Any:
    letter_in_scope(transfer_id)
    return rpc("members", method, {"transfer_id": transfer_id, **more})


@api.route(f"/transfers/{TRANSFER_ID}/accept", methods=["POST"])
@secured(api, "manage_transfers", 404, 409)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.response(200, TransferOut)
def accept_transfer(transfer_id: str) -> Any:
    """The receiver accepts a valid letter: the member moves to it (same member id and card,
    member_transferred) and the receipt is recorded for the sender"""
    return _act("accept_transfer", transfer_id)


@api.route(f"/transfers/{TRANSFER_ID}/decline", methods=["POST"])
@secured(api, "manage_transfers", 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(DeclineIn)
@api.response(200, TransferOut)
def decline_transfer(body: dict[str, Any], transfer_id: str) -> Any:
    """The receiver declines the letter, with the reason the sender reads"""
    return _act("decline_transfer", transfer_id, reason=body["reason"])


@api.route(f"/transfers/{TRANSFER_ID}/cancel", methods=["POST"])
@secured(api, "manage_transfers", 404, 409)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.response(200, TransferOut)
def cancel_transfer(transfer_id: str) -> Any:
    """The sender withdraws a letter not yet accepted"""
    return _act("cancel_transfer", transfer_id)


@api.route(f"/transfers/{TRANSFER_ID}/reissue", methods=["POST"])
@secured(api, "manage_transfers", 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(RequestIn)
@api.response(200, TransferOut)
def reissue_transfer(body: dict[str, Any], transfer_id: str) -> Any:
    """A new letter (a new number, the same destination) for an expired one, which is marked
    expired; the same request_id again answers the same new letter"""
    return _act("reissue_transfer", transfer_id, request_id=body.get("request_id") or request_id())


# -- letters from other deployments ----------------------------------------------------------


@api.route("/transfers/from-deployments", methods=["GET"])
@secured(api, "manage_transfers", 404)
@api.arguments(IncomingQuery, location="query")
@api.response(200, IncomingPage)
def list_incoming(query: dict[str, Any]) -> Any:
    """Letters from other deployments for an organization's subtree (those naming no
    organization here: for the deployment-wide scope), newest first (cursor-paginated)"""
    org_in_scope(query["org_id"])
    return rpc("members", "list_incoming_transfers", paged(query, org_id=query["org_id"]))


@api.route("/transfers/from-deployments/accept", methods=["POST"])
@secured(api, "manage_transfers", 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(IncomingAcceptIn)
@api.response(200, IncomingOut)
def accept_incoming(body: dict[str, Any]) -> Any:
    """Register the member of another deployment's letter in an organization of your area (a
    new member id here, no card); transfer_accepted goes back to the sender"""
    org_in_scope(body["org_id"])
    return rpc("members", "accept_incoming_transfer", body)


@api.route("/transfers/from-deployments/decline", methods=["POST"])
@secured(api, "manage_transfers", 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(IncomingDeclineIn)
@api.response(200, IncomingOut)
def decline_incoming(body: dict[str, Any]) -> Any:
    """Decline another deployment's letter with the reason (transfer_declined)"""
    return rpc("members", "decline_incoming_transfer", body)

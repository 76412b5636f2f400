"""HTTP routes of services/members/dues/ (joined to the API blueprint by gateway/routes.py):
income declarations (``declare_income``: secretaries and staff, a member their own), a member's
dues (``read_dues``: staff, a member their own), the monthly run, payments and reversals
(``manage_dues``), an organization's register, paid rates and undeclared members (staff). The
organization or member is checked against the caller's scope here before the call, and again
by the members service; a payment for a mobile member may come from the host organization's
secretary (DUES collect_at_host), which only the members service can tell, so payments and
reversals are checked there. A payment asked again with the same reference answers the same;
the same reference with other content is 409."""

from __future__ import annotations

from typing import Any

from gateway.access import current_principal
from gateway.errors import ApiError
from gateway.http_schemas import NoQuery
from gateway.http_schemas_dues import (
    DeclarationIn,
    DeclarationOut,
    EntryOut,
    MemberDuesOut,
    MonthQuery,
    PaidRatesOut,
    PaymentIn,
    RegisterOut,
    ReversalIn,
    RunIn,
    RunOut,
    UndeclaredPage,
    YearQuery,
    fen_of,
)
from gateway.routes import MEMBER_ID, readable_member
from gateway.routes_console import ORG_ID, paged
from gateway.routing import api, created_or_found, org_in_scope, rpc
from gateway.smorest import BODY, secured
from services.infra.i18n import _

REFERENCE = "<string(minlength=6, maxlength=80):reference>"
MONTH = "<string(length=7):month>"


def _staff_org(org_id: str) -> None:
    """Registers and rates are for staff (a member reads only their own dues)."""
    if current_principal().role == "member":
        raise ApiError(403, _("Members may only read their own records"))
    org_in_scope(org_id)


@api.route(
    f"/members/{MEMBER_ID}/dues/declarations/<int(min=2000, max=2100):year>", methods=["PUT"]
)
@secured(api, "declare_income", 404, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(DeclarationIn)
@api.response(200, DeclarationOut)
def declare_income(body: dict[str, Any], member_id: str, year: int) -> Any:
    """Declare a member's monthly income (or category) for a year; the dues amount follows the
    band from the next month not yet charged. The income is stored encrypted, never answered"""
    readable_member(member_id)
    payload = {**body, "member_id": member_id, "year": year}
    return rpc("members", "declare_income", payload)


@api.route(f"/members/{MEMBER_ID}/dues", methods=["GET"])
@secured(api, "read_dues", 404)
@api.arguments(YearQuery, location="query")
@api.response(200, MemberDuesOut)
def member_dues(query: dict[str, Any], member_id: str) -> Any:
    """A member's dues: the year's declaration and months (amount, paid or not), the arrears
    and the ledger (newest first)"""
    readable_member(member_id)
    return rpc("members", "get_member_dues", {"member_id": member_id, "year": query.get("year")})


@api.route(f"/members/{MEMBER_ID}/dues/payments", methods=["POST"])
@secured(api, "manage_dues", 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(PaymentIn)
@api.response(201, EntryOut, description="Recorded")
@api.alt_response(200, schema=EntryOut, description="Already recorded (same reference)")
def record_payment(body: dict[str, Any], member_id: str) -> Any:
    """Record a payment of months (charged, or prepaid within the configured months ahead); the
    amount must equal the months' amounts. Publishes dues_paid per month"""
    payload = {
        "member_id": member_id,
        "reference": body["reference"],
        "months": body["months"],
        "amount_fen": fen_of(body["amount"]),
        "method": body["method"],
    }
    return created_or_found(rpc("members", "record_dues_payment", payload))


@api.route(f"/dues/payments/{REFERENCE}/reversal", methods=["POST"])
@secured(api, "manage_dues", 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(ReversalIn)
@api.response(201, EntryOut, description="Reversed")
@api.alt_response(200, schema=EntryOut, description="Already reversed by this entry")
def reverse_payment(body: dict[str, Any], reference: str) -> Any:
    """Correct a payment by a reversing entry (never an edit or delete): its months are owed
    again. Publishes dues_reversed"""
    payload = {**body, "reference": reference}
    return created_or_found(rpc("members", "reverse_dues_payment", payload))


@api.route(f"/orgs/{ORG_ID}/dues/runs", methods=["POST"])
@secured(api, "manage_dues", 404, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(RunIn)
@api.response(202, RunOut, description="Started, or already started")
def start_run(body: dict[str, Any], org_id: str) -> Any:
    """Start the month's dues run over the organization's subtree (one charge per member and
    month; running it again changes nothing); follow it at its run's address"""
    org_in_scope(org_id)
    result = rpc("members", "start_dues_run", {"org_id": org_id, "month": body["month"]})
    result.pop("created", None)
    return result, 202


@api.route(f"/orgs/{ORG_ID}/dues/runs/{MONTH}", methods=["GET"])
@secured(api, "manage_dues", 404)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.response(200, RunOut)
def get_run(org_id: str, month: str) -> Any:
    """A dues run's progress"""
    org_in_scope(org_id)
    return rpc("members", "get_dues_run", f"{org_id}|{month}")


@api.route(f"/orgs/{ORG_ID}/dues/register", methods=["GET"])
@secured(api, "read_dues", 404)
@api.arguments(MonthQuery, location="query")
@api.response(200, RegisterOut)
def register(query: dict[str, Any], org_id: str) -> Any:
    """The organization's own members' dues of a month (amount, paid or not, months owed),
    with its subtree's tally (cursor-paginated by member id)"""
    _staff_org(org_id)
    return rpc(
        "members", "list_dues_register", paged(query, org_id=org_id, month=query.get("month"))
    )


@api.route(f"/orgs/{ORG_ID}/dues/rates", methods=["GET"])
@secured(api, "read_dues", 404)
@api.arguments(MonthQuery, location="query")
@api.response(200, PaidRatesOut)
def paid_rates(query: dict[str, Any], org_id: str) -> Any:
    """The paid rate of a month of the organization's subtree and of each child's
    (cursor-paginated children)"""
    _staff_org(org_id)
    return rpc("members", "get_dues_rates", paged(query, org_id=org_id, month=query.get("month")))


@api.route(f"/orgs/{ORG_ID}/dues/undeclared", methods=["GET"])
@secured(api, "read_dues", 404)
@api.arguments(MonthQuery, location="query")
@api.response(200, UndeclaredPage)
def undeclared(query: dict[str, Any], org_id: str) -> Any:
    """The subtree's members charged for a month without an income declaration"""
    _staff_org(org_id)
    payload = paged(query, org_id=org_id, month=query.get("month"))
    return rpc("members", "list_dues_undeclared", payload)

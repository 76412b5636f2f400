"""Members sign in on their phones with a one-time code sent by SMS: /auth/member-code, then
/auth/member-sign-in, which answers the same token pair as a staff sign-in (the member as the
account, with the one role ``member`` over the member's organization). The refresh, sign-out
and me routes are the staff's (routes_auth.py); a member's session id starts with ``ms-``.

Asking for a code answers 202 alike for every number (whether it is a member's is not told);
the members service limits codes per number and per client address (the caller's ``ip``; 429
with Retry-After, for every number alike) and texts the code through notify (503 when the text
could not be sent); 409 when requests for one number collide. Wrong codes count as failed
sign-ins of the client's address, like wrong passwords.
"""

from __future__ import annotations

from typing import Any

from gateway.credentials import new_secret, request_id
from gateway.http_schemas import MemberCodeIn, MemberCodeOut, MemberSignInIn, NoQuery, TokenPairOut
from gateway.routes_auth import counted_failures, token_pair
from gateway.routing import anonymous_rpc, api, public
from gateway.smorest import BODY
from services.infra.i18n import _


@api.route("/auth/member-code", methods=["POST"])
@public(api, 409, 429, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(MemberCodeIn)
@api.response(202, MemberCodeOut, description="Accepted (the same for every number)")
def request_member_code(body: dict[str, Any]) -> Any:
    """Ask for a sign-in code by SMS (no token). A code is texted only to a registered, active
    member's number; the answer is the same for any number. One a minute and ten a day per
    number, twenty an hour per client address (429 with Retry-After); 503 when the text could
    not be sent."""
    asked = {"phone": body["phone"], "request_id": request_id()}
    minutes = int(anonymous_rpc("members", "request_member_code", asked)["code_minutes"])
    message = _(
        "If this number is a registered member's, a code was texted to it; "
        "it is valid for {minutes} minutes",
        minutes=minutes,
    )
    return {"message": message, "expires_in": minutes * 60}, 202


@api.route("/auth/member-sign-in", methods=["POST"])
@public(api, 409, 429, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(MemberSignInIn)
@api.response(200, TokenPairOut)
def member_sign_in(body: dict[str, Any]) -> Any:
    """Sign in with a phone number and the code texted to it (no token): the same token pair as
    a staff sign-in. A wrong, expired or used-up code is 401 and counts one of the code's five
    tries."""
    refresh = new_secret()
    attempt = {**body, "attempt_id": request_id(), "refresh_secret": refresh}
    with counted_failures("member-sign-in", {401}):
        signed = anonymous_rpc("members", "member_sign_in", attempt)
    return token_pair(signed, refresh)

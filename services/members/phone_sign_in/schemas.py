"""The contract of the phone sign-in RPCs: arguments (loaded into commands) and results. Codes,
code hashes and refresh hashes never leave the service."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from services.infra.schemas import Strict, Text
from services.members.accounts.schemas import REQUEST_ID, SECRET, AccountOut, ActiveRole
from services.members.phone_sign_in import commands

PHONE = validate.Regexp(r"^1[0-9]{10}$", error="a mobile number of 11 digits starting with 1")
CODE = validate.Regexp(r"^[0-9]{6}$", error="a code of 6 digits")


class RequestCode(Strict):
    phone = Text(required=True, validate=PHONE)
    request_id = Text(required=True, validate=REQUEST_ID)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.RequestCode:
        return commands.RequestCode(**data)


class SignInWithCode(Strict):
    phone = Text(required=True, validate=PHONE)
    code = Text(required=True, validate=CODE)
    attempt_id = Text(required=True, validate=REQUEST_ID)
    refresh_secret = Text(required=True, validate=SECRET)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.SignInWithCode:
        return commands.SignInWithCode(**data)


class RefreshMemberSession(Strict):
    refresh_token = Text(required=True, validate=validate.Length(1, 300))
    refresh_secret = Text(required=True, validate=SECRET)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.RefreshMemberSession:
        return commands.RefreshMemberSession(**data)


# -- results ---------------------------------------------------------------------------------


class CodeRequestedOut(Schema):
    """The same for every number (nothing says whether a text was sent)."""

    code_minutes = fields.Integer(attribute="minutes")


class MemberSignedInOut(Schema):
    """The same shape as a staff sign-in (accounts.schemas.SignedInOut): the member as an
    account with the one role ``member``."""

    account = fields.Nested(AccountOut)
    session_id = fields.String()
    active = fields.Nested(ActiveRole)
    must_change_password = fields.Boolean()

"""The contract of the account, session and kiosk-pairing RPCs: arguments (loaded into commands)
and results. Password hashes, refresh hashes and code hashes never leave the service."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from services.infra.schemas import Strict, Text
from services.infra.scope import STAFF_ROLES
from services.members.accounts import commands
from services.members.accounts.domain import OUTCOMES
from services.members.schemas import ORG_ID

USERNAME = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{2,31}$",
    error="3-32 letters, digits, '.', '_' or '-', starting with a letter or digit",
)
REQUEST_ID = validate.Regexp(r"^[0-9a-f]{32}$", error="a request id of 32 hex digits")
SECRET = validate.Regexp(r"^[A-Za-z0-9_-]{32,128}$", error="not a secret this API gave")
SESSION_ID = validate.Regexp(r"^[a-z]{2}-[A-Za-z0-9-]{3,100}$", error="not a session id")
DEVICE_ID = validate.Regexp(r"^[A-Za-z0-9-]{3,64}$", error="3-64 letters, digits or -")
PAIRING_CODE = validate.Regexp(r"^[0-9]{8}$", error="a pairing code of 8 digits")


def _password(**kwargs: Any) -> Text:
    """A password as typed: the policy judges it (in Chinese), the schema only bounds it."""
    return Text(validate=validate.Length(1, 1024), **kwargs)


class SignIn(Strict):
    username = Text(required=True, validate=validate.Length(1, 64))
    password = _password(required=True)
    attempt_id = Text(required=True, validate=REQUEST_ID)
    refresh_secret = Text(required=True, validate=SECRET)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.SignIn:
        return commands.SignIn(**data)


class Refresh(Strict):
    refresh_token = Text(required=True, validate=validate.Length(1, 300))
    refresh_secret = Text(required=True, validate=SECRET)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.Refresh:
        return commands.Refresh(**data)


class ChangePassword(Strict):
    current_password = _password(required=True)
    new_password = _password(required=True)
    request_id = Text(required=True, validate=REQUEST_ID)
    refresh_secret = Text(required=True, validate=SECRET)
    session_id = Text(load_default=None, allow_none=True, validate=SESSION_ID)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ChangePassword:
        return commands.ChangePassword(**data)


class SwitchRole(Strict):
    session_id = Text(required=True, validate=SESSION_ID)
    index = fields.Integer(required=True, strict=True, validate=validate.Range(0, 99))
    refresh_secret = Text(required=True, validate=SECRET)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.SwitchRole:
        return commands.SwitchRole(**data)


class SessionRef(Strict):
    session_id = Text(required=True, validate=SESSION_ID)


class RoleIn(Strict):
    role = Text(required=True, validate=validate.OneOf(STAFF_ROLES))
    org_id = Text(required=True, validate=ORG_ID)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.RoleIn:
        return commands.RoleIn(**data)


class CreateAccount(Strict):
    username = Text(required=True, validate=USERNAME)
    display_name = Text(required=True, validate=validate.Length(1, 50))
    password = _password(required=True)
    roles = fields.List(fields.Nested(RoleIn), required=True, validate=validate.Length(1, 20))
    member_id = Text(load_default=None, allow_none=True, validate=validate.Length(1, 64))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.CreateAccount:
        return commands.CreateAccount(**data)


class AccountRef(Strict):
    account_id = Text(required=True, validate=validate.Length(1, 64))


class RoleIndex(AccountRef):
    index = fields.Integer(required=True, strict=True, validate=validate.Range(0, 99))


class ResetPassword(AccountRef):
    password = _password(required=True)


class ListQuery(Strict):
    org_id = Text(load_default=None, allow_none=True, validate=ORG_ID)
    cursor = Text(load_default=None, allow_none=True, validate=validate.Length(1, 400))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ListQuery:
        return commands.ListQuery(**data)


class CreatePairingCode(Strict):
    org_id = Text(required=True, validate=ORG_ID)
    place = Text(required=True, validate=validate.Length(1, 100))
    code = Text(required=True, validate=PAIRING_CODE)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.CreatePairingCode:
        return commands.CreatePairingCode(**data)


class PairKiosk(Strict):
    code = Text(required=True, validate=PAIRING_CODE)
    device_id = Text(required=True, validate=DEVICE_ID)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.PairKiosk:
        return commands.PairKiosk(**data)


class DeviceRef(Strict):
    device_id = Text(required=True, validate=DEVICE_ID)


# -- results ---------------------------------------------------------------------------------


class AssignmentOut(Schema):
    role = fields.String()
    org_id = fields.String()
    scope = fields.String()


class AccountOut(Schema):
    account_id = fields.String()
    username = fields.String()
    display_name = fields.String()
    roles = fields.List(fields.Nested(AssignmentOut))
    member_id = fields.String(allow_none=True)
    org_path = fields.String()
    enabled = fields.Boolean()
    must_change_password = fields.Boolean()
    locked_until = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()
    last_sign_in_at = fields.AwareDateTime(allow_none=True)


class NamedAssignmentOut(AssignmentOut):
    org_name = fields.String(allow_none=True)


class MeOut(AccountOut):
    roles = fields.List(fields.Nested(NamedAssignmentOut))


class ActiveRole(AssignmentOut):
    index = fields.Integer()


class SignedInOut(Schema):
    account = fields.Nested(AccountOut)
    session_id = fields.String()
    active = fields.Nested(ActiveRole)
    must_change_password = fields.Boolean()


class AccountsPage(Schema):
    items = fields.List(fields.Nested(AccountOut))
    next_cursor = fields.String(allow_none=True)


class AttemptOut(Schema):
    username = fields.String()
    at = fields.AwareDateTime()
    ip = fields.String(allow_none=True)
    outcome = fields.String(validate=validate.OneOf(OUTCOMES))
    account_id = fields.String(allow_none=True)
    org_path = fields.String(allow_none=True)


class AttemptsPage(Schema):
    items = fields.List(fields.Nested(AttemptOut))
    next_cursor = fields.String(allow_none=True)


class PairingCodeOut(Schema):
    org_id = fields.String()
    org_path = fields.String()
    place = fields.String()
    expires_at = fields.AwareDateTime()


class KioskStateOut(Schema):
    device_id = fields.String()
    org_id = fields.String()
    org_path = fields.String()
    place = fields.String()
    revoked = fields.Boolean()
    revoked_at = fields.AwareDateTime(allow_none=True)


class KiosksPage(Schema):
    items = fields.List(fields.Nested(KioskStateOut))
    next_cursor = fields.String(allow_none=True)

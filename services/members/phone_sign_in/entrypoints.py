"""The phone sign-in RPCs of the members service (mixed into MembersService). Each loads its
arguments through the contract, calls its handler with the unit of work and the caller, and
dumps the result through an output schema. Codes are texted through notify's ``send_sms``.
The hourly purge of the sign-in records past their retention (services/members/retention.py)
runs here too."""

from __future__ import annotations

import logging
from typing import Any

from nameko.exceptions import RemoteError, RpcTimeout, UnknownService
from nameko.timer import timer

from services.infra.dependencies import BuiltOnce
from services.infra.pii import PiiCipher
from services.infra.reconnect import CONNECTION_ERRORS
from services.infra.rpc import rpc
from services.infra.schemas import dump, load
from services.infra.timed_rpc import TimedCalls, TimedRpcProxy
from services.members.accounts import schemas as account_schemas
from services.members.accounts.ports import AccountSettings
from services.members.phone_sign_in import schemas, signing_in
from services.members.phone_sign_in.domain import CodeRules
from services.members.phone_sign_in.ports import CodeSender, PhoneSignInSettings, SmsNotSent
from services.members.retention import Retention, purge_old_records, retention_settings

log = logging.getLogger(__name__)
SMS_TEMPLATE = "sign_in_code"
PURGE_SECONDS = 3600  # how often records past their retention are removed


def phone_sign_in_settings(config: dict[str, Any]) -> PhoneSignInSettings:
    """Read once at start-up (config.yml ``MEMBER_SIGN_IN``, each value with an environment
    override); the codes' keyed hash uses the deployment's look-up key."""
    c = config.get("MEMBER_SIGN_IN") or {}
    return PhoneSignInSettings(
        keyed_hash=PiiCipher.from_env().lookup_hash,
        rules=CodeRules(
            minutes=int(c.get("code_minutes", 5)),
            tries=int(c.get("code_tries", 5)),
            per_minute=int(c.get("codes_per_minute", 1)),
            per_day=int(c.get("codes_per_day", 10)),
            per_address=int(c.get("codes_per_address", 20)),
            address_minutes=int(c.get("address_window_minutes", 60)),
        ),
    )


def sms_sender(notify: TimedCalls) -> CodeSender:
    """The code texted by notify (once per key); any failure to hand it over is SmsNotSent."""

    def send(key: str, phone: str, code: str, minutes: int) -> None:
        text = {
            "key": key,
            "phone": phone,
            "template": SMS_TEMPLATE,
            "params": {"code": code, "minutes": str(minutes)},
        }
        try:
            notify.call("send_sms", text)
        except (RemoteError, UnknownService, RpcTimeout, *CONNECTION_ERRORS) as error:
            log.warning("sign-in code %s not texted: %s", key, type(error).__name__)
            raise SmsNotSent(key) from None

    return send


class PhoneSignInEntrypoints:
    """Needs ``uow`` (the MembersStore), ``caller`` and ``accounts_settings`` (the session rules)
    from the service class."""

    uow: Any
    caller: Any
    accounts_settings: AccountSettings
    phone_sign_in: PhoneSignInSettings = BuiltOnce(phone_sign_in_settings)
    retention: Retention = BuiltOnce(retention_settings)
    notify: TimedCalls = TimedRpcProxy("notify", "NOTIFY_TIMEOUT_SECONDS", 3.0)

    # the gateway calls these for anyone: the phone number and the code are the arguments

    @rpc
    def request_member_code(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.RequestCode, payload)
        send = sms_sender(self.notify)
        rules = signing_in.request_code(cmd, self.uow, self.caller(), self.phone_sign_in, send)
        return dump(schemas.CodeRequestedOut, rules)

    @rpc
    def member_sign_in(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.SignInWithCode, payload)
        sessions = self.accounts_settings.sessions
        found = signing_in.sign_in(cmd, self.uow, self.caller(), self.phone_sign_in, sessions)
        return dump(schemas.MemberSignedInOut, found)

    @rpc
    def refresh_member_session(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.RefreshMemberSession, payload)
        sessions = self.accounts_settings.sessions
        found = signing_in.refresh(cmd, self.uow, self.caller(), self.phone_sign_in, sessions)
        return dump(schemas.MemberSignedInOut, found)

    @timer(interval=PURGE_SECONDS, eager=True)  # at start too: restarts may come more often
    def purge_old_records(self) -> None:
        settings = self.accounts_settings, self.phone_sign_in
        purged = purge_old_records(self.uow, self.retention, *settings)
        if any(purged.values()):
            log.info("records past their retention removed", extra={"purged": purged})

    # the signed-in member (a member's token)

    @rpc
    def get_member_me(self, session_id: str) -> dict[str, Any]:
        ref = load(account_schemas.SessionRef, {"session_id": session_id})
        found = signing_in.get_me(ref["session_id"], self.uow, self.caller())
        return dump(schemas.MemberSignedInOut, found)

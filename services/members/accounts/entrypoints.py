"""The account, session and kiosk-pairing RPCs of the members service (mixed into
MembersService). Each loads its arguments through the contract, calls its handler with the unit
of work and the caller, and dumps the result through an output schema."""

from __future__ import annotations

import secrets
from typing import Any

from eventlet import tpool

from services.infra.dependencies import BuiltOnce
from services.infra.pii import PiiCipher
from services.infra.rpc import rpc
from services.infra.schemas import dump, load, with_created
from services.members.accounts import kiosks, managing, schemas, signing_in
from services.members.accounts.domain import Lockout, PasswordPolicy, SessionRules
from services.members.accounts.passwords import Argon2Passwords
from services.members.accounts.ports import AccountSettings


def account_settings(config: dict[str, Any]) -> AccountSettings:
    """Read once at start-up (config.yml ``ACCOUNTS``, each value with an environment override)."""
    c = config.get("ACCOUNTS") or {}
    hasher = Argon2Passwords(
        time_cost=int(c.get("argon2_time_cost", 2)),
        memory_kib=int(c.get("argon2_memory_kib", 19456)),
        parallelism=int(c.get("argon2_parallelism", 1)),
        offload=tpool.execute,
    )
    return AccountSettings(
        hasher=hasher,
        keyed_hash=PiiCipher.from_env().lookup_hash,
        dummy_hash=hasher.hash(secrets.token_urlsafe(16)),
        policy=PasswordPolicy(min_length=int(c.get("password_min_length", 8))),
        lockout=Lockout(int(c.get("lockout_failures", 5)), int(c.get("lockout_minutes", 15))),
        sessions=SessionRules(
            idle_minutes=int(c.get("session_idle_minutes", 30)),
            max_hours=int(c.get("session_max_hours", 12)),
            touch_seconds=int(c.get("session_touch_seconds", 60)),
        ),
        pairing_minutes=int(c.get("pairing_code_minutes", 15)),
    )


def _page(schema: type, found: tuple[list[Any], str | None]) -> dict[str, Any]:
    items, next_cursor = found
    return dump(schema, {"items": items, "next_cursor": next_cursor})


def _ref(schema: type, **values: Any) -> Any:
    return load(schema, values)


class AccountEntrypoints:
    """Needs ``uow`` (the MembersStore) and ``caller`` from the service class."""

    uow: Any
    caller: Any
    accounts_settings: AccountSettings = BuiltOnce(account_settings)

    # -- signing in (the gateway calls these for anyone: the credential is the argument) -----

    @rpc
    def sign_in(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.SignIn, payload)
        found = signing_in.sign_in(cmd, self.uow, self.caller(), self.accounts_settings)
        return dump(schemas.SignedInOut, found)

    @rpc
    def refresh_session(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.Refresh, payload)
        found = signing_in.refresh(cmd, self.uow, self.caller(), self.accounts_settings)
        return dump(schemas.SignedInOut, found)

    @rpc
    def pair_kiosk(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.PairKiosk, payload)
        kiosk, session = kiosks.pair_kiosk(cmd, self.uow, self.caller(), self.accounts_settings)
        out = dump(schemas.KioskStateOut, kiosk)
        return {**out, "session_id": session.session_id}

    # -- the caller's own session ----------------------------------------------------------

    @rpc
    def verify_session(self, session_id: str) -> bool:
        ref = _ref(schemas.SessionRef, session_id=session_id)
        caller = self.caller()
        return signing_in.verify_session(
            ref["session_id"], self.uow, caller, self.accounts_settings
        )

    @rpc
    def sign_out(self, session_id: str) -> None:
        ref = _ref(schemas.SessionRef, session_id=session_id)
        signing_in.sign_out(ref["session_id"], self.uow, self.caller(), self.accounts_settings)

    @rpc
    def get_me(self) -> dict[str, Any]:
        return dump(schemas.MeOut, signing_in.get_me_named(self.uow, self.caller()))

    @rpc
    def change_password(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.ChangePassword, payload)
        found = signing_in.change_password(cmd, self.uow, self.caller(), self.accounts_settings)
        return dump(schemas.SignedInOut, found)

    @rpc
    def switch_role(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.SwitchRole, payload)
        found = signing_in.switch_role(cmd, self.uow, self.caller(), self.accounts_settings)
        return dump(schemas.SignedInOut, found)

    # -- account management ----------------------------------------------------------------

    @rpc
    def create_account(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.CreateAccount, payload)
        account, created = managing.create_account(
            cmd, self.uow, self.caller(), self.accounts_settings
        )
        return with_created(schemas.AccountOut, account, created)

    @rpc
    def get_account(self, account_id: str) -> dict[str, Any]:
        ref = _ref(schemas.AccountRef, account_id=account_id)
        found = managing.get_account(ref["account_id"], self.uow, self.caller())
        return dump(schemas.AccountOut, found)

    @rpc
    def list_accounts(self, payload: dict[str, Any]) -> dict[str, Any]:
        query = load(schemas.ListQuery, payload)
        return _page(schemas.AccountsPage, managing.list_accounts(query, self.uow, self.caller()))

    @rpc
    def grant_role(self, account_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        ref, role = _ref(schemas.AccountRef, account_id=account_id), load(schemas.RoleIn, payload)
        found = managing.grant_role(ref["account_id"], role, self.uow, self.caller())
        return dump(schemas.AccountOut, found)

    @rpc
    def revoke_role(self, account_id: str, index: int) -> dict[str, Any]:
        ref = _ref(schemas.RoleIndex, account_id=account_id, index=index)
        found = managing.revoke_role(ref["account_id"], ref["index"], self.uow, self.caller())
        return dump(schemas.AccountOut, found)

    @rpc
    def disable_account(self, account_id: str) -> dict[str, Any]:
        ref = _ref(schemas.AccountRef, account_id=account_id)
        found = managing.disable_account(ref["account_id"], self.uow, self.caller())
        return dump(schemas.AccountOut, found)

    @rpc
    def enable_account(self, account_id: str) -> dict[str, Any]:
        ref = _ref(schemas.AccountRef, account_id=account_id)
        found = managing.enable_account(ref["account_id"], self.uow, self.caller())
        return dump(schemas.AccountOut, found)

    @rpc
    def reset_password(self, account_id: str, password: str) -> dict[str, Any]:
        ref = _ref(schemas.ResetPassword, account_id=account_id, password=password)
        found = managing.reset_password(
            ref["account_id"], ref["password"], self.uow, self.caller(), self.accounts_settings
        )
        return dump(schemas.AccountOut, found)

    @rpc
    def list_sign_in_attempts(self, payload: dict[str, Any]) -> dict[str, Any]:
        query = load(schemas.ListQuery, payload)
        return _page(schemas.AttemptsPage, managing.list_attempts(query, self.uow, self.caller()))

    # -- kiosks ----------------------------------------------------------------------------

    @rpc
    def create_pairing_code(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.CreatePairingCode, payload)
        code = kiosks.create_pairing_code(cmd, self.uow, self.caller(), self.accounts_settings)
        return dump(schemas.PairingCodeOut, code)

    @rpc
    def list_kiosks(self, payload: dict[str, Any]) -> dict[str, Any]:
        query = load(schemas.ListQuery, payload)
        return _page(schemas.KiosksPage, kiosks.list_kiosks(query, self.uow, self.caller()))

    @rpc
    def get_kiosk(self, device_id: str) -> dict[str, Any]:
        ref = _ref(schemas.DeviceRef, device_id=device_id)
        return dump(
            schemas.KioskStateOut, kiosks.get_kiosk(ref["device_id"], self.uow, self.caller())
        )

    @rpc
    def revoke_kiosk(self, device_id: str) -> dict[str, Any]:
        ref = _ref(schemas.DeviceRef, device_id=device_id)
        found = kiosks.revoke_kiosk(
            ref["device_id"], self.uow, self.caller(), self.accounts_settings
        )
        return dump(schemas.KioskStateOut, found)

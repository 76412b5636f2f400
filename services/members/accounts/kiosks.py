"""Kiosk pairing without copying tokens, listing and revocation. No nameko, no pymongo.

An operator asks for a one-time code for a place; the kiosk types it in and is enrolled there
(the members' Kiosk, bound to its place for good) with a kiosk session that its token names.
Revoking the kiosk ends that session (the gateway refuses its token) and the members' sign-in
refuses the device (within the few seconds its kiosk cache keeps a read).
"""

from __future__ import annotations

from services.infra.errors import Conflict, NotFound
from services.infra.i18n import _
from services.infra.scope import Caller
from services.members.accounts import commands
from services.members.accounts.domain import (
    KIOSK_KEEPERS,
    PairingCode,
    Session,
    kiosk_session_id,
)
from services.members.accounts.managing import scope_of
from services.members.accounts.ports import AccountSettings, AccountsUnitOfWork, retrying
from services.members.domain import Kiosk
from services.members.handlers import get_org

CODE_FIELD = "pairing_code"


def create_pairing_code(
    cmd: commands.CreatePairingCode,
    uow: AccountsUnitOfWork,
    caller: Caller,
    settings: AccountSettings,
) -> PairingCode:
    caller.require_role(KIOSK_KEEPERS)
    org = get_org(cmd.org_id, uow, caller)
    now = settings.clock()
    code = PairingCode.issue(
        settings.keyed_hash(cmd.code, CODE_FIELD),
        org_id=org.org_id,
        org_path=org.path,
        place=cmd.place,
        created_by=caller.subject,
        now=now,
        minutes=settings.pairing_minutes,
    )
    existing = uow.pairing_codes.get(code.code_hash)
    if existing is not None and existing.live(now):
        if existing.same_request(code):  # the same request again
            return existing
        raise Conflict(_("This pairing code is in use; ask for another one"))
    uow.pairing_codes.put(code)
    return code


def pair_kiosk(
    cmd: commands.PairKiosk,
    uow: AccountsUnitOfWork,
    caller: Caller,
    settings: AccountSettings,
) -> tuple[Kiosk, Session]:
    """Use a pairing code (once): the device is enrolled at the code's place with a session.
    Anyone may call this; the code is the credential."""
    now = settings.clock()
    code_hash = settings.keyed_hash(cmd.code, CODE_FIELD)
    code = uow.pairing_codes.get(code_hash)
    invalid = NotFound(_("The pairing code is wrong or has expired; ask for a new one"))
    if code is None:
        raise invalid
    repeated = code.device_id == cmd.device_id  # this pairing asked again
    if not repeated and not (
        code.live(now) and uow.pairing_codes.claim(code_hash, cmd.device_id, now)
    ):
        raise invalid
    kiosk, _created = uow.kiosks.add(Kiosk(cmd.device_id, code.org_id, code.org_path, code.place))
    if (kiosk.org_id, kiosk.place) != (code.org_id, code.place):
        raise Conflict(_("This device is already enrolled at another place"))
    session, _created = uow.sessions.add(Session.for_kiosk(cmd.device_id, now))
    return kiosk, session


def list_kiosks(
    query: commands.ListQuery, uow: AccountsUnitOfWork, caller: Caller
) -> tuple[list[Kiosk], str | None]:
    caller.require_role(KIOSK_KEEPERS)
    return uow.kiosks.under(scope_of(query.org_id, uow, caller), query.cursor, query.limit)


def get_kiosk(device_id: str, uow: AccountsUnitOfWork, caller: Caller) -> Kiosk:
    caller.require_role(KIOSK_KEEPERS)
    kiosk = uow.kiosks.get(device_id)
    if kiosk is None:
        raise NotFound(_("Unknown kiosk"), device_id=device_id)
    caller.require(kiosk.org_path)
    return kiosk


def revoke_kiosk(
    device_id: str, uow: AccountsUnitOfWork, caller: Caller, settings: AccountSettings
) -> Kiosk:
    now = settings.clock()
    kiosk = get_kiosk(device_id, uow, caller)
    if not kiosk.revoked:
        kiosk = kiosk.revoke(now)
        uow.kiosks.save(kiosk)

    def end_session() -> None:
        session = uow.sessions.get(kiosk_session_id(device_id))
        if session is not None and session.revoked_at is None:
            uow.sessions.save(session.revoked(now, "kiosk_revoked"))

    retrying(end_session)
    return kiosk

"""Search for members within the caller's scope by what the caller has at hand: a name (its
start), a card UID (either case) or an ID number (found through its keyed hash, as registration
stores it). Answers are masked. No nameko, no pymongo."""

from __future__ import annotations

import re

from services.infra.errors import InvalidInput
from services.infra.i18n import _
from services.infra.pii import PiiCipher
from services.infra.scope import Caller
from services.members.handlers import READERS, Page, get_org
from services.members.lifecycle import commands
from services.members.lifecycle.ports import LifecycleSettings, LifecycleUnitOfWork

ID_NUMBER = re.compile(r"[0-9]{17}[0-9Xx]")
CARD_UID = re.compile(r"[0-9A-Fa-f]{8,20}")


def search_key(q: str, cipher: PiiCipher) -> tuple[str, str]:
    """(kind, key) for the text typed: an 18-character ID number -> its keyed hash; 8-20 hex
    digits -> a card UID in upper case; anything else -> a name prefix."""
    text = q.strip()
    if not text:
        raise InvalidInput(
            _("Some fields are missing or invalid"),
            fields={"q": [_("Enter a name, a card number or an ID number")]},
        )
    if ID_NUMBER.fullmatch(text):
        return "id_hash", cipher.lookup_hash(text.upper(), "id_number")
    if CARD_UID.fullmatch(text):
        return "card", text.upper()
    return "name", text


def search_members(
    cmd: commands.SearchMembers,
    uow: LifecycleUnitOfWork,
    caller: Caller,
    settings: LifecycleSettings,
) -> Page:
    caller.require_role(READERS)
    org = get_org(cmd.org_id, uow, caller)
    kind, key = search_key(cmd.q, settings.cipher)
    return uow.lifecycle.search(org, kind, key, cmd.cursor, cmd.limit)

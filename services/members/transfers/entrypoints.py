"""The RPCs of transfers between organizations (组织关系转接), within and between deployments
(mixed into MembersService). Each loads its arguments through the contract, calls its handler
with the unit of work and the caller, and dumps the result through an output schema."""

from __future__ import annotations

import base64
import os
from dataclasses import asdict
from typing import Any
from zoneinfo import ZoneInfo

from services.infra.dependencies import BuiltOnce
from services.infra.pii import PiiCipher
from services.infra.rpc import rpc
from services.infra.schemas import dump, load
from services.members.transfers import crossing, handling, schemas
from services.members.transfers.bridge import peer_transfer_event
from services.members.transfers.domain import Transfer, TransferRules
from services.members.transfers.exchange import IncomingTransfer
from services.members.transfers.ports import TransferSettings

MAX_DAYS = 90  # never more than three months, whatever the configuration says


def transfer_settings(config: dict[str, Any]) -> TransferSettings:
    """Read once at start-up (config.yml ``TRANSFERS``; defaults when absent)."""
    c = config.get("TRANSFERS") or {}
    rules = TransferRules(
        within_city_days=int(c.get("within_city_days", 10)),
        outside_city_days=int(c.get("outside_city_days", 30)),
        max_days=min(int(c.get("max_days", MAX_DAYS)), MAX_DAYS),
        expiring_days=int(c.get("expiring_days", 3)),
        receipt_days=int(c.get("receipt_days", 30)),
    )
    zone = ZoneInfo(str(config.get("TIMEZONE") or "Asia/Shanghai"))
    return TransferSettings(
        rules=rules,
        timezone=zone,
        deployment_id=str(c.get("deployment_id") or "local"),
        cipher=PiiCipher.from_env(),
        peers=peer_keys(os.environ.get("TRANSFER_PEER_KEYS", "")),
    )


def peer_keys(text: str) -> dict[str, PiiCipher]:
    """``TRANSFER_PEER_KEYS`` (a secret): ``<deployment id>=<base64 32-byte key>,...``, the key
    each pair of deployments shares for the member records their transfers carry."""
    keys: dict[str, PiiCipher] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        peer, _, key = item.partition("=")
        keys[peer.strip()] = PiiCipher(base64.b64decode(key.strip()), b"")
    return keys


def view(transfer: Transfer, uow: Any, settings: TransferSettings) -> dict[str, Any]:
    """The letter as the console shows it: with the member's masked name, the sending
    organization's name and the reminder flags."""
    member = uow.members.get(transfer.member_id)
    sender = uow.orgs.get(transfer.from_org_id)
    return {
        **asdict(transfer),
        "member_name_masked": member.name_masked if member else "",
        "from_org_name": sender.name if sender else "",
        "flags": handling.flags(transfer, settings),
    }


class TransfersEntrypoints:
    """Needs ``uow`` (the MembersStore) and ``caller`` from the service class."""

    uow: Any
    caller: Any
    lifecycle_settings: Any  # LifecycleEntrypoints': a transfer out or back is a status change
    transfer_settings: TransferSettings = BuiltOnce(transfer_settings)

    def _out(self, transfer: Transfer) -> dict[str, Any]:
        found = view(transfer, self.uow, self.transfer_settings)
        return dump(schemas.TransferOut, found)  # type: ignore[no-any-return]

    @rpc
    def issue_transfer(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.IssueTransfer, payload)
        found = handling.issue_transfer(cmd, self.uow, self.caller(), self.transfer_settings)
        return self._out(found)

    @rpc
    def reissue_transfer(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.ReissueTransfer, payload)
        found = handling.reissue_transfer(cmd, self.uow, self.caller(), self.transfer_settings)
        return self._out(found)

    @rpc
    def accept_transfer(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.CloseTransfer, payload)
        found = handling.accept_transfer(cmd, self.uow, self.caller(), self.transfer_settings)
        return self._out(found)

    @rpc
    def decline_transfer(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.CloseTransfer, payload)
        found = handling.decline_transfer(cmd, self.uow, self.caller(), self.transfer_settings)
        return self._out(found)

    @rpc
    def cancel_transfer(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.CloseTransfer, payload)
        found = handling.cancel_transfer(cmd, self.uow, self.caller(), self.transfer_settings)
        return self._out(found)

    @rpc
    def get_transfer(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.GetTransfer, query)
        return self._out(handling.get_transfer(cmd, self.uow, self.caller()))

    @rpc
    def list_transfers(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.ListTransfers, query)
        items, next_cursor = handling.list_transfers(cmd, self.uow, self.caller())
        shown = [view(t, self.uow, self.transfer_settings) for t in items]
        return dump(schemas.TransfersPage, {"items": shown, "next_cursor": next_cursor})  # type: ignore[no-any-return]

    @rpc
    def accept_incoming_transfer(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.AnswerIncoming, payload)
        settings, lifecycle = self.transfer_settings, self.lifecycle_settings
        found = crossing.accept_incoming_transfer(
            cmd["key"], cmd["org_id"] or "", self.uow, self.caller(), settings, lifecycle
        )
        return _incoming(found)

    @rpc
    def decline_incoming_transfer(self, payload: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.AnswerIncoming, payload)
        found = crossing.decline_incoming_transfer(
            cmd["key"], cmd["reason"], self.uow, self.caller(), self.transfer_settings
        )
        return _incoming(found)

    @rpc
    def list_incoming_transfers(self, query: dict[str, Any]) -> dict[str, Any]:
        cmd = load(schemas.ListIncoming, query)
        items, next_cursor = crossing.list_incoming_transfers(
            cmd["org_id"], cmd["cursor"], cmd["limit"], self.uow, self.caller()
        )
        shown = [{**asdict(i), "key": i.key} for i in items]
        return dump(schemas.IncomingPage, {"items": shown, "next_cursor": next_cursor})  # type: ignore[no-any-return]

    @peer_transfer_event
    def on_peer_transfer_event(self, event_type: str, event: dict[str, Any]) -> None:
        settings = self.transfer_settings
        crossing.handle_peer_event(event_type, event, self.uow, settings, self.lifecycle_settings)


def _incoming(found: IncomingTransfer) -> dict[str, Any]:
    return dump(schemas.IncomingOut, {**asdict(found), "key": found.key})  # type: ignore[no-any-return]

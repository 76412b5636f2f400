"""The repositories of phone sign-in codes and of the audit of code requests and sign-in
attempts, over the members database. Documents map to the domain objects here; pymongo errors
stop here.

A phone's record (and a client address's) is written whole, guarded by its version: a write
from stale state is refused with ``Stale`` and the handler reads again, so two requests for one
number never both pass its limits, and a code's tries are counted once each. Every collection
here is purged by day (services/infra/retention.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar

from services.infra.errors import AlreadyStored
from services.infra.events import stamp
from services.infra.repository import insert, insert_once
from services.infra.retention import PURGE_DAY, PURGE_INDEX, day_of, purge_before
from services.infra.scope import ancestors
from services.members.accounts.errors import Stale
from services.members.accounts.store import replace_version
from services.members.phone_sign_in.domain import AddressRequests, Code, PhoneCodes, SignInRecord

UNATTRIBUTED = "-"  # the "ancestors" of a request or attempt on a number that is no member's


class PhoneCodesStore:
    def __init__(self, db: Any) -> None:
        self.c = db.phone_codes

    def get(self, phone_hash: str) -> PhoneCodes | None:
        doc = self.c.find_one({"_id": phone_hash})
        if doc is None:
            return None
        code = doc.get("code")
        return PhoneCodes(
            phone_hash=doc["_id"],
            requests=tuple(datetime.fromisoformat(t) for t in doc["requests"]),
            last_request_id=doc.get("last_request_id"),
            code=_code(code) if code else None,
            version=int(doc["version"]),
        )

    def save(self, codes: PhoneCodes) -> PhoneCodes:
        code = codes.code
        doc = {
            "_id": codes.phone_hash,
            "requests": [stamp(t) for t in codes.requests],
            "last_request_id": codes.last_request_id,
            "code": None
            if code is None
            else {
                "code_id": code.code_id,
                "code_hash": code.code_hash,
                "member_id": code.member_id,
                "created_at": stamp(code.created_at),
                "expires_at": stamp(code.expires_at),
                "tries_left": code.tries_left,
            },
            **_last_asked(codes.last_asked),
            "version": codes.version + 1,
        }
        _write(self.c, doc, codes.version)
        return replace(codes, version=codes.version + 1)

    def purge(self, before: datetime) -> int:
        return purge_before(self.c, LAST_ASKED, before)


LAST_ASKED = ("last_at",)


def _last_asked(moment: datetime | None) -> dict[str, Any]:
    """When the record was last asked for ("" never), and its retention's day."""
    return {"last_at": stamp(moment) if moment else "", PURGE_DAY: day_of(moment)}


def _write(collection: Any, doc: dict[str, Any], read_version: int) -> None:
    """A new record at version 0, else over the version it was read at; Stale otherwise."""
    if read_version:
        replace_version(collection, doc, read_version)
        return
    try:
        insert(collection, doc)
    except AlreadyStored:
        raise Stale(doc["_id"]) from None


class AddressRequestsStore:
    def __init__(self, db: Any) -> None:
        self.c = db.code_addresses

    def get(self, address_hash: str) -> AddressRequests | None:
        doc = self.c.find_one({"_id": address_hash})
        if doc is None:
            return None
        return AddressRequests(
            address_hash=doc["_id"],
            requests=tuple(datetime.fromisoformat(t) for t in doc["requests"]),
            last_request_id=doc.get("last_request_id"),
            version=int(doc["version"]),
        )

    def save(self, requests: AddressRequests) -> AddressRequests:
        doc = {
            "_id": requests.address_hash,
            "requests": [stamp(t) for t in requests.requests],
            "last_request_id": requests.last_request_id,
            **_last_asked(requests.last_asked),
            "version": requests.version + 1,
        }
        _write(self.c, doc, requests.version)
        return replace(requests, version=requests.version + 1)

    def purge(self, before: datetime) -> int:
        return purge_before(self.c, LAST_ASKED, before)


def _code(doc: dict[str, Any]) -> Code:
    return Code(
        code_id=doc["code_id"],
        code_hash=doc["code_hash"],
        member_id=doc["member_id"],
        created_at=datetime.fromisoformat(doc["created_at"]),
        expires_at=datetime.fromisoformat(doc["expires_at"]),
        tries_left=int(doc["tries_left"]),
    )


class SignInRecordsStore:
    def __init__(self, db: Any) -> None:
        self.c = db.member_sign_ins

    def get(self, record_id: str) -> SignInRecord | None:
        doc = self.c.find_one({"_id": record_id})
        if doc is None:
            return None
        return SignInRecord(
            record_id=doc["_id"],
            kind=doc["kind"],
            phone_masked=doc["phone_masked"],
            at=datetime.fromisoformat(doc["at"]),
            ip=doc.get("ip"),
            outcome=doc["outcome"],
            member_id=doc.get("member_id"),
            org_path=doc.get("org_path"),
        )

    def add(self, record: SignInRecord) -> tuple[SignInRecord, bool]:
        doc = {
            "_id": record.record_id,
            "kind": record.kind,
            "phone_masked": record.phone_masked,
            "at": stamp(record.at),
            "ip": record.ip,
            "outcome": record.outcome,
            "member_id": record.member_id,
            "org_path": record.org_path,
            "ancestors": ancestors(record.org_path) if record.org_path else [UNATTRIBUTED],
            PURGE_DAY: day_of(record.at),
        }
        _stored, created = insert_once(self.c, doc)
        return (self.get(record.record_id) or record) if not created else record, created

    def purge(self, before: datetime) -> int:
        return purge_before(self.c, ("at",), before)


class PhoneSignInStore:
    """The phone sign-in part of the members unit of work (MembersStore mixes it in)."""

    INDEXES: ClassVar[dict[str, list[Any]]] = {
        "phone_codes": [PURGE_INDEX],
        "code_addresses": [PURGE_INDEX],
        "member_sign_ins": [([("ancestors", 1), ("at", -1), ("_id", -1)], {}), PURGE_INDEX],
    }

    def __init__(self, db: Any) -> None:
        self.phone_codes = PhoneCodesStore(db)
        self.code_addresses = AddressRequestsStore(db)
        self.member_sign_ins = SignInRecordsStore(db)

"""The repositories of phone sign-in codes and of the audit of code requests and sign-in
attempts, over the members database. Documents map to the domain objects here; pymongo errors
stop here.

A phone's record is written whole, guarded by its version: a write from stale state is refused
with ``Stale`` and the handler reads again, so two requests for one number never both pass its
limits, and a code's tries are counted once each."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from services.infra.errors import AlreadyStored
from services.infra.events import stamp
from services.infra.repository import insert, insert_once
from services.infra.scope import ancestors
from services.members.accounts.errors import Stale
from services.members.phone_sign_in.domain import Code, PhoneCodes, SignInRecord

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
            "last_at": _last_at(codes),
            "version": codes.version + 1,
        }
        if codes.version == 0:
            try:
                insert(self.c, doc)
            except AlreadyStored:
                raise Stale(codes.phone_hash) from None
        elif (
            self.c.replace_one({"_id": doc["_id"], "version": codes.version}, doc).matched_count
            != 1
        ):
            raise Stale(codes.phone_hash)
        return PhoneCodes(
            codes.phone_hash, codes.requests, codes.last_request_id, code, codes.version + 1
        )

    def purge(self, before: datetime) -> int:
        return int(self.c.delete_many({"last_at": {"$lt": stamp(before)}}).deleted_count)


def _last_at(codes: PhoneCodes) -> str:
    """When the number was last asked for (what the purge goes by; "" for nothing at all)."""
    moments = [*codes.requests, *([codes.code.created_at] if codes.code else [])]
    return stamp(max(moments)) if moments else ""


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
        }
        _stored, created = insert_once(self.c, doc)
        return (self.get(record.record_id) or record) if not created else record, created


class PhoneSignInStore:
    """The phone sign-in part of the members unit of work (MembersStore mixes it in)."""

    INDEXES: ClassVar[dict[str, list[Any]]] = {
        "phone_codes": [([("last_at", 1)], {})],
        "member_sign_ins": [([("ancestors", 1), ("at", -1), ("_id", -1)], {})],
    }

    def __init__(self, db: Any) -> None:
        self.phone_codes = PhoneCodesStore(db)
        self.member_sign_ins = SignInRecordsStore(db)

"""In-memory fakes of the phone sign-in part of the members unit of work, and an SMS sender that
keeps what it was asked to text."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from services.members.accounts.errors import Stale
from services.members.domain import Member
from services.members.phone_sign_in.domain import AddressRequests, PhoneCodes, SignInRecord
from services.members.phone_sign_in.ports import SmsNotSent
from tests.unit.fakes import FakeMembers
from tests.unit.fakes_accounts import FakeAccountsUoW, purge_rows


class FakeMemberPhones(FakeMembers):
    def with_phone_hash(self, phone_hash: str) -> list[Member]:
        return [m for m in self.rows.values() if m.phone_hash == phone_hash]


class _RequestRecords:
    """Phones' code records by number, or client addresses' by address: versioned."""

    def __init__(self) -> None:
        self.rows: dict[str, Any] = {}
        self.stale_next = 0  # make the next N saves meet a concurrent change

    def get(self, key: str) -> Any:
        return self.rows.get(key)

    def _save(self, key: str, record: Any) -> Any:
        stored = self.rows.get(key)
        if self.stale_next or (stored.version if stored else 0) != record.version:
            self.stale_next = max(0, self.stale_next - 1)
            raise Stale(key)
        self.rows[key] = replace(record, version=record.version + 1)
        return self.rows[key]

    def purge(self, before: datetime) -> int:
        return purge_rows(self.rows, before, lambda r: r.last_asked)


class FakePhoneCodes(_RequestRecords):
    def save(self, codes: PhoneCodes) -> PhoneCodes:
        return self._save(codes.phone_hash, codes)  # type: ignore[no-any-return]


class FakeCodeAddresses(_RequestRecords):
    def save(self, requests: AddressRequests) -> AddressRequests:
        return self._save(requests.address_hash, requests)  # type: ignore[no-any-return]


class FakeSignInRecords:
    def __init__(self) -> None:
        self.rows: dict[str, SignInRecord] = {}

    def get(self, record_id: str) -> SignInRecord | None:
        return self.rows.get(record_id)

    def add(self, record: SignInRecord) -> tuple[SignInRecord, bool]:
        if record.record_id in self.rows:
            return self.rows[record.record_id], False
        self.rows[record.record_id] = record
        return record, True

    def purge(self, before: datetime) -> int:
        return purge_rows(self.rows, before, lambda r: r.at)


class FakePhoneSignInUoW(FakeAccountsUoW):
    def __init__(self) -> None:
        super().__init__()
        self.members = FakeMemberPhones()
        self.phone_codes = FakePhoneCodes()
        self.code_addresses = FakeCodeAddresses()
        self.member_sign_ins = FakeSignInRecords()


class Texts:
    """The SMS sender: records (key, phone, code, minutes); ``failing`` makes it refuse."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str, int]] = []
        self.failing = False

    def __call__(self, key: str, phone: str, code: str, minutes: int) -> None:
        if self.failing:
            raise SmsNotSent(key)
        self.sent.append((key, phone, code, minutes))

    @property
    def last_code(self) -> str:
        return self.sent[-1][2]

"""In-memory fakes of the phone sign-in part of the members unit of work, and an SMS sender that
keeps what it was asked to text."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from services.members.accounts.errors import Stale
from services.members.domain import Member
from services.members.phone_sign_in.domain import PhoneCodes, SignInRecord
from services.members.phone_sign_in.ports import SmsNotSent
from tests.unit.fakes import FakeMembers
from tests.unit.fakes_accounts import FakeAccountsUoW


class FakeMemberPhones(FakeMembers):
    def with_phone_hash(self, phone_hash: str) -> list[Member]:
        return [m for m in self.rows.values() if m.phone_hash == phone_hash]


class FakePhoneCodes:
    def __init__(self) -> None:
        self.rows: dict[str, PhoneCodes] = {}
        self.stale_next = 0  # make the next N saves meet a concurrent change

    def get(self, phone_hash: str) -> PhoneCodes | None:
        return self.rows.get(phone_hash)

    def save(self, codes: PhoneCodes) -> PhoneCodes:
        stored = self.rows.get(codes.phone_hash)
        if self.stale_next or (stored.version if stored else 0) != codes.version:
            self.stale_next = max(0, self.stale_next - 1)
            raise Stale(codes.phone_hash)
        self.rows[codes.phone_hash] = replace(codes, version=codes.version + 1)
        return self.rows[codes.phone_hash]

    def purge(self, before: datetime) -> int:
        old = [k for k, r in self.rows.items() if max(r.requests, default=before) < before]
        for key in old:
            del self.rows[key]
        return len(old)


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


class FakePhoneSignInUoW(FakeAccountsUoW):
    def __init__(self) -> None:
        super().__init__()
        self.members = FakeMemberPhones()
        self.phone_codes = FakePhoneCodes()
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

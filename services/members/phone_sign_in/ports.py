"""What the phone sign-in handlers work over: the repositories of the unit of work, the SMS
sender (notify, through RPC), and the settings read once at start-up."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from services.members.accounts.ports import AccountsUnitOfWork
from services.members.domain import Member
from services.members.handlers import MemberRepository
from services.members.phone_sign_in.domain import (
    AddressRequests,
    CodeRules,
    PhoneCodes,
    SignInRecord,
)


class SmsNotSent(Exception):
    """The text was not handed over: notify is away, refused it, or did not answer in time."""


class CodeSender(Protocol):
    def __call__(self, key: str, phone: str, code: str, minutes: int) -> None:
        """Text ``code`` to ``phone`` once per ``key``; raises SmsNotSent."""


class MemberPhones(MemberRepository, Protocol):
    def with_phone_hash(self, phone_hash: str) -> list[Member]:
        """The members registered with this phone number (a few at most)."""


class PhoneCodesRepository(Protocol):
    def get(self, phone_hash: str) -> PhoneCodes | None: ...
    def save(self, codes: PhoneCodes) -> PhoneCodes:
        """Store the state over the version it was read at (a new record at version 0); raises
        Stale when the stored record changed since."""

    def purge(self, before: datetime) -> int:
        """Forget the numbers last asked for before the UTC day of ``before``; how many."""


class AddressRequestsRepository(Protocol):
    def get(self, address_hash: str) -> AddressRequests | None: ...
    def save(self, requests: AddressRequests) -> AddressRequests:
        """Like PhoneCodesRepository.save: raises Stale when the stored record changed since."""

    def purge(self, before: datetime) -> int:
        """Forget the addresses last asked from before the UTC day of ``before``; how many."""


class SignInRecords(Protocol):
    def get(self, record_id: str) -> SignInRecord | None: ...
    def add(self, record: SignInRecord) -> tuple[SignInRecord, bool]: ...
    def purge(self, before: datetime) -> int:
        """Remove the records made before the UTC day of ``before``; how many."""


class PhoneSignInUnitOfWork(AccountsUnitOfWork, Protocol):
    @property
    def members(self) -> MemberPhones: ...

    @property
    def phone_codes(self) -> PhoneCodesRepository: ...

    @property
    def code_addresses(self) -> AddressRequestsRepository: ...

    @property
    def member_sign_ins(self) -> SignInRecords: ...


def six_digits() -> str:
    return f"{secrets.randbelow(10**6):06d}"


@dataclass(frozen=True)
class PhoneSignInSettings:
    keyed_hash: Callable[[str, str], str]  # HMAC with the deployment's key (phones, codes)
    rules: CodeRules = field(default_factory=CodeRules)
    new_code: Callable[[], str] = six_digits
    clock: Callable[[], datetime] = lambda: datetime.now().astimezone()

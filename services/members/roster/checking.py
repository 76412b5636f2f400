"""The dry run's rules for each row of a roster file: what a row asks, and every problem it has
(row, column header, the value masked, the reason in Chinese). Pure: the organizations, the
members already registered and the profile rules come in as arguments.

The rules are the register's own, reused: the field rules of ``schemas.RegisterMember``, the ID
number's check (``idcard``), ``Member.register`` (birth date against the ID number, age at
joining), and lifecycle's ``change_profile`` for the profile columns (民族, 学历, 工作单位, 党内职务,
家庭住址, and a registered member's changes). This module only names which column a refusal
belongs to and says it in words a person can act on."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from marshmallow import ValidationError

from services.infra.errors import InvalidInput
from services.infra.events import Event
from services.infra.i18n import _
from services.infra.pii import PiiCipher
from services.infra.schemas import shared
from services.members import commands, idcard, schemas
from services.members.domain import Member, Org
from services.members.roster.columns import (
    BY_FIELD,
    COLUMNS,
    DATE_FIELDS,
    GENDERS,
    STATUSES,
    BadCell,
    date_of,
    list_of,
    shown,
    text_of,
)

ProfileChanger = Callable[..., tuple[Member, list[Event]]]
"""lifecycle's ``change_profile(member, changes, cipher, today)``."""

# the profile columns registration takes besides its own fields
EXTRA_PROFILE = ("ethnicity", "education", "work_unit", "duties", "address")
# the columns a registered member's row may change (through change_profile)
PROFILE = ("gender", "birth_date", "join_date", "skills", *EXTRA_PROFILE)
# RegisterMember's fields that Member.register takes (the organization is passed resolved)
REGISTERED: tuple[str, ...] = ("name", "gender", "birth_date", "id_number", "phone", "status")
REGISTERED += ("join_date", "card_uid", "skills")
NEW, UPDATE, UNCHANGED, REFUSED = "new", "update", "unchanged", "refused"


@dataclass(frozen=True)
class Problem:
    row: int  # the row in the file (1: the headers)
    column: str  # its header
    value: str  # masked
    reason: str  # Chinese


@dataclass
class Candidate:
    """One row: its cells by field, what it asks, and what the check found."""

    row: int
    cells: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    cmd: commands.RegisterMember | None = None
    member: Member | None = None  # as registering it would make it (id_hash, card)
    profile: dict[str, Any] = field(default_factory=dict)  # profile columns given
    kind: str = REFUSED
    existing: Member | None = None  # the person already registered
    updated: tuple[Member, list[Event]] | None = None

    def refuse(self, name: str, reason: str) -> None:
        column = BY_FIELD[name]
        self.problems.append(
            Problem(self.row, column.header, shown(name, self.cells.get(name)), reason)
        )
        self.kind = REFUSED

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Context:
    default_org_id: str
    orgs: Mapping[str, Org]  # the organizations a row may name (within the import's scope)
    cipher: PiiCipher
    today: date
    change_profile: ProfileChanger


def hint(name: str) -> str:
    """What to write in a column whose value the register's rules refused."""
    hints = {
        "name": lambda: _("Write the name in 1 to 50 characters"),
        "gender": lambda: _("Write 男 or 女"),
        "phone": lambda: _("a mobile number of 11 digits starting with 1"),
        "birth_date": lambda: _("Write a date between 1900 and today"),
        "join_date": lambda: _("Write a date between 1900 and today"),
        "status": lambda: _("Write 正式 or 预备"),
        "card_uid": lambda: _("card UID is 8-20 hex digits"),
        "skills": lambda: _("Each skill at most 30 characters"),
        "org_id": lambda: _("Unknown organization, or one outside your area: check the code"),
    }
    return hints.get(name, lambda: _("This value is not valid"))()


def id_number_reason(text: str) -> str:
    value = text.upper()
    if (
        len(value) != 18
        or not value[:17].isdigit()
        or (not value[17:].isdigit() and value[17:] != "X")
    ):
        return _("a national ID number of 18 characters")
    if idcard.check_digit(value[:17]) != value[17]:
        return _("The ID number's check digit is wrong: check the number")
    return _("The ID number holds no valid birth date")


def read_row(row: int, cells: dict[str, Any], ctx: Context) -> Candidate:
    """Check one row on its own (no look-ups): every problem of its cells at once."""
    found = Candidate(row, cells)
    texts: dict[str, str] = {}
    for name, raw in cells.items():
        try:
            texts[name] = "" if name in DATE_FIELDS else text_of(raw, name)
        except BadCell as bad:
            found.refuse(name, bad.reason)
    for column in COLUMNS:
        given = texts.get(column.field) or cells.get(column.field)
        if column.required and not given and column.header not in _columns_of(found):
            found.refuse(column.field, _("This column must be filled in"))
    dates: dict[str, str] = {}
    for name in DATE_FIELDS:
        if cells.get(name) not in (None, ""):
            try:
                dates[name] = date_of(cells[name]).isoformat()
            except BadCell as bad:
                found.refuse(name, bad.reason)
    id_number = texts.get("id_number", "").upper()
    if "birth_date" not in dates and idcard.is_valid(id_number):
        dates["birth_date"] = f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"
    org_id = texts.get("org_id") or ctx.default_org_id
    org = ctx.orgs.get(org_id)
    if org is None:
        found.refuse("org_id", hint("org_id"))
    payload = {
        "org_id": org_id,
        "name": texts.get("name", ""),
        "gender": GENDERS.get(texts.get("gender", ""), texts.get("gender", "")),
        "id_number": id_number,
        "phone": texts.get("phone", ""),
        "status": STATUSES.get(texts.get("status") or "正式", texts.get("status", "")),
        "card_uid": texts.get("card_uid") or None,
        "skills": list_of(texts.get("skills", "")),
        **dates,
        # a new member's profile, registered with them (registration checks it as
        # change_profile does)
        **{k: texts.get(k, "") for k in ("ethnicity", "education", "work_unit", "address")},
        "duties": list_of(texts.get("duties", "")),
    }
    reported = _columns_of(found)
    try:
        cmd = shared(schemas.RegisterMember).load(payload)
    except ValidationError as refused:
        cmd = None
        for name in refused.messages_dict:
            implied = name == "birth_date" and cells.get(name) in (None, "")  # a bad ID number
            if BY_FIELD[name].header not in reported and not implied:
                reason = id_number_reason(id_number) if name == "id_number" else hint(name)
                found.refuse(name, reason)
    found.profile = {k: texts[k] for k in PROFILE if texts.get(k)} | {
        k: v for k, v in dates.items() if k in PROFILE
    }
    if not found.ok or org is None or cmd is None:
        return found
    found.cmd = cmd
    _registered(found, org, ctx)
    return found


def _columns_of(found: Candidate) -> set[str]:
    return {p.column for p in found.problems}


def _registered(found: Candidate, org: Org, ctx: Context) -> None:
    """The member as registering the row makes it, with the new member's profile columns
    checked by the profile's rules."""
    cmd = found.cmd
    assert cmd is not None
    try:
        asked = {k: getattr(cmd, k) for k in REGISTERED}
        member, _events = Member.register(org=org, **asked, cipher=ctx.cipher, today=ctx.today)
        extra = {k: v for k, v in found.profile.items() if k in EXTRA_PROFILE}
        if extra:
            ctx.change_profile(member, extra, ctx.cipher, ctx.today)
    except InvalidInput as refused:
        refuse_fields(found, refused)
        return
    found.member = member
    found.kind = NEW


def refuse_fields(found: Candidate, refused: InvalidInput) -> None:
    """The row refused on each column the rules named (their messages are Chinese already)."""
    fields = refused.details.get("fields") or {}
    assert isinstance(fields, dict)
    for name, messages in fields.items():
        reasons = messages if isinstance(messages, list) else [str(messages)]
        found.refuse(name if name in BY_FIELD else "name", "；".join(map(str, reasons)))


@dataclass(frozen=True)
class Seen:
    """What the check across the file keeps of a row once its batch is done."""

    row: int
    kind: str
    id_hash: str
    card_uid: str | None
    shown: dict[str, str]  # the ID number and card as a problem shows them

    @classmethod
    def of(cls, found: Candidate) -> Seen | None:
        if found.member is None:
            return None
        shown_cells = {k: shown(k, found.cells.get(k)) for k in ("id_number", "card_uid")}
        member = found.member
        return cls(found.row, found.kind, member.id_hash, member.card_uid, shown_cells)


def duplicates(seen: Iterable[Seen]) -> list[tuple[Seen, Problem]]:
    """The same person (ID number) or card in several rows: a problem for each of those rows
    (none of them is imported)."""
    by_person: dict[str, list[Seen]] = defaultdict(list)
    by_card: dict[str, list[Seen]] = defaultdict(list)
    for s in seen:
        by_person[s.id_hash].append(s)
        if s.card_uid:
            by_card[s.card_uid].append(s)
    found: list[tuple[Seen, Problem]] = []
    for groups, name, message in (
        (
            by_person,
            "id_number",
            lambda rows: _("The same person is in rows {rows} of the file: keep one", rows=rows),
        ),
        (
            by_card,
            "card_uid",
            lambda rows: _("The same card is in rows {rows} of the file: keep one", rows=rows),
        ),
    ):
        for group in groups.values():
            if len(group) > 1:
                rows = "、".join(str(s.row) for s in group)
                header = BY_FIELD[name].header
                found += [(s, Problem(s.row, header, s.shown[name], message(rows))) for s in group]
    return found


def compare(
    found: Candidate,
    existing: Member | None,
    card_holder: Member | None,
    covers: Callable[[str], bool],
    ctx: Context,
) -> None:
    """Against the register: a new person, a registered one whose row changes the profile
    (``updated``), or one the row leaves as it is; refused when the person is registered
    outside the caller's area (without saying where), in another organization, or when the
    row changes what an import may not change."""
    if not found.ok or found.member is None or found.cmd is None:
        return
    new = found.member
    if card_holder is not None and card_holder.id_hash != new.id_hash:
        found.refuse("card_uid", _("The card is already registered to another member"))
    if existing is None:
        return
    found.existing = existing
    if not covers(existing.org_path):
        found.refuse(
            "id_number", _("This person is already registered in an organization outside your area")
        )
        return
    if existing.org_id != new.org_id:
        found.refuse(
            "org_id",
            _("This person is registered in another organization: transfer the member instead"),
        )
    kept = _("An import does not change this column: change it on the member's page")
    if existing.name != new.name:
        found.refuse("name", kept)
    if existing.phone_hash != new.phone_hash:
        found.refuse("phone", kept)
    if existing.status != new.status and found.cells.get("status") not in (None, ""):
        found.refuse("status", kept)
    if new.card_uid and existing.card_uid != new.card_uid:
        found.refuse("card_uid", kept)
    if not found.ok:
        return
    changes = {k: v for k, v in found.profile.items() if k in PROFILE}
    try:
        updated, events = ctx.change_profile(existing, changes, ctx.cipher, ctx.today)
    except InvalidInput as refused:
        refuse_fields(found, refused)
        return
    found.kind = UPDATE if events else UNCHANGED
    found.updated = (updated, events) if events else None

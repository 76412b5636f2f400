"""A member's profile: the rules of each field and the change that publishes ``member_updated``.

For other parts of the service (the roster import calls these):

    change_profile(member: Member, changes: Mapping[str, Any], cipher: PiiCipher, today: date,
                   *, find_org: Callable[[str], Org | None] | None = None)
        -> tuple[Member, list[Event]]

Pure (no I/O but ``find_org``): applies ``changes`` (field name -> new value; PROFILE_FIELDS
only) to ``member`` and returns the new member (same ``version``: the store's ``save`` checks it)
with ``[member_updated]`` naming the changed fields, or ``(member, [])`` when nothing changed.
Values may be typed or as a spreadsheet gives them: dates as ``date`` or ISO text, ``duties`` and
``skills`` as lists or one text split on 、,，;；. ``None`` or "" clears an optional field
(ethnicity, education, work_unit, address, grid_id). ``address`` is the home address in clear:
stored encrypted (``address_enc``) and masked (``address_masked``), compared with the stored one
by decrypting it. ``grid_id`` is checked through ``find_org`` (an organization of kind "grid",
not dissolved) when it is given. A field given with its current value is no change and is not
checked again. Every bad field is reported at once: ``InvalidInput`` with ``fields`` {name:
[Chinese message]}, nothing applied.

The handler that saves a change is lifecycle/updating.py's ``update_member_profile``; this
module imports no handler, so registration (handlers.py) can check a profile with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from services.infra.errors import InvalidInput
from services.infra.events import Event, new_event
from services.infra.i18n import _
from services.infra.pii import PiiCipher
from services.members.domain import Member, Org, eighteenth_birthday, probation_end

PROFILE_FIELDS = (
    "gender",
    "birth_date",
    "ethnicity",
    "education",
    "join_date",
    "work_unit",
    "duties",
    "skills",
    "address",
    "grid_id",
)
GENDERS = ("male", "female")
ETHNICITIES = (
    *(
        name + "族"
        for name in [
            "汉",
            "蒙古",
            "回",
            "藏",
            "维吾尔",
            "苗",
            "彝",
            "壮",
            "布依",
            "朝鲜",
            "满",
            "侗",
            "瑶",
            "白",
            "土家",
            "哈尼",
            "哈萨克",
            "傣",
            "黎",
            "傈僳",
            "佤",
            "畲",
            "高山",
            "拉祜",
            "水",
            "东乡",
            "纳西",
            "景颇",
            "柯尔克孜",
            "土",
            "达斡尔",
            "仫佬",
            "羌",
            "布朗",
            "撒拉",
            "毛南",
            "仡佬",
            "锡伯",
            "阿昌",
            "普米",
            "塔吉克",
            "怒",
            "乌孜别克",
            "俄罗斯",
            "鄂温克",
            "德昂",
            "保安",
            "裕固",
            "京",
            "塔塔尔",
            "独龙",
            "鄂伦春",
            "赫哲",
            "门巴",
            "珞巴",
            "基诺",
        ]
    ),
    "其他",
)  # the 56 ethnic groups (GB 3304), and 其他 for anyone else
EDUCATION_LEVELS = (
    "博士研究生",
    "硕士研究生",
    "大学本科",
    "大学专科",
    "中等专科",
    "职业高中",
    "技工学校",
    "普通高中",
    "初中",
    "小学",
    "其他",
)  # highest schooling completed, as the party's statistics list it
MAX_DUTIES, DUTY_CHARS = 10, 20
MAX_SKILLS, SKILL_CHARS = 20, 30
WORK_UNIT_CHARS = 100
ADDRESS_CHARS = (4, 200)
ADDRESS_SHOWN = 6  # an address is masked after its first characters (province, city, district)
GRID_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")  # an organization id
_LIST_SEPARATORS = re.compile(r"[、,，;；]")


def mask_address(address: str) -> str:
    """The start of an address (its region) and stars: 河南省郑州市惠济区… -> 河南省郑州市****."""
    shown = min(ADDRESS_SHOWN, len(address) // 2)
    return address[:shown] + "****" if address else ""


class _Problems:
    """Per-field messages gathered over every field, raised together."""

    def __init__(self) -> None:
        self.found: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.found.setdefault(name, []).append(message)

    def raise_any(self) -> None:
        if self.found:
            raise InvalidInput(_("Some fields are missing or invalid"), fields=self.found)


def change_profile(
    member: Member,
    changes: Mapping[str, Any],
    cipher: PiiCipher,
    today: date,
    *,
    find_org: Callable[[str], Org | None] | None = None,
) -> tuple[Member, list[Event]]:
    """The member with ``changes`` applied, and ``member_updated`` naming the changed fields (no
    event, the same member, when nothing changes). See the module's docstring."""
    problems = _Problems()
    for name in changes:
        if name not in PROFILE_FIELDS:
            problems.add(name, _("This field cannot be changed here"))
    problems.raise_any()
    current = _current_values(member, cipher)
    wanted: dict[str, Any] = {}
    for name, raw in changes.items():
        try:
            value = _PARSERS[name](raw)
        except _Bad as bad:
            problems.add(name, bad.message)
            continue
        if value != current[name]:
            wanted[name] = value
    if wanted:  # the rules between fields too, for those that could be read
        _check(member, {**current, **wanted}, wanted, cipher, today, find_org, problems)
    problems.raise_any()
    if not wanted:
        return member, []
    changed = sorted(wanted)
    fields: dict[str, Any] = {k: v for k, v in wanted.items() if k != "address"}
    if "address" in wanted:
        address = wanted["address"]
        fields["address_enc"] = cipher.encrypt(address, "address") if address else ""
        fields["address_masked"] = mask_address(address)
    if "join_date" in wanted and member.status == "probationary":
        fields["probation_ends"] = _moved_probation_end(member, wanted["join_date"])
    event = new_event(
        "member_updated", member.org_path, {"member_id": member.member_id, "changed": changed}
    )
    return replace(member, **fields), [event]


def _moved_probation_end(member: Member, join_date: date) -> date:
    """The probation's end follows the join date, extension included."""
    if member.probation_ends is None:
        return probation_end(join_date)
    return join_date + (member.probation_ends - member.join_date)


def _current_values(member: Member, cipher: PiiCipher) -> dict[str, Any]:
    address = cipher.decrypt(member.address_enc, "address") if member.address_enc else ""
    return {
        "gender": member.gender,
        "birth_date": member.birth_date,
        "ethnicity": member.ethnicity,
        "education": member.education,
        "join_date": member.join_date,
        "work_unit": member.work_unit,
        "duties": member.duties,
        "skills": member.skills,
        "address": address,
        "grid_id": member.grid_id,
    }


def _check(
    member: Member,
    after: dict[str, Any],
    wanted: dict[str, Any],
    cipher: PiiCipher,
    today: date,
    find_org: Callable[[str], Org | None] | None,
    problems: _Problems,
) -> None:
    """The rules between fields, and against the ID number, for the fields that change."""
    id_number = cipher.decrypt(member.id_number_enc, "id_number")
    born, joined = after["birth_date"], after["join_date"]
    if "birth_date" in wanted and id_number[6:14] != f"{born:%Y%m%d}":
        problems.add("birth_date", _("The birth date does not match the ID number"))
    if "gender" in wanted and id_number[16:17].isdigit():
        by_number = "male" if int(id_number[16]) % 2 else "female"
        if after["gender"] != by_number:
            problems.add("gender", _("The gender does not match the ID number"))
    if {"join_date", "birth_date"} & set(wanted):
        if joined > today:
            problems.add("join_date", _("The join date cannot be in the future"))
        elif joined < eighteenth_birthday(born):
            problems.add("join_date", _("A member joins at 18 or older"))
        elif member.status_since is not None and joined > member.status_since:
            problems.add("join_date", _("The join date cannot be after the current status began"))
    grid_id = wanted.get("grid_id")
    if grid_id and find_org is not None:
        grid = find_org(grid_id)
        if grid is None or grid.kind != "grid" or grid.dissolved:
            problems.add("grid_id", _("Choose an existing grid"))


class _Bad(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise _Bad(_("Enter text"))
    if any(ord(ch) < 32 for ch in raw):
        raise _Bad(_("Text contains characters that cannot be stored."))
    return raw.strip()


def _day(raw: Any) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise _Bad(_("Enter a date as YYYY-MM-DD"))


Message = Callable[[], str]  # translated when raised


def _one_of(choices: tuple[str, ...], message: Message) -> Callable[[Any], str]:
    def parse(raw: Any) -> str:
        value = _text(raw)
        if value and value not in choices:
            raise _Bad(message())
        return value

    return parse


def _gender(raw: Any) -> str:
    value = {"男": "male", "女": "female"}.get(_text(raw), _text(raw))
    if value not in GENDERS:
        raise _Bad(_("Gender is male or female"))
    return value


def _birth_date(raw: Any) -> date:
    value = _day(raw)
    if value < date(1900, 1, 1):
        raise _Bad(_("The birth date lies too far back; check it"))
    return value


def _bounded(most: int, message: Message) -> Callable[[Any], str]:
    def parse(raw: Any) -> str:
        value = _text(raw)
        if len(value) > most:
            raise _Bad(message())
        return value

    return parse


def _listed(most: int, chars: int, message: Message) -> Callable[[Any], tuple[str, ...]]:
    """Distinct non-empty entries in the order given, each at most ``chars`` characters."""

    def parse(raw: Any) -> tuple[str, ...]:
        if raw is None:
            return ()
        items = _LIST_SEPARATORS.split(raw) if isinstance(raw, str) else raw
        if not isinstance(items, list | tuple):
            raise _Bad(message())
        entries = tuple(dict.fromkeys(e for e in map(_text, items) if e))
        if len(entries) > most or any(len(e) > chars for e in entries):
            raise _Bad(message())
        return entries

    return parse


def _address(raw: Any) -> str:
    value = _text(raw)
    if value and not ADDRESS_CHARS[0] <= len(value) <= ADDRESS_CHARS[1]:
        raise _Bad(_("Enter the home address in 4 to 200 characters"))
    return value


def _grid_id(raw: Any) -> str | None:
    value = _text(raw)
    if value and not GRID_ID.fullmatch(value):
        raise _Bad(_("Choose an existing grid"))
    return value or None


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "gender": _gender,
    "birth_date": _birth_date,
    "ethnicity": _one_of(ETHNICITIES, lambda: _("Choose one of the 56 ethnic groups or 其他")),
    "education": _one_of(EDUCATION_LEVELS, lambda: _("Choose an education level from the list")),
    "join_date": _day,
    "work_unit": _bounded(
        WORK_UNIT_CHARS, lambda: _("Enter the work unit in at most 100 characters")
    ),
    "duties": _listed(MAX_DUTIES, DUTY_CHARS, lambda: _("At most 10 duties of 20 characters each")),
    "skills": _listed(
        MAX_SKILLS, SKILL_CHARS, lambda: _("At most 20 skills of 30 characters each")
    ),
    "address": _address,
    "grid_id": _grid_id,
}

"""Chinese resident ID numbers (GB 11643-1999): validation, and well-formed numbers for synthetic data.

Layout: 6-digit area code, 8-digit birth date (YYYYMMDD), 3-digit sequence code whose last digit
(the 17th character) is odd for men and even for women, and an ISO 7064 MOD 11-2 check character.
"""

from __future__ import annotations

import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # 2**(17 - i) mod 11
_CHECK = "10X98765432"  # indexed by (weighted sum mod 11)
_FIRST17 = re.compile(r"[0-9]{17}")  # [0-9], not \d: \d also matches non-ASCII digits
_SHAPE = re.compile(r"[0-9]{17}[0-9X]")


def check_digit(first17: str) -> str:
    """The check character ('0'-'9' or 'X') for the first 17 digits of an ID number."""
    if not _FIRST17.fullmatch(first17):
        raise ValueError(f"expected 17 ASCII digits, got {first17!r}")
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def is_valid(id_number: str) -> bool:
    """True for an 18-character number with a correct check character and a real birth date
    (a lower-case 'x' is accepted as the check character)."""
    value = id_number.upper()
    if not _SHAPE.fullmatch(value) or check_digit(value[:17]) != value[17]:
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return True


def make_id_number(area_code: str, birth: date, seq: int, gender: str) -> str:
    """A well-formed number for synthetic people only.

    ``seq`` (0..99) gives the first two sequence digits; the third is derived from it and is odd
    for ``"male"``, even for ``"female"``, so each (area, birth date, gender) has 100 numbers.
    """
    if not re.fullmatch(r"[0-9]{6}", area_code):
        raise ValueError(f"area code must be 6 digits, got {area_code!r}")
    if not 0 <= seq <= 99:
        raise ValueError(f"seq must be 0..99, got {seq}")
    if gender not in ("male", "female"):
        raise ValueError(f"gender must be 'male' or 'female', got {gender!r}")
    gender_digit = (seq % 5) * 2 + (1 if gender == "male" else 0)
    first17 = f"{area_code}{birth:%Y%m%d}{seq:02d}{gender_digit}"
    return first17 + check_digit(first17)

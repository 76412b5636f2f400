"""Chinese resident ID numbers (GB 11643-1999): 6-digit area, 8-digit birth date, 3-digit
sequence (odd for men, even for women) and an ISO 7064 MOD 11-2 check character."""

from __future__ import annotations

import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def is_valid(id_number: str) -> bool:
    value = id_number.upper()
    if not _SHAPE.match(value) or check_digit(value[:17]) != value[17]:
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return True


def make_id_number(area_code: str, birth: date, seq: int, gender: str) -> str:
    """A well-formed number for synthetic data; ``seq`` 0..99 picks the first two sequence digits."""
    gender_digit = (seq % 5) * 2 + (1 if gender == "male" else 0)
    first17 = f"{area_code}{birth:%Y%m%d}{seq % 100:02d}{gender_digit}"
    return first17 + check_digit(first17)

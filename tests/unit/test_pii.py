import json
import logging
import sys

import pytest
from cryptography.exceptions import InvalidTag

from services.infra.logs import ScrubbingJsonFormatter
from services.infra.pii import PiiCipher, mask_id_number, mask_name, mask_phone, scrub

CIPHER = PiiCipher(b"k" * 32, b"h" * 32)


def test_encryption_round_trips_and_is_bound_to_the_field():
    sealed = CIPHER.encrypt("41010819800504007X", "id_number")
    assert "4101" not in sealed and sealed != CIPHER.encrypt("41010819800504007X", "id_number")
    assert CIPHER.decrypt(sealed, "id_number") == "41010819800504007X"
    with pytest.raises(InvalidTag):
        CIPHER.decrypt(sealed, "phone")


def test_lookup_hash_is_stable_keyed_and_case_insensitive():
    assert CIPHER.lookup_hash("41010819800504007x", "id_number") == CIPHER.lookup_hash(
        "41010819800504007X", "id_number"
    )
    assert PiiCipher(b"k" * 32, b"o" * 32).lookup_hash("1", "id_number") != CIPHER.lookup_hash(
        "1", "id_number"
    )


def test_masks():
    assert mask_id_number("41010819800504007X") == "4101**********007X"
    assert mask_phone("17012345678") == "170****5678"
    assert (mask_name("王小明"), mask_name("李娜"), mask_name("欧阳建国")) == (
        "王*明",
        "李*",
        "欧**国",
    )


def test_logs_never_carry_id_numbers_or_phones():
    try:
        raise ValueError("bad record 41010819800504007X")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "x",
        logging.ERROR,
        "f",
        1,
        "member %s phone %s",
        ("41010819800504007X", "17012345678"),
        exc_info,
    )
    record.phone = "17012345678"
    line = json.loads(ScrubbingJsonFormatter("%(message)s", json_ensure_ascii=False).format(record))
    assert line["message"] == "member 410108********007X phone 170****5678"
    assert line["phone"] == "170****5678"
    assert "41010819800504007X" not in line["exc_info"] and "410108********007X" in line["exc_info"]
    assert scrub("order 12345") == "order 12345"

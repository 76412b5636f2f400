"""Secrets the gateway makes up for a request: refresh-token secrets, one-time passwords, kiosk
pairing codes and device ids, request ids. The members service stores only their hashes, and a
repeated RPC with the same secret finds what the first one made (handlers stay idempotent)."""

from __future__ import annotations

import secrets
import uuid

# one-time passwords are read off a screen and typed: no 0/O, 1/l/I
LOWER = "abcdefghijkmnopqrstuvwxyz"
UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
DIGITS = "23456789"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def request_id() -> str:
    return uuid.uuid4().hex


def new_password(length: int = 12) -> str:
    """A one-time password with lower- and upper-case letters and digits (the policy's three
    classes), easy to read and type."""
    chosen = [secrets.choice(LOWER), secrets.choice(UPPER), secrets.choice(DIGITS)]
    alphabet = LOWER + UPPER + DIGITS
    chosen += [secrets.choice(alphabet) for _ in range(length - len(chosen))]
    secrets.SystemRandom().shuffle(chosen)
    return "".join(chosen)


def new_pairing_code() -> str:
    """Eight digits: typed on a kiosk's touch screen, valid for minutes, used once."""
    return f"{secrets.randbelow(10**8):08d}"


def new_device_id() -> str:
    return "kiosk-" + secrets.token_hex(6)

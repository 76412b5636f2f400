"""Personal data at rest: AES-GCM encryption, a keyed hash for look-ups, masks for display.

Keys come from the environment (a k8s Secret in production): ``PII_KEY`` (32 bytes, base64)
encrypts, ``PII_HASH_KEY`` (base64) keys the HMAC used to find a record by ID number or phone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "v1:"


class MissingKey(RuntimeError):
    pass


class PiiCipher:
    def __init__(self, key: bytes, hash_key: bytes) -> None:
        self._aead = AESGCM(key)
        self._hash_key = hash_key

    @classmethod
    def from_env(cls) -> PiiCipher:
        try:
            key = base64.b64decode(os.environ["PII_KEY"])
            hash_key = base64.b64decode(os.environ["PII_HASH_KEY"])
        except KeyError as missing:
            raise MissingKey(
                f"{missing.args[0]} is not set: personal data cannot be stored"
            ) from None
        return cls(key, hash_key)

    def encrypt(self, value: str, field: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, value.encode(), field.encode())
        return PREFIX + base64.b64encode(nonce + sealed).decode()

    def decrypt(self, token: str, field: str) -> str:
        raw = base64.b64decode(token.removeprefix(PREFIX))
        return self._aead.decrypt(raw[:12], raw[12:], field.encode()).decode()

    def lookup_hash(self, value: str, field: str) -> str:
        message = f"{field}:{value.strip().upper()}".encode()
        return hmac.new(self._hash_key, message, hashlib.sha256).hexdigest()


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def mask_id_number(value: str) -> str:
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else "*" * len(value)


def mask_phone(value: str) -> str:
    return value[:3] + "****" + value[-4:] if len(value) >= 11 else "*" * len(value)


def mask_name(value: str) -> str:
    if len(value) <= 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


_ID_NUMBER = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)")
_PHONE = re.compile(r"(?<!\d)(1\d{2})\d{4}(\d{4})(?!\d)")


def scrub(text: str) -> str:
    """Mask anything shaped like an ID number or a mobile number in free text (logs)."""
    return _PHONE.sub(r"\1****\2", _ID_NUMBER.sub(r"\1********\2", text))

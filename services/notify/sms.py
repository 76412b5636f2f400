"""The SMS channel: one interface that every provider implements, and the file provider used
until real ones (Aliyun, Tencent Cloud SMS) are configured.

A provider takes a rendered text and the full number, and returns its own message id; it raises
``SmsUnavailable`` when the text could not be handed over (the caller may retry with the same
key). The file provider appends one JSON line per text to ``<DATA_DIR>/sms/messages.jsonl`` with
the number masked, so that a person trying the demo can read a sign-in code there."""

from __future__ import annotations

import json
import os
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from services.infra.config import data_dir
from services.infra.events import isoformat
from services.infra.pii import mask_phone


@dataclass(frozen=True)
class Text:
    key: str  # the sender's idempotency key: one text per key
    phone: str
    body: str
    template: str


class SmsUnavailable(Exception):
    """The provider could not take the text; nothing was sent."""


class SmsProvider(Protocol):
    name: str

    def send(self, text: Text, at: datetime) -> str:
        """Hand the text to the provider; its message id. Raises SmsUnavailable."""


class FileSmsProvider:
    name = "file"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def send(self, text: Text, at: datetime) -> str:
        provider_id = f"file-{uuid.uuid4().hex[:16]}"
        line = {
            "at": isoformat(at),
            "id": provider_id,
            "key": text.key,
            "to": mask_phone(text.phone),
            "template": text.template,
            "body": text.body,
        }
        data = (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock:
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    os.write(fd, data)  # one write per line: lines never interleave
                finally:
                    os.close(fd)
        except OSError as error:
            raise SmsUnavailable(f"cannot write {self.path}: {error}") from None
        return provider_id


def provider_from_config(config: dict[str, Any]) -> SmsProvider:
    name = str(config.get("SMS_PROVIDER") or "file")
    if name == "file":
        default = data_dir(config) / "sms" / "messages.jsonl"
        return FileSmsProvider(Path(config.get("SMS_FILE") or default))
    raise RuntimeError(f"SMS_PROVIDER={name!r} is not a known provider (known: file)")

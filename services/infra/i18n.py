"""Translation layer for user-facing text. Message ids are English; catalogues per locale live
in ``locales/<locale>.json``. The default locale is zh_CN (``LOCALE`` overrides it)."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

LOCALES = Path(__file__).with_name("locales")
DEFAULT_LOCALE = "zh_CN"


@cache
def catalogue(locale: str) -> dict[str, str]:
    path = LOCALES / f"{locale}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def gettext(msgid: str, locale: str | None = None, **params: Any) -> str:
    template = catalogue(locale or os.environ.get("LOCALE", DEFAULT_LOCALE)).get(msgid, msgid)
    return template.format(**params) if params else template


_ = gettext

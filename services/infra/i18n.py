"""Translation layer for user-facing text. Message ids are English; catalogues per locale live
in ``locales/<locale>.json`` and, one per area of the code, ``locales/<locale>/*.json`` (merged;
an id in two files is an error). The default locale is zh_CN (``LOCALE`` overrides it)."""

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
    main = LOCALES / f"{locale}.json"
    merged: dict[str, str] = {}
    for path in [main, *sorted((LOCALES / locale).glob("*.json"))]:
        if not path.exists():
            continue
        entries = json.loads(path.read_text(encoding="utf-8"))
        repeated = merged.keys() & entries.keys()
        if repeated:
            raise ValueError(f"{path.name} repeats message ids: {sorted(repeated)[:5]}")
        merged.update(entries)
    return merged


def gettext(msgid: str, locale: str | None = None, **params: Any) -> str:
    template = catalogue(locale or os.environ.get("LOCALE", DEFAULT_LOCALE)).get(msgid, msgid)
    return template.format(**params) if params else template


_ = gettext

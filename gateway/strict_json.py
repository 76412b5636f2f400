"""Strict JSON for request bodies: RFC 8259 JSON only, and nothing that cannot be stored or sent
back.

Python's ``json`` module accepts NaN, Infinity and -Infinity, turns 1e999 into infinity, keeps
lone surrogates ("\\ud800") in strings and recurses once per nesting level. Each of those has
reached a 500 or an invalid answer before; here each is a ``JsonRejected`` (a 400).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# a string token (escapes included) or a bracket: strings are skipped, brackets counted
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_SURROGATE = re.compile("[\ud800-\udfff]")


class JsonRejected(ValueError):
    """The body is not JSON this API accepts; ``reason`` is an English message id."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def nesting_depth(raw: bytes, limit: int) -> int:
    """The deepest bracket nesting of ``raw``, counted without parsing; stops at ``limit`` + 1."""
    depth = deepest = 0
    for match in _TOKENS.finditer(raw):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


def _no_constants(name: str) -> Any:
    raise JsonRejected("JSON numbers must be finite: NaN and Infinity are not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonRejected("JSON numbers must be finite: NaN and Infinity are not JSON")
    return value


def _int(text: str) -> int:
    if len(text) > 100:
        raise JsonRejected("A number in the request body is too large")
    return int(text)


def loads(raw: bytes, max_depth: int) -> Any:
    """Parse a request body. Raises ``JsonRejected`` for anything but strict, storable JSON."""
    if nesting_depth(raw, max_depth) > max_depth:
        raise JsonRejected("The JSON body is nested too deeply")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise JsonRejected("The request body is not valid UTF-8") from None
    try:
        value = json.loads(text, parse_constant=_no_constants, parse_float=_finite, parse_int=_int)
    except JsonRejected:
        raise
    except (ValueError, RecursionError):
        raise JsonRejected("The request body is not valid JSON") from None
    if _has_surrogates(value):
        raise JsonRejected("The JSON body contains characters that cannot be stored")
    return value


def _has_surrogates(value: Any) -> bool:
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_surrogates(k) or _has_surrogates(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogates(v) for v in value)
    return False

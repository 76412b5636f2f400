"""The lifecycle routes of the HTTP API."""

from __future__ import annotations

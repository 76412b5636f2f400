"""HTTP routes of services/members/plans/ (joined to the API blueprint by gateway/routes.py)."""

from __future__ import annotations

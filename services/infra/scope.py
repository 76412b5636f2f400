"""Who is calling, and the one rule of organization scope: a path covers itself and its subtree.

The caller travels with every RPC as nameko context data under ``caller`` (the gateway sets it
from the verified token; other systems set it themselves). Handlers receive a ``Caller`` and
check every object they touch against it, because not every caller comes through the gateway.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from services.infra.errors import Forbidden
from services.infra.i18n import _

CONTEXT_KEY = "caller"

# The platform's roles: staff (accounts with passwords, kept by the members service), members
# (signed in by SMS code) and kiosk devices. Scopes are org subtrees whatever the role.
STAFF_ROLES = (
    "county_operator",
    "org_admin",
    "branch_secretary",
    "grid_leader",
    "grid_worker",
    "community_worker",
)
ROLES = (*STAFF_ROLES, "member", "kiosk")


def in_subtree(path: str, scope: str) -> bool:
    """True when ``path`` is ``scope`` or below it ('/' or '' covers everything)."""
    root = scope.rstrip("/")
    return root == "" or path == root or path.startswith(root + "/")


def ancestors(path: str) -> list[str]:
    """Every org path from the root down to ``path`` itself: '/a/b' -> ['/a', '/a/b']."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


@dataclass(frozen=True)
class Caller:
    subject: str
    role: str
    scope: str
    device: str | None = None
    ip: str | None = None

    def covers(self, org_path: str) -> bool:
        return in_subtree(org_path, self.scope)

    def require(self, org_path: str) -> None:
        """Refuse, without revealing the object, when it lies outside the caller's scope."""
        if not self.covers(org_path):
            raise Forbidden(_("This organization is outside your area of responsibility"))

    def require_role(self, allowed: Iterable[str]) -> None:
        if self.role not in set(allowed):
            raise Forbidden(_("Your role may not do this"))

    def require_reader_of(
        self, member_id: str, staff: Iterable[str], org_paths: Iterable[str] = ()
    ) -> None:
        """A member reads only their own records; staff of the given roles read those of members
        whose records lie within their scope."""
        if self.role == "member":
            if self.subject != member_id:
                raise Forbidden(_("Members may only read their own records"))
            return
        self.require_role(staff)
        for path in org_paths:
            self.require(path)

    def as_context(self) -> dict[str, str]:
        data = {"subject": self.subject, "role": self.role, "scope": self.scope}
        if self.device:
            data["device"] = self.device
        if self.ip:
            data["ip"] = self.ip
        return data

    @classmethod
    def from_context(cls, data: Mapping[str, Any] | None) -> Caller:
        """The caller named by RPC context data; an RPC without one is refused."""
        if not isinstance(data, Mapping):
            raise Forbidden(_("The call does not say who is calling"))
        subject, role, scope = data.get("subject"), data.get("role"), data.get("scope")
        if not all(isinstance(v, str) and v for v in (subject, role, scope)):
            raise Forbidden(_("The call does not say who is calling"))
        device, ip = data.get("device"), data.get("ip")
        return cls(
            str(subject),
            str(role),
            str(scope),
            device if isinstance(device, str) else None,
            ip if isinstance(ip, str) else None,
        )

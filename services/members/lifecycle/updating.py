"""The profile change a secretary makes (lifecycle/profile.py has the rules):

    update_member_profile(cmd: UpdateMemberProfile, uow: LifecycleUnitOfWork, caller: Caller,
                          settings: LifecycleSettings) -> Member

Reads the member (secretaries and staff within the member's scope), applies the changes, saves
them with the event (re-read and retried on a concurrent write). The same change asked again
answers the member as it is (nothing changed, no event); a change made from an older
``version`` than the stored one is refused (Conflict) unless it changes nothing.
"""

from __future__ import annotations

from services.infra.errors import Conflict
from services.infra.i18n import _
from services.infra.scope import Caller
from services.members.domain import Member
from services.members.handlers import SECRETARIES, get_member
from services.members.lifecycle.commands import UpdateMemberProfile
from services.members.lifecycle.ports import (
    LifecycleSettings,
    LifecycleUnitOfWork,
    retrying_member,
)
from services.members.lifecycle.profile import change_profile


def update_member_profile(
    cmd: UpdateMemberProfile,
    uow: LifecycleUnitOfWork,
    caller: Caller,
    settings: LifecycleSettings,
) -> Member:
    """Apply the profile changes to the member (secretaries and staff, within scope)."""
    caller.require_role(SECRETARIES)

    def update() -> Member:
        member = get_member(cmd.member_id, uow, caller)
        caller.require(member.org_path)
        changed, events = change_profile(
            member,
            cmd.changes,
            settings.cipher,
            settings.clock().astimezone(settings.timezone).date(),
            find_org=uow.orgs.get,
        )
        if not events:
            return member
        if cmd.version is not None and cmd.version != member.version:
            raise Conflict(
                _("This member was changed by someone else; reload and try again"),
                version=member.version,
            )
        return uow.members.save(changed, events)

    return retrying_member(update, settings)

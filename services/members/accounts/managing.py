"""Account management by county operators (everything) and organization admins (accounts whose
every role lies within their subtree; never the county operator's role), and the list of
sign-in attempts. No nameko, no pymongo."""

from __future__ import annotations

from collections.abc import Callable

from services.infra.errors import AlreadyStored, Conflict, NotFound
from services.infra.i18n import _
from services.infra.scope import Caller
from services.members.accounts import commands
from services.members.accounts.domain import (
    MANAGERS,
    Account,
    Assignment,
    SignInAttempt,
    require_grantable,
    require_manager_of,
)
from services.members.accounts.ports import AccountSettings, AccountsUnitOfWork, retrying
from services.members.accounts.signing_in import normalized
from services.members.handlers import get_member, get_org


def create_account(
    cmd: commands.CreateAccount,
    uow: AccountsUnitOfWork,
    caller: Caller,
    settings: AccountSettings,
) -> tuple[Account, bool]:
    """A new account with a one-time password (changed at the first sign-in). The same create
    asked again (same username and password, within scope) finds the account it made; any other
    create of a taken username is refused."""
    caller.require_role(MANAGERS)
    roles = [assignment(r, uow, caller) for r in cmd.roles]
    member_id = get_member(cmd.member_id, uow, caller).member_id if cmd.member_id else None
    username = normalized(cmd.username)
    existing = uow.accounts.by_username(username)
    if existing is None:
        settings.policy.check(cmd.password, "password")
        account = Account.open(
            username=username,
            display_name=cmd.display_name,
            roles=roles,
            member_id=member_id,
            password_hash=settings.hasher.hash(cmd.password),
            now=settings.clock(),
        )
        try:
            uow.accounts.add(account)
            return account, True
        except AlreadyStored:
            existing = uow.accounts.by_username(username)
            if existing is None:
                raise Conflict(_("This username is already taken")) from None
    repeated = (
        caller.covers(existing.org_path)
        and existing.must_change_password
        and settings.hasher.verify(existing.password_hash, cmd.password)
    )
    if not repeated:
        raise Conflict(_("This username is already taken"))
    return existing, False


def assignment(role: commands.RoleIn, uow: AccountsUnitOfWork, caller: Caller) -> Assignment:
    """A role over an organization the caller may grant: within their scope, and the county
    operator's role only from a county operator."""
    require_grantable(role.role, caller.role)
    org = get_org(role.org_id, uow, caller)
    return Assignment(role.role, org.org_id, org.path)


def scope_of(org_id: str | None, uow: AccountsUnitOfWork, caller: Caller) -> str:
    """The subtree a list covers: the organization asked for (within scope), else the caller's."""
    return get_org(org_id, uow, caller).path if org_id else caller.scope


def get_account(account_id: str, uow: AccountsUnitOfWork, caller: Caller) -> Account:
    caller.require_role(MANAGERS)
    account = uow.accounts.get(account_id)
    if account is None:
        raise NotFound(_("Unknown account"), account_id=account_id)
    caller.require(account.org_path)
    return account


def list_accounts(
    query: commands.ListQuery, uow: AccountsUnitOfWork, caller: Caller
) -> tuple[list[Account], str | None]:
    caller.require_role(MANAGERS)
    return uow.accounts.under(scope_of(query.org_id, uow, caller), query.cursor, query.limit)


def _change(
    account_id: str,
    uow: AccountsUnitOfWork,
    caller: Caller,
    change: Callable[[Account], Account],
) -> Account:
    def step() -> Account:
        account = get_account(account_id, uow, caller)
        require_manager_of(account, caller.role, caller.covers(account.org_path))
        changed = change(account)
        return account if changed == account else uow.accounts.save(changed)

    return retrying(step)


def grant_role(
    account_id: str, role: commands.RoleIn, uow: AccountsUnitOfWork, caller: Caller
) -> Account:
    """Add a role (sessions of the account end: its tokens carry the old roles)."""
    caller.require_role(MANAGERS)
    granted = assignment(role, uow, caller)
    return _change(account_id, uow, caller, lambda account: account.granted(granted)[0])


def revoke_role(account_id: str, index: int, uow: AccountsUnitOfWork, caller: Caller) -> Account:
    return _change(account_id, uow, caller, lambda account: account.without_role(index))


def disable_account(account_id: str, uow: AccountsUnitOfWork, caller: Caller) -> Account:
    if account_id == caller.subject:
        raise Conflict(_("You cannot disable your own account"))
    return _change(account_id, uow, caller, lambda account: account.disabled())


def enable_account(account_id: str, uow: AccountsUnitOfWork, caller: Caller) -> Account:
    return _change(account_id, uow, caller, lambda account: account.reenabled())


def reset_password(
    account_id: str,
    password: str,
    uow: AccountsUnitOfWork,
    caller: Caller,
    settings: AccountSettings,
) -> Account:
    """A one-time password from an operator: sessions end, the holder must change it."""
    caller.require_role(MANAGERS)
    settings.policy.check(password, "password")
    password_hash = settings.hasher.hash(password)
    return _change(account_id, uow, caller, lambda account: account.password_reset(password_hash))


def list_attempts(
    query: commands.ListQuery, uow: AccountsUnitOfWork, caller: Caller
) -> tuple[list[SignInAttempt], str | None]:
    """Sign-in attempts on accounts within the caller's scope, newest first. Attempts on
    usernames nobody has belong to no organization: county operators see them."""
    caller.require_role(MANAGERS)
    scope = scope_of(query.org_id, uow, caller)
    unattributed = query.org_id is None and caller.role == "county_operator"
    return uow.attempts.under(scope, unattributed, query.cursor, query.limit)

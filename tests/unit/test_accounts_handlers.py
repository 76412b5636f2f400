"""Every rule and branch of staff accounts, sessions and kiosk pairing, over in-memory fakes and a
cheap password hasher (no broker, no store, no argon2)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.infra.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.infra.pii import PiiCipher
from services.infra.scope import Caller
from services.members import commands as member_commands
from services.members import handlers as member_handlers
from services.members.accounts import commands, kiosks, managing, signing_in
from services.members.accounts.domain import (
    PasswordPolicy,
    Session,
    common_path,
    secret_hash,
)
from services.members.accounts.errors import Locked, Unauthenticated
from services.members.accounts.ports import AccountSettings
from tests.unit.fakes_accounts import CheapHasher, FakeAccountsUoW
from tests.unit.test_members_handlers import person

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
OPERATOR = Caller("op", "county_operator", "/hj", ip="10.0.0.1")
STREET1 = Caller("s1-admin", "org_admin", "/hj/s1")
STREET2 = Caller("s2-admin", "org_admin", "/hj/s2")
SECRETARY = Caller("sec", "branch_secretary", "/hj/s1/b1")
ANONYMOUS = Caller("anonymous", "anonymous", "none", ip="192.0.2.7")
PASSWORD = "Initial-pw1"
NEW_PASSWORD = "Better-pw2"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def hasher():
    return CheapHasher()


@pytest.fixture
def settings(clock, hasher):
    return AccountSettings(
        hasher=hasher,
        keyed_hash=lambda value, field: f"hmac:{field}:{value}",
        dummy_hash=hasher.hash("dummy"),
        clock=clock,
    )


@pytest.fixture
def uow():
    uow = FakeAccountsUoW()
    for org_id, parent in [
        ("hj", None),
        ("s1", "hj"),
        ("s2", "hj"),
        ("b1", "s1"),
        ("b2", "s1"),
        ("b3", "s2"),
    ]:
        member_handlers.create_org(
            member_commands.CreateOrg(org_id, org_id, "branch", parent_id=parent), uow, OPERATOR
        )
    return uow


def create(uow, settings, username="zhang", roles=(("branch_secretary", "b1"),), **kw):
    caller = kw.pop("caller", OPERATOR)
    cmd = commands.CreateAccount(
        username=username,
        display_name=kw.pop("display_name", "张书记"),
        password=kw.pop("password", PASSWORD),
        roles=[commands.RoleIn(role, org) for role, org in roles],
        **kw,
    )
    return managing.create_account(cmd, uow, caller, settings)


def secret() -> str:
    return uuid.uuid4().hex + uuid.uuid4().hex


def sign_in(uow, settings, username="zhang", password=PASSWORD, attempt_id=None, refresh=None):
    cmd = commands.SignIn(username, password, attempt_id or uuid.uuid4().hex, refresh or secret())
    return signing_in.sign_in(cmd, uow, ANONYMOUS, settings)


def holder(account) -> Caller:
    role = account.roles[0]
    return Caller(account.account_id, role.role, role.scope)


def change(uow, settings, account, current=PASSWORD, new=NEW_PASSWORD, session_id=None):
    cmd = commands.ChangePassword(current, new, uuid.uuid4().hex, secret(), session_id)
    return signing_in.change_password(cmd, uow, holder(account), settings)


# -- rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "current", "problems"),
    [
        ("Ab1!", None, 1),  # too short (and enough classes)
        ("Abcdef1", None, 1),  # 7 characters of 3 classes: one too few
        ("abcdefgh", None, 1),  # one class
        ("abcdefg1", None, 1),  # two classes
        ("abcdefG1", None, 0),
        ("abcdefg!1", None, 0),
        ("党建平台abc1", None, 0),  # Chinese characters count as "other"
        ("abcdefG1", "abcdefG1", 1),  # the same as the current one
        ("aB1" * 50, None, 1),  # longer than 128
        (("aB1" * 43)[:128], None, 0),  # 128 exactly
        ("ab", None, 2),
    ],
)
def test_password_policy(password, current, problems):
    if problems == 0:
        PasswordPolicy().check(password, "new_password", current)
        return
    with pytest.raises(InvalidInput) as refused:
        PasswordPolicy().check(password, "new_password", current)
    assert len(refused.value.details["fields"]["new_password"]) == problems


@pytest.mark.parametrize(
    ("paths", "common"),
    [
        (["/hj/s1/b1"], "/hj/s1/b1"),
        (["/hj/s1/b1", "/hj/s1/b2"], "/hj/s1"),
        (["/hj/s1/b1", "/hj/s1"], "/hj/s1"),
        (["/hj/s1", "/hj/s10"], "/hj"),  # segment-wise, not character-wise
        (["/hj", "/zz"], "/"),
        ([], "/"),
    ],
)
def test_the_account_lies_under_the_lowest_org_above_all_its_roles(paths, common):
    assert common_path(paths) == common


def test_refresh_rotation_outcomes():
    start = Session("ss-1", "staff", "a", 1, 0, secret_hash("r0"), (), T0, T0, None)
    first, outcome = start.refreshed(secret_hash("r0"), secret_hash("r1"), T0)
    assert outcome == "rotated" and first.refresh_hash == secret_hash("r1")
    assert first.refreshed(secret_hash("r0"), secret_hash("r1"), T0)[1] == "replayed"
    assert first.refreshed(secret_hash("x"), secret_hash("r2"), T0)[1] == "unknown"
    reused, outcome = first.refreshed(secret_hash("r0"), secret_hash("r2"), T0)
    assert outcome == "reused" and reused.revoked_reason == "refresh_reused"


# -- signing in ------------------------------------------------------------------------------


def test_sign_in_starts_a_session_and_records_the_attempt_without_the_password(uow, settings):
    account, created = create(uow, settings)
    assert created and account.must_change_password and account.org_path == "/hj/s1/b1"
    assert PASSWORD not in repr(uow.accounts.rows)
    signed = sign_in(uow, settings, username=" ZHANG ")
    assert signed.account.account_id == account.account_id and signed.must_change_password
    assert signed.active == {
        "index": 0,
        "role": "branch_secretary",
        "org_id": "b1",
        "scope": "/hj/s1/b1",
    }
    [attempt] = uow.attempts.rows.values()
    assert (attempt.username, attempt.ip, attempt.outcome) == ("zhang", "192.0.2.7", "ok")
    assert PASSWORD not in repr(attempt)
    assert signing_in.verify_session(signed.session_id, uow, holder(account), settings)


def test_unknown_user_and_wrong_password_get_the_same_answer_and_the_same_work(
    uow, settings, hasher
):
    create(uow, settings)
    answers = []
    for username, password in (("nobody", PASSWORD), ("zhang", "Wrong-pw1")):
        before = hasher.verified
        with pytest.raises(Unauthenticated) as refused:
            sign_in(uow, settings, username, password)
        assert hasher.verified == before + 1  # a hash is checked either way
        answers.append(refused.value.message)
    assert answers[0] == answers[1] == "用户名或密码错误"
    outcomes = sorted(a.outcome for a in uow.attempts.rows.values())
    assert outcomes == ["bad_password", "unknown_user"]
    unknown = next(a for a in uow.attempts.rows.values() if a.outcome == "unknown_user")
    assert unknown.account_id is None and unknown.org_path is None


def fail_until_locked(uow, settings):
    """Four wrong passwords answered as wrong, the fifth with the lock."""
    for _ in range(4):
        with pytest.raises(Unauthenticated):
            sign_in(uow, settings, password="Wrong-pw1")
    with pytest.raises(Locked):
        sign_in(uow, settings, password="Wrong-pw1")


def test_five_failures_lock_the_account_for_fifteen_minutes(uow, settings, clock, hasher):
    _account, _ = create(uow, settings)
    for _ in range(4):
        with pytest.raises(Unauthenticated):
            sign_in(uow, settings, password="Wrong-pw1")
    with pytest.raises(Locked) as fifth:  # the failure that locks says so
        sign_in(uow, settings, password="Wrong-pw1")
    assert fifth.value.details["retry_after_seconds"] == 15 * 60
    assert [a.outcome for a in uow.attempts.rows.values()][-1] == "bad_password"
    before = hasher.verified
    with pytest.raises(Locked) as locked:
        sign_in(uow, settings)  # the right password, but locked
    assert hasher.verified == before  # a locked account costs no hash
    assert locked.value.details["retry_after_seconds"] == 15 * 60
    assert locked.value.details["unlocks_at"] == "2026-11-23T10:15:00Z"
    assert "15分钟" in locked.value.message
    assert [a.outcome for a in uow.attempts.rows.values()][-1] == "locked"
    clock.advance(minutes=14, seconds=59)
    with pytest.raises(Locked) as still:  # more wrong passwords meanwhile do not prolong it
        sign_in(uow, settings, password="Wrong-pw1")
    assert still.value.details["unlocks_at"] == "2026-11-23T10:15:00Z"
    assert still.value.details["retry_after_seconds"] == 1
    clock.advance(seconds=1)
    assert sign_in(uow, settings).account.failed_attempts == 0
    outcomes = [a.outcome for a in uow.attempts.rows.values()]
    assert outcomes == ["bad_password"] * 5 + ["locked", "locked", "ok"]


def test_four_failures_do_not_lock_and_a_success_starts_the_count_again(uow, settings):
    create(uow, settings)
    for _round in range(2):
        for _ in range(4):
            with pytest.raises(Unauthenticated):
                sign_in(uow, settings, password="Wrong-pw1")
        assert sign_in(uow, settings).account.failed_attempts == 0


@pytest.mark.parametrize("lifted_by", ["enable", "reset"])
def test_an_operator_lifts_a_lockout_by_enabling_or_resetting(uow, settings, lifted_by):
    account, _ = create(uow, settings)
    fail_until_locked(uow, settings)
    if lifted_by == "enable":
        managing.enable_account(account.account_id, uow, STREET1)
        password = PASSWORD
    else:
        password = "Reset-pw9x"
        managing.reset_password(account.account_id, password, uow, STREET1, settings)
    assert not uow.accounts.get(account.account_id).is_locked(T0)
    assert sign_in(uow, settings, password=password).account.failed_attempts == 0


def test_a_failure_after_the_lock_expired_counts_from_one(uow, settings, clock):
    create(uow, settings)
    fail_until_locked(uow, settings)
    clock.advance(minutes=16)
    with pytest.raises(Unauthenticated):
        sign_in(uow, settings, password="Wrong-pw1")
    [account] = uow.accounts.rows.values()
    assert account.failed_attempts == 1 and not account.is_locked(clock.now)


def test_a_disabled_account_is_refused_only_with_the_right_password(uow, settings):
    account, _ = create(uow, settings)
    managing.disable_account(account.account_id, uow, OPERATOR)
    with pytest.raises(Unauthenticated):
        sign_in(uow, settings, password="Wrong-pw1")
    with pytest.raises(Forbidden) as disabled:
        sign_in(uow, settings)
    assert disabled.value.message == "该账号已停用，请联系管理员"
    outcomes = [a.outcome for a in uow.attempts.rows.values()]
    assert outcomes == ["bad_password", "disabled"]


def test_a_repeated_attempt_answers_as_the_first_one(uow, settings):
    create(uow, settings)
    with pytest.raises(Unauthenticated):
        sign_in(uow, settings, password="Wrong-pw1", attempt_id="a" * 32)
    with pytest.raises(Unauthenticated):
        sign_in(uow, settings, password="Wrong-pw1", attempt_id="a" * 32)
    [account] = uow.accounts.rows.values()
    assert account.failed_attempts == 1 and len(uow.attempts.rows) == 1
    refresh = secret()
    first = sign_in(uow, settings, attempt_id="b" * 32, refresh=refresh)
    again = sign_in(uow, settings, attempt_id="b" * 32, refresh=refresh)
    assert again.session == first.session and len(uow.sessions.rows) == 1
    with pytest.raises(Unauthenticated):  # the attempt id without its refresh secret
        sign_in(uow, settings, attempt_id="b" * 32)


def test_a_hash_made_with_older_settings_is_replaced_at_sign_in(uow, settings, hasher):
    _account, _ = create(uow, settings)
    hasher.scheme = "v2"
    signed = sign_in(uow, settings)
    assert signed.account.password_hash.startswith("v2$")
    assert sign_in(uow, settings).account.password_hash.startswith("v2$")


def test_concurrent_changes_are_retried_then_refused(uow, settings, clock):
    create(uow, settings)
    uow.accounts.stale_next = 2
    assert sign_in(uow, settings).account.last_sign_in_at == T0
    clock.advance(seconds=1)
    uow.accounts.stale_next = 10
    with pytest.raises(Conflict):
        sign_in(uow, settings)


# -- sessions --------------------------------------------------------------------------------


def test_refresh_rotates_and_a_reused_token_ends_the_session(uow, settings):
    create(uow, settings)
    r0 = secret()
    signed = sign_in(uow, settings, refresh=r0)
    token0, r1 = f"{signed.session_id}.{r0}", secret()
    rotated = signing_in.refresh(commands.Refresh(token0, r1), uow, ANONYMOUS, settings)
    assert rotated.session.refresh_hash == secret_hash(r1)
    again = signing_in.refresh(commands.Refresh(token0, r1), uow, ANONYMOUS, settings)
    assert again.session == rotated.session  # the same rotation, asked again
    with pytest.raises(Unauthenticated):  # a made-up secret: refused, the session lives on
        signing_in.refresh(
            commands.Refresh(f"{signed.session_id}.x", secret()), uow, ANONYMOUS, settings
        )
    assert uow.sessions.get(signed.session_id).revoked_at is None
    with pytest.raises(Unauthenticated):  # the used token with another next one: stolen
        signing_in.refresh(commands.Refresh(token0, secret()), uow, ANONYMOUS, settings)
    assert uow.sessions.get(signed.session_id).revoked_reason == "refresh_reused"
    with pytest.raises(Unauthenticated):  # even the current one is dead now
        signing_in.refresh(
            commands.Refresh(f"{signed.session_id}.{r1}", secret()), uow, ANONYMOUS, settings
        )


@pytest.mark.parametrize("garbage", ["", "nodot", "ss-unknown.abc", "ks-kiosk-1.abc"])
def test_refresh_with_something_else_is_refused(uow, settings, garbage):
    with pytest.raises(Unauthenticated):
        signing_in.refresh(commands.Refresh(garbage, secret()), uow, ANONYMOUS, settings)


REVOCATIONS = {
    "sign-out": lambda uow, settings, account, signed: signing_in.sign_out(
        signed.session_id, uow, holder(account), settings
    ),
    "password change": lambda uow, settings, account, signed: change(uow, settings, account),
    "role granted": lambda uow, settings, account, signed: managing.grant_role(
        account.account_id, commands.RoleIn("grid_leader", "b2"), uow, STREET1
    ),
    "role withdrawn": lambda uow, settings, account, signed: managing.revoke_role(
        account.account_id, 1, uow, STREET1
    ),
    "disabled": lambda uow, settings, account, signed: managing.disable_account(
        account.account_id, uow, STREET1
    ),
    "password reset": lambda uow, settings, account, signed: managing.reset_password(
        account.account_id, "Reset-pw9x", uow, STREET1, settings
    ),
}


@pytest.mark.parametrize("revocation", sorted(REVOCATIONS))
def test_a_revoked_session_mints_no_more_tokens(uow, settings, revocation):
    """The refresh and the role switch read the session themselves (not the gateway's check):
    each way of ending a session ends them too."""
    account, _ = create(uow, settings, roles=(("branch_secretary", "b1"), ("grid_worker", "b2")))
    r0 = secret()
    signed = sign_in(uow, settings, refresh=r0)
    REVOCATIONS[revocation](uow, settings, account, signed)
    with pytest.raises(Unauthenticated):
        signing_in.refresh(
            commands.Refresh(f"{signed.session_id}.{r0}", secret()), uow, ANONYMOUS, settings
        )
    with pytest.raises(Unauthenticated):
        signing_in.switch_role(
            commands.SwitchRole(signed.session_id, 0, secret()), uow, holder(account), settings
        )
    assert not signing_in.verify_session(signed.session_id, uow, holder(account), settings)


def test_enabling_an_account_again_revives_none_of_its_sessions(uow, settings):
    account, _ = create(uow, settings)
    r0 = secret()
    signed = sign_in(uow, settings, refresh=r0)
    managing.disable_account(account.account_id, uow, STREET1)
    managing.enable_account(account.account_id, uow, STREET1)
    assert not signing_in.verify_session(signed.session_id, uow, holder(account), settings)
    with pytest.raises(Unauthenticated):
        signing_in.refresh(
            commands.Refresh(f"{signed.session_id}.{r0}", secret()), uow, ANONYMOUS, settings
        )
    again = sign_in(uow, settings)
    assert signing_in.verify_session(again.session_id, uow, holder(account), settings)


@pytest.mark.parametrize("how", ["new account", "password reset"])
def test_a_due_password_change_survives_refreshing_and_switching(uow, settings, how):
    """Every token pair of the session says the change is due (the gateway's gate), however the
    session goes on, until the password is changed."""
    account, _ = create(uow, settings, roles=(("branch_secretary", "b1"), ("grid_worker", "b2")))
    password = PASSWORD
    if how == "password reset":
        change(uow, settings, account)
        password = "Reset-pw9x"
        managing.reset_password(account.account_id, password, uow, STREET1, settings)
    r0, r1 = secret(), secret()
    signed = sign_in(uow, settings, password=password, refresh=r0)
    assert signed.must_change_password
    refresh = commands.Refresh(f"{signed.session_id}.{r0}", r1)
    assert signing_in.refresh(refresh, uow, ANONYMOUS, settings).must_change_password
    switch = commands.SwitchRole(signed.session_id, 1, secret())
    assert signing_in.switch_role(switch, uow, holder(account), settings).must_change_password
    assert not change(uow, settings, account, current=password).must_change_password


def test_sessions_time_out_when_idle_and_after_their_maximum_age(uow, settings, clock):
    account, _ = create(uow, settings)
    me = holder(account)
    signed = sign_in(uow, settings)
    for _ in range(30):  # used every 25 minutes: never idle, but 12 hours at most
        clock.advance(minutes=25)
        if clock.now - T0 >= timedelta(hours=12):
            break
        assert signing_in.verify_session(signed.session_id, uow, me, settings)
    assert not signing_in.verify_session(signed.session_id, uow, me, settings)
    other = sign_in(uow, settings)
    clock.advance(minutes=29)
    assert signing_in.verify_session(other.session_id, uow, me, settings)
    clock.advance(minutes=30)
    assert not signing_in.verify_session(other.session_id, uow, me, settings)


def test_verification_touches_the_session_at_most_once_a_minute(uow, settings, clock):
    account, _ = create(uow, settings)
    signed = sign_in(uow, settings)
    clock.advance(seconds=30)
    signing_in.verify_session(signed.session_id, uow, holder(account), settings)
    assert uow.sessions.get(signed.session_id).last_seen_at == T0
    clock.advance(seconds=31)
    uow.sessions.stale_next = 1  # a concurrent touch: fine
    assert signing_in.verify_session(signed.session_id, uow, holder(account), settings)
    signing_in.verify_session(signed.session_id, uow, holder(account), settings)
    assert uow.sessions.get(signed.session_id).last_seen_at == clock.now


def test_a_session_is_valid_for_its_own_account_only_and_ends_at_sign_out(uow, settings):
    account, _ = create(uow, settings)
    other, _ = create(uow, settings, username="li")
    signed = sign_in(uow, settings)
    assert not signing_in.verify_session(signed.session_id, uow, holder(other), settings)
    assert not signing_in.verify_session("ss-nothing", uow, holder(account), settings)
    signing_in.sign_out(signed.session_id, uow, holder(other), settings)  # not theirs
    assert signing_in.verify_session(signed.session_id, uow, holder(account), settings)
    signing_in.sign_out(signed.session_id, uow, holder(account), settings)
    signing_in.sign_out(signed.session_id, uow, holder(account), settings)  # again: nothing
    assert not signing_in.verify_session(signed.session_id, uow, holder(account), settings)
    assert uow.sessions.get(signed.session_id).revoked_reason == "signed_out"


def test_changing_the_password_ends_every_session_and_starts_a_new_one(uow, settings):
    account, _ = create(uow, settings, roles=(("branch_secretary", "b1"), ("grid_worker", "b2")))
    first, second = sign_in(uow, settings), sign_in(uow, settings)
    switch = commands.SwitchRole(second.session_id, 1, secret())
    signing_in.switch_role(switch, uow, holder(account), settings)
    changed = change(uow, settings, account, session_id=second.session_id)
    assert not changed.must_change_password and changed.session.active_index == 1
    me = holder(account)
    for old in (first, second):
        assert not signing_in.verify_session(old.session_id, uow, me, settings)
    assert signing_in.verify_session(changed.session_id, uow, me, settings)
    assert sign_in(uow, settings, password=NEW_PASSWORD).session.active_index == 0
    with pytest.raises(Unauthenticated):
        sign_in(uow, settings, password=PASSWORD)


def test_a_password_change_asked_again_finds_its_session(uow, settings):
    account, _ = create(uow, settings)
    cmd = commands.ChangePassword(PASSWORD, NEW_PASSWORD, "c" * 32, secret())
    first = signing_in.change_password(cmd, uow, holder(account), settings)
    again = signing_in.change_password(cmd, uow, holder(account), settings)
    assert again.session == first.session
    with pytest.raises(Conflict):
        signing_in.change_password(
            replace(cmd, refresh_secret=secret()), uow, holder(account), settings
        )


@pytest.mark.parametrize(
    ("current", "new", "field"),
    [
        ("Wrong-pw1", NEW_PASSWORD, "current_password"),
        (PASSWORD, "short1A", "new_password"),
        (PASSWORD, "alllowercase", "new_password"),
        (PASSWORD, PASSWORD, "new_password"),
    ],
)
def test_password_change_errors_name_their_field(uow, settings, current, new, field):
    account, _ = create(uow, settings)
    with pytest.raises(InvalidInput) as refused:
        change(uow, settings, account, current, new)
    assert list(refused.value.details["fields"]) == [field]
    stored = uow.accounts.get(account.account_id)
    assert stored.must_change_password and stored.failed_attempts == (field == "current_password")


def test_wrong_current_passwords_lock_the_account_too(uow, settings):
    account, _ = create(uow, settings)
    for _ in range(5):
        with pytest.raises(InvalidInput):
            change(uow, settings, account, "Wrong-pw1")
    with pytest.raises(Locked):
        change(uow, settings, account)


def test_switching_roles_rotates_the_refresh_token(uow, settings):
    account, _ = create(uow, settings, roles=(("branch_secretary", "b1"), ("grid_worker", "b2")))
    r0 = secret()
    signed = sign_in(uow, settings, refresh=r0)
    me, r1 = holder(account), secret()
    switched = signing_in.switch_role(
        commands.SwitchRole(signed.session_id, 1, r1), uow, me, settings
    )
    assert switched.active == {
        "index": 1,
        "role": "grid_worker",
        "org_id": "b2",
        "scope": "/hj/s1/b2",
    }
    again = signing_in.switch_role(commands.SwitchRole(signed.session_id, 1, r1), uow, me, settings)
    assert again.session == switched.session
    with pytest.raises(NotFound):
        signing_in.switch_role(
            commands.SwitchRole(signed.session_id, 2, secret()), uow, me, settings
        )
    with pytest.raises(Unauthenticated):  # someone else's session
        signing_in.switch_role(
            commands.SwitchRole(signed.session_id, 0, secret()), uow, OPERATOR, settings
        )
    with pytest.raises(Unauthenticated):  # the refresh token from before the switch is used
        signing_in.refresh(
            commands.Refresh(f"{signed.session_id}.{r0}", secret()), uow, ANONYMOUS, settings
        )


def test_me_is_the_callers_account(uow, settings):
    account, _ = create(uow, settings)
    assert signing_in.get_me(uow, holder(account)).username == "zhang"
    with pytest.raises(NotFound):
        signing_in.get_me(uow, OPERATOR)


def test_me_names_the_organization_of_every_role_whatever_the_active_scope(uow, settings):
    grid = member_commands.CreateOrg("g3", "第三网格", "grid", parent_id="b3")
    member_handlers.create_org(grid, uow, OPERATOR)
    account, _ = create(uow, settings, roles=(("branch_secretary", "b1"), ("grid_worker", "g3")))
    named = signing_in.get_me_named(uow, holder(account)).roles  # active: b1, under s1
    assert [(r.role, r.scope, r.org_name) for r in named] == [
        ("branch_secretary", "/hj/s1/b1", "b1"),
        ("grid_worker", "/hj/s2/b3/g3", "第三网格"),
    ]
    assert uow.accounts.get(account.account_id).roles == account.roles  # nothing stored


# -- account management ----------------------------------------------------------------------


def test_org_admins_create_accounts_within_their_subtree_only(uow, settings):
    account, created = create(uow, settings, caller=STREET1, roles=(("grid_worker", "b2"),))
    assert created and account.roles[0].scope == "/hj/s1/b2"
    with pytest.raises(Forbidden):
        create(uow, settings, username="wang", caller=STREET1, roles=(("grid_worker", "b3"),))
    with pytest.raises(Forbidden):
        create(uow, settings, username="wang", caller=STREET1, roles=(("county_operator", "s1"),))
    with pytest.raises(Forbidden):
        create(uow, settings, username="wang", caller=SECRETARY)
    with pytest.raises(NotFound):
        create(uow, settings, username="wang", roles=(("grid_worker", "nowhere"),))


def test_a_taken_username_is_refused_unless_the_same_create_is_asked_again(uow, settings):
    first, _ = create(uow, settings)
    again, created = create(uow, settings)
    assert again.account_id == first.account_id and not created
    with pytest.raises(Conflict) as taken:
        create(uow, settings, password="Another-pw1")
    assert taken.value.message == "该用户名已被使用"
    with pytest.raises(Conflict):  # the same create from outside the account's scope
        create(uow, settings, caller=STREET2, roles=(("grid_worker", "b3"),))


def test_operator_chosen_passwords_follow_the_policy(uow, settings):
    with pytest.raises(InvalidInput) as weak:
        create(uow, settings, password="password")
    assert list(weak.value.details["fields"]) == ["password"]
    with pytest.raises(InvalidInput):
        create(uow, settings, roles=())


def test_an_account_may_link_a_member_within_scope(uow, settings):
    key_settings = member_handlers.Settings(
        cipher=PiiCipher(b"k" * 32, b"h" * 32),
        clock=lambda: T0,
    )
    member, _ = member_handlers.register_member(person(org_id="b3"), uow, OPERATOR, key_settings)
    linked, _ = create(uow, settings, member_id=member.member_id, roles=(("grid_worker", "b3"),))
    assert linked.member_id == member.member_id
    with pytest.raises(Forbidden):
        create(uow, settings, username="wang", caller=STREET1, member_id=member.member_id)
    with pytest.raises(NotFound):
        create(uow, settings, username="wang", member_id="mb-none")


def test_lists_and_reads_follow_the_callers_scope(uow, settings):
    create(uow, settings, username="a-b1")
    create(uow, settings, username="b-b3", roles=(("grid_worker", "b3"),))
    both, _ = create(
        uow, settings, username="c-both", roles=(("grid_worker", "b1"), ("grid_worker", "b3"))
    )
    names = lambda found: [a.username for a in found[0]]  # noqa: E731
    everyone = commands.ListQuery()
    assert names(managing.list_accounts(everyone, uow, OPERATOR)) == ["a-b1", "b-b3", "c-both"]
    assert names(managing.list_accounts(everyone, uow, STREET1)) == ["a-b1"]
    assert names(managing.list_accounts(commands.ListQuery(org_id="b1"), uow, STREET1)) == ["a-b1"]
    with pytest.raises(Forbidden):
        managing.list_accounts(commands.ListQuery(org_id="b3"), uow, STREET1)
    with pytest.raises(Forbidden):  # one of its roles lies in another street
        managing.get_account(both.account_id, uow, STREET1)
    with pytest.raises(NotFound):
        managing.get_account("ac-none", uow, OPERATOR)
    page, cursor = managing.list_accounts(commands.ListQuery(limit=2), uow, OPERATOR)
    assert len(page) == 2 and cursor is not None


def test_role_changes_and_disabling_end_the_accounts_sessions(uow, settings):
    account, _ = create(uow, settings)
    me = holder(account)
    steps = [
        lambda: managing.grant_role(
            account.account_id, commands.RoleIn("grid_worker", "b2"), uow, STREET1
        ),
        lambda: managing.revoke_role(account.account_id, 1, uow, STREET1),
        lambda: managing.disable_account(account.account_id, uow, STREET1),
    ]
    for step in steps:
        managing.enable_account(account.account_id, uow, STREET1)
        signed = sign_in(uow, settings)
        step()
        assert not signing_in.verify_session(signed.session_id, uow, me, settings)
    unchanged = managing.grant_role(
        account.account_id, commands.RoleIn("branch_secretary", "b1"), uow, OPERATOR
    )
    assert len(unchanged.roles) == 1  # the same role again: nothing changes


def test_limits_of_account_changes(uow, settings):
    account, _ = create(uow, settings)
    operator, _ = create(uow, settings, username="county", roles=(("county_operator", "s1"),))
    with pytest.raises(Conflict):  # the last role
        managing.revoke_role(account.account_id, 0, uow, OPERATOR)
    with pytest.raises(NotFound):
        managing.revoke_role(account.account_id, 5, uow, OPERATOR)
    with pytest.raises(Forbidden):  # an org admin never changes a county operator's account
        managing.disable_account(operator.account_id, uow, STREET1)
    with pytest.raises(Forbidden):
        managing.grant_role(
            account.account_id, commands.RoleIn("county_operator", "b1"), uow, STREET1
        )
    with pytest.raises(Forbidden):
        managing.disable_account(account.account_id, uow, STREET2)
    with pytest.raises(Forbidden):
        managing.disable_account(account.account_id, uow, SECRETARY)
    me = Caller(account.account_id, "org_admin", "/hj/s1")
    with pytest.raises(Conflict):
        managing.disable_account(account.account_id, uow, me)


CHANGES = {
    "grant": lambda account_id, uow, caller, settings: managing.grant_role(
        account_id, commands.RoleIn("grid_worker", "b2"), uow, caller
    ),
    "revoke": lambda account_id, uow, caller, settings: managing.revoke_role(
        account_id, 1, uow, caller
    ),
    "disable": lambda account_id, uow, caller, settings: managing.disable_account(
        account_id, uow, caller
    ),
    "enable": lambda account_id, uow, caller, settings: managing.enable_account(
        account_id, uow, caller
    ),
    "reset": lambda account_id, uow, caller, settings: managing.reset_password(
        account_id, "Reset-pw9x", uow, caller, settings
    ),
}


@pytest.mark.parametrize("change_", sorted(CHANGES))
@pytest.mark.parametrize(
    "roles",
    [
        (("grid_worker", "b1"), ("grid_worker", "b3")),  # one role in another street
        (("county_operator", "s1"), ("grid_worker", "b1")),  # the county operator's role
    ],
    ids=["straddling", "county-operator"],
)
def test_an_org_admin_changes_nothing_of_an_account_it_may_not_manage(
    uow, settings, change_, roles
):
    account, _ = create(uow, settings, roles=roles)
    with pytest.raises(Forbidden):
        CHANGES[change_](account.account_id, uow, STREET1, settings)
    assert uow.accounts.get(account.account_id) == replace(account, version=1)
    CHANGES[change_](account.account_id, uow, OPERATOR, settings)  # the county operator may


def test_an_org_admin_grants_no_role_outside_its_subtree(uow, settings):
    account, _ = create(uow, settings)
    for org_id in ("b3", "s2", "hj"):
        role = commands.RoleIn("grid_worker", org_id)
        with pytest.raises(Forbidden):
            managing.grant_role(account.account_id, role, uow, STREET1)
    assert uow.accounts.get(account.account_id).roles == account.roles


def test_a_password_reset_sets_a_one_time_password(uow, settings):
    account, _ = create(uow, settings)
    change(uow, settings, account)
    signed = sign_in(uow, settings, password=NEW_PASSWORD)
    reset = managing.reset_password(account.account_id, "Reset-pw9x", uow, STREET1, settings)
    assert reset.must_change_password
    assert not signing_in.verify_session(signed.session_id, uow, holder(account), settings)
    assert sign_in(uow, settings, password="Reset-pw9x").must_change_password
    with pytest.raises(InvalidInput):
        managing.reset_password(account.account_id, "weak", uow, STREET1, settings)


def test_attempts_are_listed_for_the_callers_scope(uow, settings, clock):
    create(uow, settings)
    create(uow, settings, username="far", roles=(("grid_worker", "b3"),))
    for username in ("zhang", "far", "ghost"):
        clock.advance(seconds=1)
        with pytest.raises(Unauthenticated):
            sign_in(uow, settings, username, "Wrong-pw1")

    def seen(caller, **q):
        return [a.username for a in managing.list_attempts(commands.ListQuery(**q), uow, caller)[0]]

    assert seen(OPERATOR) == ["ghost", "far", "zhang"]  # newest first, unknown names included
    assert seen(OPERATOR, org_id="s1") == ["zhang"]
    assert seen(STREET1) == ["zhang"]
    with pytest.raises(Forbidden):
        seen(SECRETARY)
    with pytest.raises(Forbidden):
        seen(STREET1, org_id="b3")


# -- kiosks ----------------------------------------------------------------------------------


def pairing(uow, settings, code="12345678", org_id="b1", caller=OPERATOR):
    cmd = commands.CreatePairingCode(org_id, "党员活动室", code)
    return kiosks.create_pairing_code(cmd, uow, caller, settings)


def test_a_pairing_code_enrolls_one_kiosk_at_its_place(uow, settings, clock):
    code = pairing(uow, settings)
    assert code.expires_at == T0 + timedelta(minutes=15)
    assert code.code_hash == "hmac:pairing_code:12345678"
    assert pairing(uow, settings) == code  # the same request again
    with pytest.raises(Conflict):
        pairing(uow, settings, org_id="b2")
    kiosk, session = kiosks.pair_kiosk(
        commands.PairKiosk("12345678", "kiosk-a1"), uow, ANONYMOUS, settings
    )
    assert (kiosk.org_path, kiosk.place, session.session_id) == (
        "/hj/s1/b1",
        "党员活动室",
        "ks-kiosk-a1",
    )
    again = kiosks.pair_kiosk(commands.PairKiosk("12345678", "kiosk-a1"), uow, ANONYMOUS, settings)
    assert again == (kiosk, session)
    with pytest.raises(NotFound):  # used
        kiosks.pair_kiosk(commands.PairKiosk("12345678", "kiosk-b2"), uow, ANONYMOUS, settings)
    with pytest.raises(NotFound):
        kiosks.pair_kiosk(commands.PairKiosk("87654321", "kiosk-b2"), uow, ANONYMOUS, settings)
    pairing(uow, settings, code="11112222")
    clock.advance(minutes=15)
    with pytest.raises(NotFound):  # expired
        kiosks.pair_kiosk(commands.PairKiosk("11112222", "kiosk-b2"), uow, ANONYMOUS, settings)
    assert pairing(uow, settings, code="12345678", org_id="b2").org_id == "b2"  # reissued


def test_a_pairing_code_pairs_until_its_fifteenth_minute_ends(uow, settings, clock):
    for code in ("11112222", "33334444"):
        pairing(uow, settings, code=code)
    clock.advance(minutes=14, seconds=59)
    kiosks.pair_kiosk(commands.PairKiosk("11112222", "kiosk-in-time"), uow, ANONYMOUS, settings)
    clock.advance(seconds=1)
    with pytest.raises(NotFound):
        kiosks.pair_kiosk(commands.PairKiosk("33334444", "kiosk-late"), uow, ANONYMOUS, settings)
    assert set(uow.kiosks.rows) == {"kiosk-in-time"}


def test_pairing_codes_are_for_managers_and_secretaries_within_scope(uow, settings):
    assert pairing(uow, settings, caller=SECRETARY).org_path == "/hj/s1/b1"
    for caller, org_id in ((STREET2, "b1"), (SECRETARY, "s1"), (SECRETARY, "b3")):
        with pytest.raises(Forbidden):
            pairing(uow, settings, code="87654321", org_id=org_id, caller=caller)
    grid = Caller("grid", "grid_worker", "/hj/s1/b1")
    with pytest.raises(Forbidden):
        pairing(uow, settings, code="87654321", caller=grid)


def test_a_revoked_kiosk_signs_nobody_in_and_its_session_ends(uow, settings):
    pairing(uow, settings)
    _kiosk, session = kiosks.pair_kiosk(
        commands.PairKiosk("12345678", "kiosk-a1"), uow, ANONYMOUS, settings
    )
    device = Caller("kiosk-a1", "kiosk", "/hj/s1/b1", device="kiosk-a1")
    assert signing_in.verify_session(session.session_id, uow, device, settings)
    with pytest.raises(Forbidden):
        kiosks.revoke_kiosk("kiosk-a1", uow, STREET2, settings)
    revoked = kiosks.revoke_kiosk("kiosk-a1", uow, STREET1, settings)
    assert revoked.revoked and revoked.org_path == "/hj/s1/b1" and revoked.place == "党员活动室"
    assert kiosks.revoke_kiosk("kiosk-a1", uow, STREET1, settings) == revoked  # again: the same
    assert not signing_in.verify_session(session.session_id, uow, device, settings)
    swipe = member_commands.CheckIn("A0000001", "m1")
    with pytest.raises(Forbidden) as refused:
        member_handlers.check_in(swipe, uow, device, None)
    assert refused.value.message == "本签到终端未登记或已停用"
    with pytest.raises(Conflict):  # the device stays revoked, bound to its place
        member_handlers.enroll_kiosk(
            member_commands.EnrollKiosk("kiosk-a1", "b1", "党员活动室"), uow, OPERATOR
        )
    with pytest.raises(NotFound):
        kiosks.revoke_kiosk("kiosk-none", uow, OPERATOR, settings)


def test_kiosks_are_listed_for_the_callers_scope(uow, settings):
    for device, org in (("k-b1", "b1"), ("k-b3", "b3"), ("k-s1", "s1")):
        member_handlers.enroll_kiosk(
            member_commands.EnrollKiosk(device, org, "服务中心"), uow, OPERATOR
        )

    def listed(caller, **q):
        return [k.device_id for k in kiosks.list_kiosks(commands.ListQuery(**q), uow, caller)[0]]

    assert listed(OPERATOR) == ["k-b1", "k-b3", "k-s1"]
    assert listed(STREET1) == ["k-b1", "k-s1"]
    assert listed(STREET1, org_id="b1") == ["k-b1"]
    assert listed(SECRETARY) == ["k-b1"]
    with pytest.raises(Forbidden):
        listed(SECRETARY, org_id="s1")
    with pytest.raises(Forbidden):
        listed(STREET1, org_id="b3")
    assert kiosks.get_kiosk("k-b1", uow, STREET1).place == "服务中心"
    assert kiosks.get_kiosk("k-b1", uow, SECRETARY).org_path == "/hj/s1/b1"
    for device, caller in (("k-b3", STREET1), ("k-s1", SECRETARY)):
        with pytest.raises(Forbidden):
            kiosks.get_kiosk(device, uow, caller)
    with pytest.raises(NotFound):
        kiosks.get_kiosk("k-none", uow, OPERATOR)

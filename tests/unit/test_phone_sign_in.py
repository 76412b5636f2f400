"""Members' sign-in by SMS code: the rules of codes and rate limits (tables over the domain), and
every branch of the handlers over in-memory fakes (no broker, no store, no notify)."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from services.infra.errors import Conflict, TooManyRequests, Unavailable
from services.infra.pii import PiiCipher
from services.infra.scope import Caller
from services.members import commands as member_commands
from services.members import handlers as member_handlers
from services.members.accounts import signing_in as staff_signing_in
from services.members.accounts.domain import SessionRules
from services.members.accounts.errors import Unauthenticated
from services.members.accounts.ports import AccountSettings
from services.members.phone_sign_in import commands, signing_in
from services.members.phone_sign_in.domain import Code, CodeRules, PhoneCodes
from services.members.phone_sign_in.ports import PhoneSignInSettings
from tests.unit.fakes_accounts import CheapHasher
from tests.unit.fakes_phone_sign_in import FakePhoneSignInUoW, Texts
from tests.unit.test_accounts_handlers import T0, Clock
from tests.unit.test_members_handlers import person

OPERATOR = Caller("op", "county_operator", "/hj")
PHONE_USER = Caller("anonymous", "anonymous", "none", ip="192.0.2.7")
PHONE = "13800001234"
STRANGER = "13900009999"  # nobody's number
RULES = CodeRules(minutes=5, tries=5, per_minute=1, per_day=10)
SESSIONS = SessionRules(idle_minutes=30, max_hours=12, touch_seconds=60)
CIPHER = PiiCipher(b"k" * 32, b"h" * 32)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def codes():
    return (f"{(123456 + 7919 * n) % 10**6:06d}" for n in itertools.count())


@pytest.fixture
def settings(clock, codes):
    return PhoneSignInSettings(
        keyed_hash=CIPHER.lookup_hash, rules=RULES, new_code=lambda: next(codes), clock=clock
    )


@pytest.fixture
def texts():
    return Texts()


@pytest.fixture
def uow():
    uow = FakePhoneSignInUoW()
    for org_id, parent in [("hj", None), ("s1", "hj"), ("b1", "s1")]:
        member_handlers.create_org(
            member_commands.CreateOrg(org_id, org_id, "branch", parent_id=parent), uow, OPERATOR
        )
    return uow


@pytest.fixture
def member(uow):
    member_settings = member_handlers.Settings(cipher=CIPHER, clock=lambda: T0)
    found, _created = member_handlers.register_member(
        person(phone=PHONE), uow, OPERATOR, member_settings
    )
    return found


def ask(uow, settings, texts, phone=PHONE, request_id=None):
    cmd = commands.RequestCode(phone, request_id or uuid.uuid4().hex)
    return signing_in.request_code(cmd, uow, PHONE_USER, settings, texts)


def secret() -> str:
    return uuid.uuid4().hex + uuid.uuid4().hex


def sign_in(uow, settings, code, phone=PHONE, attempt_id=None, refresh=None):
    cmd = commands.SignInWithCode(phone, code, attempt_id or uuid.uuid4().hex, refresh or secret())
    return signing_in.sign_in(cmd, uow, PHONE_USER, settings, SESSIONS)


def refused(call, error=Unauthenticated):
    with pytest.raises(error) as caught:
        call()
    return caught.value


# -- rules -----------------------------------------------------------------------------------


def requests_at(*seconds_before: float) -> PhoneCodes:
    return PhoneCodes("p", tuple(T0 - timedelta(seconds=s) for s in sorted(seconds_before)[::-1]))


@pytest.mark.parametrize(
    ("earlier", "wait"),
    [
        ((), 0),
        ((59,), 1),  # one a minute
        ((30,), 30),
        ((60,), 0),
        ((3600 * 23, *range(60, 600, 60)), 3600),  # 10 in the last day: the oldest must age out
        ((3600 * 24, *range(60, 600, 60)), 0),  # the oldest is a day old: 9 in the last day
        (tuple(range(60, 660, 60)), 86400 - 600),
    ],
)
def test_rate_limits_per_minute_and_per_day(earlier, wait):
    assert requests_at(*earlier).retry_after(T0, RULES) == wait


@pytest.mark.parametrize(
    ("wait", "words"),
    [(1, "1秒后"), (120, "120秒后"), (121, "3分钟后"), (7200, "120分钟后"), (7201, "3小时后")],
)
def test_the_refusal_says_when_to_retry_in_chinese(wait, words):
    record = replace(requests_at(), requests=(T0 - timedelta(seconds=86400 - wait),) * 10)
    error = refused(lambda: record.requested("r", None, T0, RULES), TooManyRequests)
    assert words in error.message and error.details["retry_after_seconds"] == wait


@pytest.mark.parametrize(
    ("tries_left", "minutes_later", "presented", "outcome", "left_after"),
    [
        (5, 0, "right", "ok", None),  # used up
        (5, 4.9, "right", "ok", None),
        (5, 5, "right", "no_code", 5),  # expired
        (5, 0, "wrong", "bad_code", 4),
        (1, 0, "wrong", "bad_code", None),  # the last try kills the code
        (0, 0, "right", "no_code", 0),  # dead
    ],
)
def test_a_code_lives_minutes_and_allows_tries(
    tries_left, minutes_later, presented, outcome, left_after
):
    code = replace(Code.issue("c1", "right", "m1", T0, RULES), tries_left=tries_left)
    record = PhoneCodes("p", code=code)
    checked, found = record.checked(presented, T0 + timedelta(minutes=minutes_later))
    assert found == outcome
    assert (checked.code.tries_left if checked.code else None) == left_after


def test_a_new_code_replaces_the_old_one():
    old = Code.issue("c1", "h1", "m1", T0, RULES)
    new = Code.issue("c2", "h2", "m1", T0 + timedelta(minutes=1), RULES)
    record = PhoneCodes("p", code=old).requested("r2", new, T0 + timedelta(minutes=1), RULES)
    assert record.code == new and record.last_request_id == "r2"
    assert record.without("c1") == record and record.without("c2").code is None


# -- asking for a code -----------------------------------------------------------------------


def test_a_member_gets_a_code_by_sms_stored_only_as_a_keyed_hash(uow, settings, texts, member):
    answer = ask(uow, settings, texts, request_id="a" * 32)
    assert answer == RULES
    [(key, phone, code, minutes)] = texts.sent
    assert (key, phone, minutes) == ("mc-" + "a" * 32, PHONE, 5)
    assert len(code) == 6 and code.isdigit()
    [record] = uow.phone_codes.rows.values()
    assert record.code.member_id == member.member_id and record.code.code_id == key
    assert code not in repr(record) and PHONE not in repr(record)
    [audit] = uow.member_sign_ins.rows.values()
    assert (audit.kind, audit.outcome, audit.phone_masked) == (
        "code_request",
        "sent",
        "138****1234",
    )
    assert audit.member_id == member.member_id and audit.ip == "192.0.2.7"


def test_an_unknown_number_gets_the_same_answer_and_no_text(uow, settings, texts, member):
    assert ask(uow, settings, texts, phone=STRANGER) == ask(uow, settings, texts) == RULES
    assert [phone for _k, phone, _c, _m in texts.sent] == [PHONE]
    outcomes = sorted(r.outcome for r in uow.member_sign_ins.rows.values())
    assert outcomes == ["not_member", "sent"]


def test_limits_apply_to_members_and_strangers_alike(uow, settings, texts, clock, member):
    for phone in (PHONE, STRANGER):
        ask(uow, settings, texts, phone=phone)
        error = refused(lambda phone=phone: ask(uow, settings, texts, phone=phone), TooManyRequests)
        assert error.message == "获取验证码过于频繁，请60秒后再试"
    assert len(texts.sent) == 1
    clock.advance(seconds=59)
    refused(lambda: ask(uow, settings, texts), TooManyRequests)
    clock.advance(seconds=1)
    ask(uow, settings, texts)
    assert len(texts.sent) == 2
    rate_limited = [r for r in uow.member_sign_ins.rows.values() if r.outcome == "rate_limited"]
    assert len(rate_limited) == 3 and all(r.member_id is None for r in rate_limited)


def test_ten_codes_a_day(uow, settings, texts, clock, member):
    for _ in range(10):
        ask(uow, settings, texts)
        clock.advance(minutes=10)
    error = refused(lambda: ask(uow, settings, texts), TooManyRequests)
    assert error.details["retry_after_seconds"] == 24 * 3600 - 100 * 60
    assert "今日获取验证码次数已达上限" in error.message
    clock.advance(seconds=error.details["retry_after_seconds"])
    ask(uow, settings, texts)
    assert len(texts.sent) == 11


def test_a_repeated_request_is_not_counted_or_texted_again(uow, settings, texts, member):
    ask(uow, settings, texts, request_id="b" * 32)
    assert ask(uow, settings, texts, request_id="b" * 32) == RULES
    assert len(texts.sent) == 1


@pytest.mark.parametrize("status", ["left", "deceased"])
def test_no_code_for_a_member_who_is_not_active(uow, settings, texts, member, status):
    uow.members.rows[member.member_id] = replace(member, status=status)
    assert ask(uow, settings, texts) == RULES
    assert texts.sent == []


def test_no_code_for_a_number_shared_by_two_active_members(uow, settings, texts, member):
    other = replace(member, member_id="mb-other")
    uow.members.rows[other.member_id] = other
    ask(uow, settings, texts)
    assert texts.sent == []
    [audit] = uow.member_sign_ins.rows.values()
    assert audit.outcome == "ambiguous_phone" and audit.member_id is None


def test_a_text_that_cannot_be_sent_takes_its_code_with_it(uow, settings, texts, clock, member):
    texts.failing = True
    error = refused(lambda: ask(uow, settings, texts), Unavailable)
    assert error.message == "短信发送失败，请稍后重试"
    [record] = uow.phone_codes.rows.values()
    assert record.code is None
    texts.failing = False
    refused(lambda: sign_in(uow, settings, "123456"))
    assert {r.outcome for r in uow.member_sign_ins.rows.values()} == {"send_failed", "no_code"}
    clock.advance(minutes=1)
    ask(uow, settings, texts)
    assert sign_in(uow, settings, texts.last_code).member.member_id == member.member_id


def test_concurrent_requests_are_decided_again_then_refused(uow, settings, texts, clock, member):
    uow.phone_codes.stale_next = 2
    ask(uow, settings, texts)
    assert len(texts.sent) == 1  # one code, made once however often the write was retried
    clock.advance(minutes=1)
    uow.phone_codes.stale_next = 4
    error = refused(lambda: ask(uow, settings, texts), Conflict)
    assert "其他请求" in error.message and len(texts.sent) == 1


# -- signing in ------------------------------------------------------------------------------


def test_the_right_code_starts_a_member_session(uow, settings, texts, member):
    ask(uow, settings, texts)
    refresh = secret()
    signed = sign_in(uow, settings, texts.last_code, attempt_id="c" * 32, refresh=refresh)
    assert signed.member.member_id == member.member_id
    assert signed.active == {"index": 0, "role": "member", "org_id": "b1", "scope": "/hj/s1/b1"}
    session = uow.sessions.rows[signed.session_id]
    assert signed.session_id == "ms-" + "c" * 32
    assert (session.kind, session.subject) == ("member", member.member_id)
    assert session.expires_at == T0 + timedelta(hours=12)
    [audit] = [r for r in uow.member_sign_ins.rows.values() if r.kind == "sign_in"]
    assert (audit.outcome, audit.phone_masked, audit.member_id) == (
        "ok",
        "138****1234",
        member.member_id,
    )
    assert texts.last_code not in repr(list(uow.member_sign_ins.rows.values()))
    # the answer has the staff sign-in's shape: the member as an account with one role
    assert signed.account["account_id"] == signed.account["member_id"] == member.member_id
    assert (signed.account["username"], signed.account["display_name"]) == ("138****1234", "张*丰")
    assert signed.account["roles"] == [{"role": "member", "org_id": "b1", "scope": "/hj/s1/b1"}]
    assert signed.must_change_password is False
    # the code is used up
    refused(lambda: sign_in(uow, settings, texts.last_code))


def test_a_wrong_code_counts_a_try_and_the_fifth_kills_the_code(
    uow, settings, texts, clock, member
):
    ask(uow, settings, texts)
    right = texts.last_code
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(4):
        assert refused(lambda: sign_in(uow, settings, wrong)).message == "验证码错误或已过期"
    assert sign_in(uow, settings, right).member.member_id == member.member_id

    clock.advance(minutes=1)
    ask(uow, settings, texts)
    right = texts.last_code
    for _ in range(5):
        refused(lambda: sign_in(uow, settings, wrong))
    refused(lambda: sign_in(uow, settings, right))  # dead after five wrong tries
    outcomes = [r.outcome for r in uow.member_sign_ins.rows.values() if r.kind == "sign_in"]
    assert outcomes == ["bad_code"] * 4 + ["ok"] + ["bad_code"] * 5 + ["no_code"]


def test_a_code_expires_after_five_minutes(uow, settings, texts, clock, member):
    ask(uow, settings, texts)
    right = texts.last_code
    clock.advance(minutes=4, seconds=59)
    refused(lambda: sign_in(uow, settings, "000000" if right != "000000" else "111111"))
    clock.advance(seconds=1)
    refused(lambda: sign_in(uow, settings, right))
    outcomes = [r.outcome for r in uow.member_sign_ins.rows.values() if r.kind == "sign_in"]
    assert outcomes == ["bad_code", "no_code"]  # compared with a live code, then with none


def test_a_new_code_kills_the_old_one(uow, settings, texts, clock, member):
    ask(uow, settings, texts)
    old = texts.last_code
    clock.advance(minutes=1)
    ask(uow, settings, texts)
    assert texts.last_code != old
    refused(lambda: sign_in(uow, settings, old))
    assert sign_in(uow, settings, texts.last_code).member.member_id == member.member_id


def test_a_code_for_a_stranger_or_another_number_signs_in_nobody(uow, settings, texts, member):
    ask(uow, settings, texts)
    refused(lambda: sign_in(uow, settings, texts.last_code, phone=STRANGER))
    ask(uow, settings, texts, phone=STRANGER)
    refused(lambda: sign_in(uow, settings, "123456", phone=STRANGER))


def test_a_member_who_left_meanwhile_is_not_signed_in(uow, settings, texts, member):
    ask(uow, settings, texts)
    uow.members.rows[member.member_id] = replace(member, status="left")
    refused(lambda: sign_in(uow, settings, texts.last_code))
    assert uow.sessions.rows == {}
    assert [r.outcome for r in uow.member_sign_ins.rows.values()][-1] == "inactive"


def test_a_repeated_attempt_answers_as_the_first(uow, settings, texts, member):
    ask(uow, settings, texts)
    refresh = secret()
    first = sign_in(uow, settings, texts.last_code, attempt_id="d" * 32, refresh=refresh)
    again = sign_in(uow, settings, texts.last_code, attempt_id="d" * 32, refresh=refresh)
    assert again.session_id == first.session_id and len(uow.sessions.rows) == 1
    # not to someone else who replays the attempt id without its refresh secret
    refused(lambda: sign_in(uow, settings, texts.last_code, attempt_id="d" * 32))
    wrong_first = sign_in_attempt_refused(uow, settings, "e" * 32)
    assert wrong_first.message == "验证码错误或已过期"


def sign_in_attempt_refused(uow, settings, attempt_id):
    refused(lambda: sign_in(uow, settings, "000000", attempt_id=attempt_id))
    return refused(lambda: sign_in(uow, settings, "000000", attempt_id=attempt_id))


# -- the member's session --------------------------------------------------------------------


def account_settings(clock) -> AccountSettings:
    hasher = CheapHasher()
    return AccountSettings(
        hasher=hasher,
        keyed_hash=CIPHER.lookup_hash,
        dummy_hash=hasher.hash("dummy"),
        sessions=SESSIONS,
        clock=clock,
    )


def test_the_gateway_checks_a_member_session_like_a_staff_one(uow, settings, texts, clock, member):
    ask(uow, settings, texts)
    signed = sign_in(uow, settings, texts.last_code)
    holder = Caller(member.member_id, "member", member.org_path)
    staff = account_settings(clock)
    assert staff_signing_in.verify_session(signed.session_id, uow, holder, staff)
    stranger = Caller("mb-else", "member", member.org_path)
    assert not staff_signing_in.verify_session(signed.session_id, uow, stranger, staff)
    clock.advance(minutes=30)  # idle
    assert not staff_signing_in.verify_session(signed.session_id, uow, holder, staff)


def test_sign_out_ends_a_member_session(uow, settings, texts, clock, member):
    ask(uow, settings, texts)
    refresh = secret()
    signed = sign_in(uow, settings, texts.last_code, refresh=refresh)
    holder = Caller(member.member_id, "member", member.org_path)
    staff = account_settings(clock)
    staff_signing_in.sign_out(signed.session_id, uow, holder, staff)
    assert not staff_signing_in.verify_session(signed.session_id, uow, holder, staff)
    token = f"{signed.session_id}.{refresh}"
    refused(lambda: refresh_with(uow, settings, token, secret()))  # no new pair either


def refresh_with(uow, settings, token, following):
    cmd = commands.RefreshMemberSession(token, following)
    return signing_in.refresh(cmd, uow, PHONE_USER, settings, SESSIONS)


def test_refresh_rotates_and_a_reused_token_ends_the_session(uow, settings, texts, clock, member):
    ask(uow, settings, texts)
    first_secret, second_secret, third_secret = secret(), secret(), secret()
    signed = sign_in(uow, settings, texts.last_code, refresh=first_secret)
    first_token = f"{signed.session_id}.{first_secret}"
    clock.advance(minutes=20)
    rotated = refresh_with(uow, settings, first_token, second_secret)
    assert rotated.session_id == signed.session_id and rotated.active["role"] == "member"
    assert uow.sessions.rows[signed.session_id].last_seen_at == clock.now
    # the same rotation asked again (a redelivered call) answers the same
    assert refresh_with(uow, settings, first_token, second_secret).session_id == signed.session_id
    refused(lambda: refresh_with(uow, settings, first_token, third_secret))  # reused: ended
    second_token = f"{signed.session_id}.{second_secret}"
    refused(lambda: refresh_with(uow, settings, second_token, third_secret))
    assert uow.sessions.rows[signed.session_id].revoked_reason == "refresh_reused"


def test_refresh_refuses_staff_sessions_unknown_tokens_and_members_who_left(
    uow, settings, texts, clock, member
):
    refused(lambda: refresh_with(uow, settings, "ss-unknown.x", secret()))
    ask(uow, settings, texts)
    first_secret = secret()
    signed = sign_in(uow, settings, texts.last_code, refresh=first_secret)
    token = f"{signed.session_id}.{first_secret}"
    refused(lambda: refresh_with(uow, settings, f"{signed.session_id}.other", secret()))
    uow.members.rows[member.member_id] = replace(member, status="left")
    refused(lambda: refresh_with(uow, settings, token, secret()))
    uow.members.rows[member.member_id] = member
    clock.advance(hours=12)  # past the session's longest life
    refused(lambda: refresh_with(uow, settings, token, secret()))


def test_me_is_the_signed_in_member_of_the_token_session(uow, settings, texts, member):
    ask(uow, settings, texts)
    signed = sign_in(uow, settings, texts.last_code)
    holder = Caller(member.member_id, "member", member.org_path)
    assert signing_in.get_me(signed.session_id, uow, holder).account == signed.account
    for caller, session_id in [
        (Caller("mb-else", "member", member.org_path), signed.session_id),
        (Caller(member.member_id, "branch_secretary", member.org_path), signed.session_id),
        (holder, "ms-unknown"),
    ]:
        refused(
            lambda caller=caller, session_id=session_id: signing_in.get_me(session_id, uow, caller)
        )


# -- the per-address limit -------------------------------------------------------------------


def numbers(n: int) -> list[str]:
    return [f"139{i:08d}" for i in range(n)]


def ask_from(uow, settings, texts, ip, phone, request_id=None):
    cmd = commands.RequestCode(phone, request_id or uuid.uuid4().hex)
    caller = Caller("anonymous", "anonymous", "none", ip=ip)
    return signing_in.request_code(cmd, uow, caller, settings, texts)


def test_one_address_asks_for_twenty_codes_an_hour_whatever_the_numbers(
    uow, settings, texts, clock, member
):
    for phone in numbers(19):
        ask_from(uow, settings, texts, "198.51.100.4", phone)
        clock.advance(minutes=1)
    ask_from(uow, settings, texts, "198.51.100.4", PHONE)  # the 20th: the member's, texted
    assert len(texts.sent) == 1
    refusals = [
        refused(lambda p=p: ask_from(uow, settings, texts, "198.51.100.4", p), TooManyRequests)
        for p in (PHONE, STRANGER, "13700000000")
    ]
    # the same answer for a member's number, a stranger's and a number never asked for
    assert {(r.message, r.details["retry_after_seconds"]) for r in refusals} == {
        ("当前网络获取验证码次数过多，请41分钟后再试", 41 * 60)  # the first ages out
    }
    assert len(texts.sent) == 1
    assert uow.phone_codes.get(CIPHER.lookup_hash(STRANGER, "phone")) is None  # not counted
    limited = [r for r in uow.member_sign_ins.rows.values() if r.outcome == "address_limited"]
    assert len(limited) == 3 and {r.ip for r in limited} == {"198.51.100.4"}
    assert all(r.member_id is None for r in limited)

    ask_from(uow, settings, texts, "198.51.100.5", STRANGER)  # another address: its own count
    clock.advance(minutes=41)
    ask_from(uow, settings, texts, "198.51.100.4", "13700000000")  # the oldest aged out


def test_a_repeated_request_counts_once_at_its_address(uow, settings, texts, member):
    for phone in numbers(19):
        ask_from(uow, settings, texts, "198.51.100.4", phone)
    ask_from(uow, settings, texts, "198.51.100.4", PHONE, request_id="c" * 32)
    ask_from(uow, settings, texts, "198.51.100.4", PHONE, request_id="c" * 32)  # redelivered
    assert len(texts.sent) == 1
    refused(lambda: ask_from(uow, settings, texts, "198.51.100.4", STRANGER), TooManyRequests)


def test_an_ipv6_client_is_counted_by_its_64_network(uow, settings, texts):
    for n, phone in enumerate(numbers(20)):
        ask_from(uow, settings, texts, f"2001:db8:1:2::{n + 1:x}", phone)
    refused(
        lambda: ask_from(uow, settings, texts, "2001:db8:1:2:ffff::1", STRANGER), TooManyRequests
    )
    ask_from(uow, settings, texts, "2001:db8:1:3::1", STRANGER)  # the next /64: another client
    [limited] = [r for r in uow.member_sign_ins.rows.values() if r.outcome == "address_limited"]
    assert limited.ip == "2001:db8:1:2:ffff::1"
    assert all("2001" not in key for key in uow.code_addresses.rows)  # only a keyed hash


def test_the_address_limit_is_configured_and_a_call_from_within_has_none(uow, clock, codes, texts):
    tight = PhoneSignInSettings(
        keyed_hash=CIPHER.lookup_hash,
        rules=replace(RULES, per_address=2, address_minutes=10),
        new_code=lambda: next(codes),
        clock=clock,
    )
    for phone in numbers(2):
        ask_from(uow, tight, texts, "198.51.100.4", phone)
    error = refused(lambda: ask_from(uow, tight, texts, "198.51.100.4", STRANGER), TooManyRequests)
    assert error.details["retry_after_seconds"] == 600
    ask_from(uow, tight, texts, None, STRANGER)  # no client address: only the number's limits
    assert len(uow.code_addresses.rows) == 1

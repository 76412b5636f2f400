"""Tokens and their claims, scope, and the error table of the gateway."""

import json
import time

import jwt
import pytest
from nameko.exceptions import RemoteError

from gateway.auth import ALGORITHM, AUDIENCE, InvalidToken, Principal, issue_token, verify_token
from gateway.errors import ApiError, flatten_messages, from_remote, translate
from gateway.strict_json import JsonRejected, loads, nesting_depth

SECRET = "s" * 40


def signed(**claims):
    now = int(time.time())
    base = {"sub": "u1", "role": "org_admin", "scope": "/hj", "aud": AUDIENCE, "iat": now}
    base["exp"] = now + 600
    return jwt.encode({**base, **claims}, SECRET, algorithm=ALGORITHM)


def test_tokens_round_trip_and_reject_tampering_expiry_and_other_secrets():
    token = issue_token(SECRET, subject="kiosk-1", role="kiosk", scope="/hj/c1", device="kiosk-1")
    assert verify_token(SECRET, token) == Principal("kiosk-1", "kiosk", "/hj/c1", "kiosk-1")
    with pytest.raises(InvalidToken):
        verify_token("o" * 40, token)
    with pytest.raises(InvalidToken):
        verify_token(SECRET, token[:-2] + "xx")
    with pytest.raises(InvalidToken):
        verify_token(
            SECRET, issue_token(SECRET, subject="a", role="member", scope="/hj", ttl_days=-1)
        )
    with pytest.raises(ValueError, match="unknown role"):
        issue_token(SECRET, subject="a", role="emperor", scope="/")


@pytest.mark.parametrize(
    "claims",
    [
        {"role": "emperor"},
        {"role": ["org_admin"]},
        {"scope": "hj"},
        {"scope": "/HJ/../x"},
        {"scope": 7},
        {"sub": ""},
        {"sub": {"id": 1}},
        {"role": "kiosk"},  # a kiosk without its device
        {"device": "kiosk-1"},  # a device on a token that is not a kiosk's
        {"iat": "yesterday"},
        {"exp": "tomorrow"},
        {"exp": None},
        {"aud": "other-system"},
    ],
    ids=repr,
)
def test_a_correctly_signed_token_with_a_malformed_claim_is_invalid(claims):
    with pytest.raises(InvalidToken):
        verify_token(SECRET, signed(**claims))


def test_claims_missing_entirely_are_invalid():
    now = int(time.time())
    token = jwt.encode({"aud": AUDIENCE, "exp": now + 60}, SECRET, algorithm=ALGORITHM)
    with pytest.raises(InvalidToken):
        verify_token(SECRET, token)
    assert verify_token(SECRET, signed()) == Principal("u1", "org_admin", "/hj")


@pytest.mark.parametrize(
    ("scope", "path", "covered"),
    [
        ("/hj", "/hj", True),
        ("/hj", "/hj/s1/b1", True),
        ("/hj/s1", "/hj/s10", False),
        ("/", "/hj", True),
        ("/hj/s1", "/hj", False),
    ],
)
def test_scope_covers_only_the_subtree(scope, path, covered):
    assert Principal("u", "org_admin", scope).covers(path) is covered


@pytest.mark.parametrize(
    ("exc_type", "status"),
    [
        ("InvalidInput", 400),
        ("NotFound", 404),
        ("Conflict", 409),
        ("Forbidden", 403),
        ("MethodNotFound", 503),
        ("ContainerBeingKilled", 503),
        ("KeyError", 500),  # a bug in a service: a logged 500, not a made-up status
    ],
)
def test_service_errors_map_to_http_statuses(exc_type, status):
    error = from_remote(RemoteError(exc_type, json.dumps({"message": "Unknown card", "card": "X"})))
    assert error.status == status
    if status in (404, 409, 403):
        assert error.detail == "未登记的党员卡，请联系党支部书记登记"
    body = error.body()
    assert set(body) == {"type", "title", "status", "detail", "code"}  # no service details
    assert body["type"].startswith("https://dangjian.example/problems/") and body["title"]


def test_field_messages_from_a_service_are_translated_and_flattened():
    payload = {
        "message": "Some fields are missing or invalid",
        "fields": {
            "phone": ["Missing data for required field."],
            "tags": {"1": ["Unknown field."]},
        },
    }
    error = from_remote(RemoteError("InvalidInput", json.dumps(payload)))
    assert error.status == 400 and error.detail == "部分字段缺失或格式不正确"
    assert error.errors == {"phone": ["缺少必填字段"], "tags.1": ["未知字段"]}


def test_a_service_error_that_is_not_json_still_gives_a_problem():
    error = from_remote(RemoteError("NotFound", "plain text"))
    assert error.status == 404 and error.detail


@pytest.mark.parametrize(
    ("message", "translated"),
    [
        ("Must be greater than or equal to 1 and less than or equal to 200.", "须在1到200之间"),
        ("Length must be between 2 and 200.", "长度须在2到200之间"),
        ("Must be one of: male, female.", "须为以下之一：male, female"),
        ("Not a valid integer.", "不是有效的整数"),
        ("Something no catalogue knows", "Something no catalogue knows"),
    ],
)
def test_validation_messages_are_translated_with_their_values(message, translated):
    assert translate(message) == translated


def test_nested_messages_flatten_to_dotted_fields():
    assert flatten_messages({"a": {"b": ["Unknown field."]}, "c": "Not a valid date."}) == {
        "a.b": ["未知字段"],
        "c": ["不是有效的日期"],
    }


def test_unknown_statuses_are_a_500():
    assert ApiError(418).status == 500


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 33 + b"]" * 33,
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b'{"a": -Infinity}',
        b'{"a": 1e999}',
        b'{"a": "\\ud800"}',
        b'{"\\udc00": 1}',
        b'{"a": 1' + b"0" * 200 + b"}",
        b"\xff\xfe{}",
        b'{"a": }',
    ],
    ids=repr,
)
def test_strict_json_refuses_what_cannot_be_stored_or_answered(raw):
    with pytest.raises(JsonRejected):
        loads(raw, max_depth=32)


def test_strict_json_accepts_plain_json_and_counts_depth_outside_strings():
    assert loads(b'{"a": ["[[[[", {"b": 1.5}], "c": "\\ud83d\\ude00"}', 32) == {
        "a": ["[[[[", {"b": 1.5}],
        "c": "\U0001f600",
    }
    assert nesting_depth(b'["[[[[[[", "\\"[[["]', 32) == 1
    assert loads(b"[" * 32 + b"]" * 32, 32) is not None

import json

import pytest
from nameko.exceptions import RemoteError

from gateway.auth import InvalidToken, Principal, issue_token, verify_token
from gateway.errors import from_remote

SECRET = "s" * 40


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
        ("KeyError", 502),
    ],
)
def test_service_errors_map_to_http_statuses(exc_type, status):
    error = from_remote(RemoteError(exc_type, json.dumps({"message": "Unknown card", "card": "X"})))
    assert error.status == status
    if status != 502:
        assert error.message == "未登记的党员卡，请联系党支部书记登记" and error.details == {
            "card": "X"
        }


def test_field_messages_from_a_service_are_translated():
    payload = {
        "message": "invalid input",
        "fields": {"phone": ["Missing data for required field."]},
    }
    error = from_remote(RemoteError("InvalidInput", json.dumps(payload)))
    assert error.details["fields"] == {"phone": ["缺少必填字段"]}

"""Members sign in on their phones with an SMS code on the running system (`make run`, the small
demo county): the demo member's number from the logins file, the code read from the SMS file
the file provider writes, the token pair and what it opens, refresh, sign-out; unknown numbers
get the same answers; the limits per number; no full number in any log."""

import json
from pathlib import Path

import pytest
import requests

from tests.conftest import wait_for
from tests.system import demo_logins, demo_system

STRANGER = "13900009999"  # nobody's number (the demo county's start with 170 or 171)
ACCEPTED = {
    "message": "如该手机号已登记为党员，验证码已通过短信发送，5分钟内有效",
    "expires_in": 300,
}


@pytest.fixture(scope="module")
def system(tmp_path_factory, request):
    with demo_system(request, tmp_path_factory, "phones") as launched:
        logins = demo_logins(launched)
        yield {
            "url": launched.url + "/api/v1",
            "logins": logins,
            "demo": logins["member_sign_in"],
            "data_dir": launched.data_dir,
            "output": "".join(launched.output),
        }


def post(system, path, body, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(system["url"] + path, json=body, headers=headers, timeout=30)


def get(system, path, token):
    headers = {"Authorization": f"Bearer {token}"}
    return requests.get(system["url"] + path, headers=headers, timeout=30)


def texts(system) -> list[dict]:
    path = Path(system["demo"]["sms_file"])
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def code_of(text: dict) -> str:
    return text["body"].split("验证码为")[1][:6]


def test_the_logins_file_names_the_demo_member_and_the_sms_file(system):
    demo, member = system["demo"], system["logins"]["members"][0]
    assert (demo["member_id"], demo["card_uid"]) == (member["member_id"], member["card_uid"])
    assert len(demo["phone"]) == 11 and demo["phone"].startswith("1")
    assert demo["sms_file"] == str(system["data_dir"] / "sms" / "messages.jsonl")
    assert demo["phone"] in system["output"] and demo["sms_file"] in system["output"]


def test_a_member_signs_in_with_the_code_texted_to_the_phone(system):
    demo = system["demo"]
    asked = post(system, "/auth/member-code", {"phone": demo["phone"]})
    assert asked.status_code == 202, asked.text
    assert asked.json() == ACCEPTED
    [text] = [
        t for t in texts(system) if t["to"] == demo["phone"][:3] + "****" + demo["phone"][-4:]
    ]
    assert demo["phone"] not in json.dumps(text, ensure_ascii=False)
    code = code_of(text)

    wrong = post(system, "/auth/member-sign-in", {"phone": demo["phone"], "code": "000000"})
    if code != "000000":
        assert wrong.status_code == 401 and wrong.json()["detail"] == "验证码错误或已过期"
    signed = post(system, "/auth/member-sign-in", {"phone": demo["phone"], "code": code})
    assert signed.status_code == 200, signed.text
    pair = signed.json()
    assert pair["account"]["member_id"] == demo["member_id"]
    assert pair["account"]["display_name"][0] == demo["name"][0]
    assert "*" in pair["account"]["display_name"]
    assert pair["active_role"]["role"] == "member" and pair["refresh_token"].startswith("ms-")
    assert pair["must_change_password"] is False
    again = post(system, "/auth/member-sign-in", {"phone": demo["phone"], "code": code})
    assert again.status_code == 401  # used up

    token = pair["access_token"]
    own = get(system, f"/members/{demo['member_id']}", token)
    assert own.status_code == 200 and own.json()["member_id"] == demo["member_id"]
    assert get(system, f"/members/{demo['member_id']}/scorecard", token).status_code == 200
    other = system["logins"]["members"][1]["member_id"]
    assert get(system, f"/members/{other}", token).status_code == 403
    me = get(system, "/auth/me", token)
    assert me.status_code == 200 and me.json()["member_id"] == demo["member_id"]
    assert get(system, "/accounts", token).status_code == 403

    refreshed = post(system, "/auth/refresh", {"refresh_token": pair["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    fresh = refreshed.json()
    assert fresh["account"]["member_id"] == demo["member_id"]
    assert get(system, f"/members/{demo['member_id']}", fresh["access_token"]).status_code == 200

    assert post(system, "/auth/sign-out", None, fresh["access_token"]).status_code == 204
    wait_for(
        lambda: (
            get(system, f"/members/{demo['member_id']}", fresh["access_token"]).status_code == 401
        ),
        timeout=15,
    )
    ended = post(system, "/auth/refresh", {"refresh_token": fresh["refresh_token"]})
    assert ended.status_code == 401


def test_limits_per_number_are_the_same_for_strangers(system):
    demo = system["demo"]
    for phone in (demo["phone"], STRANGER):
        first = post(system, "/auth/member-code", {"phone": phone})
        if phone == STRANGER or first.status_code != 429:  # the member's: asked a moment ago?
            assert first.status_code == 202 and first.json() == ACCEPTED, first.text
        refused = post(system, "/auth/member-code", {"phone": phone})
        assert refused.status_code == 429, refused.text
        assert refused.headers["Content-Type"].startswith("application/problem+json")
        assert 0 < int(refused.headers["Retry-After"]) <= 60
        assert "获取验证码过于频繁" in refused.json()["detail"]
    assert not [t for t in texts(system) if t["to"].endswith(STRANGER[-4:])]
    nobody = post(system, "/auth/member-sign-in", {"phone": STRANGER, "code": "123456"})
    assert nobody.status_code == 401 and nobody.json()["detail"] == "验证码错误或已过期"


def test_no_full_number_in_any_log(system):
    phone = system["demo"]["phone"]
    logs = [log for log in (system["data_dir"] / "log").glob("*") if log.stat().st_size]
    assert {"members", "notify", "gateway"} <= {log.stem.split(".")[0] for log in logs}, logs
    for log in logs:
        assert phone not in log.read_text(errors="replace"), log.name

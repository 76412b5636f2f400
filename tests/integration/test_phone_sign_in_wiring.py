"""Members' sign-in by SMS code through nameko on the real broker and the embedded store, with
notify texting the code through its file provider: the code arrives in the SMS file (number
masked), signs the member in once, and the limits hold under concurrent requests; one client
address is limited whatever the numbers (through the gateway, which passes the address); without
notify the code is discarded and the caller is told to try again later."""

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import eventlet
import pytest
from nameko.exceptions import RemoteError
from nameko.rpc import rpc as entrypoint
from nameko.standalone.rpc import ClusterRpcProxy

from gateway.app import create_app
from gateway.rpc import RpcClient
from gateway.settings import Settings
from services.infra.config import load_config
from services.infra.storage import open_database
from services.members.idcard import make_id_number
from services.members.service import MembersService
from services.notify.service import NotifyService
from tests.conftest import caller

PHONE = "13800001234"
PHONE_USER = caller("anonymous", "none", subject="anonymous", ip="192.0.2.1")


def secret() -> str:
    return uuid.uuid4().hex + uuid.uuid4().hex


def start(runner_factory, make_config, *services):
    config = make_config("members")
    runner_factory(config, *services).start()
    with ClusterRpcProxy(config, timeout=20, context_data=caller("county_operator", "/")) as rpc:
        for org_id, parent in [("hj", None), ("hj-b1", "hj")]:
            rpc.members.create_org(
                {"org_id": org_id, "parent_id": parent, "name": org_id, "kind": "branch"}
            )
        born = date(1980, 5, 6)
        member = rpc.members.register_member(
            {
                "org_id": "hj-b1",
                "name": "李四",
                "gender": "male",
                "birth_date": born.isoformat(),
                "id_number": make_id_number("410108", born, 7, "male"),
                "phone": PHONE,
                "join_date": "2005-07-01",
            }
        )
    return config, member


def texts(config) -> list[dict]:
    path = Path(config["DATA_DIR"]) / "sms" / "messages.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def ask(rpc, phone=PHONE):
    return rpc.members.request_member_code({"phone": phone, "request_id": uuid.uuid4().hex})


def sign_in(rpc, code, refresh=None, phone=PHONE):
    return rpc.members.member_sign_in(
        {
            "phone": phone,
            "code": code,
            "attempt_id": uuid.uuid4().hex,
            "refresh_secret": refresh or secret(),
        }
    )


def stored_codes(config) -> list[dict]:
    """The members store's phone records (what a code request left behind)."""
    db = open_database("members", config.get("MONGO_URI"), Path(config["DATA_DIR"]))
    return list(db.phone_codes.find({}))


def refused(call) -> RemoteError:
    with pytest.raises(RemoteError) as caught:
        call()
    return caught.value


def test_a_member_signs_in_with_the_code_texted_by_notify(runner_factory, make_config):
    config, member = start(runner_factory, make_config, MembersService, NotifyService)
    with ClusterRpcProxy(config, timeout=20, context_data=PHONE_USER) as rpc:
        answer = ask(rpc)
        assert answer == {"code_minutes": 5}
        assert ask(rpc, "13900009999") == answer  # nobody's number: the same answer, no text
        [text] = texts(config)
        assert text["to"] == "138****1234" and PHONE not in str(text)
        code = text["body"].split("验证码为")[1][:6]
        assert code.isdigit() and text["key"].startswith("mc-")

        wrong = "000000" if code != "000000" else "111111"
        bad = refused(lambda: sign_in(rpc, wrong))
        assert bad.exc_type == "Unauthenticated" and "验证码错误或已过期" in bad.value
        refresh = secret()
        signed = sign_in(rpc, code, refresh)
        account = signed["account"]
        assert account["account_id"] == account["member_id"] == member["member_id"]
        assert (account["username"], account["display_name"]) == ("138****1234", "李*")
        assert account["roles"] == [{"role": "member", "org_id": "hj-b1", "scope": "/hj/hj-b1"}]
        assert signed["must_change_password"] is False
        assert signed["active"] == {
            "index": 0,
            "role": "member",
            "org_id": "hj-b1",
            "scope": "/hj/hj-b1",
        }
        assert signed["session_id"].startswith("ms-")
        assert refused(lambda: sign_in(rpc, code)).exc_type == "Unauthenticated"  # used up

        again = refused(lambda: ask(rpc))
        assert again.exc_type == "TooManyRequests" and "请60秒后再试" in again.value
        assert refused(lambda: ask(rpc, "13900009999")).exc_type == "TooManyRequests"

        rotated = rpc.members.refresh_member_session(
            {"refresh_token": f"{signed['session_id']}.{refresh}", "refresh_secret": secret()}
        )
        assert rotated["session_id"] == signed["session_id"]
    holder = caller("member", "/hj/hj-b1", subject=member["member_id"])
    with ClusterRpcProxy(config, timeout=20, context_data=holder) as rpc:
        assert rpc.members.verify_session(signed["session_id"]) is True
        assert rpc.members.get_member_me(signed["session_id"])["account"] == account
        rpc.members.sign_out(signed["session_id"])
        assert rpc.members.verify_session(signed["session_id"]) is False


def test_without_notify_the_code_is_discarded_and_the_caller_told_to_retry(
    runner_factory, make_config
):
    config, _member = start(runner_factory, make_config, MembersService)
    with ClusterRpcProxy(config, timeout=20, context_data=PHONE_USER) as rpc:
        started = time.monotonic()
        error = refused(lambda: ask(rpc))
        assert error.exc_type == "Unavailable" and "短信发送失败，请稍后重试" in error.value
        assert time.monotonic() - started < 5
        assert refused(lambda: sign_in(rpc, "123456")).exc_type == "Unauthenticated"
    assert texts(config) == []
    [record] = stored_codes(config)  # the request counted, its code gone with the text
    assert record["code"] is None and len(record["requests"]) == 1


def test_concurrent_requests_for_one_number_pass_its_limit_once(runner_factory, make_config):
    config, _member = start(runner_factory, make_config, MembersService, NotifyService)

    def one(_n: int) -> str:
        with ClusterRpcProxy(config, timeout=20, context_data=PHONE_USER) as rpc:
            try:
                ask(rpc)
                return "accepted"
            except RemoteError as error:
                return str(error.exc_type)

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(one, range(8)))
    assert outcomes.count("accepted") == 1, outcomes
    assert set(outcomes) <= {"accepted", "TooManyRequests", "Conflict"}
    assert len(texts(config)) == 1


def test_one_address_is_limited_whatever_the_numbers_through_the_gateway(
    runner_factory, make_config
):
    """The gateway passes the client's address; members counts the codes it asked for: past
    the limit a 429 with Retry-After and the same sentence for every number, no text sent."""
    limits = {**load_config("members")["MEMBER_SIGN_IN"], "codes_per_address": 3}
    config, _member = start(
        runner_factory,
        lambda name: make_config(name, MEMBER_SIGN_IN=limits),
        MembersService,
        NotifyService,
    )
    rpc = RpcClient(config["AMQP_URI"], timeout=20)
    app = create_app(Settings(amqp_uri=config["AMQP_URI"], token_secret="s" * 40), rpc_client=rpc)
    client = app.test_client()

    def ask_from(ip, phone):
        body = {"phone": phone}
        return client.post("/api/v1/auth/member-code", json=body, environ_base={"REMOTE_ADDR": ip})

    try:
        for phone in ("13900000001", "13900000002", "13900000003"):
            assert ask_from("198.51.100.4", phone).status_code == 202
        refusals = [ask_from("198.51.100.4", phone) for phone in (PHONE, "13900000004")]
        assert {r.status_code for r in refusals} == {429}
        assert {r.get_json()["detail"] for r in refusals} == {
            "当前网络获取验证码次数过多，请60分钟后再试"
        }
        assert all(3590 < int(r.headers["Retry-After"]) <= 3600 for r in refusals)
        assert ask_from("198.51.100.5", PHONE).status_code == 202  # another address: texted
    finally:
        for proxy in rpc._proxies().values():
            proxy.runner.stop()
    assert len(texts(config)) == 1  # the member's number refused at the first address: no text


class SlowNotify:
    """A notify that takes longer than members waits for it."""

    name = "notify"
    calls: list[str] = []  # noqa: RUF012

    @entrypoint
    def send_sms(self, payload):
        SlowNotify.calls.append(payload["key"])
        eventlet.sleep(3)
        return {"key": payload["key"], "status": "sent", "provider": "slow"}


def test_a_notify_too_slow_to_answer_is_a_send_failure(runner_factory, make_config):
    config = make_config("members", NOTIFY_TIMEOUT_SECONDS=0.5)
    runner_factory(config, SlowNotify).start()
    config, _member = start(runner_factory, lambda _name: config, MembersService)
    with ClusterRpcProxy(config, timeout=20, context_data=PHONE_USER) as rpc:
        started = time.monotonic()
        error = refused(lambda: ask(rpc))
        assert error.exc_type == "Unavailable" and time.monotonic() - started < 2.5
        assert len(SlowNotify.calls) == 1
        assert refused(lambda: sign_in(rpc, "123456")).exc_type == "Unauthenticated"
    [record] = stored_codes(config)
    assert record["code"] is None and len(record["requests"]) == 1

"""Staff accounts, sessions and kiosk pairing through nameko on the real broker and the embedded
store, with the real argon2id hasher: nothing secret at rest, the session rules, optimistic
concurrency on the real store, and card sign-ins not held up by password hashing."""

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import eventlet
import pytest
from argon2 import PasswordHasher
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ClusterRpcProxy

from services.members.idcard import make_id_number
from services.members.service import MembersService
from tests.conftest import caller, wait_for

PASSWORD = "Initial-pw1"
ANONYMOUS = caller("anonymous", "none", subject="anonymous", ip="192.0.2.1")


def secret() -> str:
    return uuid.uuid4().hex + uuid.uuid4().hex


@pytest.fixture
def members(runner_factory, make_config):
    config = make_config("members")
    runner_factory(config, MembersService).start()
    with ClusterRpcProxy(config, timeout=20, context_data=caller("county_operator", "/")) as rpc:
        for org_id, parent in [
            ("hj", None),
            ("hj-s1", "hj"),
            ("hj-s1-b1", "hj-s1"),
            ("hj-s2", "hj"),
        ]:
            rpc.members.create_org(
                {"org_id": org_id, "parent_id": parent, "name": org_id, "kind": "branch"}
            )
        yield config, rpc


def rpc_as(config, context):
    return ClusterRpcProxy(config, timeout=20, context_data=context)


def create_account(rpc, username="zhang", org_id="hj-s1-b1", role="branch_secretary"):
    return rpc.members.create_account(
        {
            "username": username,
            "display_name": "张书记",
            "password": PASSWORD,
            "roles": [{"role": role, "org_id": org_id}],
        }
    )


def sign_in(config, username="zhang", password=PASSWORD, refresh=None):
    with rpc_as(config, ANONYMOUS) as anonymous:
        return anonymous.members.sign_in(
            {
                "username": username,
                "password": password,
                "attempt_id": uuid.uuid4().hex,
                "refresh_secret": refresh or secret(),
            }
        )


def remote_error(call) -> RemoteError:
    with pytest.raises(RemoteError) as raised:
        call()
    return raised.value


def test_passwords_and_refresh_secrets_are_never_stored(members):
    config, rpc = members
    account = create_account(rpc)
    assert account["created"] and account["must_change_password"]
    refresh = secret()
    signed = sign_in(config, refresh=refresh)
    assert signed["active"] == {
        "index": 0,
        "role": "branch_secretary",
        "org_id": "hj-s1-b1",
        "scope": "/hj/hj-s1/hj-s1-b1",
    }
    assert "password_hash" not in str(signed) and "argon2" not in str(signed)
    if not os.environ.get("MONGO_URI"):
        stored = b"".join(
            p.read_bytes() for p in Path(config["DATA_DIR"]).rglob("*") if p.is_file()
        )
        assert PASSWORD.encode() not in stored and refresh.encode() not in stored
        assert b"$argon2id$" in stored


def test_the_session_rules_on_the_real_store(members):
    config, rpc = members
    account = create_account(rpc)
    r0 = secret()
    signed = sign_in(config, refresh=r0)
    me = caller("branch_secretary", "/hj/hj-s1/hj-s1-b1", subject=account["account_id"])
    with rpc_as(config, me) as mine, rpc_as(config, ANONYMOUS) as anonymous:
        assert mine.members.verify_session(signed["session_id"]) is True
        assert mine.members.get_me()["roles"] == [
            {
                "role": "branch_secretary",
                "org_id": "hj-s1-b1",
                "scope": "/hj/hj-s1/hj-s1-b1",
                "org_name": "hj-s1-b1",  # its organization's name (the fixture's are their ids)
            }
        ]
        token0, r1 = f"{signed['session_id']}.{r0}", secret()
        anonymous.members.refresh_session({"refresh_token": token0, "refresh_secret": r1})
        error = remote_error(
            lambda: anonymous.members.refresh_session(
                {"refresh_token": token0, "refresh_secret": secret()}
            )
        )
        assert error.exc_type == "Unauthenticated"
        assert mine.members.verify_session(signed["session_id"]) is False  # reuse ended it

        second = sign_in(config)
        changed = mine.members.change_password(
            {
                "current_password": PASSWORD,
                "new_password": "Better-pw2",
                "request_id": uuid.uuid4().hex,
                "refresh_secret": secret(),
                "session_id": second["session_id"],
            }
        )
        assert changed["must_change_password"] is False
        assert mine.members.verify_session(second["session_id"]) is False
        assert mine.members.verify_session(changed["session_id"]) is True

    for _ in range(4):
        assert remote_error(lambda: sign_in(config)).exc_type == "Unauthenticated"
    assert remote_error(lambda: sign_in(config)).exc_type == "Locked"  # the fifth says so
    locked = remote_error(lambda: sign_in(config, password="Better-pw2"))
    assert locked.exc_type == "Locked" and "retry_after_seconds" in locked.value
    attempts = rpc.members.list_sign_in_attempts({"limit": 20})["items"]
    assert [a["outcome"] for a in attempts[:2]] == ["locked", "bad_password"]
    assert {a["ip"] for a in attempts} == {"192.0.2.1"}
    page = rpc.members.list_sign_in_attempts({"limit": 3})
    rest = rpc.members.list_sign_in_attempts({"limit": 20, "cursor": page["next_cursor"]})
    assert len(page["items"]) + len(rest["items"]) == len(attempts)


def test_managers_see_and_change_accounts_within_their_subtree(members):
    config, rpc = members
    near = create_account(rpc, "near", "hj-s1-b1")
    far = create_account(rpc, "far", "hj-s2", "grid_worker")
    street = caller("org_admin", "/hj/hj-s1", subject="street-admin")
    with rpc_as(config, street) as admin:
        listed = admin.members.list_accounts({})["items"]
        assert [a["username"] for a in listed] == ["near"]
        error = remote_error(lambda: admin.members.disable_account(far["account_id"]))
        assert error.exc_type == "Forbidden"
        granted = admin.members.grant_role(
            near["account_id"], {"role": "grid_worker", "org_id": "hj-s1"}
        )
        assert [r["scope"] for r in granted["roles"]] == ["/hj/hj-s1/hj-s1-b1", "/hj/hj-s1"]
        assert admin.members.revoke_role(near["account_id"], 1)["org_path"] == "/hj/hj-s1/hj-s1-b1"
        assert admin.members.disable_account(near["account_id"])["enabled"] is False
    assert remote_error(lambda: sign_in(config, "near")).exc_type == "Forbidden"
    everyone = rpc.members.list_accounts({"limit": 1})
    assert len(everyone["items"]) == 1 and everyone["next_cursor"]


def test_kiosk_pairing_revocation_and_the_sign_in_refusal(members):
    config, rpc = members
    code = rpc.members.create_pairing_code(
        {"org_id": "hj-s1-b1", "place": "党员活动室", "code": "20261123"}
    )
    assert code["place"] == "党员活动室" and datetime.fromisoformat(
        code["expires_at"]
    ) > datetime.now(UTC)
    with rpc_as(config, ANONYMOUS) as anonymous:
        paired = anonymous.members.pair_kiosk({"code": "20261123", "device_id": "kiosk-test1"})
        assert paired["session_id"] == "ks-kiosk-test1" and paired["revoked"] is False
        used = remote_error(
            lambda: anonymous.members.pair_kiosk({"code": "20261123", "device_id": "kiosk-test2"})
        )
        assert used.exc_type == "NotFound"
    assert [k["device_id"] for k in rpc.members.list_kiosks({})["items"]] == ["kiosk-test1"]
    assert rpc.members.get_kiosk("kiosk-test1")["org_path"] == "/hj/hj-s1/hj-s1-b1"
    device = caller("kiosk", "/hj/hj-s1/hj-s1-b1", subject="kiosk-test1", device="kiosk-test1")
    with rpc_as(config, device) as kiosk:
        assert kiosk.members.verify_session("ks-kiosk-test1") is True
        swipe = {"card_uid": "A0000001", "meeting_id": "m1"}
        # a swipe reads the kiosk (kept a few seconds) and gets as far as the unknown meeting
        assert remote_error(lambda: kiosk.members.check_in(swipe)).exc_type == "NotFound"
        assert rpc.members.revoke_kiosk("kiosk-test1")["revoked"] is True
        assert kiosk.members.verify_session("ks-kiosk-test1") is False
        refused = remote_error(lambda: kiosk.members.check_in(swipe))
        assert refused.exc_type == "Forbidden"  # the saved revocation dropped the cached read


def test_card_sign_ins_are_not_held_up_by_password_hashing(members, monkeypatch):
    """argon2id runs in native threads (eventlet's tpool): while a sign-in is inside the hash,
    the service's other workers (here: reading a member, as on the card-swipe path) answer. The
    hash is held open in its native thread until the read has answered (or 20 s have passed):
    had it run on the hub, the read could only answer after the hash had let go."""
    config, rpc = members
    create_account(rpc)
    birth = datetime(1980, 5, 6).date()
    member = rpc.members.register_member(
        {
            "org_id": "hj-s1-b1",
            "name": "李四",
            "gender": "male",
            "birth_date": birth.isoformat(),
            "id_number": make_id_number("410108", birth, 7, "male"),
            "phone": "13800001234",
            "join_date": "2005-07-01",
        }
    )
    native = eventlet.patcher.original("threading")
    hashing, read_answered = native.Event(), native.Event()
    verify = PasswordHasher.verify

    def held_verify(self, password_hash, password):
        hashing.set()
        read_answered.wait(20)
        return verify(self, password_hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", held_verify)
    signing_in = eventlet.spawn(sign_in, config)
    wait_for(hashing.is_set, timeout=20)
    with rpc_as(config, caller("county_operator", "/")) as reader:
        assert reader.members.get_member(member["member_id"])["member_id"] == member["member_id"]
    answered_during_the_hash = not signing_in.dead
    read_answered.set()
    assert signing_in.wait()["session_id"]
    assert answered_during_the_hash

"""Two deployments (two vhosts on the broker, two data directories) exchange a member: county A
issues a letter to county B, B's secretary accepts (a new member there), A records the receipt;
then B sends the member back to A the same way. The events travel through each deployment's
own exchange and a durable queue on the peer's vhost (transfers/bridge.py)."""

import base64
import os
import uuid
from datetime import date, timedelta
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
import requests
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ClusterRpcProxy

from services.members.idcard import make_id_number
from services.members.service import MembersService
from tests.conftest import caller, wait_for

KEY = base64.b64encode(b"t" * 32).decode()


@pytest.fixture
def vhost_b(request, rabbit_config):
    """A second vhost (county B) made through the management API, deleted at the end."""
    api = request.config.getoption("RABBIT_API_URI").rstrip("/")
    name = "transfers-b-" + uuid.uuid4().hex[:8]
    user = urlsplit(api).username or "guest"
    assert requests.put(f"{api}/api/vhosts/{quote(name, safe='')}", timeout=10).ok
    rights = {"configure": ".*", "write": ".*", "read": ".*"}
    url = f"{api}/api/permissions/{quote(name, safe='')}/{user}"
    assert requests.put(url, json=rights, timeout=10).ok
    parts = urlsplit(rabbit_config["AMQP_URI"])
    yield urlunsplit(parts._replace(path="/" + name))
    requests.delete(f"{api}/api/vhosts/{quote(name, safe='')}", timeout=10)


@pytest.fixture
def counties(runner_factory, make_config, rabbit_config, vhost_b, tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSFER_PEER_KEYS", f"county-a={KEY},county-b={KEY}")
    uri_a = rabbit_config["AMQP_URI"]
    a = make_config(
        "members",
        TRANSFERS={"deployment_id": "county-a", "peers": {"county-b": vhost_b}},
    )
    b = make_config(
        "members",
        AMQP_URI=vhost_b,
        DATA_DIR=str(tmp_path / "data-b"),
        TRANSFERS={"deployment_id": "county-b", "peers": {"county-a": uri_a}},
    )
    monkeypatch.delenv("TRANSFER_PEERS", raising=False)
    runner_factory(a, MembersService).start()
    runner_factory(b, MembersService).start()
    op = caller("county_operator", "/")
    with (
        ClusterRpcProxy(a, timeout=20, context_data=op) as rpc_a,
        ClusterRpcProxy(b, timeout=20, context_data=op) as rpc_b,
    ):
        for rpc, root in ((rpc_a, "hj"), (rpc_b, "js")):
            rpc.members.create_org({"org_id": root, "name": root, "kind": "committee"})
            rpc.members.create_org(
                {
                    "org_id": f"{root}-b1",
                    "parent_id": root,
                    "name": f"{root}一支部",
                    "kind": "branch",
                }
            )
        yield rpc_a.members, rpc_b.members


def accepted_there(rpc, key, org_id):
    def attempt():
        try:
            return rpc.accept_incoming_transfer({"key": key, "org_id": org_id})
        except RemoteError as error:
            if error.exc_type == "NotFound":
                return None
            raise

    return wait_for(attempt, timeout=20, interval=0.3)


def send(rpc_from, rpc_to, member_id, to_deployment, from_deployment, to_org):
    letter = rpc_from.issue_transfer(
        {
            "request_id": uuid.uuid4().hex,
            "member_id": member_id,
            "scope": "outside_city",
            "reason": "跨县调动",
            "to_deployment": to_deployment,
            "to_org_name": to_org,
        }
    )
    incoming = accepted_there(rpc_to, f"{from_deployment}|{letter['letter_no']}", to_org)
    assert incoming["state"] == "accepted" and incoming["org_id"] == to_org
    done = wait_for(
        lambda: (
            (found := rpc_from.get_transfer({"transfer_id": letter["transfer_id"]}))["state"]
            == "accepted"
            and found
        ),
        timeout=20,
        interval=0.3,
    )
    assert done["receipt_on"]
    return incoming["member_id"]


def test_a_member_moves_to_the_other_deployment_and_back(counties):
    rpc_a, rpc_b = counties
    born = date(1980, 3, 4)
    member = rpc_a.register_member(
        {
            "org_id": "hj-b1",
            "name": "王五",
            "gender": "male",
            "birth_date": born.isoformat(),
            "id_number": make_id_number("410108", born, 7, "male"),
            "phone": "13900001111",
            "join_date": (born + timedelta(days=365 * 25)).isoformat(),
            "card_uid": "AB000777",
        }
    )
    member_id = member["member_id"]
    in_b = send(rpc_a, rpc_b, member_id, "county-b", "county-a", "js-b1")
    there = rpc_b.get_member(in_b)
    assert there["org_id"] == "js-b1" and there["card_uid"] is None and in_b != member_id
    gone = wait_for(lambda: (m := rpc_a.get_member(member_id))["status"] == "transferred_out" and m)
    assert gone["card_uid"] is None  # left A's register: the card returned
    assert rpc_a.get_org_node("hj-b1")["counts"]["members"] == 0
    back = send(rpc_b, rpc_a, in_b, "county-a", "county-b", "hj-b1")
    assert back == member_id  # the same record in A's register, back in it
    home = rpc_a.get_member(member_id)
    assert (home["status"], home["org_id"]) == ("full", "hj-b1")
    assert rpc_a.get_org_node("hj-b1")["counts"]["members"] == 1
    wait_for(lambda: rpc_b.get_member(in_b)["status"] == "transferred_out")
    assert os.environ["TRANSFER_PEER_KEYS"]

"""The gateway's RPC client on the real broker: the caller travels as context data, a broker
that is away is a 503 (the proxy start included), a slow service a 504, and a failed proxy is
rebuilt so that calls succeed again once the broker (here: the vhost) is back."""

import eventlet
import pytest
import requests
from nameko.extensions import DependencyProvider
from nameko.rpc import rpc

from gateway.errors import ApiError
from gateway.rpc import RpcClient

CALLER = {"subject": "op-1", "role": "county_operator", "scope": "/hj", "ip": "127.0.0.1"}


class CallerData(DependencyProvider):
    def get_dependency(self, worker_ctx):
        return worker_ctx.data.get("caller")


class Members:
    """Stands in for the members service: says who called, or answers late."""

    name = "members"
    caller = CallerData()

    @rpc
    def whoami(self):
        return self.caller

    @rpc
    def slow(self, seconds):
        eventlet.sleep(seconds)
        return "late"


def test_the_caller_travels_with_every_call(container_factory, rabbit_config):
    container_factory(Members, rabbit_config).start()
    client = RpcClient(rabbit_config["AMQP_URI"], timeout=5)
    assert client.call("members", "whoami", caller=CALLER) == CALLER
    other = {**CALLER, "subject": "op-2", "role": "kiosk", "device": "kiosk-1"}
    assert client.call("members", "whoami", caller=other) == other
    assert client.call("members", "whoami") is None  # no stale caller from the last call


def test_a_broker_that_is_away_is_a_503_from_the_proxy_start_on():
    client = RpcClient("pyamqp://guest:guest@127.0.0.1:1/", timeout=2)
    for _ in range(2):  # the failed proxy is discarded, the next call tries a new one
        with pytest.raises(ApiError) as refused:
            client.call("members", "ping", caller=CALLER)
        assert refused.value.status == 503


def test_a_missing_service_is_503_and_a_slow_one_504_then_calls_work_again(
    container_factory, rabbit_config
):
    client = RpcClient(rabbit_config["AMQP_URI"], timeout=1)
    with pytest.raises(ApiError) as missing:
        client.call("members", "whoami", caller=CALLER)
    assert missing.value.status == 503
    container_factory(Members, rabbit_config).start()
    with pytest.raises(ApiError) as late:
        client.call("members", "slow", 3, caller=CALLER)
    assert late.value.status == 504
    assert client.call("members", "whoami", caller=CALLER) == CALLER


def test_calls_recover_when_the_vhost_is_deleted_and_recreated(
    container_factory, rabbit_config, request
):
    management = request.config.getoption("RABBIT_API_URI").rstrip("/")
    vhost = rabbit_config["AMQP_URI"].rsplit("/", 1)[1]
    container = container_factory(Members, rabbit_config)
    container.start()
    client = RpcClient(rabbit_config["AMQP_URI"], timeout=5)
    assert client.call("members", "whoami", caller=CALLER) == CALLER

    container.stop()
    requests.delete(f"{management}/api/vhosts/{vhost}", timeout=10).raise_for_status()
    for _ in range(2):
        with pytest.raises(ApiError) as away:
            client.call("members", "whoami", caller=CALLER)
        assert away.value.status == 503

    requests.put(f"{management}/api/vhosts/{vhost}", timeout=10).raise_for_status()
    requests.put(
        f"{management}/api/permissions/{vhost}/guest",
        json={"configure": ".*", "write": ".*", "read": ".*"},
        timeout=10,
    ).raise_for_status()
    container_factory(Members, rabbit_config).start()
    assert client.call("members", "whoami", caller=CALLER) == CALLER

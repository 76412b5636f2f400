"""notify's send_sms through the real broker and store: one text per key, written by the file
provider with the number masked; bad input refused by the contract."""

import json
from pathlib import Path

import pytest
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ClusterRpcProxy

from services.notify.service import NotifyService
from tests.conftest import caller


def test_send_sms_sends_once_per_key_and_refuses_bad_input(runner_factory, make_config):
    config = make_config("notify")
    runner_factory(config, NotifyService).start()
    text = {
        "key": "signin:0123456789",
        "phone": "13912345678",
        "template": "sign_in_code",
        "params": {"code": "123456", "minutes": "5"},
    }
    anonymous = caller("anonymous", "/", subject="phone-user")
    with ClusterRpcProxy(config, timeout=10, context_data=anonymous) as rpc:
        first = rpc.notify.send_sms(text)
        again = rpc.notify.send_sms(text)
        with pytest.raises(RemoteError) as refused:
            rpc.notify.send_sms({**text, "key": "signin:other-key", "phone": "10000"})
    assert first == {"key": text["key"], "status": "sent", "provider": "file"}
    assert again["status"] == "sent"
    assert refused.value.exc_type == "InvalidInput"
    lines = (Path(config["DATA_DIR"]) / "sms" / "messages.jsonl").read_text().splitlines()
    [row] = [json.loads(line) for line in lines]
    assert row["to"] == "139****5678" and "123456" in row["body"]
    assert "13912345678" not in "\n".join(lines)

"""The SMS channel: one text per key, a refused text forgotten so a retry sends it, the template
rendered in Chinese, the contract's checks, and the file provider's lines (number masked)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import litemongo
import pytest
from marshmallow import ValidationError

from services.infra.errors import Unavailable
from services.notify import commands, handlers, schemas
from services.notify.sms import FileSmsProvider, Text, provider_from_config
from services.notify.store import NotifyStore
from tests.unit.fakes_notify_volunteer import FakeNotifyUoW, RecordingSmsProvider

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
SETTINGS = handlers.Settings(locale="zh_CN", clock=lambda: NOW)


def code_text(key="signin:abcdef12", phone="13812345678", code="042917"):
    return commands.SendSms(key, phone, "sign_in_code", {"code": code, "minutes": "5"})


def test_a_text_is_sent_once_per_key_in_chinese():
    uow, provider = FakeNotifyUoW(), RecordingSmsProvider()
    first = handlers.send_sms(code_text(), uow, provider, SETTINGS)
    again = handlers.send_sms(code_text(), uow, provider, SETTINGS)
    assert first == {"key": "signin:abcdef12", "status": "sent", "provider": "recording"}
    assert again["status"] == "sent"
    [text] = provider.sent
    assert text.phone == "13812345678"
    assert text.body == "您的登录验证码为042917，5分钟内有效。如非本人操作，请忽略。"


def test_a_text_the_provider_refused_is_forgotten_so_the_retry_sends_it():
    uow, provider = FakeNotifyUoW(), RecordingSmsProvider()
    provider.down = True
    with pytest.raises(Unavailable) as refused:
        handlers.send_sms(code_text(), uow, provider, SETTINGS)
    assert refused.value.message == "短信发送失败，请稍后重试"
    provider.down = False
    assert handlers.send_sms(code_text(), uow, provider, SETTINGS)["status"] == "sent"
    assert len(provider.sent) == 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({"phone": "12345678901"}, "phone"),
        ({"phone": "1381234567"}, "phone"),
        ({"template": "marketing"}, "template"),
        ({"params": {"code": "1"}}, "params"),
        ({"params": {"code": "1", "minutes": "5", "extra": "x"}}, "params"),
        ({"key": "short"}, "key"),
        ({"key": "has space in it"}, "key"),
    ],
)
def test_the_contract_refuses_bad_texts(change, field):
    payload = {
        "key": "signin:abcdef12",
        "phone": "13812345678",
        "template": "sign_in_code",
        "params": {"code": "042917", "minutes": "5"},
        **change,
    }
    with pytest.raises(ValidationError) as refused:
        schemas.SendSms().load(payload)
    assert field in refused.value.messages


def test_the_file_provider_appends_one_line_per_text_with_the_number_masked(tmp_path: Path):
    provider = provider_from_config({"DATA_DIR": str(tmp_path)})
    assert isinstance(provider, FileSmsProvider)
    for n in range(2):
        provider.send(Text(f"key-{n}", "13812345678", f"body {n}", "sign_in_code"), NOW)
    lines = (tmp_path / "sms" / "messages.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["body"] for r in rows] == ["body 0", "body 1"]
    assert {r["to"] for r in rows} == {"138****5678"}
    assert "13812345678" not in "".join(lines)


def test_an_unknown_provider_is_refused_at_start():
    with pytest.raises(RuntimeError, match="SMS_PROVIDER"):
        provider_from_config({"SMS_PROVIDER": "carrier-pigeon"})


def test_the_store_keeps_one_record_per_key_and_forgets_a_refused_claim(tmp_path: Path):
    texts = NotifyStore(litemongo.connect(str(tmp_path))["notify"]).texts
    text = Text("signin:abcdef12", "13812345678", "body", "sign_in_code")
    assert texts.claim(text, NOW) is None
    assert texts.claim(text, NOW) == {"key": text.key, "status": "sending", "provider": ""}
    texts.unsent(text.key)
    assert texts.claim(text, NOW) is None
    texts.sent(text.key, "file", "f-1", NOW)
    texts.unsent(text.key)  # a sent text is never forgotten
    assert texts.claim(text, NOW) == {"key": text.key, "status": "sent", "provider": "file"}
    stored = texts.c.find_one({"_id": text.key})
    assert stored["to"] == "138****5678" and "13812345678" not in json.dumps(stored, default=str)

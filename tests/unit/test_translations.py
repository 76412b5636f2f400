"""Every user-facing message id in the code has a zh_CN translation."""

import ast
from pathlib import Path

import pytest

from services.infra.i18n import catalogue, gettext

ROOT = Path(__file__).resolve().parents[2]


def message_ids() -> set[str]:
    found = set()
    for folder in ("services", "gateway"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", None) in ("_", "gettext")
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                ):
                    found.add(node.args[0].value)
    return found


@pytest.mark.parametrize("msgid", sorted(message_ids()))
def test_message_has_a_chinese_translation(msgid):
    assert msgid in catalogue("zh_CN")


def test_default_locale_is_chinese_and_parameters_fill_in(monkeypatch):
    monkeypatch.delenv("LOCALE", raising=False)
    assert gettext("Unknown card") == "未登记的党员卡，请联系党支部书记登记"
    assert (
        gettext("The {service} service is unavailable", service="scoring")
        == "scoring服务暂不可用，请稍后重试"
    )
    assert gettext("Unknown card", "en") == "Unknown card"

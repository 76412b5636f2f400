"""The roster's columns: Chinese headers, what each maps to, how a cell's value is read (dates
as Excel dates or text, numbers Excel made of codes), and how a value is shown in a problem
(personal data masked). No I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from services.infra.i18n import _
from services.infra.pii import mask_id_number, mask_name, mask_phone

SHEET = "党员名册"
INSTRUCTIONS_SHEET = "填写说明"
ERROR_HEADER = "错误说明"


@dataclass(frozen=True)
class Column:
    header: str
    field: str  # RegisterMember's field, or a profile field (services/members/lifecycle/profile)
    required: bool = False
    example: str = ""
    hint: str = ""  # the instructions sheet's line (Chinese)


COLUMNS = (
    Column("姓名", "name", True, "张红", "必填，1至50个字"),
    Column("性别", "gender", True, "女", "必填：男 或 女"),
    Column("公民身份号码", "id_number", True, "410108199001011240", "必填，18位，请设为文本格式"),
    Column("手机号码", "phone", True, "17012345678", "必填，11位手机号"),
    Column(
        "出生日期", "birth_date", False, "1990-01-01", "可空（取自身份证号码）；须与身份证号码一致"
    ),
    Column("民族", "ethnicity", False, "汉族", "可空，如 汉族、回族"),
    Column("学历", "education", False, "大学本科", "可空，如 大学本科、硕士研究生"),
    Column(
        "入党日期", "join_date", True, "2015-07-01", "必填，如 2015-07-01、2015/7/1、2015年7月1日"
    ),
    Column("党员类型(正式/预备)", "status", False, "正式", "可空（默认 正式）：正式 或 预备"),
    Column(
        "所在党组织编码", "org_id", False, "", "可空（默认为导入到的党组织）；须在您的管理范围内"
    ),
    Column("工作单位", "work_unit", False, "", "可空，至多100个字"),
    Column("党内职务", "duties", False, "", "可空，多个用顿号分隔，如 书记、委员"),
    Column("技能特长", "skills", False, "", "可空，多个用顿号分隔，如 法律咨询、理发"),
    Column("家庭住址", "address", False, "", "可空，4至200个字"),
    Column("党员卡号", "card_uid", False, "", "可空，8至20位十六进制字符"),
)
BY_HEADER = {c.header: c for c in COLUMNS}
BY_FIELD = {c.field: c for c in COLUMNS}
# other spellings of a header people type (the template's header is the first)
ALIASES = {
    "党员类型": "党员类型(正式/预备)",
    "党员类型（正式/预备）": "党员类型(正式/预备)",
    "身份证号码": "公民身份号码",
    "身份证号": "公民身份号码",
}
GENDERS = {"男": "male", "女": "female", "male": "male", "female": "female"}
STATUSES = {
    "正式": "full",
    "正式党员": "full",
    "预备": "probationary",
    "预备党员": "probationary",
    "full": "full",
    "probationary": "probationary",
}
STATUS_LABELS = {
    "full": "正式",
    "probationary": "预备",
    "suspended": "停止党籍",
    "lapsed": "自行脱党",
    "withdrawn": "退党",
    "expelled": "开除党籍",
    "deceased": "去世",
    "transferred_out": "已转出",
}
DATE_FIELDS = ("birth_date", "join_date")
LIST_FIELDS = ("duties", "skills")
LIST_SEPARATORS = re.compile(r"[、,，;；]")
SHOWN_CHARS = 50
EXCEL_EPOCH = date(1899, 12, 30)
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def header_of(text: Any) -> str:
    """A header cell as the template names it (spaces dropped, known other spellings)."""
    name = re.sub(r"\s+", "", str(text or ""))
    return ALIASES.get(name, name)


class BadCell(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def text_of(value: Any, field: str = "") -> str:
    """A cell as text: numbers Excel stored for codes (phones) without their '.0'; an ID number
    Excel turned into a number lost its last digits and is refused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if field == "id_number" and value >= 1e15:
            raise BadCell(
                _(
                    "Excel turned the ID number into a number and lost digits: format the column as text and type it again"
                )
            )
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def date_of(value: Any) -> date:
    """A date from an Excel date, an Excel serial number, or text such as 2005-07-01,
    2005/7/1, 2005年7月1日, 2005.7.1 or 20050701."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 100000:
        return EXCEL_EPOCH + timedelta(days=int(value))
    text = text_of(value)
    match = _DATE_TEXT.match(text) or _DATE_DIGITS.match(text)
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise BadCell(_("Write a date such as 2005-07-01, 2005/7/1 or 2005年7月1日"))


def shown(field: str, value: Any) -> str:
    """A cell's value as a problem shows it: ID numbers, phones, names and addresses masked."""
    try:
        text = text_of(value)
    except BadCell:
        text = "*" * 18
    if not text:
        return ""
    if field == "id_number":
        return mask_id_number(text)
    if field == "phone":
        return mask_phone(text)
    if field == "name":
        return mask_name(text)
    if field == "address":
        return text[: min(6, len(text) // 2)] + "****"
    return text[:SHOWN_CHARS]


def list_of(text: str) -> list[str]:
    return [part.strip() for part in LIST_SEPARATORS.split(text) if part.strip()]

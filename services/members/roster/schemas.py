"""The roster part of the members service's contract: RPC arguments (loaded into commands) and
results. Files travel as base64 text in chunks (RosterSettings.chunk_bytes), so no RPC message
grows past about 700 KB. The roster publishes no events of its own: an import registers through
``register_members`` (``member_registered``) and updates through lifecycle's profile change
(``member_updated``)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate

from services.infra.schemas import Strict, Text
from services.members.domain import MEMBER_STATUSES
from services.members.roster import commands
from services.members.schemas import ORG_ID

PUBLISHED_EVENTS: dict[str, Any] = {}

FILE_HASH = validate.Regexp(r"^[0-9a-f]{64}$", error="a sha256 in lower-case hex")
IMPORT_ID = validate.Regexp(r"^ri-[0-9a-f]{20}$", error="not a roster import id")
FILE_ID = validate.Regexp(r"^rf-[0-9a-f]{32}$", error="not a file id")


class Base64Bytes(fields.Field):
    """Bytes as base64 text on the wire."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bytes:
        if not isinstance(value, str):
            raise ValidationError("Not a valid string.")
        try:
            return base64.b64decode(value.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError):
            raise ValidationError("not base64 text") from None

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else base64.b64encode(value).decode("ascii")


class PutChunk(Strict):
    file_hash = Text(required=True, validate=FILE_HASH)
    index = fields.Integer(required=True, validate=validate.Range(0, 9999))
    data = Base64Bytes(required=True)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.PutChunk:
        return commands.PutChunk(**data)


class StartImport(Strict):
    org_id = Text(required=True, validate=ORG_ID)
    file_hash = Text(required=True, validate=FILE_HASH)
    size = fields.Integer(required=True, validate=validate.Range(1, None))
    chunks = fields.Integer(required=True, validate=validate.Range(1, 9999))
    filename = Text(load_default="roster.xlsx", validate=validate.Length(1, 200))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.StartImport:
        return commands.StartImport(**data)


class ImportRef(Strict):
    import_id = Text(required=True, validate=IMPORT_ID)


class ListProblems(Strict):
    import_id = Text(required=True, validate=IMPORT_ID)
    cursor = Text(load_default=None, allow_none=True, validate=validate.Length(1, 400))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ListProblems:
        return commands.ListProblems(**data)


class ExportMembers(Strict):
    org_id = Text(required=True, validate=ORG_ID)
    subtree = fields.Boolean(load_default=False)
    status = Text(load_default=None, allow_none=True, validate=validate.OneOf(MEMBER_STATUSES))
    full = fields.Boolean(load_default=False)
    reason = Text(load_default=None, allow_none=True, validate=validate.Length(2, 200))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ExportMembers:
        if data["full"] and not data.get("reason"):
            raise ValidationError("Give the reason for reading personal data", "reason")
        return commands.ExportMembers(**data)


class Template(Strict):
    format = Text(load_default="xlsx", validate=validate.OneOf(("xlsx", "csv")))


class ReadFileChunk(Strict):
    file_id = Text(required=True, validate=FILE_ID)
    index = fields.Integer(load_default=0, validate=validate.Range(0, 9999))

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ReadFileChunk:
        return commands.ReadFileChunk(**data)


class CountsOut(Schema):
    rows = fields.Integer()
    checked = fields.Integer()
    new = fields.Integer()
    updates = fields.Integer()
    unchanged = fields.Integer()
    refused = fields.Integer()
    problems = fields.Integer()
    done = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    failed = fields.Integer()


class ProgressOut(Schema):
    done = fields.Integer()
    total = fields.Integer()


class ImportOut(Schema):
    import_id = fields.String()
    org_id = fields.String()
    org_path = fields.String()
    state = fields.String()
    filename = fields.String()
    format = fields.String()
    encoding = fields.String()
    size = fields.Integer()
    counts = fields.Nested(CountsOut)
    progress = fields.Nested(ProgressOut)
    error = fields.String()
    unknown_columns = fields.List(fields.String())
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime(allow_none=True)


class ProblemOut(Schema):
    row = fields.Integer()
    column = fields.String()
    value_masked = fields.String(attribute="value")
    reason = fields.String()


class ProblemsPage(Schema):
    items = fields.List(fields.Nested(ProblemOut))
    next_cursor = fields.String(allow_none=True)


class FileOut(Schema):
    file_id = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    chunks = fields.Integer()


class FileChunkOut(FileOut):
    index = fields.Integer()
    data = Base64Bytes()


class TemplateOut(Schema):
    filename = fields.String()
    content_type = fields.String()
    data = Base64Bytes()

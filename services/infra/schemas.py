"""Schema pieces shared by every service's contract."""

from __future__ import annotations

from functools import cache
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields

from services.infra.errors import InvalidInput
from services.infra.i18n import _


class EnvelopeSchema(Schema):
    """Fields every event payload carries. Consumers ignore fields they do not list."""

    class Meta:
        unknown = EXCLUDE

    event_id = fields.UUID(required=True)
    occurred_at = fields.AwareDateTime(required=True)
    version = fields.Integer(required=True)
    org_path = fields.String(required=True)


@cache
def shared(schema: type[Schema], many: bool = False) -> Schema:
    """One instance per schema class: building a schema (and its nested fields) costs more than
    using it, and marshmallow schemas are safe to reuse for load and dump."""
    return schema(many=many)


def load(schema: type[Schema], data: Any, *, many: bool = False) -> Any:
    """Load an RPC argument; a bad one becomes InvalidInput with the field messages."""
    try:
        return shared(schema, many).load(data)
    except ValidationError as error:
        raise InvalidInput(_("Some fields are missing or invalid"), fields=error.messages) from None


class Strict(Schema):
    """An RPC argument schema: fields nobody documented are refused, not ignored."""

    class Meta:
        unknown = RAISE


class Text(fields.String):
    """A string that can be stored and shown: valid UTF-8 (no lone surrogates), no control
    characters other than tab and newline."""

    default_error_messages = {  # noqa: RUF012 (marshmallow merges this class attribute)
        "invalid_text": "Text contains characters that cannot be stored."
    }

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise self.make_error("invalid_text") from None
        if any(ord(ch) < 32 and ch not in "\t\n" for ch in text):
            raise self.make_error("invalid_text")
        return text


class UpperText(Text):
    """Card UIDs and similar codes: readers send either case, stored upper case."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip().upper()


def dump(schema: type[Schema], obj: Any, *, many: bool = False) -> Any:
    """An RPC result through its output schema."""
    return shared(schema, many).dump(obj)


def with_created(schema: type[Schema], obj: Any, created: bool) -> dict[str, Any]:
    """The result of a create-or-find RPC: the object through its output schema, plus whether
    this call created it."""
    return {**shared(schema).dump(obj), "created": created}

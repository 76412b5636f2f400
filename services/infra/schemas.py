"""Schema pieces shared by every service's contract."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields

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


def load(schema: Schema, data: Any) -> Any:
    """Load an RPC argument; a bad one becomes InvalidInput with the field messages."""
    try:
        return schema.load(data)
    except ValidationError as error:
        raise InvalidInput(_("Some fields are missing or invalid"), fields=error.messages) from None

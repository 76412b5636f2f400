"""HTTP schemas of the organization register's routes (gateway/routes_tree.py)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from gateway.http_schemas import ISO_DAY, ORG_ID, Strict, Timestamp
from services.infra.schemas import Text

MEMBER_ID = validate.Length(1, 64)
REASON = validate.Length(1, 200)


class GridIn(Strict):
    leader_id = Text(load_default=None, allow_none=True, validate=MEMBER_ID)
    worker_ids = fields.List(
        Text(validate=MEMBER_ID), load_default=list, validate=validate.Length(0, 200)
    )
    households = fields.Integer(load_default=0, validate=validate.Range(0, 1_000_000))


class OrgPatchIn(Strict):
    """Only the fields sent change; ``version`` is the one the organization was read at."""

    version = fields.Integer(
        required=True,
        validate=validate.Range(0, 2**31),
        metadata={"description": "The organization's version as read (a newer one: 409)"},
    )
    name = Text(validate=validate.Length(1, 100))
    tags = fields.List(Text(validate=validate.Length(1, 30)), validate=validate.Length(0, 20))
    ends_on = Text(
        allow_none=True,
        validate=ISO_DAY,
        metadata={"format": "date", "description": "A temporary branch's end; null: none"},
    )
    grid = fields.Nested(GridIn, metadata={"description": "A grid's leader, workers, households"})

    @validates_schema
    def something(self, data: dict[str, Any], **_: Any) -> None:
        if set(data) == {"version"}:
            raise ValidationError("Send at least one field to change", "name")


class MoveIn(Strict):
    new_parent_id = Text(required=True, validate=ORG_ID)


class MergeIn(Strict):
    into_org_id = Text(required=True, validate=ORG_ID)
    reason = Text(required=True, validate=REASON)


class ReasonIn(Strict):
    reason = Text(required=True, validate=REASON)


class TemporaryMembersIn(Strict):
    member_ids = fields.List(
        Text(validate=MEMBER_ID), required=True, validate=validate.Length(1, 200)
    )
    reason = Text(required=True, validate=REASON)


class MoveOut(Schema):
    move_id = fields.String(required=True)
    org_id = fields.String(required=True)
    from_path = fields.String(required=True)
    to_path = fields.String(required=True)
    new_parent_id = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(("running", "done")))
    phase = fields.String(required=True)
    orgs = fields.Integer(required=True, metadata={"description": "Organizations moved"})
    members = fields.Integer(required=True, metadata={"description": "Members in the register"})
    progress = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Documents rewritten so far, by kind"},
    )
    started_at = Timestamp(required=True)
    finished_at = Timestamp(allow_none=True)


class ActorOut(Schema):
    subject = fields.String(required=True)
    role = fields.String(required=True)


class HistoryEntryOut(Schema):
    change_id = fields.String(required=True)
    org_id = fields.String(required=True)
    at = Timestamp(required=True)
    actor = fields.Nested(ActorOut, required=True)
    action = fields.String(required=True)
    changes = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Raw(allow_none=True)),
        metadata={"description": "field: [old, new]"},
    )


class HistoryPage(Schema):
    items = fields.List(fields.Nested(HistoryEntryOut), required=True)
    next_cursor = fields.String(required=True, allow_none=True)


class PlacedOut(Schema):
    placed = fields.Integer(required=True)


class ReturnedOut(Schema):
    returned = fields.Integer(required=True)

"""The register's part of the members service's contract: RPC arguments (loaded into
commands), results, and the events it publishes on members.events."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from services.infra.schemas import EnvelopeSchema, Strict, Text
from services.members.domain import Grid
from services.members.schemas import MEMBER_ID, ORG_ID, Paged, page_of
from services.members.tree import commands

REASON = validate.Length(1, 200)
MOVE_ID = validate.Length(1, 64)


class GridIn(Strict):
    leader_id = Text(load_default=None, allow_none=True, validate=MEMBER_ID)
    worker_ids = fields.List(
        Text(validate=MEMBER_ID), load_default=list, validate=validate.Length(0, 200)
    )
    households = fields.Integer(load_default=0, validate=validate.Range(0, 1_000_000))

    @post_load
    def grid(self, data: dict[str, Any], **_: Any) -> Grid:
        workers = tuple(dict.fromkeys(data["worker_ids"]))
        return Grid(data["leader_id"], workers, data["households"])


class UpdateOrg(Strict):
    org_id = Text(required=True, validate=ORG_ID)
    version = fields.Integer(required=True, validate=validate.Range(0, 2**31))
    name = Text(validate=validate.Length(1, 100))
    tags = fields.List(Text(validate=validate.Length(1, 30)), validate=validate.Length(0, 20))
    ends_on = fields.Date(allow_none=True)  # null: no end date any more
    grid = fields.Nested(GridIn)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.UpdateOrg:
        clear = "ends_on" in data and data["ends_on"] is None
        return commands.UpdateOrg(**data, clear_ends_on=clear)


class MoveOrg(Strict):
    org_id = Text(required=True, validate=ORG_ID)
    new_parent_id = Text(required=True, validate=ORG_ID)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.MoveOrg:
        return commands.MoveOrg(**data)


class MergeOrg(Strict):
    org_id = Text(required=True, validate=ORG_ID)
    into_org_id = Text(required=True, validate=ORG_ID)
    reason = Text(required=True, validate=REASON)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.MergeOrg:
        return commands.MergeOrg(**data)


class DissolveOrg(Strict):
    org_id = Text(required=True, validate=ORG_ID)
    reason = Text(required=True, validate=REASON)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.DissolveOrg:
        return commands.DissolveOrg(**data)


class TemporaryMembers(Strict):
    org_id = Text(required=True, validate=ORG_ID)
    member_ids = fields.List(
        Text(validate=MEMBER_ID), required=True, validate=validate.Length(1, 200)
    )
    reason = Text(required=True, validate=REASON)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.PlaceTemporaryMembers:
        return commands.PlaceTemporaryMembers(
            data["org_id"], list(dict.fromkeys(data["member_ids"])), data["reason"]
        )


class ListOrgHistory(Paged):
    org_id = Text(required=True, validate=ORG_ID)

    @post_load
    def command(self, data: dict[str, Any], **_: Any) -> commands.ListOrgHistory:
        return commands.ListOrgHistory(**data)


class MoveOut(Schema):
    move_id = fields.String()
    org_id = fields.String()
    from_path = fields.String()
    to_path = fields.String()
    new_parent_id = fields.String()
    state = fields.String()
    phase = fields.String()
    orgs = fields.Integer()
    members = fields.Integer()
    progress = fields.Dict(keys=fields.String(), values=fields.Integer())
    started_at = fields.AwareDateTime()
    finished_at = fields.AwareDateTime(allow_none=True)


class ActorOut(Schema):
    subject = fields.String()
    role = fields.String()


class HistoryEntryOut(Schema):
    change_id = fields.String()
    org_id = fields.String()
    at = fields.AwareDateTime()
    actor = fields.Nested(ActorOut)
    action = fields.String()
    changes = fields.Dict(keys=fields.String(), values=fields.List(fields.Raw(allow_none=True)))


HistoryPage = page_of(HistoryEntryOut, "OrgHistoryPage")


class PlacedOut(Schema):
    placed = fields.Integer()


class ReturnedOut(Schema):
    returned = fields.Integer()


# -- events published on members.events ------------------------------------------------------


class OrgChanged(EnvelopeSchema):
    org_id = fields.String(required=True)
    changed = fields.List(fields.String(), required=True)


class OrgMoved(EnvelopeSchema):
    org_id = fields.String(required=True)
    from_path = fields.String(required=True)
    to_path = fields.String(required=True)


class OrgMerged(EnvelopeSchema):
    org_id = fields.String(required=True)
    into_org_id = fields.String(required=True)
    into_path = fields.String(required=True)
    members = fields.Integer(required=True)


class OrgDissolved(EnvelopeSchema):
    org_id = fields.String(required=True)
    dissolved_on = fields.Date(required=True)
    returned = fields.Integer(required=True)
    reason = fields.String(required=True)


PUBLISHED_EVENTS: dict[str, Any] = {
    "org_changed": OrgChanged,
    "org_moved": OrgMoved,
    "org_merged": OrgMerged,
    "org_dissolved": OrgDissolved,
}

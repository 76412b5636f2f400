"""The roster routes' HTTP schemas: the upload form, the queries, the import job and its
problems (routes_roster.py)."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from gateway.http_schemas import PageQuery, Strict, Timestamp
from services.infra.schemas import Text

STATES = ("queued", "checking", "checked", "importing", "done", "failed")
MEMBER_STATUSES = (
    "full",
    "probationary",
    "suspended",
    "lapsed",
    "withdrawn",
    "expelled",
    "deceased",
    "transferred_out",
)


class TemplateQuery(Strict):
    format = Text(
        load_default="xlsx",
        validate=validate.OneOf(("xlsx", "csv")),
        metadata={"description": "xlsx (with an instructions sheet) or csv (UTF-8 with a BOM)"},
    )


class RosterUpload(Strict):
    file = Upload(
        required=True,
        metadata={"description": "The roster: XLSX or CSV (UTF-8 or GB18030), at most 20 MB"},
    )


class ProblemsQuery(PageQuery):
    pass


class ExportQuery(Strict):
    subtree = fields.Boolean(
        load_default=False, metadata={"description": "The whole subtree's members, not its own"}
    )
    status = Text(validate=validate.OneOf(MEMBER_STATUSES))
    full = fields.Boolean(
        load_default=False,
        metadata={"description": "Personal data in full (staff only, with a reason; audited)"},
    )
    reason = Text(validate=validate.Length(2, 200))


class RosterCounts(Schema):
    rows = fields.Integer(metadata={"description": "Data rows in the file"})
    checked = fields.Integer(metadata={"description": "Dry run: rows checked so far"})
    new = fields.Integer(metadata={"description": "Dry run: persons to register"})
    updates = fields.Integer(metadata={"description": "Dry run: members whose profile changes"})
    unchanged = fields.Integer(metadata={"description": "Dry run: members left as they are"})
    refused = fields.Integer(metadata={"description": "Rows with problems (not imported)"})
    problems = fields.Integer(metadata={"description": "Problems listed"})
    done = fields.Integer(metadata={"description": "Import: rows gone through"})
    created = fields.Integer()
    updated = fields.Integer()
    failed = fields.Integer(metadata={"description": "Rows the import itself refused"})


class RosterProgress(Schema):
    done = fields.Integer()
    total = fields.Integer()


class RosterImportOut(Schema):
    import_id = fields.String()
    org_id = fields.String()
    org_path = fields.String()
    state = fields.String(validate=validate.OneOf(STATES))
    filename = fields.String()
    format = fields.String()
    encoding = fields.String(metadata={"description": "A CSV's encoding as read"})
    size = fields.Integer()
    counts = fields.Nested(RosterCounts)
    progress = fields.Nested(RosterProgress)
    error = fields.String(metadata={"description": "Why it failed (Chinese)"})
    unknown_columns = fields.List(fields.String())
    created_at = Timestamp()
    updated_at = Timestamp(allow_none=True)


class RosterProblem(Schema):
    row = fields.Integer(metadata={"description": "The row in the file (1: the headers)"})
    column = fields.String(metadata={"description": "The column's header"})
    value_masked = fields.String(metadata={"description": "The value, personal data masked"})
    reason = fields.String(metadata={"description": "What is wrong, in Chinese"})


class RosterProblemsPage(Schema):
    items = fields.List(fields.Nested(RosterProblem))
    next_cursor = fields.String(allow_none=True)

"""The AsyncAPI catalogue lists every event the code publishes, with examples the code accepts."""

import ast
from pathlib import Path

import jsonschema
import pytest
import yaml

from services.members import schemas as members
from services.members.dues import schemas as dues
from services.members.lifecycle import schemas as lifecycle
from services.members.mobile import schemas as mobile
from services.members.orglife import schemas as orglife
from services.members.plans import schemas as plans
from services.members.roster import schemas as roster
from services.members.transfers import schemas as transfers
from services.members.tree import schemas as tree
from services.scoring import schemas as scoring
from services.volunteer import schemas as volunteer

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = yaml.safe_load((ROOT / "docs" / "asyncapi.yaml").read_text(encoding="utf-8"))
PUBLISHED = (
    {
        ("members", name): schema
        for part in (
            members,
            tree,
            lifecycle,
            roster,
            orglife,
            plans,
            dues,
            transfers,
            mobile,
        )
        for name, schema in part.PUBLISHED_EVENTS.items()
    }
    | {("scoring", name): schema for name, schema in scoring.PUBLISHED_EVENTS.items()}
    | {("volunteer", name): schema for name, schema in volunteer.PUBLISHED_EVENTS.items()}
)


def events_in_code() -> set[tuple[str, str]]:
    """Every new_event("<type>", ...) call under services/<service>/ (sub-packages too)."""
    found = set()
    for path in (ROOT / "services").glob("*/**/*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "new_event":
                service = path.relative_to(ROOT / "services").parts[0]
                found.add((service, node.args[0].value))
    return found


def channel(service: str, event: str) -> dict:
    return CATALOGUE["channels"][f"{service}.events/{event}"]


def message(event: str) -> dict:
    return CATALOGUE["components"]["messages"][event]


def resolve(schema):
    """Inline the local $refs so jsonschema can check a payload."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            name = schema["$ref"].split("/")[-1]
            return resolve(CATALOGUE["components"]["schemas"][name])
        return {k: resolve(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [resolve(v) for v in schema]
    return schema


def test_every_published_event_is_declared_and_catalogued():
    assert events_in_code() == set(PUBLISHED)
    assert {f"{s}.events/{e}" for s, e in PUBLISHED} == set(CATALOGUE["channels"])


@pytest.mark.parametrize(("service", "event"), sorted(PUBLISHED))
def test_examples_validate_against_the_code_and_the_catalogue(service, event):
    schema = PUBLISHED[(service, event)]
    entry = message(event)
    assert channel(service, event)["bindings"]["amqp"]["exchange"]["name"] == f"{service}.events"
    for example in entry["examples"]:
        schema().load(example["payload"])  # raises if the code would reject it
        jsonschema.validate(
            example["payload"], resolve(entry["payload"]), format_checker=jsonschema.FormatChecker()
        )


@pytest.mark.parametrize(("service", "event"), sorted(PUBLISHED))
def test_catalogue_fields_match_the_code(service, event):
    declared = set()
    for part in message(event)["payload"]["allOf"]:
        declared |= set(resolve(part)["properties"])
    assert declared == set(PUBLISHED[(service, event)]().fields)

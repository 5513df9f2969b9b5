"""/api/v1/openapi.json documents every body: valid OpenAPI 3.1, no untyped response, and the
responses the API really sends match the schemas it documents."""

import json
import uuid

import pytest
from django.test import Client
from openapi_spec_validator import validate
from pydantic import TypeAdapter

from parley.api import schemas as s
from parley.core.frames import frames
from parley.stream.schemas import all_event_types
from tests import factories as f
from tests.support.schema_check import frame_problem

pytestmark = pytest.mark.usefixtures("no_rate_limit")


@pytest.fixture
def document(db):
    r = Client().get("/api/v1/openapi.json")
    assert r.status_code == 200
    return r.json()


def resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = document["components"]["schemas"][name]
    return schema


def untyped(document: dict, schema: dict, where: str) -> list[str]:
    """Where a schema says nothing: empty, a bare object, an empty union."""
    schema = resolve(document, schema)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            members = schema[key]
            if not members:
                return [f"{where}: empty {key}"]
            return [p for i, m in enumerate(members) for p in untyped(document, m, f"{where} {key}[{i}]")]
    if schema.get("type") == "array":
        return untyped(document, schema.get("items", {}), f"{where} items")
    if schema.get("type") == "object" and schema.get("properties"):
        return []
    return [f"{where}: the schema is {schema or 'empty'}, not a described object"]


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_response_of_every_operation_has_a_described_schema(document):
    problems, seen = [], 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation["responses"], f"{method.upper()} {path} documents no response"
            for status, response in operation["responses"].items():
                where = f"{method.upper()} {path} {status}"
                if status == "204":  # No Content: HTTP forbids a body
                    assert "content" not in response, f"{where} documents a body"
                    continue
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                if schema is None:
                    problems.append(f"{where}: no JSON body documented")
                    continue
                problems += untyped(document, schema, where)
                seen += 1
    assert seen > 20
    assert problems == []


def test_a_bare_object_or_an_empty_schema_is_caught(document):
    assert untyped(document, {"type": "object"}, "x") and untyped(document, {}, "x")
    assert untyped(document, {"anyOf": [{"$ref": "#/components/schemas/ErrorOut"}, {"type": "object"}]}, "x")
    assert untyped(document, {"$ref": "#/components/schemas/ErrorOut"}, "x") == []


def test_frames_takes_the_union_of_every_registered_frame_and_answers_their_replies(document):
    operation = document["paths"]["/api/v1/frames"]["post"]
    body = resolve(document, operation["requestBody"]["content"]["application/json"]["schema"])
    assert body["discriminator"]["propertyName"] == "type"
    assert sorted(body["discriminator"]["mapping"]) == frames.known()
    for name, ref in body["discriminator"]["mapping"].items():
        member = resolve(document, {"$ref": ref})
        assert member["properties"]["type"]["const"] == name
    replies = operation["responses"]["200"]["content"]["application/json"]["schema"]["anyOf"]
    documented = {resolve(document, r)["properties"]["type"]["const"] for r in replies}
    declared = {m.model_fields["type"].annotation.__args__[0] for m in frames.replies()} - {"error"}
    assert documented == declared
    for status in ("400", "404", "422", "429", "500", "503"):
        assert operation["responses"][status]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")


def test_events_are_documented_per_event_type(document):
    items = document["components"]["schemas"]["EventsOut"]["properties"]["events"]["items"]
    assert items["discriminator"]["propertyName"] == "event"
    assert sorted(items["discriminator"]["mapping"]) == all_event_types()


def _matches(model, response) -> dict:
    """The body validates against the documented model and the model describes it exactly."""
    adapter = TypeAdapter(model)
    parsed = adapter.validate_json(response.content, strict=True)
    assert adapter.dump_python(parsed, mode="json", exclude_unset=True) == response.json()
    return response.json()


@pytest.mark.django_db(transaction=True)  # /events and /frames are async: their reads see committed rows
def test_what_the_api_sends_matches_what_it_documents():
    alice, bob = f.user("alice"), f.user("bob")
    listing = f.listing(seller=alice)
    api = Client()
    api.force_login(bob)
    post = lambda path, body: api.post("/api/v1" + path, json.dumps(body), content_type="application/json")  # noqa: E731

    conv = _matches(s.ConversationOut, post("/conversations", {"listing_id": listing.pk}))["conversation"]["id"]
    path = f"/conversations/{conv}"
    _matches(s.MessageEnvelope, post(path + "/messages", {"body": "hi", "client_msg_id": str(uuid.uuid4())}))
    _matches(s.ReadMarkOut, post(path + "/read", {}))
    _matches(s.MeOut, api.get("/api/v1/me"))
    _matches(s.InboxPageOut, api.get("/api/v1/conversations", {"limit": 1}))
    _matches(s.ConversationDetailEnvelope, api.get("/api/v1" + path))
    _matches(s.MessagePageOut, api.get(f"/api/v1{path}/messages"))
    events = _matches(s.EventsOut, api.get("/api/v1/events", {"since": 0}))["events"]
    assert {e["event"] for e in events} == {"conversation.started", "message.created"}
    _matches(s.EventsOut, api.get("/api/v1/events", {"since": 99}))  # resync_required
    _matches(s.ErrorOut, api.get("/api/v1/conversations/999999"))

    replies = [
        post("/frames", {"type": "send", "id": 1, "conversation_id": conv, "body": "again", "client_msg_id": str(uuid.uuid4())}),
        post("/frames", {"type": "read", "conversation_id": conv}),
        post("/frames", {"type": "sync", "since": 0}),
        post("/frames", {"type": "sync", "since": 99}),
        post("/frames", {"type": "ping"}),
    ]
    assert [r.json()["type"] for r in replies] == ["ack", "ack", "sync", "resync_required", "pong"]
    assert [frame_problem(r.json()) for r in replies] == [None] * 5
    assert "event" in replies[0].json()
    _matches(s.ErrorOut, post("/frames", {"type": "nope"}))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("raw, code", [
    ("not json", "bad_json"),
    ("[1, 2]", "bad_frame"),
    ('{"type": "nope"}', "unknown_type"),
    ('{"type": "ping", "pad": "' + "x" * 20000 + '"}', "frame_too_large"),
])
def test_frames_answers_a_bad_frame_with_a_400_error_body(raw, code):
    """Not a 500 page: every status the dispatcher gives is one the endpoint documents."""
    api = Client(raise_request_exception=False)
    api.force_login(f.user("zed"))
    r = api.post("/api/v1/frames", raw, content_type="application/json")
    assert r.status_code == 400, r.content[:200]
    assert _matches(s.ErrorOut, r)["error"]["code"] == code

"""docs/protocol.md lists every event type and every frame type the code registers, and no
other (as Zulip's test_events holds its API documentation to its event schemas).

The registries are the source: parley.stream.schemas for events, parley.core.frames for
client frames (their declarations) and server frames (declared replies and
`frames.server_frame`). In the doc, each has a `### \\`type\\`` heading in its section.
"""

import re
from pathlib import Path

import pytest
from django.test import Client

from parley.core.frames import frames
from parley.stream.schemas import all_event_types

DOC = Path(__file__).resolve().parents[1] / "docs" / "protocol.md"

SECTIONS = {
    "Client → server frames": lambda: frames.known(),
    "Server → client frames": lambda: frames.server_types(),
    "Events": lambda: all_event_types(),
}


def headed_names(text: str) -> dict[str, set[str]]:
    """{section title: the backticked names that open its ### headings}."""
    found: dict[str, set[str]] = {}
    section = None
    in_code = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif in_code:
            continue
        elif line.startswith("## "):
            section = line[3:].strip()
            found.setdefault(section, set())
        elif line.startswith("### ") and section is not None:
            match = re.match(r"### `([^`]+)`", line)
            if match:
                found[section].add(match.group(1))
    return found


@pytest.mark.parametrize("section", list(SECTIONS))
def test_every_registered_type_has_its_heading_and_every_heading_is_registered(section):
    documented = headed_names(DOC.read_text()).get(section)
    assert documented is not None, f"docs/protocol.md has no '## {section}' section"
    registered = set(SECTIONS[section]())
    assert registered, section
    missing, stale = sorted(registered - documented), sorted(documented - registered)
    assert not missing, f"docs/protocol.md § {section}: add a '### `name`' heading for {missing}"
    assert not stale, f"docs/protocol.md § {section}: {stale} are not registered in the code any more"


def test_every_api_operation_is_in_the_doc(db):
    """Each METHOD and path of the OpenAPI document appears in docs/protocol.md."""
    text = re.sub(r"\{[^}]*\}", "{}", DOC.read_text())
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    missing = []
    for path, operations in paths.items():
        for method in operations:
            mention = f"{method.upper()} {re.sub(r'{[^}]*}', '{}', path)}"
            if not re.search(re.escape(mention) + r"[`?\s]", text):
                missing.append(mention)
    assert missing == [], f"docs/protocol.md does not describe {missing}"


def test_the_parser_sees_headings_only_outside_code():
    text = "## Events\n### `a.b`: x\n```\n### `not.this`\n```\n### plain\n## Other\n### `c`\n"
    assert headed_names(text) == {"Events": {"a.b"}, "Other": {"c"}}

"""Schemathesis over /api/v1/openapi.json against a real server, authenticated with an app token.

Every operation gets generated requests, valid and invalid; the checks ask for no server
error, responses that match their documented schema, status and content type, and no
accepted request that breaks its own schema. `make test` runs a short pass
(PARLEY_FUZZ_EXAMPLES, 10 per operation by default); .ci/run a longer one.

Left out: `POST /auth/token` (each attempt hashes a password, about a second of CPU, and its
rules are tested in tests/tokens/) and `DELETE /devices/{id}` (it would sign the fuzzer's own
device out half way; tested in tests/tokens/). The long-poll's `timeout` is capped at 0.2 s.

Not asked: that every schema-valid request is accepted (schemathesis' positive_data_acceptance).
Some valid-looking input is refused on purpose, with `invalid` or `not_found`: an opaque
inbox cursor the server never gave out, a body of spaces, someone else's conversation.

"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.support.live import LiveServer

EXAMPLES = int(os.environ.get("PARLEY_FUZZ_EXAMPLES", "10"))


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    """A server of its own: the fuzzer's bad log-ins and revocations must not touch other tests'."""
    server = LiveServer(workdir=tmp_path_factory.mktemp("fuzz")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def token(fuzz_server):
    r = fuzz_server.client().post("/api/v1/auth/token", json={"username": "bob", "password": "parley-demo",
                                                             "device_name": "schemathesis"})
    assert r.status_code == 201, r.text
    return r.json()["access_token"]


def _document() -> dict:
    """The server's own document, built in-process (the same object serves /api/v1/openapi.json)."""
    from parley.api.v1 import api

    return api.get_openapi_schema(path_prefix="/api/v1/")


schema = (
    schemathesis.openapi.from_dict(_document())
    .exclude(method="POST", path="/api/v1/auth/token")
    .exclude(method="DELETE", path_regex=r"/devices/")
)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_its_schema(case, token, fuzz_server):
    if isinstance(case.query, dict) and "timeout" in case.query:
        case.query["timeout"] = 0.2 if isinstance(case.query["timeout"], (int, float)) else case.query["timeout"]
    case.call_and_validate(base_url=fuzz_server.base_url, headers={"Authorization": f"Bearer {token}"},
                           excluded_checks=[positive_data_acceptance])

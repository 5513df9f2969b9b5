"""Signatures: Parley's sign() against verify_signature, and against the copy in docs/webhooks.md
that hosts paste (the doc's block is run here, so it cannot drift from what Parley sends)."""

import re
from pathlib import Path

import pytest

from parley.webhooks.signing import SECRET_PREFIX, new_secret, sign, verify_signature

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def doc_verify_signature():
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Verifying the signature", 1)[1]
    block = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(compile(block, str(DOC), "exec"), namespace)  # noqa: S102 (our own documentation)
    return namespace["verify_signature"]


@pytest.mark.parametrize("verify", [verify_signature, doc_verify_signature()], ids=["parley", "docs"])
def test_signatures_verify_and_tampering_is_caught(verify):
    secret, other = new_secret(), new_secret()
    body = b'{"id":"d1","type":"message.created","data":{"body":"caf\xc3\xa9"}}'
    t = 1_796_313_697
    header = sign(secret, body, t)
    assert re.fullmatch(r"t=1796313697,v1=[0-9a-f]{64}", header)

    assert verify(secret, header, body, now=t)
    assert verify(secret, header, body.decode(), now=t + 300)  # a str body is encoded as UTF-8
    assert not verify(secret, header, body, now=t + 301)         # too old: a replay
    assert not verify(secret, header, body, now=t - 301)
    assert not verify(other, header, body, now=t)                # another endpoint's secret
    assert not verify(secret, header, body + b" ", now=t)        # the body changed
    assert not verify(secret, header.replace("t=1796313697", "t=1796313698"), body, now=t)
    assert not verify(secret, "v1=" + header.split("v1=")[1], body, now=t)  # no timestamp
    assert not verify(secret, "t=1796313697", body, now=t)
    assert not verify(secret, "", body, now=t)
    # While a secret rotates, a header may carry several signatures; one match is enough.
    assert verify(secret, f"t={t},v1={'0' * 64},{header.split(',')[1]}", body, now=t)


def test_secrets_are_prefixed_random_and_long():
    secrets = {new_secret() for _ in range(50)}
    assert len(secrets) == 50
    assert all(s.startswith(SECRET_PREFIX) and len(s) >= len(SECRET_PREFIX) + 43 for s in secrets)


def test_the_doc_shows_the_apps_function():
    """The doc's function body is the app's, line for line (docstrings aside)."""
    import inspect

    from parley.webhooks import signing

    def body(source: str) -> list[str]:
        lines = source.split("def verify_signature", 1)[1].splitlines()[1:]
        return [line for line in lines if line.strip() and not line.strip().startswith('"""')]

    doc = DOC.read_text(encoding="utf-8").split("## Verifying the signature", 1)[1]
    doc_source = re.search(r"```python\n(.*?)```", doc, re.S).group(1)
    assert body(inspect.getsource(signing.verify_signature)) == body(doc_source)

"""Message body rules: trimmed, 1..5,000 characters, no control characters but \\n and \\t."""

import pytest

from parley.conversations.text import clean_body
from parley.core.errors import Invalid


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("hi", "hi"),
        ("  hi \n", "hi"),
        ("a\nb", "a\nb"),
        ("a\tb", "a\tb"),
        ("a\r\nb", "a\nb"),
        ("<b>bold</b> & 'quotes'", "<b>bold</b> & 'quotes'"),
        ("https://example.com/?a=1&b=2", "https://example.com/?a=1&b=2"),
        ("\u00e9\u4e2d\U0001f6b2", "\u00e9\u4e2d\U0001f6b2"),
        ("x" * 5000, "x" * 5000),
        (" " * 100 + "x" * 5000 + "\n" * 100, "x" * 5000),
    ],
)
def test_clean_body_accepts(settings, raw, clean):
    settings.PARLEY_MESSAGE_MAX_CHARS = 5000
    assert clean_body(raw) == clean


@pytest.mark.parametrize(
    "raw",
    [
        "",
        " ",
        "\n\n\t",
        "x" * 5001,
        "a\x00b",
        "a\x01b",
        "a\x08b",
        "a\x0bb",
        "a\x0cb",
        "a\rb",
        "a\x1fb",
        "a\x7fb",
        "a\x80b",
        "a\x9fb",
        "lone \ud800 surrogate",
        None,
        123,
        b"bytes",
        ["list"],
    ],
)
def test_clean_body_rejects(raw):
    with pytest.raises(Invalid) as exc:
        clean_body(raw)
    assert exc.value.code == "invalid"
    assert exc.value.status == 422
    assert exc.value.details["field"] == "body"
    assert exc.value.message


def test_control_character_error_names_the_character():
    with pytest.raises(Invalid) as exc:
        clean_body("hello\x00world")
    assert "U+0000" in exc.value.message


def test_empty_error_tells_the_fix():
    with pytest.raises(Invalid) as exc:
        clean_body("   ")
    assert "Write a message" in exc.value.message

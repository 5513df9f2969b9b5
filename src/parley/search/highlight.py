"""The matched words of a message, as parts of text the client draws as text nodes and <mark>s:
never markup made from a user's text."""

import re

from .query import fold

_WORD = re.compile(r"[^\W_]+")
SNIPPET = 160  # characters of context around the first match
LEAD = 40  # of which before it


def _matches(text: str, terms) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _WORD.finditer(text) if fold(m.group()).startswith(tuple(terms))]


def snippet_parts(text: str, terms) -> list[dict]:
    """[{"text", "mark"}] of a window of `text` around its first match; marks on matched words."""
    spans = _matches(text, terms)
    start, end = 0, len(text)
    if len(text) > SNIPPET:
        first = spans[0][0] if spans else 0
        start = max(0, min(first - LEAD, len(text) - SNIPPET))
        end = min(len(text), start + SNIPPET)
    parts: list[dict] = []
    at = start
    for s, e in spans:
        if s < start or e > end:
            continue
        if s > at:
            parts.append({"text": text[at:s], "mark": False})
        parts.append({"text": text[s:e], "mark": True})
        at = e
    if at < end:
        parts.append({"text": text[at:end], "mark": False})
    if start > 0 and parts:
        parts[0] = {**parts[0], "text": "…" + parts[0]["text"]} if not parts[0]["mark"] else parts[0]
        if parts[0]["mark"]:
            parts.insert(0, {"text": "…", "mark": False})
    if end < len(text):
        parts.append({"text": "…", "mark": False})
    return parts

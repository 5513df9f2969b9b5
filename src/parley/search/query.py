"""What a user typed, turned into the terms both backends search for (the one place that
decides what a query means, so SQLite and PostgreSQL answer the same).

A query is plain words. Each word is folded (case and accents: "Vélo" is "velo"), cut to a
light stem (French and English plurals and a few endings: "chevaux" → "cheva", "selling" →
"sell") and matched as a prefix of the indexed words, so "velo" finds "vélos" and "vélo"
finds "velos". Search syntax is refused with a clear error rather than passed on: no backend
ever sees an operator a user typed.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from parley.core.errors import AppError

MAX_QUERY = 200  # characters
MAX_TERMS = 8
MIN_TERM = 2  # shorter words ("a", "à") are left out: as a prefix they would match everything

# The operators of FTS5 and tsquery that a user might type. Words are the only syntax.
_SYNTAX_CHARS = re.compile(r'["*:()^{}&|!<>\\]')
_SYNTAX_WORDS = re.compile(r"\b(?:NEAR|AND|OR|NOT)\b")
_WORD = re.compile(r"[^\W_]+")
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l"})


class BadQuery(AppError):
    code = "bad_query"
    status = 400
    message = _("The search could not be understood.")


class _Marks(dict):
    """str.translate's table that drops combining marks: each code point is looked up in
    unicodedata once, then the table answers in C (a Python test per character was most of
    the time search spent matching names and titles: docs/benchmarks.md)."""

    def __missing__(self, code: int):
        self[code] = value = None if unicodedata.combining(chr(code)) else code
        return value


_MARKS = _Marks()


def fold(text: str) -> str:
    """Lower case without accents: what both indexes store a word as."""
    if text.isascii():  # most names and titles: the same result, with no table at all
        return text.lower()
    return unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES)).translate(_MARKS)


def stem(word: str) -> str:
    """Cut French and English plurals and a few endings; the result is matched as a prefix."""
    for ending, keep, shortest in (("eaux", "eau", 6), ("aux", "a", 5), ("eux", "eu", 5), ("ing", "", 6),
                                   ("es", "", 5), ("ed", "", 5), ("s", "", 4)):
        if len(word) >= shortest and word.endswith(ending) and not word.endswith("ss"):
            return word[: len(word) - len(ending)] + keep
    return word


@dataclass(frozen=True)
class Query:
    text: str  # as typed, trimmed
    words: tuple[str, ...]  # folded, as typed (for highlighting)
    terms: tuple[str, ...]  # folded stems, each matched as a word prefix


def parse(raw) -> Query:
    """Return the query's terms, or raise BadQuery with a code that tells the fix."""
    text = (raw or "").strip()
    if not text:
        raise BadQuery(_("Type a word to search for."), code="query_empty")
    if len(text) > MAX_QUERY:
        raise BadQuery(_("A search is at most %(max)d characters.") % {"max": MAX_QUERY}, code="query_too_long", max=MAX_QUERY)
    if _SYNTAX_CHARS.search(text) or _SYNTAX_WORDS.search(text):
        raise BadQuery(
            _('Search takes plain words: leave out quotes, * : ( ) and the words NEAR, AND, OR and NOT.'),
            code="query_syntax",
        )
    words = [w for w in _WORD.findall(fold(text)) if len(w) >= MIN_TERM]
    if not words:
        raise BadQuery(_("Type a word of at least two letters to search for."), code="query_empty")
    words = list(dict.fromkeys(words))[:MAX_TERMS]
    return Query(text=text, words=tuple(words), terms=tuple(dict.fromkeys(stem(w) for w in words)))

"""Explained risk warnings: what in a message often comes before a scam.

The send path asks `flag_bodies` once per batch (through conversations.policy's flagger
seam, registered in SafetyConfig.ready() when PARLEY_SAFETY_TIPS is on) and stores the codes
found in `Message.flags`. The recipient's client shows a "Safety tip" under such a message,
one sentence per code. Nothing is hidden or changed: detection only explains.

Built-in detectors, in this order (the order of codes in `Message.flags`):

- `phone`: international (+33 …, 0044 …), French (06 12 34 56 78), UK (07700 900123,
  020 7946 0958) and US ((415) 555-2671) numbers; not prices, dates, times, years,
  postcodes or order and tracking numbers.
- `email`: an address, also written "name (at) host (dot) com".
- `iban`: a bank account number whose mod-97 checksum holds.
- `card`: 13 to 19 digits, spaces or dashes allowed, passing Luhn.
- `external_link`: an http(s) URL, www.… or a bare domain whose host is not in
  PARLEY_SAFE_LINK_HOSTS (default: the site's own ALLOWED_HOSTS).
- `off_platform`: phrases that move the deal elsewhere (WhatsApp, Western Union, bank
  transfer first, mandat cash …), English and French, accents and case ignored.

A host adds its own with `register_detector("code", fn)`, where `fn(body) -> bool`, and
removes one with `unregister_detector("code")`. Every detector is a plain function of the
body, cheap on ordinary messages: each starts with a test that fails fast (no digit, no "@",
no dot, no trigger word), so a short everyday message costs a few microseconds.
"""

import re
import unicodedata
from collections.abc import Callable
from urllib.parse import urlsplit

from parley.conf import settings

Detector = Callable[[str], bool]

_CODE = re.compile(r"[a-z][a-z0-9_]{0,29}")
_detectors: dict[str, Detector] = {}


def register_detector(code: str, fn: Detector) -> None:
    """Add (or replace) the detector of `code`: `fn(body) -> bool`. Codes are short snake_case."""
    if not _CODE.fullmatch(code):
        raise ValueError(f"A risk code is 1 to 30 characters of a-z, 0-9 and _, starting with a letter; got {code!r}.")
    _detectors[code] = fn


def unregister_detector(code: str) -> None:
    """Remove the detector of `code` (a built-in one too); unknown codes are ignored."""
    _detectors.pop(code, None)


def detectors() -> dict[str, Detector]:
    """The registered detectors, by code, in the order they run."""
    return dict(_detectors)


def detect(body: str) -> list[str]:
    """The codes whose detector fires on this body, in registration order."""
    return [code for code, fn in _detectors.items() if fn(body)]


def flag_bodies(bodies: list[str]) -> list[list[str]]:
    """The flagger conversations.policy calls once per send batch: codes per body.

    With PARLEY_SAFETY_TIPS off, nothing is detected (read per call, so a switch in the
    settings takes effect at once).
    """
    if not settings.PARLEY_SAFETY_TIPS:
        return [[] for _ in bodies]
    out: list[list[str]] = [[] for _ in bodies]
    # Detector by detector over the batch (not body by body): each one's regexes stay warm.
    for code, fn in list(_detectors.items()):
        for codes, hit in zip(out, map(fn, bodies)):
            if hit:
                codes.append(code)
    return out


# Phone, IBAN and card numbers all have two digits in a row somewhere: most messages don't,
# and this search (a literal-class scan in C) is the whole cost of those three detectors then.
_TWO_DIGITS = re.compile(r"\d\d")


# --- phone ---------------------------------------------------------------------------------

# A run of digits with the separators phone numbers use (space, dot, dash, parentheses), led by
# an optional "+" or "(". Not after a letter, digit, "#", "/" or a decimal comma, so order and
# tracking numbers ("#123456789", "6A12345678901") and dates with slashes never start one.
_PHONE_RUN = re.compile(r"(?<![\w#/,+])(\+|\()?\d(?:[ .\-()]{0,3}\d)+(?![\w/])")
_GROUP_SPLIT = re.compile(r"[ .\-()]+")
# Words just before a digit run that make it a reference, not a phone number.
_REFERENCE_BEFORE = re.compile(
    r"(?:order|commande|ref|réf|reference|référence|tracking|suivi|colis|parcel|invoice|facture|"
    r"n°|nº|#|code|siret|siren|serial|iban|rib|bic)\W{0,3}$",
    re.IGNORECASE,
)
_NOT_PHONE_AFTER = re.compile(r"\s?(?:€|eur|euros?|\$|usd|£|gbp|chf|km|kg|cm|mm|g\b|h\b|min)", re.IGNORECASE)


def _is_phone_run(run: str, before: str, after: str) -> bool:
    digits = "".join(ch for ch in run if ch.isdigit())
    n = len(digits)
    if n < 9 or n > 15 or _NOT_PHONE_AFTER.match(after):
        return False
    groups = [len(g) for g in _GROUP_SPLIT.split(run.strip("+() .-")) if g]
    if run.startswith("+"):
        # +33 6 12 34 56 78, +44 7700 900123, +1 (415) 555-2671: a country code, then 8 to 14 digits.
        return n >= 10 or (n >= 9 and groups[0] <= 3)
    if _REFERENCE_BEFORE.search(before):
        return False
    if digits.startswith("00") and 11 <= n <= 15 and groups[0] in (2, 4, 5, n):
        return digits[2] != "0"  # 0033 6 12 34 56 78, 0044 7700 900123
    if digits[0] == "0" and digits[1] != "0":
        if n == 10:  # France: 06 12 34 56 78, 06.12.34.56.78, 0612345678, 01-23-45-67-89
            return groups in ([2, 2, 2, 2, 2], [10], [1, 1, 2, 2, 2, 2], [4, 2, 2, 2], [3, 3, 4], [1, 9])
        if n == 11:  # UK: 07700 900123, 020 7946 0958, 0161 496 0000, 01632960001
            return groups in ([5, 6], [3, 4, 4], [4, 3, 4], [5, 3, 3], [11], [4, 7])
        return False
    # US and Canada: (415) 555-2671, 415-555-2671, 415.555.2671, 1-800-555-0199
    if n == 11 and digits[0] == "1" and groups == [1, 3, 3, 4]:
        digits = digits[1:]
    elif not (n == 10 and groups == [3, 3, 4]):
        return False
    return digits[0] in "23456789" and digits[3] in "23456789"


def has_phone(body: str) -> bool:
    if not _TWO_DIGITS.search(body):
        return False
    for match in _PHONE_RUN.finditer(body):
        start, end = match.span()
        if _is_phone_run(match.group(), body[max(0, start - 24):start], body[end:end + 6]):
            return True
    return False


# --- email ---------------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.IGNORECASE)
# "bob (at) gmail (dot) com", "bob[at]gmail.com", "bob arobase gmail point com"
_EMAIL_SPELLED = re.compile(
    r"\b[\w.+-]+\s*(?:[\[(]\s*(?:at|arobase)\s*[\])]|\s(?:at|arobase)\s)\s*[\w-]+\s*"
    r"(?:\.|[\[(]\s*(?:dot|point)\s*[\])]|\s(?:dot|point)\s)\s*(?:com|net|org|fr|co\.uk|uk|de|be|ch|io|me)\b",
    re.IGNORECASE,
)

def has_email(body: str) -> bool:
    if "@" in body and _EMAIL.search(body):
        return True
    if (" at " in body or "(at" in body or "[at" in body or "arobase" in body) and _EMAIL_SPELLED.search(body):
        return True
    return False


# --- iban ----------------------------------------------------------------------------------

# Two letters, two check digits, then 11 to 30 letters and digits in groups of any size.
_IBAN = re.compile(r"\b([A-Z]{2})[ ]?(\d{2})((?:[ \-]?[A-Z0-9]){11,30})", re.IGNORECASE)
# Lengths of the countries a European marketplace meets most (ISO 13616 registry).
_IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
    "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28, "IE": 22,
    "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MA": 28, "MC": 27, "MT": 31,
    "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
    "TN": 24, "TR": 26,
}


def iban_is_valid(iban: str) -> bool:
    """The ISO 13616 mod-97 check of a compact IBAN (no spaces)."""
    iban = iban.upper()
    if not (15 <= len(iban) <= 34 and iban[:2].isalpha() and iban[2:4].isdigit() and iban.isalnum()):
        return False
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def has_iban(body: str) -> bool:
    if not _TWO_DIGITS.search(body):
        return False
    for match in _IBAN.finditer(body):
        country = match.group(1).upper()
        rest = re.sub(r"[ \-]", "", match.group(3)).upper()
        compact = country + match.group(2) + rest
        length = _IBAN_LENGTHS.get(country)
        if length is not None and len(compact) >= length and iban_is_valid(compact[:length]):
            return True
        # Unknown country: not an IBAN (trying every length would let 1 in 97 random runs pass).
    return False


# --- card ----------------------------------------------------------------------------------

# Not inside a longer run of digit groups (an IBAN's digits, a tracking number).
_CARD = re.compile(r"(?<![\w.,/#+-])(?<!\d[ \-])[2-6]\d{3}(?:[ \-]?\d){9,15}(?![\w/]|[.,]\d|[ \-]\d)")


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def has_card(body: str) -> bool:
    if not _TWO_DIGITS.search(body):
        return False
    for match in _CARD.finditer(body):
        digits = match.group().replace(" ", "").replace("-", "")
        if 13 <= len(digits) <= 19 and luhn_is_valid(digits):
            return True
    return False


# --- external_link -------------------------------------------------------------------------

_TLDS = (
    "com|net|org|info|biz|io|co|me|ly|app|shop|store|link|site|online|xyz|top|click|pay|money|"
    "fr|uk|de|eu|be|ch|es|it|nl|pt|pl|ru|cn|tk|ml|ga|cf|gq|ws|cc|to|gl|gd|sh|page|dev"
)
_LINK = re.compile(
    r"https?://[^\s<>\"'()]+"
    r"|\bwww\.[^\s<>\"'()]+"
    # A bare domain: its top-level domain written in lower case ("Hello.It works" is a sentence).
    rf"|(?<![@\w.\-])(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+(?-i:{_TLDS})\b(?![@\-])(?:/[^\s<>\"'()]*)?",
    re.IGNORECASE,
)


def safe_link_hosts() -> list[str]:
    """PARLEY_SAFE_LINK_HOSTS, or the site's own hosts (ALLOWED_HOSTS without wildcards)."""
    hosts = settings.PARLEY_SAFE_LINK_HOSTS
    if hosts is None:
        hosts = [h for h in getattr(settings, "ALLOWED_HOSTS", []) if h and h != "*"]
    out = []
    for host in hosts:
        host = host.strip().lower().lstrip(".")
        if host.startswith("www."):
            host = host[4:]
        if host:
            out.append(host.strip("[]"))
    return out


def _host_of(link: str) -> str:
    if "://" not in link:
        link = "http://" + link
    try:
        host = urlsplit(link).hostname or ""
    except ValueError:
        return ""
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


# A link has "://", "www." or a dot before a top-level domain: one literal scan for most bodies.
_LINK_HINT = re.compile(rf"\.(?:{_TLDS})\b|://|www\.", re.IGNORECASE)


def has_external_link(body: str) -> bool:
    if "." not in body or not _LINK_HINT.search(body):
        return False
    safe = None
    for match in _LINK.finditer(body):
        host = _host_of(match.group().rstrip(".,;:!?"))
        if not host:
            continue
        if safe is None:
            safe = safe_link_hosts()
        if not any(host == s or host.endswith("." + s) for s in safe):
            return True
    return False


# --- off_platform --------------------------------------------------------------------------

# Written as people type them, matched on a normalized copy of the body (lower case, no
# accents, hyphens and apostrophes as spaces): "Contacte-moi sur WhatsApp" matches
# "contacte moi sur whatsapp". A phrase matches whole words only.
OFF_PLATFORM_PHRASES = [
    # Messengers and other channels, in both languages.
    "whatsapp", "whats app", "whatsap", "watsapp", "wa.me", "telegram", "viber", "wechat", "snapchat",
    "on signal", "sur signal", "imessage", "facebook messenger", "instagram dm",
    "text me", "call me on", "call me at", "email me", "e-mail me", "mail me at", "my number is",
    "my phone number", "my email is", "contact me on", "contact me at", "contact me directly",
    "reach me on", "reach me at", "message me on", "add me on",
    "contacte moi", "contactez moi", "ecris moi sur", "ecrivez moi sur", "ecris moi par", "ecrivez moi par",
    "appelle moi au", "appelez moi au", "mon numero", "mon portable", "mon tel", "mon adresse mail",
    "mon mail", "mon email", "envoie moi un sms", "envoyez moi un sms", "par sms", "par mail",
    "par telephone",
    # Leaving the platform.
    "outside parley", "off parley", "outside the app", "outside of the app", "off the app",
    "outside the platform", "off the platform", "outside the site", "deal directly", "pay me directly",
    "hors de parley", "en dehors de parley", "hors plateforme", "hors de la plateforme",
    "en dehors de la plateforme", "en dehors du site", "en dehors de l appli",
    # Payment first, or by means that cannot be taken back.
    "western union", "moneygram", "money gram", "ria money", "bank transfer", "wire transfer",
    "pay by transfer", "pay first", "payment first", "pay in advance", "payment in advance",
    "advance payment", "upfront payment", "pay upfront", "deposit first", "send a deposit",
    "friends and family", "paypal family", "gift card", "google play card", "itunes card",
    "steam card", "transcash", "pcs mastercard", "neosurf", "paysafecard", "bitcoin", "crypto",
    "usdt", "cash app", "cashapp", "zelle", "venmo",
    "virement bancaire", "virement", "paiement par virement", "payer par virement", "mandat cash",
    "mandat compte", "mandat postal", "payer d avance", "paiement d avance", "paiement en avance",
    "payer en avance", "paiement avant", "payer avant", "un acompte", "d abord le paiement",
    "paypal entre amis", "paypal entre proches", "paiement entre proches", "carte cadeau", "coupon pcs", "coupon transcash", "recharge pcs",
]

_FOLD = str.maketrans({"-": " ", "'": " ", "\u2019": " ", "\u2018": " ", "_": " ", "\u00a0": " "})


def normalize(text: str) -> str:
    """Lower case, accents dropped, hyphens and apostrophes as spaces, runs of spaces as one."""
    text = text.lower().translate(_FOLD)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(text.split())


def _compile_phrases(phrases: list[str]) -> tuple[frozenset[str], re.Pattern]:
    normalized = sorted({normalize(p) for p in phrases}, key=len, reverse=True)
    # Each phrase's longest word is its trigger: no trigger word in a body, no phrase search.
    triggers = frozenset(max(re.findall(r"[a-z0-9]+", p), key=len) for p in normalized)
    pattern = re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(p) for p in normalized) + r")(?![a-z0-9])")
    return triggers, pattern


_TRIGGERS, _PHRASES = _compile_phrases(OFF_PLATFORM_PHRASES)
_WORDS = re.compile(r"[a-z0-9]+")


def has_off_platform(body: str) -> bool:
    # The cheap pass: the words of the lower-cased body, accents dropped only when it has some.
    text = body.lower()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    if _TRIGGERS.isdisjoint(_WORDS.findall(text)):
        return False
    return _PHRASES.search(normalize(body)) is not None


for _code, _fn in (("phone", has_phone), ("email", has_email), ("iban", has_iban), ("card", has_card),
                   ("external_link", has_external_link), ("off_platform", has_off_platform)):
    register_detector(_code, _fn)
BUILT_IN = tuple(_detectors)

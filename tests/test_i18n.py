"""English and French: pages, the language switch, API and WebSocket errors, and the catalogue.

English stays the default (the e2e tests look for "Message" and "Send"); French follows the
browser's Accept-Language or the django_language cookie set by /i18n/setlang/.
"""

import ast
import asyncio
import gettext
import json
import re
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client

from parley.realtime import ws
from tests import factories as f

SRC = Path(__file__).resolve().parents[1] / "src" / "parley"
PO = SRC / "locale" / "fr" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
FR = {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9,en;q=0.5"}


def page(client: Client, url: str, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# ---------- pages ----------


@pytest.mark.django_db
def test_marketplace_and_login_pages_follow_the_browser_language():
    f.listing(seller=f.user(), title="Vélo de course")
    html = page(Client(), "/marketplace/", **FR)
    assert '<html lang="fr">' in html
    assert "Petites annonces" in html
    assert "Des trouvailles d’occasion près de chez vous." in html
    assert "Disponible" in html  # the status choice
    assert ">Se connecter</a>" in html and "S’inscrire" in html

    html = page(Client(), "/accounts/login/", **FR)
    assert "Bon retour parmi nous" in html
    assert "Nom d’utilisateur" in html and "Mot de passe" in html
    assert "Créer un compte" in html


@pytest.mark.django_db
def test_listing_inbox_and_conversation_pages_in_french():
    alice, bob = f.user("alice"), f.user("bob")
    item = f.listing(seller=alice, title="Lampe de bureau")
    client = logged_in(bob)

    html = page(client, item.get_absolute_url(), **FR)
    assert "Contacter le vendeur" in html and "Contact seller" not in html

    html = page(client, "/messages/", **FR)
    assert 'id="nav-messages"' in html and "Vos conversations avec les acheteurs et les vendeurs." in html
    assert "Aucune conversation pour l’instant" in html
    assert "Se déconnecter" in html and "Connexion…" in html
    strings = json.loads(re.search(r'<script id="js-strings" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert strings["connected"] == "Connecté" and strings["seen"] == "Vu" and strings["retry"] == "Réessayer"

    conv = f.conversation(buyer=bob, listing_obj=item)
    html = page(client, f"/messages/{conv.pk}/", **FR)
    assert "<span>Envoyer</span>" in html
    assert 'aria-label="Votre message"' in html
    assert "Écrire à alice…" in html
    assert ">alice</h1>" in html and ">Vendeur<" in html


@pytest.mark.django_db
def test_english_stays_the_default():
    alice, bob = f.user("alice"), f.user("bob")
    conv = f.conversation(buyer=bob, seller=alice)
    client = logged_in(bob)
    for headers in ({}, {"HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9"}, {"HTTP_ACCEPT_LANGUAGE": "en-GB"}):
        html = page(client, f"/messages/{conv.pk}/", **headers)
        assert '<html lang="en">' in html
        assert "<span>Send</span>" in html and 'aria-label="Message"' in html


@pytest.mark.django_db
def test_setlang_switches_and_the_cookie_keeps_it():
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    # The cookie wins over the browser's English, on this and later pages.
    assert "Bon retour parmi nous" in page(client, "/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Petites annonces" in page(client, "/marketplace/")

    client.post("/i18n/setlang/", {"language": "en", "next": "/marketplace/"})
    assert "Welcome back" in page(client, "/accounts/login/", **FR)


@pytest.mark.django_db
def test_the_language_menu_offers_both_languages():
    html = page(Client(), "/marketplace/", **FR)
    assert 'action="/i18n/setlang/"' in html
    assert re.search(r'name="language" value="en" lang="en"[^>]*>English</button>', html)
    assert re.search(r'name="language" value="fr" lang="fr"[^>]*>Français</button>', html)


# ---------- API errors ----------


@pytest.mark.django_db
def test_api_errors_come_back_in_french(no_rate_limit):
    alice, bob = f.user("alice"), f.user("bob")
    conv = f.conversation(buyer=bob, seller=alice)
    client = logged_in(bob)

    def post(path, payload, **headers):
        return client.post(path, json.dumps(payload), content_type="application/json", **headers)

    url = f"/api/v1/conversations/{conv.pk}/messages"
    r = post(url, {"body": "   ", "client_msg_id": str(uuid.uuid4())}, **FR)
    assert r.status_code == 422 and r.json()["error"]["message"] == "Écrivez un message avant de l’envoyer."
    r = post(url, {"body": "x" * 5001, "client_msg_id": str(uuid.uuid4())}, **FR)
    assert r.json()["error"]["message"] == "Le message fait 5001 caractères\u00a0; la limite est de 5000."
    r = post(url, {"nope": 1}, **FR)
    assert r.status_code == 422 and r.json()["error"]["message"] == "La requête n’est pas valide."
    r = post("/api/v1/conversations/999999/messages", {"body": "hi", "client_msg_id": str(uuid.uuid4())}, **FR)
    assert r.status_code == 404 and r.json()["error"]["message"] == "Conversation introuvable."
    r = Client().get("/api/v1/me", **FR)
    assert r.status_code == 401 and r.json()["error"]["message"].startswith("Connectez-vous d’abord")
    # Without a French browser: English.
    r = post(url, {"body": "   ", "client_msg_id": str(uuid.uuid4())})
    assert r.json()["error"]["message"] == "Write a message before sending."


def test_error_defaults_are_lazy_and_follow_the_active_language():
    from django.utils import translation

    from parley.core.errors import NotFound, Unavailable

    with translation.override("fr"):
        assert NotFound().message == "Introuvable."
        assert Unavailable().as_dict()["error"]["message"].startswith("Le service est temporairement indisponible")
    assert NotFound().message == "Not found."


# ---------- WebSocket errors ----------


def _scope(**headers) -> dict:
    return {"type": "websocket", "headers": [(k.encode(), v.encode()) for k, v in headers.items()]}


def test_the_handshake_picks_the_language():
    assert ws.handshake_language(_scope()) is None
    assert ws.handshake_language(_scope(**{"accept-language": "fr-CA,fr;q=0.8"})) == "fr"
    assert ws.handshake_language(_scope(**{"accept-language": "de,en;q=0.5"})) is None
    assert ws.handshake_language(_scope(cookie="sessionid=x; django_language=fr", **{"accept-language": "en"})) == "fr"


@pytest.mark.parametrize(
    "language, expected",
    [("fr", "La trame n’est pas du JSON valide."), (None, "The frame is not valid JSON.")],
)
def test_websocket_error_frames_follow_the_handshake_language(language, expected):
    async def go():
        conn = ws.WSConnection(SimpleNamespace(pk=1), "key", send=None, language=language)
        await ws._handle(conn, "not json")
        await ws._handle(conn, '{"type": "nope"}')
        return [json.loads(frame) for frame in conn._queue]

    bad_json, unknown = asyncio.run(go())
    assert bad_json["code"] == "bad_json" and bad_json["message"] == expected
    assert unknown["code"] == "unknown_type"
    assert unknown["message"] == ("Type de trame inconnu\u00a0: 'nope'." if language else "Unknown frame type 'nope'.")


def test_websocket_errors_are_french_on_a_live_server(live_server_proc):
    """Sync handlers run in sync_to_async's thread, sends on the writer thread: both are French."""
    from tests.support.wsclient import connect, open_conversation, run

    client = live_server_proc.login("bob")
    conv = open_conversation(client, "alice")
    client.cookies.set(settings.LANGUAGE_COOKIE_NAME, "fr")
    try:

        async def go():
            async with connect(live_server_proc, client) as b:
                error = await b.request({"type": "sync", "since": "zero"})
                assert error["type"] == "error" and error["code"] == "invalid"
                assert error["message"] == "since doit être un nombre entier."
                error = await b.send_message(conv, "a\x00b")
                assert error["code"] == "invalid"
                assert error["message"] == "Le message contient un caractère de contrôle (U+0000) qui ne peut pas être envoyé."
                error = await b.send_message(999_999, "bonjour")
                assert (error["code"], error["message"]) == ("not_found", "Conversation introuvable.")
                error = await b.request({"type": "send", "conversation_id": conv, "body": "x", "client_msg_id": "nope"})
                assert (error["code"], error["message"]) == ("invalid", "client_msg_id doit être un UUID.")
                ack = await b.send_message(conv, f"bonjour {uuid.uuid4()}")
                assert ack["type"] == "ack" and ack["created"] is True

        run(go())
    finally:
        client.close()


# ---------- the catalogue ----------


def _unquote(chunk: str) -> str:
    return ast.literal_eval(chunk)


def parse_po(path: Path) -> list[dict]:
    """Return the entries of a .po file: msgid, msgstr, flags (no gettext tools needed)."""
    entries, entry, field = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = line.strip()
        if not line:
            if entry and "msgid" in entry:
                entries.append(entry)
            entry, field = None, None
            continue
        starts_entry = line.startswith(("#", "msgid ", "msgctxt "))
        if starts_entry and entry and any(k.startswith("msgstr") for k in entry):
            entries.append(entry)  # makemessages may leave no blank line after the header
            entry, field = None, None
        entry = entry if entry is not None else {"flags": set(), "obsolete": False}
        if line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith(("msgid ", "msgstr ", "msgid_plural ", "msgctxt ")) or line.startswith("msgstr["):
            field, _, rest = line.partition(" ")
            entry[field] = _unquote(rest)
        elif line.startswith('"') and field:
            entry[field] += _unquote(line)
    return entries


def placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)[-#0 +]*\d*[sdrfxX]|\{\w+\}", text))


def test_the_french_catalogue_is_complete():
    entries = parse_po(PO)
    header = entries[0]
    assert header["msgid"] == "" and "fuzzy" not in header["flags"] and "Language: fr\n" in header["msgstr"]
    messages = [e for e in entries[1:] if not e["obsolete"]]
    assert len(messages) > 100
    problems = []
    for e in messages:
        if "fuzzy" in e["flags"]:
            problems.append(("fuzzy", e["msgid"]))
        if not e.get("msgstr"):
            problems.append(("untranslated", e["msgid"]))
        elif placeholders(e["msgid"]) != placeholders(e["msgstr"]):
            problems.append(("placeholders differ", e["msgid"], e["msgstr"]))
    assert not problems, problems


def test_the_compiled_catalogue_matches_the_po():
    """The .mo is committed (a fresh machine may lack msgfmt): it must say what the .po says."""
    with MO.open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)
    stale = [e["msgid"] for e in parse_po(PO)[1:] if not e["obsolete"] and compiled.gettext(e["msgid"]) != e["msgstr"]]
    assert not stale, f"run `make messages`: the .mo is out of date for {stale}"


TEMPLATE_STRING = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(.+?)\1""")
PY_STRING = re.compile(r"""\b_\(\s*(["'])((?:\\.|(?!\1).)+)\1\s*\)""")


def test_every_marked_string_is_in_the_catalogue():
    """A string marked in a template or with _("...") but missing here needs `make messages`."""
    known = {e["msgid"] for e in parse_po(PO) if not e["obsolete"]}
    marked = set()
    for path in SRC.rglob("*.html"):
        marked.update(m.group(2) for m in TEMPLATE_STRING.finditer(path.read_text(encoding="utf-8")))
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        marked.update(ast.literal_eval(m.group(1) + m.group(2) + m.group(1)) for m in PY_STRING.finditer(path.read_text(encoding="utf-8")))
    assert not (marked - known), sorted(marked - known)

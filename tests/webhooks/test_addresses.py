"""SSRF rules: https only, and no private, loopback, link-local or reserved address, when the
admin saves an endpoint and again at every delivery (a name may resolve elsewhere later)."""

import pytest

from parley.webhooks import client
from parley.webhooks.addresses import UnsafeURL, check_url

pytestmark = pytest.mark.usefixtures("strict_hooks")

REFUSED = [
    "https://127.0.0.1/hooks",
    "https://127.1.2.3:8443/hooks",
    "https://10.0.0.5/hooks",
    "https://172.16.3.4/hooks",
    "https://192.168.1.10/hooks",
    "https://100.64.0.1/hooks",          # carrier-grade NAT
    "https://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
    "https://0.0.0.0/",
    "https://[::1]/hooks",
    "https://[fe80::1]/hooks",
    "https://[fd00::1]/hooks",
    "https://[::ffff:127.0.0.1]/hooks",  # IPv4-mapped loopback
    "https://[::ffff:169.254.169.254]/",
    "https://224.0.0.1/",
    "https://localhost/hooks",
    "https://LOCALHOST./hooks",
    "https://api.localhost/hooks",
    "https://ip6-localhost/hooks",
]


@pytest.mark.parametrize("url", REFUSED)
def test_private_loopback_link_local_and_reserved_addresses_are_refused(url, resolve_as):
    with pytest.raises(UnsafeURL):
        check_url(url)


@pytest.mark.parametrize("url", ["https://localhost:8443/", "https://2130706433/", "https://0x7f.1/", "https://127.1/"])
def test_with_the_system_resolver_loopback_spellings_are_refused(url):
    with pytest.raises(UnsafeURL):
        check_url(url)


def test_a_name_that_resolves_to_a_private_address_is_refused(resolve_as):
    resolve_as({"evil.example": ["127.0.0.1"], "half.example": ["93.184.216.34", "10.1.2.3"],
                "meta.example": ["169.254.169.254"], "six.example": ["::1"], "good.example": ["93.184.216.34"]})
    for url in ("https://evil.example/h", "https://half.example/h", "https://meta.example/h", "https://six.example/h"):
        with pytest.raises(UnsafeURL, match="private, loopback, link-local or reserved"):
            check_url(url)
    with pytest.raises(UnsafeURL, match="does not resolve"):
        check_url("https://nowhere.example/h")
    assert check_url("https://good.example/hooks/parley") == ["93.184.216.34"]
    assert check_url("https://93.184.216.34:8443/h") == ["93.184.216.34"]


def test_http_credentials_and_other_schemes_are_refused(resolve_as):
    resolve_as({"good.example": ["93.184.216.34"]})
    for url, why in [("http://good.example/h", "https"), ("ftp://good.example/h", "https"),
                     ("file:///etc/passwd", "https"), ("https://user:pw@good.example/h", "password"),
                     ("https://good.example:99999/h", "valid"), ("https:///h", "valid")]:
        with pytest.raises(UnsafeURL, match=why):
            check_url(url)


def test_the_settings_allow_local_receivers(settings, resolve_as):
    settings.PARLEY_WEBHOOK_ALLOW_HTTP = True
    assert check_url("http://93.184.216.34/h") == ["93.184.216.34"]
    with pytest.raises(UnsafeURL):
        check_url("http://127.0.0.1:8000/h")  # http is allowed; private still is not
    settings.PARLEY_WEBHOOK_ALLOW_PRIVATE = True
    resolve_as({"localhost": ["127.0.0.1"]})
    assert check_url("http://127.0.0.1:8000/h") == ["127.0.0.1"]
    assert check_url("http://localhost:8000/h") == ["127.0.0.1"]


def test_delivery_checks_the_address_again_and_connects_to_the_checked_one(receiver, resolve_as):
    """DNS rebinding: a name that was public when saved and resolves to 127.0.0.1 at send time."""
    resolve_as({"rebind.example": ["127.0.0.1"]})
    url = f"https://rebind.example:{receiver.port}/hooks"
    with pytest.raises(client.DeliveryError, match="refused: The URL points at a private"):
        client.post(url, b"{}", {}, timeout=1)
    with pytest.raises(client.DeliveryError, match="refused"):
        client.post(f"http://127.0.0.1:{receiver.port}/hooks", b"{}", {}, timeout=1)
    assert receiver.requests == []


def test_with_private_allowed_a_name_is_posted_to_the_address_it_resolved_to(settings, receiver, resolve_as):
    settings.PARLEY_WEBHOOK_ALLOW_HTTP = settings.PARLEY_WEBHOOK_ALLOW_PRIVATE = True
    resolve_as({"shop.test": ["127.0.0.1"]})
    assert client.post(f"http://shop.test:{receiver.port}/hooks?x=1", b'{"a":1}', {"X-T": "1"}, timeout=2) == 200
    [request] = receiver.requests
    assert request["path"] == "/hooks?x=1" and request["body"] == b'{"a":1}'
    assert request["headers"]["Host"] == f"shop.test:{receiver.port}"
    assert request["headers"]["User-Agent"] == client.USER_AGENT


def test_https_checks_tls(settings, receiver):
    """An https:// URL gets TLS: a plain-HTTP answer (or a bad certificate) is a failed attempt."""
    settings.PARLEY_WEBHOOK_ALLOW_PRIVATE = True
    with pytest.raises(client.DeliveryError, match="TLS error"):
        client.post(f"https://127.0.0.1:{receiver.port}/hooks", b"{}", {}, timeout=2)

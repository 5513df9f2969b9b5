"""Where a webhook may go (SSRF rules): https, and only public addresses.

An endpoint's URL is checked when the admin saves it, and its host is resolved again at
every delivery: the connection goes to an address that was just checked (no DNS rebinding
between the check and the connect). PARLEY_WEBHOOK_ALLOW_HTTP and
PARLEY_WEBHOOK_ALLOW_PRIVATE relax the rules for local receivers (the demo, tests).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

from parley.conf import settings


class UnsafeURL(Exception):
    """The URL may not receive webhooks; the message says why (shown in the admin)."""


LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def getaddrinfo(host: str, port: int):
    """The resolver (tests replace it to make a name resolve where they want)."""
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def split(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an acceptable URL; raises UnsafeURL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeURL(_("Enter a valid URL.")) from None
    scheme = parts.scheme.lower()
    allowed = ("https", "http") if settings.PARLEY_WEBHOOK_ALLOW_HTTP else ("https",)
    if scheme not in allowed:
        raise UnsafeURL(_("Use an https:// URL."))
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL(_("Put no user name or password in the URL."))
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeURL(_("Enter a valid URL."))
    return scheme, host, port or (443 if scheme == "https" else 80)


def resolve(host: str, port: int) -> list[str]:
    """The host's addresses, all of them public (unless private ones are allowed); raises UnsafeURL."""
    allow_private = settings.PARLEY_WEBHOOK_ALLOW_PRIVATE
    name = host.lower()
    if not allow_private and (name in LOCAL_NAMES or name.endswith(".localhost")):
        raise UnsafeURL(_("The URL points at this machine."))
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        answers = [str(literal)]
    else:
        try:
            answers = list(dict.fromkeys(info[4][0] for info in getaddrinfo(host, port)))
        except (OSError, UnicodeError):
            raise UnsafeURL(_("The host name does not resolve.")) from None
        if not answers:
            raise UnsafeURL(_("The host name does not resolve."))
    if not allow_private:
        for answer in answers:
            # Every answer must be public, or a name could offer one of each.
            if not is_public(ipaddress.ip_address(answer.split("%")[0])):
                raise UnsafeURL(_("The URL points at a private, loopback, link-local or reserved address."))
    return answers


def check_url(url: str) -> list[str]:
    """Refuse a URL that may not receive webhooks; return the addresses it resolves to."""
    _scheme, host, port = split(url)
    return resolve(host, port)

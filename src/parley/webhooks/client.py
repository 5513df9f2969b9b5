"""One signed POST to an endpoint, with the standard library's http.client.

The connection goes to an address `addresses.resolve` has just checked, with the URL's host
name kept for TLS (SNI, certificate) and the Host header. Redirects are not followed (a 3xx
is a failure): the target of a redirect was never checked. The response body is read up to
64 KiB and thrown away.
"""

import http.client
import socket
import ssl
from urllib.parse import urlsplit

from . import addresses

USER_AGENT = "Parley-Webhooks/1"
MAX_RESPONSE = 64 * 1024


class DeliveryError(Exception):
    """The request could not be made or got no answer; the message is safe to store."""


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> int:
    """POST `body` to `url`; return the response's status code, or raise DeliveryError."""
    try:
        scheme, host, port = addresses.split(url)
        ips = addresses.resolve(host, port)
    except addresses.UnsafeURL as e:
        raise DeliveryError(f"refused: {e}") from None
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if scheme == "https":
        conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    ip = ips[0]

    def connect_to_checked_address(address, timeout=None, source_address=None):
        return socket.create_connection((ip, address[1]), timeout, source_address)

    conn._create_connection = connect_to_checked_address
    try:
        conn.request("POST", target, body=body, headers={**headers, "User-Agent": USER_AGENT})
        response = conn.getresponse()
        response.read(MAX_RESPONSE)
        return response.status
    except ssl.SSLError as e:
        raise DeliveryError(f"TLS error: {e.reason or type(e).__name__}") from None
    except TimeoutError:
        raise DeliveryError(f"timed out after {timeout:g} s") from None
    except ConnectionRefusedError:
        raise DeliveryError("connection refused") from None
    except (OSError, http.client.HTTPException) as e:
        raise DeliveryError(f"{type(e).__name__}: {e}"[:300]) from None
    finally:
        conn.close()

"""uvicorn's HTTP protocol with a header-read timeout, for `parley serve` exposed without nginx.

uvicorn has none: a client that connects and never finishes its request headers (slowloris),
or trickles a byte at a time after a response, holds its connection open forever. Here every
connection must complete a request's headers within PARLEY_HEADER_TIMEOUT seconds of opening,
and of each response; nginx's `client_header_timeout` does the same in front of it.
"""

import logging

from uvicorn.protocols.http.h11_impl import H11Protocol

from parley.conf import settings

logger = logging.getLogger("parley.server")


class HeaderTimeoutH11Protocol(H11Protocol):
    # The timeout is read from the settings per connection: uvicorn's workers are spawned
    # processes, so nothing set on this class by `parley serve` would reach them.

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._arm_header_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_header_timer()

    def handle_websocket_upgrade(self, event) -> None:
        # The connection is the WebSocket protocol's from here: a live timer would keep this
        # protocol and its h11 state (some 15 objects) for PARLEY_HEADER_TIMEOUT seconds after
        # every connect, for the garbage collector to walk after a wave of reconnects.
        self._cancel_header_timer()
        super().handle_websocket_upgrade(event)

    def connection_lost(self, exc) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        if self.transport is not None and not self.transport.is_closing():
            timeout = float(settings.PARLEY_HEADER_TIMEOUT)
            self._header_timer = self.loop.call_later(timeout, self._header_timed_out, self.cycle)

    def _cancel_header_timer(self) -> None:
        timer = getattr(self, "_header_timer", None)
        if timer is not None:
            timer.cancel()
            self._header_timer = None

    def _header_timed_out(self, cycle_when_armed) -> None:
        self._header_timer = None
        if self.transport.is_closing() or self.transport.get_protocol() is not self:
            return  # closed already, or upgraded to a WebSocket
        if self.cycle is not cycle_when_armed:
            return  # a request's headers arrived in time
        logger.info("closing a connection that sent no complete request headers in %ss", settings.PARLEY_HEADER_TIMEOUT)
        self.transport.close()

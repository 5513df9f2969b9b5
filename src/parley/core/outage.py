"""Log an outage of a backing service (Redis) once when it starts and once when it ends.

A process that calls Redis hundreds of times a second while it is down must not write a line
per failure: the first failure says what stopped working, the first success after it says it
is back, and the calls in between stay quiet (they still raise or retry as before).
"""

import logging
import threading


class OutageLog:
    def __init__(self, logger: logging.Logger, what: str, consequence: str = ""):
        self.logger, self.what, self.consequence = logger, what, consequence
        self.down = False
        self._lock = threading.Lock()  # lookups run on several threads

    def failed(self, exc: BaseException) -> None:
        with self._lock:
            if self.down:
                return
            self.down = True
        self.logger.warning("%s failed (%s: %s)%s", self.what, exc.__class__.__name__, exc, self.consequence)

    def ok(self) -> None:
        if not self.down:  # the common case, without the lock
            return
        with self._lock:
            if not self.down:
                return
            self.down = False
        self.logger.warning("%s recovered.", self.what)

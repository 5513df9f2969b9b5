"""The send path, the hot path: validate, check access, write a batch of messages in one transaction.

Concurrent sends share one transaction (group commit, GUIDE.md §1): the WebSocket's `send`
frame hands over every send that is waiting, they commit together, and then each is
acknowledged and published. A batch of one is the ordinary case, and the API uses exactly
that. `batch.py` is the flow, `write.py` the transaction, `sql.py` its raw statements.
"""

from .batch import SendRequest, message_send, send_batch

__all__ = ["SendRequest", "message_send", "send_batch"]

"""Webhooks for the host marketplace: signed HTTP POSTs of committed domain events.

Optional: install `parley.webhooks` and register endpoints in the admin (docs/webhooks.md).
"""

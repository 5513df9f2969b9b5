"""The demo accounts. Shown on the log-in page only in demo mode (PARLEY_DEMO=1)."""

from datetime import UTC, datetime

DEMO_PASSWORD = "parley-demo"
# The demo accounts count as established, so someone trying the demo never meets the stricter
# limits of new accounts (PARLEY_NEW_ACCOUNT_HOURS): parley_demo gives them this date_joined.
DEMO_JOINED = datetime(2024, 1, 1, tzinfo=UTC)
DEMO_USERS = [
    {"username": "alice", "first_name": "Alice", "last_name": "Martin"},
    {"username": "bob", "first_name": "Bob", "last_name": "Dupont"},
    {"username": "carol", "first_name": "Carol", "last_name": "Lee"},
]

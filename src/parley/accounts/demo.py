"""The demo accounts. Shown on the log-in page only in demo mode (PARLEY_DEMO=1)."""

DEMO_PASSWORD = "parley-demo"
DEMO_USERS = [
    {"username": "alice", "first_name": "Alice", "last_name": "Martin"},
    {"username": "bob", "first_name": "Bob", "last_name": "Dupont"},
    {"username": "carol", "first_name": "Carol", "last_name": "Lee"},
]

"""Signals other apps listen to (accounts imports none of them)."""

from django.dispatch import Signal

# Sent by the sign-up view after the account is created and logged in; args: user.
user_signed_up = Signal()

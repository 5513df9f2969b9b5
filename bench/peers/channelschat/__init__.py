"""A Django Channels chat with one database write per message, as the Channels tutorial leads
people to build it (bench/peers, issue 18). Parley's benchmark measures it beside Parley; it is
no part of Parley and `channels` is only in the `bench` extra.
"""

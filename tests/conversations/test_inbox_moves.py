"""The inbox's filter counts kept from the stream alone: a snapshot exact at a seq
(selectors.inbox_counts_at, an archive event's counts) plus each later event's `inbox_moves`
always equals what the database counts (selectors.inbox_counts_for)."""

import random

import pytest

from parley.conversations import selectors, services
from parley.stream.read import stream_since
from tests import factories as f

pytestmark = pytest.mark.django_db


class Tab:
    """What one inbox tab does with the counts (inbox-filters.js), from the stored stream."""

    def __init__(self, user):
        self.user = user
        self.counts, self.as_of = selectors.inbox_counts_at(user=user)
        self.cursor = self.as_of

    def catch_up(self):
        events, _head, _behind = stream_since(user=self.user, since=self.cursor)
        for ev in events:
            self.cursor = ev.seq
            if ev.type in ("conversation.archived", "conversation.unarchived"):
                self.counts, self.as_of = dict(ev.data["counts"]), ev.seq
            elif "inbox_moves" in ev.data and ev.seq > self.as_of:
                for name, by in ev.data["inbox_moves"].items():
                    self.counts[name] += by
        return self.counts


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counts_from_events_match_the_database(no_rate_limit, seed):
    rng = random.Random(seed)
    alice, bob, carol = f.user("alice"), f.user("bob"), f.user("carol")
    users = [alice, bob, carol]
    convs = [f.conversation(buyer=b, seller=s) for b, s in ((bob, alice), (carol, alice), (alice, carol), (bob, carol))]
    f.send(convs[0], bob, "before the tabs opened")
    tabs = {u.pk: Tab(u) for u in users}
    by_id = {u.pk: u for u in users}
    for step in range(80):
        conv = rng.choice(convs)
        user = by_id[rng.choice(conv.participant_ids())]
        action = rng.choice(["send", "send", "read", "unread", "archive", "unarchive"])
        if action == "send":
            f.send(conv, user, f"step {step}")
        elif action == "read":
            services.conversation_mark_read(user=user, conversation=conv)
        elif action == "unread":
            services.conversation_mark_unread(user=user, conversation=conv)
        elif action == "archive":
            services.conversation_archive(user=user, conversation=conv)
        else:
            services.conversation_unarchive(user=user, conversation=conv)
        for u in users:
            assert tabs[u.pk].catch_up() == selectors.inbox_counts_for(user=u), (step, action, u.username)


def test_a_sellers_first_message_and_an_archived_conversation_coming_back(no_rate_limit):
    alice, bob = f.user("alice"), f.user("bob")
    conv = f.conversation(buyer=bob, seller=alice)  # alice does not see it yet
    tab = Tab(alice)
    f.send(conv, bob, "is it still available?")
    first = stream_since(user=alice, since=tab.as_of)[0][-1]
    assert first.data["inbox_moves"] == {"all": 1, "unread": 1, "selling": 1}
    services.conversation_archive(user=alice, conversation=conv)
    f.send(conv, bob, "hello?")
    back = stream_since(user=alice, since=tab.as_of)[0][-1]
    # Archived, its unread message did not count under Unread; back in the list, it does.
    assert back.data["inbox_moves"] == {"all": 1, "unread": 1, "selling": 1, "archived": -1}
    f.send(conv, alice, "yes")
    own = stream_since(user=alice, since=tab.as_of)[0][-1]
    assert own.data["inbox_moves"] == {"unread": -1}, "sending reads everything before"

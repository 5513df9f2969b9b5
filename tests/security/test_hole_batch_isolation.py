"""Hole 1 (issue 16): one bad request in a send batch never fails the other requests.

send_batch runs on the real test database. Hostile requests (wrong types, ids out of range,
bad UUIDs, control characters, strangers' conversations, duplicates, and a request whose write
raises) are mixed into a batch with honest ones; the honest ones must end exactly as they do
when sent alone.
"""

import uuid

import pytest
from django.db import OperationalError, transaction
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from parley.conversations.models import Message
from parley.conversations.services import SendRequest, send_batch
from parley.conversations.services.send import batch as batch_module
from tests import factories as f

POISON = "poison: the write of this one raises"


class Boom(RuntimeError):
    pass


@pytest.fixture
def poisoned(monkeypatch):
    """write_batch raises for any batch that holds the POISON body, as an unforeseen bug would."""
    real = batch_module.write_batch

    def write_batch(batch, cache=None, vet=None):
        real(batch, cache, vet)  # the rows are written, then the failure rolls them back
        if any(r.clean == POISON for r in batch):
            raise Boom("an unexpected error inside the batch's transaction")

    monkeypatch.setattr(batch_module, "write_batch", write_batch)


@pytest.fixture
def people(db, no_rate_limit):
    """alice sells to bob (c1); mallory buys from dave (c2), her own conversation."""
    alice, bob, mallory, dave = f.user("alice"), f.user("bob"), f.user("mallory"), f.user("dave")
    c1 = f.conversation(buyer=bob, seller=alice)
    c2 = f.conversation(buyer=mallory, seller=dave)
    return alice, bob, mallory, c1, c2


def outcome(req: SendRequest):
    if req.error is not None:
        return ("error", req.error.code)
    m = req.result
    return ("ok", req.created, m.conversation_id, m.sender_id, m.seq, m.body, str(m.client_msg_id))


def hostile_strategy(mallory, c1, c2):
    """Requests an attacker (mallory) can put in the same batch as honest users' sends."""
    wrong = st.one_of(st.none(), st.booleans(), st.floats(allow_nan=True), st.lists(st.integers(), max_size=2),
                      st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
    bad_id = st.one_of(wrong, st.integers(min_value=2**63, max_value=2**80), st.integers(max_value=0),
                       st.just(1e30), st.just(-(2**63)), st.text(max_size=8), st.just(c1.pk))
    bad_uuid = st.one_of(wrong, st.text(max_size=40), st.just("00000000-0000-0000-0000-00000000000g"), st.integers())
    bad_body = st.one_of(wrong, st.just(""), st.just("  \t "), st.just("x" * 5001),
                         st.text(alphabet=st.characters(max_codepoint=0x9f), min_size=1, max_size=10).map(lambda t: "a\x00" + t))
    shared = uuid.uuid4()  # a duplicate: mallory sends twice with one client_msg_id
    return st.one_of(
        st.builds(lambda cid, body: SendRequest(mallory, cid, body, uuid.uuid4()), bad_id, st.text(min_size=1, max_size=5)),
        st.builds(lambda cmid: SendRequest(mallory, c2.pk, "hi", cmid), bad_uuid),
        st.builds(lambda body: SendRequest(mallory, c2.pk, body, uuid.uuid4()), bad_body),
        st.just(None).map(lambda _: SendRequest(mallory, c1.pk, "not yours", uuid.uuid4())),
        st.just(None).map(lambda _: SendRequest(mallory, c2.pk, "dup", shared)),
        st.just(None).map(lambda _: SendRequest(mallory, c2.pk, "dup elsewhere", shared)),
        st.just(None).map(lambda _: SendRequest(mallory, c2.pk, POISON, uuid.uuid4())),
    )


def honest_requests(alice, bob, c1, c2, spec):
    """Fresh honest SendRequests (new objects each call) from a list of (who, body, cmid)."""
    who = {"bob": (bob, c1), "alice": (alice, c1)}
    return [SendRequest(who[w][0], who[w][1].pk, body, cmid) for w, body, cmid in spec]


def run_rolled_back(requests):
    """send_batch inside a savepoint that is rolled back; return the outcomes."""
    with transaction.atomic():
        out = [outcome(r) for r in send_batch(requests)]
        transaction.set_rollback(True)
    return out


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_hostile_requests_never_change_the_honest_ones_outcome(people, poisoned, data):
    alice, bob, mallory, c1, c2 = people
    honest_spec = data.draw(st.lists(
        st.tuples(st.sampled_from(["bob", "alice"]), st.text(alphabet="abc xyz", min_size=1, max_size=12).filter(str.strip),
                  st.uuids()),
        min_size=1, max_size=5), label="honest")
    hostile = data.draw(st.lists(hostile_strategy(mallory, c1, c2), min_size=1, max_size=8), label="hostile")

    alone = run_rolled_back(honest_requests(alice, bob, c1, c2, honest_spec))

    honest = honest_requests(alice, bob, c1, c2, honest_spec)
    mixed = list(honest)  # the honest ones keep their order; the hostile ones go anywhere among them
    for req in hostile:
        mixed.insert(data.draw(st.integers(0, len(mixed)), label="where"), req)
    with transaction.atomic():
        results = send_batch(mixed)
        together = [outcome(r) for r in honest]
        # Every hostile request failed on its own, and none stored anything.
        assert all(r.error is not None for r in hostile if r.body not in ("hi", "dup", "dup elsewhere")), \
            [(r.conversation_id, r.body, r.client_msg_id, r.error) for r in hostile]
        assert not Message.objects.filter(body=POISON).exists()
        assert len(results) == len(mixed)
        transaction.set_rollback(True)
    assert together == alone


def test_a_request_that_raises_fails_alone_and_the_others_are_sent(people, poisoned):
    alice, bob, mallory, c1, c2 = people
    out = send_batch([SendRequest(bob, c1.pk, "one", uuid.uuid4()), SendRequest(mallory, c2.pk, POISON, uuid.uuid4()),
                      SendRequest(alice, c1.pk, "two", uuid.uuid4())])
    assert [r.error.code if r.error else None for r in out] == [None, "server_error", None]
    assert "server" in str(out[1].error.message)
    assert list(Message.objects.filter(conversation=c1).order_by("seq").values_list("seq", "body")) == [(1, "one"), (2, "two")]
    assert not Message.objects.filter(body=POISON).exists()


def test_an_outage_that_fails_every_request_alone_still_fails_them_all(people, monkeypatch):
    alice, bob, mallory, c1, c2 = people

    def down(batch, cache=None, vet=None):
        raise OperationalError("database is down")

    monkeypatch.setattr(batch_module, "write_batch", down)
    with pytest.raises(OperationalError):
        send_batch([SendRequest(bob, c1.pk, "one", uuid.uuid4()), SendRequest(mallory, c2.pk, "two", uuid.uuid4())])
    with pytest.raises(OperationalError):  # a batch of one hears it as before
        send_batch([SendRequest(bob, c1.pk, "one", uuid.uuid4())])


@pytest.mark.parametrize("raw", [2**63, 2**64 + 5, 10**30, 1e30, -1, 0, -(2**63), 1.5, 3.0, True, None, [1], "1e30", "x"])
def test_ids_out_of_range_or_of_the_wrong_kind_are_not_found_and_fail_alone(people, raw):
    alice, bob, mallory, c1, c2 = people
    good, bad = send_batch([SendRequest(bob, c1.pk, "fine", uuid.uuid4()), SendRequest(mallory, raw, "x", uuid.uuid4())])
    assert good.error is None and good.created and good.result.body == "fine"
    assert bad.error is not None and bad.error.code == "not_found"

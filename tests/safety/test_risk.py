"""parley.safety.risk against its corpus (risk_corpus.toml), the registry, the switch and the seam."""

import time
import tomllib
from pathlib import Path

import pytest

from parley.conversations import policy
from parley.safety import risk

CORPUS = tomllib.loads((Path(__file__).parent / "risk_corpus.toml").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _safe_hosts(settings):
    settings.PARLEY_SAFE_LINK_HOSTS = CORPUS["safe_hosts"]
    settings.PARLEY_SAFETY_TIPS = True


@pytest.fixture
def registry():
    """Restore the built-in detectors after a test that changes them."""
    saved = risk.detectors()
    yield
    risk._detectors.clear()
    risk._detectors.update(saved)


POSITIVES = [(code, body) for code, bodies in CORPUS["positive"].items() for body in bodies]


@pytest.mark.parametrize(("code", "body"), POSITIVES, ids=[f"{c}:{b[:40]}" for c, b in POSITIVES])
def test_true_positive(code, body):
    assert code in risk.detect(body)


@pytest.mark.parametrize(("body", "codes"), list(CORPUS["exact"].items()), ids=[b[:40] for b in CORPUS["exact"]])
def test_exact_codes(body, codes):
    assert risk.detect(body) == codes


@pytest.mark.parametrize("body", CORPUS["negative"]["bodies"], ids=[b[:40] for b in CORPUS["negative"]["bodies"]])
def test_false_positive(body):
    assert risk.detect(body) == []


def test_the_corpus_covers_every_built_in_code():
    assert set(CORPUS["positive"]) == set(risk.BUILT_IN)
    assert all(len(bodies) >= 7 for bodies in CORPUS["positive"].values())
    assert len(CORPUS["negative"]["bodies"]) >= 50


def test_checksums():
    assert risk.iban_is_valid("FR7630006000011234567890189")
    assert not risk.iban_is_valid("FR7630006000011234567890188")
    assert risk.luhn_is_valid("4111111111111111")
    assert not risk.luhn_is_valid("4111111111111112")


def test_links_default_to_allowed_hosts(settings):
    settings.PARLEY_SAFE_LINK_HOSTS = None
    settings.ALLOWED_HOSTS = [".market.example", "*"]
    assert risk.detect("https://market.example/item/3") == []
    assert risk.detect("https://shop.market.example/item/3") == []
    assert risk.detect("https://other.example/item/3") == ["external_link"]


def test_a_host_registers_its_own_detector(registry):
    risk.register_detector("crypto_wallet", lambda body: "bc1q" in body)
    assert risk.detect("send to bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh") == ["crypto_wallet"]
    assert risk.flag_bodies(["hello", "+33 6 12 34 56 78 bc1qabc"]) == [[], ["phone", "crypto_wallet"]]
    risk.unregister_detector("phone")
    assert risk.detect("+33 6 12 34 56 78") == []
    with pytest.raises(ValueError):
        risk.register_detector("Not A Code", lambda body: True)


def test_switched_off_detects_nothing(settings):
    settings.PARLEY_SAFETY_TIPS = False
    assert risk.flag_bodies(["Contact me on WhatsApp +33 6 12 34 56 78", "hi"]) == [[], []]


def test_policy_joins_and_dedupes_every_flaggers_codes():
    def extra(bodies):
        return [["phone", "spam"] if "+33" in b else ["spam"] if "buy" in b else [] for b in bodies]

    policy.register_flagger(extra)
    try:
        assert policy.flags_for(["buy now +33 6 12 34 56 78", "hello", "buy"]) == ["phone,spam", "", "spam"]
    finally:
        policy.unregister_flagger(extra)
    assert policy.flags_for(["+33 6 12 34 56 78 on whatsapp"]) == ["phone,off_platform"]


def test_flags_never_pass_the_column_length():
    def many(bodies):
        return [[f"code_{i:02d}_padding_padding" for i in range(20)] for _ in bodies]

    policy.register_flagger(many)
    try:
        (joined,) = policy.flags_for(["x"])
    finally:
        policy.unregister_flagger(many)
    assert 0 < len(joined) <= 200 and joined.startswith("code_00")


def test_ordinary_messages_are_cheap():
    """The fast path: a short everyday message costs microseconds (generous bound: shared CI)."""
    bodies = ["Hi, is the bike still available?", "Je peux passer samedi matin, ça vous va ?", "Ok, deal. See you tomorrow."] * 300
    best = float("inf")
    for _ in range(5):
        start = time.process_time()
        risk.flag_bodies(bodies)
        best = min(best, time.process_time() - start)
    assert best / len(bodies) < 50e-6

"""Risk detection alone, and the send path with it on and off: the cost of safety tips.

    python -m bench.risk_micro [--messages 20000] [--repeat 7] [--send [--send-runs 3]]

First it times `parley.safety.risk.flag_bodies` (what the send path calls once per batch)
over a realistic mix of bodies, mostly everyday messages in English and French and about one
in ten with a phone number, an email address, a link, an IBAN, a card number or an
off-platform phrase; then over the everyday ones and the risky ones apart. CPU time
(`time.process_time`), `--repeat` runs, the median and the best, in microseconds per message.

With `--send` it then runs `python -m bench.send_micro --mix` `--send-runs` times with tips on
and as often with `--no-safety-tips`, alternating, and prints the median CPU per message of
each, the difference, and the flaggers' CPU timed where they run (policy.flags_for inside
send_batch), which other load on the machine barely moves. Other work on the machine moves single runs by about 10%; the
medians of alternating runs are what docs/benchmarks.md reports.
"""

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import time

EVERYDAY = [
    "Hello, is it still available?",
    "Hi! Is the bike still for sale?",
    "Bonjour, le vélo est-il toujours disponible ?",
    "Would you take 300 € for it?",
    "Je peux vous en proposer 280 €, ça vous va ?",
    "Great, I can pick it up on Saturday around 14h30.",
    "Parfait, je passe samedi vers 14h30.",
    "Does it come with the charger?",
    "Est-ce que la facture est fournie ?",
    "Thanks, see you tomorrow!",
    "Merci, à demain !",
    "Ok",
    "👍",
    "Can you send another photo of the back? The scratches on the left side worry me a bit.",
    "Il y a des rayures sur le cadre ? Sur la photo on dirait que la peinture est abîmée près de la selle.",
    "I'm near Gare de Lyon, order #123456789 arrived yesterday so I know the area well.",
    "The price is 1 200,50 EUR with the bag, bought 12/03/2024.",
    "Je suis au 75011, on peut se retrouver devant la boulangerie ?",
    "Is the size 54 cm? I'm 1.78 m tall.",
    "Sorry for the late reply, busy week at work. Is it still possible to see it this weekend?",
]
RISKY = [
    "Contact me on WhatsApp +33 6 12 34 56 78",
    "Mon numéro : 06 12 34 56 78, appelez-moi",
    "email me at bob.dupont@gmail.com",
    "IBAN FR76 3000 6000 0112 3456 7890 189, virement bancaire d'abord",
    "pay here https://secure-paiement-parley.com/checkout",
    "I only accept Western Union, pay by bank transfer first",
    "paiement par virement avant l'envoi, mandat cash accepté",
    "My card is 4111 1111 1111 1111",
    "contacte-moi sur WhatsApp stp",
    "(415) 555-2671 text me",
]


def mix(count: int, *, seed: int = 1, risky_share: float = 0.1) -> list[str]:
    """`count` bodies: everyday ones, and a `risky_share` of risky ones, shuffled."""
    rnd = random.Random(seed)
    return [rnd.choice(RISKY) if rnd.random() < risky_share else rnd.choice(EVERYDAY) for _ in range(count)]


def time_per_message(fn, bodies: list[str], repeat: int) -> tuple[float, float]:
    """(median, best) CPU microseconds per body of fn(bodies), over `repeat` runs."""
    runs = []
    for _ in range(repeat):
        start = time.process_time()
        fn(bodies)
        runs.append((time.process_time() - start) / len(bodies) * 1e6)
    return statistics.median(runs), min(runs)


def detection(args) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parley.settings")
    import django

    django.setup()
    from parley.safety.risk import flag_bodies

    for label, bodies in (
        ("mix (10% risky)", mix(args.messages)),
        ("everyday only", mix(args.messages, risky_share=0.0)),
        ("risky only", mix(args.messages, risky_share=1.0)),
    ):
        median, best = time_per_message(flag_bodies, bodies, args.repeat)
        flagged = sum(bool(codes) for codes in flag_bodies(bodies))
        print(f"flag_bodies, {label:16}: median {median:6.2f} µs/msg, best {best:6.2f} µs/msg "
              f"({len(bodies)} msgs x {args.repeat}, {flagged} flagged)")


def send_path(args) -> None:
    found = {"on": [], "off": []}
    inside = []
    pattern = re.compile(r"CPU ([\d.]+) ms/msg, wall ([\d.]+) ms/msg, errors \d+, flaggers ([\d.]+) µs/msg")
    for _ in range(args.send_runs):
        for mode in ("on", "off"):
            cmd = [sys.executable, "-m", "bench.send_micro", "--mix", "--messages", str(args.send_messages)]
            if mode == "off":
                cmd.append("--no-safety-tips")
            env = {k: v for k, v in os.environ.items() if k != "PARLEY_SAFETY_TIPS"}
            out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout
            match = pattern.search(out)
            found[mode].append(float(match.group(1)) * 1000)
            if mode == "on":
                inside.append(float(match.group(3)))
            print(f"send_micro --mix, tips {mode:3}: CPU {match.group(1)} ms/msg, wall {match.group(2)} ms/msg, "
                  f"flaggers {match.group(3)} µs/msg")
    on, off = statistics.median(found["on"]), statistics.median(found["off"])
    print(f"send path, median of {args.send_runs}: tips on {on:.1f} µs/msg, off {off:.1f} µs/msg, "
          f"difference {on - off:+.1f} µs/msg ({100 * (on - off) / off:+.1f}%); detection timed inside the "
          f"send path: median {statistics.median(inside):.1f} µs/msg ({100 * statistics.median(inside) / off:.1f}% of off)")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.risk_micro", description=__doc__.split("\n\n")[0])
    p.add_argument("--messages", type=int, default=20_000)
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--send", action="store_true", help="also bench.send_micro --mix with tips on and off")
    p.add_argument("--send-runs", type=int, default=3)
    p.add_argument("--send-messages", type=int, default=20_000)
    args = p.parse_args(argv)
    detection(args)
    if args.send:
        send_path(args)


if __name__ == "__main__":
    main()

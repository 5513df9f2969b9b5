"""Summarise py-spy raw (collapsed) stacks: `python -m bench.profile_summary FILE [--messages N] [--rate HZ]`.

Prints, per thread, the samples and the top functions by self time and by inclusive time,
and (given the number of messages the profile covered) the time each costs per message.
"""

import argparse
import re
from collections import Counter, defaultdict

_FRAME = re.compile(r"^(?P<fn>.*?) \((?P<file>[^():]+?)(?::(?P<line>\d+))?\)$")


def parse(path: str):
    threads: dict[str, Counter] = defaultdict(Counter)  # thread -> stack tuple -> samples
    for line in open(path):
        line = line.rstrip("\n")
        if not line:
            continue
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        thread = frames[0]
        thread = re.sub(r"thread \(\d+\): ", "", thread)
        thread = re.sub(r"_\d+$", "_N", thread) if thread.startswith("ThreadPoolExecutor") else thread
        threads[thread][tuple(frames[1:])] += int(count)
    return threads


def name(frame: str, with_line: bool = False) -> str:
    m = _FRAME.match(frame)
    if not m:
        return frame
    return f"{m['fn']} ({m['file']}{':' + m['line'] if with_line and m['line'] else ''})"


def summarise(path: str, rate: float, messages: int | None, top: int = 25) -> str:
    out = []
    threads = parse(path)
    grand = sum(sum(c.values()) for c in threads.values())
    out.append(f"{grand} samples at {rate:g} Hz = {grand / rate:.1f} s of busy thread time")
    for thread, stacks in sorted(threads.items(), key=lambda kv: -sum(kv[1].values())):
        total = sum(stacks.values())
        per = f", {1000 * total / rate / messages:.3f} ms per message" if messages else ""
        out.append(f"\n== {thread}: {total} samples ({total / rate:.1f} s){per}")
        self_c, incl = Counter(), Counter()
        for frames, n in stacks.items():
            if frames:
                self_c[name(frames[-1], True)] += n
            for f in {name(f) for f in frames}:
                incl[f] += n

        def fmt(fn, n):
            ms = f"{1000 * n / rate / messages:7.3f} ms/msg " if messages else ""
            return f"  {100 * n / total:5.1f}%  {ms}{fn}"

        out.append(" top self:")
        out += [fmt(fn, n) for fn, n in self_c.most_common(top)]
        out.append(" top inclusive:")
        out += [fmt(fn, n) for fn, n in incl.most_common(top + 15)]
    return "\n".join(out)


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("path")
    p.add_argument("--rate", type=float, default=250)
    p.add_argument("--messages", type=int)
    p.add_argument("--top", type=int, default=25)
    a = p.parse_args(argv)
    print(summarise(a.path, a.rate, a.messages, a.top))


if __name__ == "__main__":
    main()

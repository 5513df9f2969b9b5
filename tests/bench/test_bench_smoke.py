"""A few seconds of the bench harness, so it cannot rot. No timing assertions (GUIDE.md §6)."""

import sys

from bench import scenarios
from bench.runner import cleanup, workdir


def test_bench_smoke_delivery_and_idle():
    sizes = scenarios.Sizes(quick=False, smoke=True)
    work = workdir()
    try:
        rows = scenarios.scenario_a_e(sizes, work, with_e=True)
        rows += scenarios.scenario_c(sizes, work)
    finally:
        cleanup(work)
    by = {r["scenario"]: r for r in rows}
    a = by["a"]
    assert a["sent"] > 0, a
    assert a["lost"] == 0 and a["duplicated"] == 0, a
    assert a["delivered"] == a["sent"] and a["acked"] == a["sent"], a
    e = by["e"]
    assert e["sent"] > 0 and e["lost"] == 0 and e["duplicated"] == 0, e
    assert e["poll"]["requests"] > 0 and e["poll"]["errors"] == 0, e
    c = by["c"]
    assert c["held"] == c["asked"] == sizes.connections, c
    assert c["kib_per_conn"] is not None
    print(rows, file=sys.stderr)

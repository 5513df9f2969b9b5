"""Run the web client's unit tests (tests/js/*.test.mjs) with node's built-in runner.

They test the protocol core, the outbox and the transports without a browser. Without node
they are skipped with the reason, unless PARLEY_REQUIRE_SERVICES=1 (CI), which makes them
compulsory; .ci/run installs node.
"""

import shutil
import subprocess
from pathlib import Path

from tests.support.services import NODE, need, node_missing

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def test_the_client_unit_tests_pass_under_node():
    need(node_missing())
    files = sorted(str(p.relative_to(ROOT)) for p in HERE.glob("*.test.mjs"))
    assert files, "tests/js has no *.test.mjs files"
    result = subprocess.run(
        [shutil.which(NODE), "--test", *files], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    summary = "\n".join(line for line in result.stdout.splitlines() if line.startswith(("# tests", "# pass", "# fail", "not ok")))
    assert result.returncode == 0, f"node --test failed:\n{summary}\n\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}"
    assert "# fail 0" in result.stdout, summary

"""docs/api.md runs: its `sh` blocks in one bash script, then its `python` blocks in one
namespace, against a real server, top to bottom."""

import os
import re
import subprocess
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[1] / "docs" / "api.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", DOC.read_text(), flags=re.S | re.M)


def test_the_doc_has_steps_of_both_kinds():
    assert len(blocks("sh")) >= 4 and len(blocks("python")) >= 3


def test_every_curl_step_runs(live_server_proc, tmp_path):
    script = "set -euo pipefail\n" + "\n".join(blocks("sh"))
    result = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "BASE": live_server_proc.base_url})
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


@pytest.mark.timeout(120)
def test_every_python_step_runs(live_server_proc):
    namespace = {"BASE": live_server_proc.base_url, "__name__": "api_doc"}
    for block in blocks("python"):
        exec(compile(block, str(DOC), "exec"), namespace)  # noqa: S102 - our own document

"""Parley plugs into a marketplace that is not the demo: tests/hostproject/.

The listing model is fixed when settings load, so the host project runs in subprocesses:
migrate from scratch, check its migrations and system checks, then its own test file
(tests/hostproject/test_in_host.py) under hostproject.settings.
"""

import os
import subprocess
import sys
from pathlib import Path

HOST = Path(__file__).resolve().parent / "hostproject"
TIMEOUT = 300


def run(args, tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hostproject.settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(HOST), os.environ.get("PYTHONPATH", "")])),
        "HOST_DB": str(tmp_path / "host.sqlite3"),
    }
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run(
        [sys.executable, *args], cwd=HOST, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )


def test_host_project_migrates_from_scratch(tmp_path):
    result = run(["manage.py", "migrate", "--noinput"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    # The swappable dependency puts the host's listing table before Parley's conversations.
    assert out.index("Applying shop.0001_initial") < out.index("Applying parley_conversations.0001_initial")
    assert "marketplace" not in out


def test_host_project_has_no_missing_migrations_and_passes_checks(tmp_path):
    result = run(["manage.py", "makemigrations", "--check", "--dry-run"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    result = run(["manage.py", "check", "--fail-level", "WARNING"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_messaging_works_inside_the_host_project(tmp_path):
    result = run(["-m", "pytest", "-q", "test_in_host.py"], tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout

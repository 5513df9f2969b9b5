"""Production settings pass Django's deploy checklist; demo mode never leaks into production."""

import os
import secrets
import subprocess
import sys

from tests.support.live import ROOT


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    env.update(DJANGO_SETTINGS_MODULE="parley.settings", **extra)
    return env


def _run(code_or_args, env):
    return subprocess.run([sys.executable, *code_or_args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=90)


def test_check_deploy_passes_in_production(tmp_path):
    env = _env(
        PARLEY_PRODUCTION="1",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="example.com",
        PARLEY_VAR_DIR=str(tmp_path),
    )
    r = _run(["-m", "django", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert r.returncode == 0, r.stdout + r.stderr


def test_production_refuses_a_generated_secret_key(tmp_path):
    env = _env(PARLEY_PRODUCTION="1", ALLOWED_HOSTS="example.com", PARLEY_VAR_DIR=str(tmp_path))
    env.pop("SECRET_KEY", None)
    r = _run(["-m", "django", "check"], env)
    assert r.returncode != 0 and "SECRET_KEY" in r.stderr


def test_production_turns_demo_mode_off(tmp_path):
    env = _env(
        PARLEY_PRODUCTION="1",
        PARLEY_DEMO="1",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="example.com",
        PARLEY_VAR_DIR=str(tmp_path),
    )
    code = "import django; django.setup(); from django.conf import settings as s; print(s.PARLEY_DEMO, s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    r = _run(["-c", code], env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["False", "False", "True", "True"]

"""The pixel work runs in image processes at the lowest priority, never in the caller's process."""

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from parley.attachments import imagepool, pixels

from . import files


@pytest.fixture(autouse=True)
def fresh_pool():
    imagepool.shutdown()
    yield
    imagepool.shutdown()


def test_the_work_runs_in_another_process_at_the_lowest_priority():
    assert imagepool.run(os.getpid) != os.getpid()
    if sys.platform.startswith("linux"):
        assert imagepool.run(os.sched_getscheduler, 0) == os.SCHED_IDLE
    else:  # pragma: no cover - the fallback
        assert imagepool.run(os.nice, 0) == 19


def test_a_photo_is_cleaned_there_and_comes_back_as_bytes():
    stored, fmt, width, height = imagepool.run(pixels.clean, files.jpeg(1200, 900), 40_000_000)
    assert fmt == "JPEG" and (width, height) == (1200, 900) and stored.startswith(b"\xff\xd8")
    made = imagepool.run(pixels.variants, stored, (1600, 400))
    assert set(made) == {1600, 400} and all(data[8:12] == b"WEBP" for data in made.values())


def test_a_refusal_comes_back_with_its_code():
    with pytest.raises(pixels.Refused) as refused:
        imagepool.run(pixels.clean, files.jpeg(800, 600)[:3000], 40_000_000)
    assert refused.value.code == "undecodable"


def test_a_crashed_process_is_an_error_and_the_next_call_gets_a_fresh_one():
    first = imagepool.run(os.getpid)
    with pytest.raises(imagepool.Crashed):
        imagepool.run(os._exit, 1)  # what a decoder's segfault or the OOM killer does
    second = imagepool.run(os.getpid)
    assert second not in (first, os.getpid())


@pytest.mark.parametrize("processes", [1, 2])
def test_at_most_the_configured_number_of_decodes_at_once(settings, processes):
    settings.PARLEY_IMAGE_PROCESSES = processes
    slow_pid = "__import__('time').sleep(0.3) or __import__('os').getpid()"
    with ThreadPoolExecutor(max_workers=4) as requests:  # four uploads at the same moment
        pids = set(requests.map(lambda _: imagepool.run(eval, slow_pid), range(4)))
    assert len(pids) == processes


def test_the_image_processes_load_pillow_and_no_django():
    loaded = imagepool.run(eval, "sorted({m.split('.')[0] for m in __import__('sys').modules} & {'django', 'PIL'})")
    assert loaded == ["PIL"]


def test_the_image_processes_go_when_their_owner_is_killed(tmp_path):
    """A server or worker killed outright (SIGKILL, the worker's PDEATHSIG) leaves no image process."""
    owner = tmp_path / "owner.py"
    owner.write_text(
        "import os\n"
        "from parley.attachments import imagepool\n"
        "if __name__ == '__main__':\n"
        "    print(imagepool.run(os.getpid), flush=True)\n"
        "    os._exit(0)  # no atexit, no pool shutdown: as a SIGKILL\n")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "parley.settings"}
    out = subprocess.run([sys.executable, str(owner)], env=env, capture_output=True, text=True, timeout=60, check=True)
    image_pid = int(out.stdout.strip())
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(image_pid):
        time.sleep(0.1)
    assert not _alive(image_pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] if sys.platform.startswith("linux") else "R"
    return state != "Z"  # a zombie has exited; its parent (the forkserver) reaps it on its way out

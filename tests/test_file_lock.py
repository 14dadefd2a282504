"""Unit tests of :func:`capture.lock.file_lock` and of the overlay writer that uses it: two
``capture repair --apply`` on one overlay at once both land."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from capture.errors import Busy
from capture.lock import file_lock
from capture.sites import load_site

HOLD = textwrap.dedent("""
    import sys
    from capture.lock import file_lock
    with file_lock(sys.argv[1]):
        print("held", flush=True)
        sys.stdin.read()
""")


def test_file_lock_waits_for_another_process_then_gets_it(tmp_path: Path) -> None:
    target = tmp_path / "netease.toml"
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(target)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        with pytest.raises(Busy, match=rf"{target.name} is being changed by another process .*\.lock"):
            with file_lock(target, timeout=0.2):
                pass
        threading.Timer(0.3, proc.stdin.close).start()
        started = time.monotonic()
        with file_lock(target, timeout=10):
            assert time.monotonic() - started >= 0.2  # it waited for the holder
    finally:
        proc.wait(timeout=10)
    assert (tmp_path / "netease.toml.lock").exists()


def test_file_lock_is_released_on_exception_and_by_a_dead_holder(tmp_path: Path) -> None:
    target = tmp_path / "golden"
    with pytest.raises(ValueError), file_lock(target):
        raise ValueError
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(target)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    proc.kill()
    proc.wait(timeout=10)
    with file_lock(target, timeout=2):  # the OS released the killed holder's flock
        pass


#: A ``capture repair --apply``: ready, then at "go" merges its addition into the overlay.
APPLY = textwrap.dedent("""
    import json, sys
    from capture.sites import write_overlay
    print("ready", flush=True)
    sys.stdin.readline()
    write_overlay(sys.argv[1], json.loads(sys.argv[2]))
""")

ADD_BODY = {"generation": {"post2020_dy": {"fields": {"body": [".body_from_a"]}}}}
ADD_TITLE = {"generation": {"post2020_dy": {"fields": {"title": ["h1.title_from_b"]}}}}


def test_two_concurrent_applies_to_one_overlay_both_land(tmp_path: Path) -> None:
    """10 trials of two processes merging different additions into one overlay at the same moment:
    both additions are there every time (an unlocked read-merge-write loses one now and then)."""
    lost = []
    for trial in range(10):
        overlay = tmp_path / f"trial{trial}" / "netease.toml"
        overlay.parent.mkdir()
        overlay.write_text("# my overlay\n", encoding="utf-8")
        procs = [subprocess.Popen([sys.executable, "-c", APPLY, str(overlay), json.dumps(add)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                 for add in (ADD_BODY, ADD_TITLE)]
        for p in procs:
            assert p.stdout.readline().strip() == "ready"
        for p in procs:
            p.stdin.write("go\n")
            p.stdin.flush()
        for p in procs:
            p.stdin.close()
            assert p.wait(timeout=60) == 0
            p.stdout.close()
        fields = load_site([overlay]).generation_by_name["post2020_dy"].fields
        if ".body_from_a" not in fields["body"] or "h1.title_from_b" not in fields["title"]:
            lost.append(trial)
        assert overlay.read_text(encoding="utf-8").startswith("# my overlay\n")
    assert lost == [], f"an addition was lost in trials {lost} of 10"

"""Unit tests of :mod:`capture.lock`: one writer per snapshots folder, and the waiting shard lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading

import pytest

from capture.errors import Busy
from capture.lock import snapshots_lock, waiting_lock

#: A child process that takes the lock, says so, and holds it until stdin closes.
HOLDER = textwrap.dedent("""
    import sys
    from capture.lock import snapshots_lock
    with snapshots_lock(sys.argv[1]):
        print("held", flush=True)
        sys.stdin.read()
""")


@pytest.fixture
def holder(tmp_path):
    """Start a process holding ``tmp_path``'s lock; yield it (stopped at teardown)."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        yield proc
    finally:
        if proc.poll() is None:
            proc.stdin.close()
            proc.wait(timeout=10)


def test_lock_file_records_the_holders_pid(tmp_path):
    """The lock creates the folder and ``.lock`` holds this process's pid while held."""
    snap = tmp_path / "new" / "snapshots"
    with snapshots_lock(snap):
        assert (snap / ".lock").read_text() == f"{os.getpid()}\n"


def test_second_holder_in_another_process_is_busy_naming_its_pid(tmp_path, holder):
    """While another process holds the folder, taking it fails at once with Busy naming that pid."""
    with pytest.raises(Busy) as err, snapshots_lock(tmp_path):
        pass
    msg = str(err.value)
    assert f"(pid {holder.pid})" in msg and str(tmp_path) in msg and "--snapshots" in msg
    assert len(msg.splitlines()) == 1 and err.value.exit_code == 4


def test_second_holder_in_the_same_process_is_busy(tmp_path):
    """The lock is per open file, not per process: nested use in one process also refuses."""
    with snapshots_lock(tmp_path), pytest.raises(Busy, match=rf"\(pid {os.getpid()}\)"), snapshots_lock(tmp_path):
        pass


def test_lock_of_a_killed_holder_is_free(tmp_path, holder):
    """A holder killed with SIGKILL leaves ``.lock`` with its dead pid; the next run takes it anyway
    and writes its own pid over the old one."""
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    assert (tmp_path / ".lock").read_text() == f"{holder.pid}\n"
    with snapshots_lock(tmp_path):
        assert (tmp_path / ".lock").read_text() == f"{os.getpid()}\n"


def test_stale_lock_file_with_a_longer_dead_pid_is_overwritten_cleanly(tmp_path):
    """A stale file (no flock held) never blocks, and its old content is truncated, not left behind."""
    (tmp_path / ".lock").write_text("9999999999\nleftover\n")
    with snapshots_lock(tmp_path):
        assert (tmp_path / ".lock").read_text() == f"{os.getpid()}\n"


def test_lock_is_released_on_exit_and_on_exception(tmp_path):
    """After the ``with`` ends, normally or by an exception, the folder can be locked again."""
    with snapshots_lock(tmp_path):
        pass
    with pytest.raises(RuntimeError), snapshots_lock(tmp_path):
        raise RuntimeError("capture failed")
    with snapshots_lock(tmp_path):  # would raise Busy if either use had leaked its lock
        assert (tmp_path / ".lock").is_file()


def test_busy_holder_with_an_empty_lock_file_is_named_question_mark(tmp_path):
    """A holder that has not yet written its pid reads as ``pid ?``, not as an empty name."""
    with snapshots_lock(tmp_path):
        os.truncate(tmp_path / ".lock", 0)
        with pytest.raises(Busy, match=r"\(pid \?\)"), snapshots_lock(tmp_path):
            pass


def test_waiting_lock_waits_for_the_holder(tmp_path):
    """``waiting_lock`` blocks (never raises) while another holds the file, then gets it."""
    path = tmp_path / "shard.lock"
    got = threading.Event()

    def second() -> None:
        with waiting_lock(path):
            got.set()

    with waiting_lock(path):
        t = threading.Thread(target=second, daemon=True)
        t.start()
        assert not got.wait(0.3), "the second holder must wait while the first holds the lock"
    assert got.wait(10), "the second holder must get the lock once it is released"
    t.join(10)


def test_waiting_lock_is_released_on_exception(tmp_path):
    path = tmp_path / "shard.lock"
    with pytest.raises(ValueError), waiting_lock(path):
        raise ValueError
    got = threading.Event()

    def again() -> None:
        with waiting_lock(path):
            got.set()

    t = threading.Thread(target=again, daemon=True)
    t.start()
    assert got.wait(10)
    t.join(10)

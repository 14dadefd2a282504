"""File locks. One writer per snapshots folder: a second ``capture record`` on the same folder refuses at
once (:func:`snapshots_lock`); pytest-xdist workers wait for each other's shard (:func:`waiting_lock`);
a read-modify-write of a shared file (a site overlay, a golden folder) takes turns (:func:`file_lock`)."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from .errors import Busy


@contextlib.contextmanager
def snapshots_lock(snapshots: Path) -> Iterator[None]:
    """Hold ``<snapshots>/.lock`` (an flock, released by the OS if the process dies)."""
    Path(snapshots).mkdir(parents=True, exist_ok=True)
    path = Path(snapshots) / ".lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            raise Busy(f"{snapshots} is in use by another capture run (pid {holder}): "
                       "wait for it to finish or use another --snapshots folder") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def waiting_lock(path: Path) -> Iterator[None]:
    """Hold an flock on ``path``, waiting for whoever holds it (released by the OS if a holder dies)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def file_lock(path: Path, *, timeout: float | None = None) -> Iterator[None]:
    """Hold ``<path>.lock`` (filelock: an flock the OS releases if the holder dies) around a
    read-modify-write of ``path``, so two writers never both read the old contents. ``timeout``:
    seconds to wait before :class:`Busy` (None: wait as long as it takes). The ``.lock`` file stays:
    deleting a lock file another process may be opening would let two holders in."""
    from filelock import FileLock, Timeout

    lock_path = Path(f"{path}.lock")
    lock = FileLock(lock_path, timeout=-1 if timeout is None else timeout)
    try:
        lock.acquire()
    except Timeout:
        raise Busy(f"{path} is being changed by another process (it holds {lock_path}): "
                   "wait for it to finish and run again") from None
    except OSError as exc:
        from .errors import storage_error

        err = storage_error(exc, lock_path)
        if err is None:
            raise
        raise err from exc
    try:
        yield
    finally:
        lock.release()

"""File locks. One writer per snapshots folder: a second ``capture record`` on the same folder refuses at
once (:func:`snapshots_lock`); pytest-xdist workers wait for each other's shard (:func:`waiting_lock`)."""

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
def file_lock(path: Path) -> Iterator[None]:
    """Hold ``<path>.lock`` around a read-modify-write of ``path`` (an overlay, shared by runs)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with waiting_lock(Path(f"{path}.lock")):
        yield

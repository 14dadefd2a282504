"""The recorder's facade: ``record(targets, snapshots, opts)`` and the names callers import.

The work is done by one small module per job in :mod:`capture.record`: the browser pool
(:mod:`~capture.record.pool`), scheduling and normal/关怀版 pairing (:mod:`~capture.record.schedule`),
the retry policy (:mod:`~capture.record.retry`), loading and collecting one page
(:mod:`~capture.record.load`, :mod:`~capture.record.collect`, :mod:`~capture.record.page`) and the
staged files (:mod:`~capture.record.staging`, over :mod:`capture.bundle`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .record.collect import SCREENSHOT_MAX_HEIGHT
from .record.load import READY_FN, READY_POLL_MS, InFlight, wait_ready, wait_ready_sync
from .record.options import ATTEMPT_SLACK_S, Outcome, RecordOptions
from .record.page import IGNORED_FAILURES, PageSession
from .record.retry import RETRYABLE_NET, RETRYABLE_STATUS, RetryPolicy
from .record.schedule import Recorder
from .record.staging import merge_hars
from .sites import netease
from .sync import run_sync
from .targets import Target

_Session = PageSession  # the name tests patch

__all__ = ["ATTEMPT_SLACK_S", "IGNORED_FAILURES", "READY_FN", "READY_POLL_MS", "RETRYABLE_NET", "RETRYABLE_STATUS",
           "SCREENSHOT_MAX_HEIGHT", "InFlight", "Outcome", "PageSession", "RecordOptions", "Recorder", "RetryPolicy",
           "merge_hars", "netease", "record", "wait_ready", "wait_ready_sync"]


def record(targets: list[Target], snapshots: Path, opts: RecordOptions,
           on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Synchronous entry point (CLI, tests, benchmarks); works where a loop is already running."""
    return run_sync(Recorder(snapshots, opts, on_done).run(targets))

"""The thin sync wrapper over the package's async core.

``asyncio.run`` refuses to start where a loop is already running: in a notebook, or in a pytest
session whose pytest-playwright sync browser is alive (it keeps its loop marked running between
calls). There the coroutine runs on a thread of its own, so the sync entry points work anywhere.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion and return its result, from sync code, wherever it is called."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    # The thread runs in a copy of this context, so what the caller set (the site table in force,
    # capture.sites.using) holds there too.
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="capture-sync") as pool:
        return pool.submit(contextvars.copy_context().run, asyncio.run, coro).result()

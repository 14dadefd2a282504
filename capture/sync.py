"""The thin sync wrappers over the package's async core.

``asyncio.run`` refuses to start where a loop is already running: in a notebook, or in a pytest
session whose pytest-playwright sync browser is alive (it keeps its loop marked running between
calls). There the coroutine runs on a thread of its own, so the sync entry points work anywhere.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
import inspect
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


# --- one async core for Playwright's sync objects ---------------------------------------------------
#
# The recorder drives pages with Playwright's async API; tests and pytest-playwright's fixtures hold
# sync pages and contexts, whose route handlers must be sync too. Rather than a sync twin of each
# coroutine, a sync object is wrapped in :class:`Inline`, which answers like its async counterpart
# (``await ctx.route(...)``), and the coroutine is driven by :func:`run_inline`: every "await" is a
# sync call that is already done, so the coroutine never suspends and needs no event loop.


def run_inline(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine whose awaits are all :class:`Inline` calls, here and now; unwraps the result."""
    try:
        coro.send(None)
    except StopIteration as done:
        return _unwrap(done.value)
    coro.close()
    raise RuntimeError("capture.sync.run_inline: the coroutine awaited something asynchronous "
                       "(only Inline-wrapped sync Playwright calls can be awaited here)")


def _async_twin(obj: Any) -> type | None:
    """The async API's class of the same name as a sync Playwright object's (None for other objects)."""
    if not type(obj).__module__.startswith("playwright.sync_api"):
        return None
    from playwright.async_api import _generated

    return getattr(_generated, type(obj).__name__, None)


def _wrap(value: Any) -> Any:
    return Inline(value) if _async_twin(value) is not None else value


def _unwrap(value: Any) -> Any:
    return value._target if isinstance(value, Inline) else value


def _sync_arg(value: Any) -> Any:
    """An argument for the sync API: a coroutine function (a route handler) becomes a sync function
    that runs it inline on wrapped arguments; an Inline becomes its target again."""
    if inspect.iscoroutinefunction(value):
        # wraps: Playwright passes a handler as many arguments as its signature names
        return functools.wraps(value)(lambda *args: run_inline(value(*map(_wrap, args))))
    return _unwrap(value)


async def _done(value: Any) -> Any:
    return value


class Inline:
    """A sync Playwright object that answers like its async-API twin: a method that is a coroutine
    there returns an awaitable here (already done), the others return at once; Playwright objects it
    hands back are wrapped too, so ``await ctx.clock.set_fixed_time(...)`` works as in the async API."""

    __slots__ = ("_target",)

    def __init__(self, target: Any) -> None:
        self._target = target

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        twin = getattr(_async_twin(self._target), name, None)
        if not callable(value) or isinstance(twin, property):
            return _wrap(value)

        def call(*args: Any, **kwargs: Any) -> Any:
            out = _wrap(value(*map(_sync_arg, args), **{k: _sync_arg(v) for k, v in kwargs.items()}))
            return _done(out) if inspect.iscoroutinefunction(twin) else out

        return call

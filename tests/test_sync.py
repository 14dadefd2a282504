"""capture.sync: the sync entry points work where an event loop is already running."""

from __future__ import annotations

import asyncio
import threading

from capture.recorder import RecordOptions, record
from capture.sync import run_sync
from capture.testing import on_fresh_thread


async def _where() -> tuple[str, int]:
    await asyncio.sleep(0)
    return threading.current_thread().name, 42


def test_run_sync_without_a_loop_runs_on_the_calling_thread():
    name, value = on_fresh_thread(lambda: run_sync(_where()))
    assert value == 42 and name.startswith("fresh")


def test_run_sync_inside_a_running_loop_uses_a_thread_of_its_own():
    async def outer() -> tuple[str, int]:
        return run_sync(_where())  # asyncio.run would raise here

    name, value = on_fresh_thread(lambda: asyncio.run(outer()))
    assert value == 42 and name.startswith("capture-sync")


def test_record_while_the_sync_browser_is_alive(capture_context, replica_server, seed_target, tmp_path):
    """pytest-playwright's sync browser keeps its loop marked running; the recorder still records."""
    tab = capture_context.new_page()
    tab.goto(replica_server.base_url + "/")
    [out] = record([seed_target], tmp_path, RecordOptions(replica=True, base_url=replica_server.base_url, modes=("normal",)))
    tab.close()
    assert out.status == "ok", out.reason


# --- Inline: one async core run on Playwright's sync objects ---------------------------------------

class Clock:
    """Stands in for a sync Playwright object (its module and name are what Inline looks at)."""

    __module__ = "playwright.sync_api._generated"

    def __init__(self) -> None:
        self.calls: list[object] = []

    def set_fixed_time(self, when: object) -> None:  # a coroutine in the async API's Clock
        self.calls.append(when)

    def install(self, handler: object = None) -> str:
        self.calls.append(handler)
        return "installed"


def test_inline_awaits_what_the_async_api_awaits_and_runs_without_a_loop():
    from capture.sync import Inline, run_inline

    clock = Clock()

    async def core(c) -> str:
        await c.set_fixed_time("08:00")
        return "done"

    assert run_inline(core(Inline(clock))) == "done" and clock.calls == ["08:00"]


def test_inline_turns_a_coroutine_handler_into_a_sync_one():
    from capture.sync import Inline

    clock, seen = Clock(), []

    async def handler(obj) -> None:
        seen.append(obj)

    out = Inline(clock).install(handler)
    out.close()  # install is a coroutine in the async API: an awaitable comes back
    [sync_handler] = clock.calls
    assert callable(sync_handler) and not asyncio.iscoroutinefunction(sync_handler)
    sync_handler(clock)
    assert isinstance(seen[0], Inline) and seen[0]._target is clock


def test_run_inline_refuses_a_coroutine_that_really_suspends():
    import pytest

    from capture.sync import run_inline

    with pytest.raises(RuntimeError, match="awaited something asynchronous"):
        run_inline(_where())

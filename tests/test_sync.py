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

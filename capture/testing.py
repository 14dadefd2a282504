"""Small helpers for tests of netease-capture and of suites built on its pytest plugin.

Kept out of ``conftest.py`` so that tests import a module, not a conftest (pytest discourages that,
and a user's own repository has no conftest of ours).
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

#: The source checkout this package runs from (an editable install): where ``pages.toml`` and the
#: project's own ``tests/`` live.
ROOT = Path(__file__).resolve().parents[1]

#: Bundle files that two captures of the same replica page must reproduce byte for byte.
DETERMINISTIC = ("dom.html", "text.txt", "aria.yaml")


def digest(folder: Path) -> dict[str, str]:
    """sha256 of every file in ``folder`` (a bundle): to show a failed run left it untouched."""
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(folder.iterdir())}


def run_pytest(*args: str, env: dict[str, str] | None = None, timeout: float = 600,
               cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m pytest -q ARGS`` in a subprocess (tests of the suite itself), output captured as
    text; ``env`` adds to this process's environment; ``cwd`` defaults to the source checkout."""
    return subprocess.run([sys.executable, "-m", "pytest", "-q", *args], cwd=cwd or ROOT,
                          env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout)


def on_fresh_thread(fn: Callable[[], T]) -> T:
    """``fn()`` on a thread with no event loop: in a session where pytest-playwright's sync browser is
    alive, the main thread's loop is marked running and ``asyncio.run`` refuses to start there."""
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="fresh") as pool:
        return pool.submit(fn).result()


def care_unrecognised() -> object:
    """The mark of a test that fails only because the replica's 关怀版 markups (capture/replica/content.py
    CARE_MARKUPS) are not recognised yet: care recognition of an unknown markup is the lead's item 5, on
    another branch. Branch-local: removed at merge, when recognition lands."""
    import pytest

    return pytest.mark.xfail(reason="care recognition of unknown markup: lead's item 5", strict=False)

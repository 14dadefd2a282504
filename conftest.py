"""What the suite needs that is about this repository only.

Everything a user's own repository gets (options, the session capture, golden fixtures) is the
plugin in :mod:`capture.pytest_plugin`, registered with the ``pytest11`` entry point.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from capture.targets import Target
from capture.testing import LoopbackServer

SHARED = Path(__file__).resolve().parent.parent / "shared"
#: pytester: tests of the plugin's options run pytest in process.
pytest_plugins = ("pytester",)


@pytest.fixture(scope="session")
def seed_target() -> Target:
    """The replica's seed page (the one that reproduces ../shared/seed) as a watched target."""
    from capture.replica import seed_page

    page = seed_page()
    return Target(page.id, page.live_url)


@pytest.fixture(scope="session")
def seed_text() -> str:
    seed = sorted((SHARED / "seed").glob("*.txt")) if (SHARED / "seed").is_dir() else []
    if not seed:
        pytest.skip(f"seed file absent: {SHARED / 'seed'} not found")
    return seed[0].read_text(encoding="utf-8")


@pytest.fixture
def serve() -> Iterator[Callable[..., str]]:
    """Serve {path: bytes} on 127.0.0.1, port 0, as text/html in ``charset``; yields a function
    returning the origin (every server stops after the test)."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(files: dict[str, bytes], charset: str = "utf-8") -> str:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                body = files.get(self.path.split("?")[0])
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", f"text/html; charset={charset}")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args: Any) -> None:
                pass

        srv = LoopbackServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return f"http://127.0.0.1:{srv.server_address[1]}"

    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()


# --- tiers: unit (no browser, seconds), browser, subprocess, slow ----------------------------------------

#: Fixtures that start Chromium (pytest-playwright's and the plugin's): a test using one is a browser test.
BROWSER_FIXTURES = frozenset({"capture_chromium", "capture_context", "captured", "capture_bundle", "capture_views",
                              "page", "context", "browser", "golden"})
TIERS = ("unit", "browser", "subprocess", "slow")


#: Calls that start Chromium or a child process, looked for in a test's own code and its fixtures'.
BROWSER_CALLS = ("record(", "run_check(", "run_record(", "launch(", "new_context(", '"record"', '"check"',
                 '"extract", PAGE', "sync_playwright", "async_playwright", "measure_sync(", "run_extract(")
SUBPROCESS_CALLS = ("run_pytest(", "subprocess.", "Popen(", "runpytest_subprocess(")


def _source_of(item: pytest.Item) -> str:
    """The test function's source and that of the fixtures it uses (the project's own, not plugins')."""
    import inspect

    parts = []
    funcs = [getattr(item, "function", None)]
    info = getattr(item, "_fixtureinfo", None)
    for defs in (info.name2fixturedefs.values() if info else ()):
        funcs += [d.func for d in defs if "site-packages" not in str(getattr(d.func, "__code__", "").co_filename
                                                                      if hasattr(d.func, "__code__") else "")]
    for fn in funcs:
        try:
            parts.append(inspect.getsource(fn))
        except (OSError, TypeError):
            continue
    return "\n".join(parts)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test gets a tier: the one its module or function declares (``pytestmark``), else
    ``subprocess`` + ``slow`` for the journeys, ``browser`` when it (or a fixture of ours it uses) starts
    Chromium, ``subprocess`` when it starts a child process, else ``unit`` (which
    :func:`_unit_tests_start_no_browser` holds to: a unit test that starts Chromium fails saying so)."""
    for item in items:
        if any(item.get_closest_marker(t) for t in TIERS):
            continue
        if "journeys" in item.path.parts:
            item.add_marker(pytest.mark.subprocess)
            item.add_marker(pytest.mark.slow)
            continue
        source = _source_of(item)
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())) or any(c in source for c in BROWSER_CALLS):
            item.add_marker(pytest.mark.browser)
        elif any(c in source for c in SUBPROCESS_CALLS):
            item.add_marker(pytest.mark.subprocess)
        else:
            item.add_marker(pytest.mark.unit)


@pytest.fixture(autouse=True)
def _unit_tests_start_no_browser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``unit`` test that starts Chromium is mis-tiered: it fails saying so (mark it ``browser``)."""
    if request.node.get_closest_marker("unit") is None:
        return
    from playwright.async_api import BrowserType as AsyncBrowserType
    from playwright.sync_api import BrowserType as SyncBrowserType

    def refuse(*_a: Any, **_kw: Any) -> Any:
        raise RuntimeError(f"{request.node.nodeid} is a unit test but starts Chromium: mark it browser")

    for cls in (AsyncBrowserType, SyncBrowserType):  # every way a Chromium starts, local or remote
        for name in ("launch", "connect", "launch_persistent_context"):
            monkeypatch.setattr(cls, name, refuse)

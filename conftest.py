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

"""Scaling out: remote browsers (``--connect``), watchlist shards (``--shard i/N``) and browser servers.

Remote browsers are reached with Playwright's ``browser_type.connect`` over a WebSocket. Two kinds of
endpoint work:

* ``playwright run-server --unsafe``: launches a browser per connection with the launch options the
  client sends in the ``x-playwright-launch-options`` header. Plain ``run-server`` (without
  ``--unsafe``) ignores ``executablePath`` and tries Playwright's own downloaded browser, which these
  machines do not have; so the client asks for the system Chromium with ``--remote-executable PATH``.
* an endpoint with a browser already running (``chromium.launchServer`` from Playwright's Node side,
  a browser grid): needs no header, so ``--remote-executable`` is left out.

Shards follow the Playwright Test convention: ``--shard i/N`` (1-based) takes the i-th of N
*contiguous* slices of the watchlist sorted by id, sizes differing by at most one page. Every machine
of a CI matrix sees the same order, so the slices cover the watchlist exactly once. Under
pytest-xdist the same slices share the session capture among the workers (:func:`record_shared`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from .browser import BrowserSettings, launch_args
from .errors import BadInput, BrowserNotFound, first_line

T = TypeVar("T")

LAUNCH_OPTIONS_HEADER = "x-playwright-launch-options"
_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
_WORKER = re.compile(r"^gw(\d+)$")


# --- shards --------------------------------------------------------------------------------------

def parse_shard(value: str | None) -> tuple[int, int] | None:
    """``"2/4"`` → ``(2, 4)``; ``None``/empty → ``None``. Anything else is :class:`BadInput`."""
    if value is None or not str(value).strip():
        return None
    m = _SHARD.match(str(value))
    if not m:
        raise BadInput(f"bad --shard {value!r}: give i/N such as 1/4 (1-based, like Playwright Test)")
    index, total = int(m.group(1)), int(m.group(2))
    if total < 1 or not 1 <= index <= total:
        raise BadInput(f"bad --shard {value!r}: i must be 1 to N and N at least 1")
    return index, total


def shard(items: Sequence[T], spec: tuple[int, int] | str | None, *, key: Any = None) -> list[T]:
    """The ``i``-th of ``N`` contiguous slices of ``items`` sorted by ``key`` (default: ``.id``)."""
    if isinstance(spec, str) or spec is None:
        spec = parse_shard(spec)
    if spec is None:
        return list(items)
    index, total = spec
    ordered = sorted(items, key=key or (lambda t: t.id))
    start = (index - 1) * len(ordered) // total
    stop = index * len(ordered) // total
    return ordered[start:stop]


# --- endpoints -----------------------------------------------------------------------------------

def check_endpoint(value: str) -> str:
    if not re.match(r"^wss?://[^/\s]+", value or ""):
        raise BadInput(f"bad --connect {value!r}: give a WebSocket endpoint such as ws://127.0.0.1:3000/")
    return value


def endpoint_for(index: int, endpoints: Sequence[str]) -> str:
    """Round-robin: page ``index`` (0-based, in watchlist order) goes to ``endpoints[index % n]``."""
    return endpoints[index % len(endpoints)]


def worker_endpoints(endpoints: Sequence[str], worker: str = "") -> tuple[str, ...]:
    """Under pytest-xdist worker ``gwN`` takes endpoint ``N mod len(endpoints)``; otherwise all of them."""
    m = _WORKER.match(worker or "")
    if not endpoints or not m:
        return tuple(endpoints)
    return (endpoints[int(m.group(1)) % len(endpoints)],)


def xdist_worker(workerinput: dict[str, Any] | None) -> tuple[int, int] | None:
    """``(index, count)`` of this pytest-xdist worker (``gw1`` of 2 → ``(1, 2)``); None outside xdist.

    ``workerinput`` is ``config.workerinput``, which xdist sets in its workers only. (Its
    ``PYTEST_XDIST_WORKER`` variables are inherited by any pytest a test starts in a subprocess,
    which would then take itself for a worker.)
    """
    m = _WORKER.match(str((workerinput or {}).get("workerid", "")))
    count = int((workerinput or {}).get("workercount") or 0)
    return (int(m.group(1)), count) if m and count > 0 else None


def record_shared(targets: Sequence[T], shared: Path, worker: tuple[int, int],
                  record: Callable[[list[T], Path], list[Any]]) -> list[dict[str, Any]]:
    """Every page captured once for all xdist workers, not once per worker.

    The watchlist is cut into one shard per worker (the ``--shard`` slices). A worker records its own
    shard first, then every other shard nobody has recorded yet: a worker that never got a test
    leaves its shard to the others, and one that died mid-way leaves it to be recorded again. A shard
    someone is recording is waited for (its flock). Each shard has its own snapshots folder, so no
    worker's start-up clean-up touches another's staging folders.

    ``record(part, snapshots)`` returns the recorder's outcomes; the result is every shard's outcomes
    as :meth:`Outcome.row` dicts, plus ``by``: the worker that recorded it.
    """
    from .lock import waiting_lock

    index, count = worker
    out: list[dict[str, Any]] = []
    for k in [(index + j) % count for j in range(count)]:
        part = shard(targets, (k + 1, count))
        if not part:
            continue
        root = Path(shared) / f"shard-{k + 1}-of-{count}"
        root.mkdir(parents=True, exist_ok=True)
        done = root / "outcomes.json"
        with waiting_lock(root / ".lock"):
            if not done.exists():
                rows = [{**o.row(), "by": f"gw{index}"} for o in record(list(part), root / "snapshots")]
                tmp = root / "outcomes.json.tmp"
                tmp.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
                os.replace(tmp, done)
        out.extend(json.loads(done.read_text(encoding="utf-8")))
    return out


def launch_options(settings: BrowserSettings | None, executable: str) -> dict[str, Any]:
    """What a ``run-server --unsafe`` should launch: the same options as a local launch."""
    args = launch_args(settings, executable=executable)
    return {"executablePath": args["executable_path"], "args": args["args"], "headless": args["headless"]}


def connect_headers(settings: BrowserSettings | None, remote_executable: str | None) -> dict[str, str]:
    if not remote_executable:
        return {}
    return {LAUNCH_OPTIONS_HEADER: json.dumps(launch_options(settings, remote_executable))}


def _connect_error(endpoint: str, exc: Exception) -> BrowserNotFound:
    first = first_line(exc)
    return BrowserNotFound(f"could not connect to the browser at {endpoint}: {first}")


async def connect_async(playwright: Any, endpoint: str, settings: BrowserSettings | None = None,
                        remote_executable: str | None = None, timeout_ms: float = 30_000) -> Any:
    """``chromium.connect`` with our launch options as a header when ``remote_executable`` is given."""
    try:
        return await playwright.chromium.connect(
            endpoint, timeout=timeout_ms, headers=connect_headers(settings, remote_executable))
    except Exception as exc:
        raise _connect_error(endpoint, exc) from None


# --- starting a browser server (tests, benchmarks, one machine of a grid) ------------------------

def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def driver_dir() -> Path:
    import playwright

    return Path(playwright.__file__).resolve().parent / "driver"


LAUNCH_SERVER_JS = """
// node -e CODE A B: process.argv is [node, A, B]
const { chromium } = require(process.argv[1]);
(async () => {
  const opts = JSON.parse(process.argv[2]);
  const server = await chromium.launchServer(opts);
  console.log('Listening on ' + server.wsEndpoint());
  const stop = () => server.close().then(() => process.exit(0));
  process.stdin.on('close', stop);
  process.on('SIGTERM', stop);
})().catch(e => { console.error(String(e && e.stack || e)); process.exit(1); });
"""


class BrowserServer:
    """A browser service on loopback, as a context manager; ``ws_endpoint`` once started.

    ``kind="run-server"``: ``python -m playwright run-server --unsafe`` (clients send the launch
    header, i.e. use ``remote_executable``). ``kind="launch-server"``: the driver's node runs
    ``chromium.launchServer`` with our launch options (clients send no header).
    """

    def __init__(self, kind: str = "run-server", *, host: str = "127.0.0.1", port: int | None = None,
                 settings: BrowserSettings | None = None, executable: str | None = None) -> None:
        if kind not in ("run-server", "launch-server"):
            raise ValueError(f"kind must be run-server or launch-server, not {kind!r}")
        self.kind, self.host = kind, host
        self.port = port if port is not None else free_port(host)
        self.settings, self.executable = settings, executable
        self.ws_endpoint = ""
        self._proc: subprocess.Popen[str] | None = None

    def command(self) -> list[str]:
        if self.kind == "run-server":
            # the driver's node directly (what `python -m playwright run-server` execs), so that
            # stopping it stops the server and not just a wrapper
            return [str(driver_dir() / "node"), str(driver_dir() / "package" / "cli.js"), "run-server",
                    "--host", self.host, "--port", str(self.port), "--unsafe"]
        opts = launch_args(self.settings, executable=self.executable)
        js = {"executablePath": opts["executable_path"], "args": opts["args"], "headless": opts["headless"],
              "host": self.host, "port": self.port}
        return [str(driver_dir() / "node"), "-e", LAUNCH_SERVER_JS, str(driver_dir() / "package"), json.dumps(js)]

    def start(self, timeout_s: float = 30.0) -> BrowserServer:
        self._proc = subprocess.Popen(self.command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True, start_new_session=True)
        found: list[str] = []
        seen: list[str] = []

        def read() -> None:
            assert self._proc is not None and self._proc.stdout is not None
            for line in self._proc.stdout:
                seen.append(line.rstrip())
                m = re.search(r"Listening on (ws://\S+)", line)
                if m and not found:
                    found.append(m.group(1))

        threading.Thread(target=read, daemon=True).start()
        deadline = time.monotonic() + timeout_s
        while not found and time.monotonic() < deadline and self._proc.poll() is None:
            time.sleep(0.05)
        if not found:
            self.stop()
            raise BrowserNotFound(f"{self.kind} did not start: {' | '.join(seen[-3:]) or 'no output'}")
        self.ws_endpoint = found[0]
        return self

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        # SIGTERM: Playwright closes the browsers it launched, then the server exits. The server runs in
        # a session of its own, so whatever is left in its process group goes with it.
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if proc.stdin:
            proc.stdin.close()

    def __enter__(self) -> BrowserServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def node_available() -> bool:
    return (driver_dir() / "node").is_file() or shutil.which("node") is not None

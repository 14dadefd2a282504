"""Small helpers for tests of netease-capture and of suites built on its pytest plugin.

Kept out of ``conftest.py`` so that tests import a module, not a conftest (pytest discourages that,
and a user's own repository has no conftest of ours).
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
import random
import re
import shutil
import string
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from .recorder import RecordOptions
    from .run import RunConfig

T = TypeVar("T")

#: The source checkout this package runs from (an editable install): where ``pages.toml`` and the
#: project's own ``tests/`` live.
ROOT = Path(__file__).resolve().parents[1]
REPLICA_GOLDENS = ROOT / "snapshots" / "replica"


def snapshots_with_goldens(dest: Path, ids: list[str]) -> Path:
    """A snapshots folder at ``dest`` holding the repo's replica goldens of ``ids`` only (every view,
    and env; a check or a repair run on it touches no golden of the repository)."""
    from .goldens import View

    for sub in (*(str(v) for v in View), "env"):
        for f in (REPLICA_GOLDENS / sub).glob("*"):
            if any(f.name.startswith(f"{i}-") for i in ids):
                (dest / "replica" / sub).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(f, dest / "replica" / sub / f.name)
    return dest


def run_config(snapshots: Path | None, base_url: str | None = None, *, root: Path = ROOT,
               **request: Any) -> RunConfig:
    """A run built as ``capture --replica --snapshots SNAPSHOTS`` builds it (``request``: more of
    :class:`capture.run.RunRequest`'s fields; ``modes`` may be a tuple), its origin ``base_url``: a
    replica already serving (None: not started; :func:`capture.run.started` starts one)."""
    from .run import RunRequest, build

    if isinstance(request.get("modes"), tuple | list):
        request["modes"] = ",".join(request["modes"])
    if not request.get("live") and not request.get("replica_url") and not request.get("base_url"):
        request.setdefault("replica", True)
    config = build(RunRequest(root=root, snapshots=snapshots, **request))
    return config.with_base_url(base_url) if base_url else config

#: Bundle files that two captures of the same replica page must reproduce byte for byte.
DETERMINISTIC = ("dom.html", "text.txt", "aria.yaml")


def digest(folder: Path) -> dict[str, str]:
    """sha256 of every file in ``folder`` (a bundle): to show a failed run left it untouched."""
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(folder.iterdir())}


def run_pytest(*args: str, env: dict[str, str] | None = None, timeout: float = 600,
               cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m pytest -q ARGS`` in a subprocess (tests of the suite itself), output captured as
    text; ``env`` adds to this process's environment; ``cwd`` defaults to the source checkout."""
    # Not an xdist worker's own variables: syrupy would take the child for a worker and print no summary.
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST_")}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", *args], cwd=cwd or ROOT,
                          env={**inherited, **(env or {})}, capture_output=True, text=True, timeout=timeout)


def on_fresh_thread(fn: Callable[[], T]) -> T:
    """``fn()`` on a thread with no event loop: in a session where pytest-playwright's sync browser is
    alive, the main thread's loop is marked running and ``asyncio.run`` refuses to start there."""
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="fresh") as pool:
        return pool.submit(fn).result()


#: The two real NetEase pages beside the checkout (``../shared/samples/netease``): third-party data,
#: read in place and never copied. Tests that need them skip with a reason where they are absent.
SAMPLES = ROOT.parent / "shared" / "samples" / "netease"


def load_sample(name: str) -> bytes:
    """The bytes of one real sample; skips the calling test (with the path) when it is not there."""
    import pytest

    path = SAMPLES / name
    if not path.is_file():
        pytest.skip(f"real sample not available: {path} (the shared samples folder is not mounted)")
    return path.read_bytes()


#: Chromium flag for tests: every host name resolves to nothing but 127.0.0.1, so no DNS query leaves.
NO_DNS = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
#: A 1×1 GIF: what an image stand-in answers.
PIXEL_GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")


class LoopbackServer(ThreadingHTTPServer):
    """A threaded server whose listen backlog takes a page's burst of requests (socketserver's default
    of 5 drops the rest, and their SYN retries back off by seconds)."""

    daemon_threads = True
    request_queue_size = 512


class StandIn:
    """A tiny HTTP server on 127.0.0.1 port 0 standing in for ``host``: its ``pages`` ({path: html},
    which a test may change between loads), else 404; with no pages, or for a request a host map sent
    for another host (``X-Forwarded-Host``), a small valid CSS/JS/image by extension, else 404. It
    counts the paths asked for and keeps each request's User-Agent."""

    def __init__(self, host: str, pages: dict[str, bytes] | None = None) -> None:
        self.host, self.hits = host, Counter[str]()
        self.user_agents: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                server.hits[self.path] += 1
                server.user_agents.append(self.headers.get("User-Agent", ""))
                status, kind, body = server.answer(self.path, self.headers.get("X-Forwarded-Host", server.host))
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the browser dropped a request it no longer needed (the page moved on)

            do_POST = do_GET  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        self.pages = pages
        self.httpd = LoopbackServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def answer(self, path: str, host: str) -> tuple[int, str, bytes]:
        parts = urlsplit(path)
        if self.pages is not None and host == self.host:
            if parts.path in self.pages:
                return 200, "text/html; charset=utf-8", self.pages[parts.path]
            return 404, "text/plain", b"not found"
        ext = parts.path.rsplit(".", 1)[-1].lower() if "." in parts.path.rsplit("/", 1)[-1] else ""
        if ext == "css":
            return 200, "text/css", b"body{margin:0}\n"
        if ext == "js":
            return 200, "application/javascript", b"void 0;\n"
        if ext in ("png", "jpg", "jpeg", "gif", "webp", "ico", "svg") or "url=" in parts.query:
            return 200, "image/gif", PIXEL_GIF  # nimg serves every image as /?url=<original>&thumbnail=…
        return 404, "text/plain", b"not found"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# --- a real sample, reloaded and re-marked up offline ---------------------------------------------

_LI = re.compile(r'<li class="post_recommend">.*?</li>', re.S)


def churn_sample(html: str, rng: random.Random) -> str:
    """A reload of a real page, offline: its own 相关推荐 items shuffled, video icons added and removed,
    paragraph ids regenerated, random classes re-drawn."""
    start, end = html.find('<ul class="post_recommends_list">'), -1
    if start >= 0:
        end = html.find("</ul>", start)
        block = html[start:end]
        items = _LI.findall(block)
        shuffled = items[:]
        rng.shuffle(shuffled)
        shuffled = [it.replace('<i class="post_recommend_video"></i>', "") if rng.random() < 0.5
                    else re.sub(r'(<h3 class="post_recommend_title"><a [^>]*>)(?!<i)', r'\1<i class="post_recommend_video"></i>',
                                it, count=1) for it in shuffled]
        it = iter(shuffled)
        html = html[:start] + _LI.sub(lambda _m: next(it), block) + html[end:]
    html = re.sub(r'<p id="[0-9A-Z]{8}"', lambda _m: f'<p id="{_draw(rng, string.digits + string.ascii_uppercase, 8)}"',
                  html)
    return re.sub(r"\b_[0-9a-z]{11}\b", lambda _m: "_" + _draw(rng, string.digits + string.ascii_lowercase, 11), html)


def _draw(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def scramble_markup(html: str) -> str:
    """Every hand-written class and id renamed (a hash of the old name): the page in a markup nobody's
    table knows, as a 关怀版 of unknown markup may be. Generated ids and random classes keep their shape
    (``capture.sites.netease`` drops them from fingerprints), so churn of the source page stays churn."""
    from .sites import default_site

    keep = re.compile("|".join(f"(?:{p})" for p in (*default_site().skeleton_generated_ids, default_site().skeleton_random_class)))

    def rename(m: re.Match[str]) -> str:
        names = " ".join(n if keep.fullmatch(n) else "k" + hashlib.sha1(n.encode()).hexdigest()[:6]
                         for n in m.group(2).split())
        return f'{m.group(1)}="{names}"'

    return re.sub(r'\b(class|id)="([^"]*)"', rename, html)


# --- a real sample served as the site would send it -------------------------------------------------

#: sample -> its real URL
SAMPLE_URLS = {
    "magichtml_2024_dy_J22CN60P0514R9KQ_dom.html": "https://www.163.com/dy/article/J22CN60P0514R9KQ.html",
    "nanmicoder_2025_news_KC12OUHK000189FH_raw.html": "https://www.163.com/news/article/KC12OUHK000189FH.html",
}
#: The bound is generous; a capture that reaches it has a dead wait, and the test says so.
READY_BOUND_MS = 4_000


def _asset_hosts() -> tuple[str, ...]:
    from .sites import default_site

    return tuple(r.pattern for r in default_site().host_rules
                 if r.decision == "allow" and not r.pattern.startswith("*.") and r.pattern != "www.163.com")


class SampleSite:
    """One sample on loopback: the page host (normal and care page) and the asset stand-ins."""

    def __init__(self, name: str) -> None:
        self.html = load_sample(name).decode("utf-8")
        self.url = SAMPLE_URLS[name]
        aria = re.search(r'aria-url="([^"]+)"', self.html)
        assert aria, f"{name}: no body@aria-url, so no 关怀版 link to follow"
        self.care_url = aria.group(1)
        self.page = StandIn("www.163.com", {})
        self.assets = [StandIn(h) for h in _asset_hosts()]
        self.serve(self.html)
        from .targets import Target

        self.target = Target(urlsplit(self.url).path.rsplit("/", 1)[-1].removesuffix(".html"), self.url)

    def serve(self, html: str) -> None:
        """This version of the page from now on; its 关怀版 is the same page in unknown markup."""
        self.page.pages = {urlsplit(self.url).path: html.encode(),
                           urlsplit(self.care_url).path: scramble_markup(html).encode()}

    def options(self) -> RecordOptions:
        from .browser import BrowserSettings
        from .recorder import RecordOptions

        host_map = (("www.163.com", self.page.origin), *((s.host, s.origin) for s in self.assets))
        settings = BrowserSettings(host_map=host_map, extra_args=(NO_DNS,))
        # Two attempts: a 250 KB page with ~100 requests can miss the navigation timeout on a loaded
        # 2-core machine; a retry is recorded in meta.json (attempts), the readiness figures are the last's.
        return RecordOptions(jobs=1, retries=2, ready_timeout_ms=READY_BOUND_MS, settings=settings)

    def config(self, snapshots: Path, *, modes: tuple[str, ...] = ("normal", "care"),
               site: Path | None = None) -> RunConfig:
        """A ``--live`` run on this sample (``--site site``), goldens in ``snapshots``' live set, loading
        as :meth:`options` says."""
        from dataclasses import replace

        from .run import RunRequest, build

        config = build(RunRequest(root=Path(snapshots), live=True, snapshots=Path(snapshots), site=site,
                                  modes=",".join(modes)))
        return replace(config, options=replace(self.options(), modes=tuple(modes), site=config.site))

    def stop(self) -> None:
        for s in (self.page, *self.assets):
            s.stop()

"""Mapped fetches against a hostile origin (issue 21): every answer of the host map is bounded and
classified like any other load.

A stand-in for www.163.com on 127.0.0.1 (``--base-url``: the host map answers the real URL from it)
serves a gzip bomb, relative/absolute redirects, a redirect loop, a redirect off the machine, a
connection that is accepted and never answered, and pages whose script navigates away. Nothing leaves
127.0.0.1: every other host is blocked or unresolvable (Chromium resolves no name but 127.0.0.1).
"""

from __future__ import annotations

import gzip
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from capture import bundle
from capture.browser import BrowserSettings
from capture.recorder import RecordOptions, record
from capture.targets import Target
from capture.testing import NO_DNS, LoopbackServer

SITE = "https://www.163.com"
#: A page that loads (what the redirects lead to).
ARTICLE = ('<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
           '<h1>{title}</h1><div class="post_body"><p>正文：{title}。</p></div>{extra}</body></html>')
#: The gzip bomb's decoded size (issue 21 measured 200 MB: ≈194 KB of gzip).
BOMB_BYTES = 200 * 1024 * 1024
#: Navigation timeout of these tests: short, so the timeout path itself runs quickly.
NAV_S = 4.0


def article(title: str, extra: str = "") -> bytes:
    return ARTICLE.format(title=title, extra=extra).encode()


def path(name: str) -> str:
    return f"/dy/article/{name}.html"


def url(name: str) -> str:
    return SITE + path(name)


def on_load(js: str) -> str:
    """A script that runs ``js`` once the page has loaded (and the readiness wait has begun)."""
    return f"<script>addEventListener('load', () => setTimeout(() => {{ {js} }}, 50));</script>"


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """gzip of BOMB_BYTES zeros, compressed once (a few hundred KB)."""
    z = gzip.compress(bytes(BOMB_BYTES), compresslevel=9, mtime=0)
    assert len(z) < 1_000_000
    return z


class Hostile:
    """The stand-in origin: ``routes`` {path: (status, headers, body)}; ``HANG`` paths accept and never
    answer (until the test ends). Counts the paths asked for."""

    HANG = "hang"

    def __init__(self, routes: dict[str, Any]) -> None:
        self.routes, self.hits, self.released = routes, Counter[str](), threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                p = self.path.split("?")[0]
                server.hits[p] += 1
                answer = server.routes.get(p)
                if answer == Hostile.HANG:
                    server.released.wait(120)
                    return
                status, headers, body = answer or (404, {"Content-Type": "text/plain"}, b"not found")
                try:
                    self.send_response(status)
                    for k, v in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = LoopbackServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.released.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def redirect(status: int, location: str) -> tuple[int, dict[str, str], bytes]:
    return status, {"Location": location}, b""


@pytest.fixture(scope="module")
def hostile(bomb: bytes) -> Iterator[Hostile]:
    server = Hostile({
        path("OK"): (200, {}, article("目标文章")),
        path("BOMB"): (200, {"Content-Encoding": "gzip"}, bomb),
        path("REL302"): redirect(302, "OK.html"),                   # relative to the article's folder
        path("ABS301"): redirect(301, url("OK")),                   # another www.163.com article
        path("LOOP"): redirect(302, url("LOOP2")),                  # LOOP -> LOOP2 -> LOOP -> ...
        path("LOOP2"): redirect(302, path("LOOP")),
        path("OFFSITE"): redirect(302, "https://evil.example/dy/article/OK.html"),
        path("HANG"): Hostile.HANG,
        path("JSBLOCKED"): (200, {}, article("脚本跳走", on_load("location.href = 'https://evil.example/x.html'"))),
        path("JSARTICLE"): (200, {}, article("脚本跳转", on_load(f"location.href = '{url('OK')}'"))),
    })
    yield server
    server.stop()


def options(origin: str, **kw: Any) -> RecordOptions:
    settings = BrowserSettings(navigation_timeout_ms=NAV_S * 1000, extra_args=(NO_DNS,), **kw.pop("settings", {}))
    base: dict[str, Any] = dict(modes=("normal",), base_url=origin, retries=1, backoff_s=0.05,
                                ready_timeout_ms=1_500, jobs=4, settings=settings)
    return RecordOptions(**{**base, **kw})


#: case -> (outcome status, reason prefix or None, expected final URL of an ok capture)
CASES = {
    "BOMB": ("failed", "too-large", None),
    "REL302": ("ok", None, url("OK")),
    "ABS301": ("ok", None, url("OK")),
    "LOOP": ("failed", "redirect-loop", None),
    "OFFSITE": ("failed", "blocked-host", None),
    "JSBLOCKED": ("failed", "navigated-away", None),
    "JSARTICLE": ("failed", "navigated-away", None),
}
#: Every case ends within this many seconds (a correctness bound, not a benchmark): a few timeouts.
BOUND_S = 6 * NAV_S + 20


@pytest.fixture(scope="module")
def batch(hostile: Hostile, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Any]:
    snap = tmp_path_factory.mktemp("hostile")
    names = list(CASES)
    out = record([Target(n, url(n)) for n in names], snap, options(hostile.origin))
    for o in out:
        print(f"\n{o.id}: {o.status} {o.reason!r} {o.seconds} s, {o.attempts} attempt(s)")
    return dict(zip(names, out, strict=True)), snap


@pytest.mark.parametrize("case", list(CASES))
def test_mapped_fetch_is_classified_in_bounded_time(batch, case):
    outcomes, _snap = batch
    o = outcomes[case]
    status, reason, final = CASES[case]
    assert o.status == status, (o.status, o.reason)
    if reason:
        assert o.reason.startswith(reason + ":"), o.reason
        assert len(o.reason.splitlines()) == 1 and "Protocol error" not in o.reason
    else:
        meta = bundle.read_bundle(o.path).meta
        assert (meta.final_url, meta.status) == (final, 200)
        assert len(meta.redirect_chain) == 1, meta.redirect_chain
    assert o.seconds < BOUND_S, o.seconds


def test_the_bomb_is_never_decoded_past_the_cap(batch, hostile):
    o = batch[0]["BOMB"]
    assert o.reason.startswith("too-large:") and "32 MB" in o.reason, o.reason
    assert o.attempts == 1  # a body too large is final: no retry
    assert hostile.hits[path("BOMB")] == 1


def test_a_redirect_off_the_machine_is_blocked_not_followed(batch):
    o = batch[0]["OFFSITE"]
    assert "evil.example" in o.reason and "NAME_NOT_RESOLVED" not in o.reason, o.reason


def test_a_redirect_loop_stops_the_page(batch, hostile):
    o = batch[0]["LOOP"]
    assert o.reason.startswith("redirect-loop:") and o.attempts == 1, o.reason
    # Followed through the map (both hops asked of the origin), 20 redirects as Chromium allows, not forever.
    hops = hostile.hits[path("LOOP")] + hostile.hits[path("LOOP2")]
    assert 20 <= hops <= 22, hostile.hits


def test_script_navigation_names_where_the_page_went(batch):
    assert "evil.example" in batch[0]["JSBLOCKED"].reason
    assert url("OK") in batch[0]["JSARTICLE"].reason


def test_a_server_that_never_answers_is_a_timeout_retried_within_the_deadline(hostile, tmp_path):
    opts = options(hostile.origin, retries=2)
    t0 = time.monotonic()
    [o] = record([Target("HANG", url("HANG"))], tmp_path, opts)
    took = time.monotonic() - t0
    assert o.status == "failed" and o.reason.startswith("timeout:"), o.reason
    assert o.attempts == 2, o.reason
    assert o.seconds <= opts.deadline("normal") and took < 2 * NAV_S + 20, (o.seconds, took)


def test_the_size_cap_is_a_setting(hostile, tmp_path):
    """A plain (not compressed) page over a lowered cap is too-large too; under it, it loads."""
    big = article("大页面", "<p>" + "字" * 400_000 + "</p>")  # ≈1.2 MB
    hostile.routes[path("BIG")] = (200, {}, big)
    opts = options(hostile.origin, settings={"max_body_bytes": 1_000_000})
    [small, large] = record([Target("OK", url("OK")), Target("BIG", url("BIG"))], tmp_path, opts)
    assert small.status == "ok", small.reason
    assert large.status == "failed" and large.reason.startswith("too-large:"), large.reason


def test_a_capture_redirected_through_the_map_replays(batch, tmp_path):
    """The HAR holds the redirected page's last answer under the URL asked for: a replay (no origin
    needed) shows the same article."""
    _outcomes, snap = batch
    settings = BrowserSettings(navigation_timeout_ms=NAV_S * 1000, extra_args=(NO_DNS,))
    opts = RecordOptions(modes=("normal",), replay=True, replay_from=snap, retries=1, ready_timeout_ms=1_500,
                         settings=settings)
    [o] = record([Target("ABS301", url("ABS301"))], tmp_path, opts)
    assert o.status == "ok", o.reason
    got = bundle.read_bundle(o.path)
    assert got.meta.status == 200 and "目标文章" in got.text

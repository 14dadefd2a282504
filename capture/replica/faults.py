"""Fault mode for the replica: bad statuses, redirects, broken connections, odd encodings, pages that
are not the article, pages that break the browser, and endpoints that fail a few times then answer.

Two ways to ask for a fault (a *spec* is ``kind`` or ``kind:arg``):

- per request, by a path prefix: ``/_fault/<spec>/<real path>``, e.g.
  ``http://127.0.0.1:PORT/_fault/503:1/dy/article/J2P6C4GT0530JPVV.html`` (the rest of the path is the page);
- server-wide, for every article page (normal and 关怀版): ``ReplicaServer(fault="500")``, or a
  :class:`FaultPolicy` such as :class:`RandomFaults` (a deterministic share of article requests).

HTTP-level faults become a :class:`~capture.replica.response.Response`; socket-level ones
(``reset``, ``hang``, ``drip``, ``truncate``) a :class:`SocketFault` the request handler performs.
"""

from __future__ import annotations

import hashlib
import re
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..sites import default_site
from .response import Response

PREFIX = "/_fault/"

#: Every fault kind, with its argument and what it does.
KINDS: dict[str, str] = {
    "off": "no fault: the real answer (a redirect chain ends here)",
    "500": "HTTP 500 with an error page",
    "503": "HTTP 503 with Retry-After: <arg> seconds (default 1)",
    "404": "HTTP 404: the article was deleted",
    "redirect": "a chain of <arg> 301/302 redirects (default 3) ending at the article (under /_fault/off/)",
    "loop": "a redirect loop (302 to itself, forever)",
    "reset": "the connection is reset (TCP RST) without an answer",
    "hang": "the connection is accepted and never answered (until the server stops)",
    "drip": "the answer trickles in over <arg> seconds (default 60)",
    "truncate": "Content-Length promises the whole page, 60% of it is sent, then the connection closes",
    "charset-wrong": "a UTF-8 body labelled charset=<arg> (default iso-8859-1) in the header",
    "charset-missing": "no charset in the header nor in the page",
    "gbk": "the page encoded as GBK, labelled gbk",
    "empty": "HTTP 200 with an empty body",
    "captcha": "HTTP 200 with a 验证码 block page instead of the article",
    "script-error": "the article with a script that throws first",
    "crash": "the article with a script that allocates without bound (V8 out of memory kills the renderer, ~15 s)",
    "freeze": "the article, whose main thread then spins forever after load (a hung renderer)",
    "huge": "the article padded to ~5 MB of HTML and 100,000 px tall",
    "flaky": "HTTP 503 for the first <arg> requests of a path (default 2), then the real page",
    "flaky-reset": "a connection reset for the first <arg> requests of a path (default 2), then the real page",
}

HUGE_BYTES = 5 * 1024 * 1024
HUGE_HEIGHT_PX = 100_000

BLOCK_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>安全验证</title></head>
<body><div class="verify"><p>访问过于频繁，请输入验证码后继续访问。</p>
<form><input name="code" placeholder="验证码"><button>提交</button></form></div></body></html>
"""
DELETED_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>404 页面不存在</title></head>
<body><p>抱歉，您访问的页面不存在或已被删除。</p></body></html>
"""
ERROR_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{status}</title></head><body><center><h1>{status}</h1></center>
<hr><center>nginx</center></body></html>
"""
THROW_JS = "<script>throw new Error('replica fault: script-error');</script>"
FREEZE_JS = "<script>addEventListener('load', function(){ setTimeout(function(){ for(;;){} }, 0); });</script>"
BOMB_JS = "<script>(function(){var a=[];for(;;){a.push(new Array(1e6).fill(1.5));}})();</script>"


class FaultError(ValueError):
    """An unknown fault kind or a bad argument."""


@dataclass(frozen=True)
class Spec:
    kind: str
    arg: str = ""

    @classmethod
    def parse(cls, text: str) -> Spec:
        kind, _, arg = text.partition(":")
        if kind not in KINDS:
            raise FaultError(f"unknown fault {kind!r}: use one of {', '.join(KINDS)}")
        return cls(kind, arg)

    def number(self, default: float) -> float:
        if not self.arg:
            return default
        try:
            return float(self.arg)
        except ValueError:
            raise FaultError(f"fault {self.kind}: argument {self.arg!r} is not a number") from None

    def __str__(self) -> str:
        return f"{self.kind}:{self.arg}" if self.arg else self.kind


@dataclass
class SocketFault:
    """A fault below HTTP: the handler calls :meth:`perform` instead of writing a response."""

    kind: str
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    seconds: float = 0.0
    stop: threading.Event = field(default_factory=threading.Event)

    def perform(self, handler: Any, with_body: bool = True) -> None:
        handler.close_connection = True
        conn = handler.connection
        if self.kind == "reset":
            _reset(conn)
        elif self.kind == "hang":
            self.stop.wait(self.seconds or 600)
        elif self.kind in ("drip", "truncate"):
            try:
                handler.send_response(200)
                handler.send_header("Content-Type", self.content_type)
                handler.send_header("Content-Length", str(len(self.body)))
                handler.send_header("Cache-Control", "no-cache")
                handler.end_headers()
                if not with_body:
                    return
                if self.kind == "truncate":
                    handler.wfile.write(self.body[: int(len(self.body) * 0.6)])
                    handler.wfile.flush()
                    conn.shutdown(socket.SHUT_RDWR)
                    return
                chunks = max(1, int(self.seconds / 0.25))
                size = max(1, -(-len(self.body) // chunks))
                for i in range(0, len(self.body), size):
                    handler.wfile.write(self.body[i:i + size])
                    handler.wfile.flush()
                    if self.stop.wait(0.25):
                        return
            except OSError:
                return  # the client gave up


def _reset(conn: socket.socket) -> None:
    """Close with SO_LINGER 0, so the peer gets a TCP RST instead of an answer or a FIN."""
    try:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        fd = conn.detach()
        socket.close(fd)
    except OSError:
        pass


class FaultPolicy:
    """Decides, for a request without a ``/_fault/`` prefix, which fault (if any) to apply."""

    def choose(self, method: str, path: str, query: str) -> str | None:  # pragma: no cover - interface
        raise NotImplementedError


ARTICLE_PAGE = re.compile(default_site().article_path_re)


class Always(FaultPolicy):
    """One fault for every article page (``ReplicaServer(fault="500")``)."""

    def __init__(self, spec: str, pattern: re.Pattern[str] = ARTICLE_PAGE) -> None:
        Spec.parse(spec)
        self.spec = spec
        self.pattern = pattern

    def choose(self, method: str, path: str, query: str) -> str | None:
        return self.spec if self.pattern.match(path) else None


class RandomFaults(FaultPolicy):
    """A deterministic share of article-page requests faulted, the kind chosen pseudo-randomly.

    The choice hashes (seed, path, how many times this path was asked for), so a run with the same
    requests per path gets the same faults whatever the order across paths. ``chosen`` counts them.
    """

    def __init__(self, rate: float, kinds: tuple[str, ...], seed: int = 0,
                 pattern: re.Pattern[str] = ARTICLE_PAGE) -> None:
        for k in kinds:
            Spec.parse(k)
        self.rate, self.kinds, self.seed, self.pattern = rate, kinds, seed, pattern
        self._seen: dict[str, int] = {}
        self._lock = threading.Lock()
        self.chosen: dict[str, int] = {}
        self.requests = 0

    def choose(self, method: str, path: str, query: str) -> str | None:
        if not self.pattern.match(path):
            return None
        with self._lock:
            n = self._seen.get(path, 0)
            self._seen[path] = n + 1
            self.requests += 1
            h = hashlib.sha256(f"{self.seed}|{path}|{n}".encode()).digest()
            if int.from_bytes(h[:4], "big") / 2**32 >= self.rate:
                return None
            kind = self.kinds[int.from_bytes(h[4:8], "big") % len(self.kinds)]
            self.chosen[kind] = self.chosen.get(kind, 0) + 1
            return kind


Handle = Callable[[str, str, str], Any]


class FaultLayer:
    """Sits in front of :func:`capture.replica.server.handle`; holds the per-path counters of ``flaky``."""

    def __init__(self, policy: str | FaultPolicy | None = None) -> None:
        self.policy = Always(policy) if isinstance(policy, str) else policy
        self.stop = threading.Event()
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Forget how often each path was asked for (``flaky`` starts failing again)."""
        with self._lock:
            self._counts.clear()

    def _count(self, key: str) -> int:
        with self._lock:
            n = self._counts.get(key, 0) + 1
            self._counts[key] = n
            return n

    def respond(self, method: str, path: str, query: str, handle: Handle) -> Any:
        """A ``Response`` or a :class:`SocketFault` for one request."""
        if path.startswith(PREFIX):
            spec_text, _, rest = path[len(PREFIX):].partition("/")
            try:
                spec = Spec.parse(spec_text)
            except FaultError as exc:
                return _response(400, str(exc).encode(), "text/plain; charset=utf-8")
            return self._apply(spec, method, "/" + rest, query, handle, key=f"{path}?{query}")
        if self.policy is not None and (chosen := self.policy.choose(method, path, query)):
            return self._apply(Spec.parse(chosen), method, path, query, handle, key=f"{path}?{query}")
        return handle(method, path, query)

    def _apply(self, spec: Spec, method: str, path: str, query: str, handle: Handle, key: str) -> Any:
        kind = spec.kind
        qs = f"?{query}" if query else ""
        if kind == "off":
            return handle(method, path, query)
        if kind in ("500", "503"):
            status = int(kind)
            headers = (("Retry-After", str(int(spec.number(1)))),) if status == 503 else ()
            return _response(status, ERROR_PAGE.format(status=status).encode(), headers=headers)
        if kind == "404":
            return _response(404, DELETED_PAGE.encode())
        if kind == "redirect":
            hops = int(spec.number(3))
            nxt = f"{PREFIX}redirect:{hops - 1}{path}" if hops > 1 else f"{PREFIX}off{path}"
            return _response(301 if hops % 2 else 302, b"", headers=(("Location", nxt + qs),))
        if kind == "loop":
            return _response(302, b"", headers=(("Location", f"{PREFIX}loop{path}{qs}"),))
        if kind in ("flaky", "flaky-reset"):
            if self._count(key) <= int(spec.number(2)):
                if kind == "flaky-reset":
                    return SocketFault("reset", stop=self.stop)
                return _response(503, ERROR_PAGE.format(status=503).encode())
            return handle(method, path, query)
        if kind == "empty":
            return _response(200, b"")
        if kind == "captcha":
            return _response(200, BLOCK_PAGE.encode())
        if kind in ("reset", "hang"):
            return SocketFault(kind, seconds=spec.number(0), stop=self.stop)
        real = handle(method, path, query)
        if real.status != 200 or not real.content_type.startswith("text/html"):
            return real
        html = real.body.decode("utf-8")
        if kind in ("drip", "truncate"):
            return SocketFault(kind, body=real.body, seconds=spec.number(60), stop=self.stop)
        if kind == "charset-wrong":
            return _response(200, real.body, f"text/html; charset={spec.arg or 'iso-8859-1'}")
        if kind == "charset-missing":
            return _response(200, _without_meta_charset(html).encode("utf-8"), "text/html")
        if kind == "gbk":
            body = html.replace('<meta charset="utf-8">', '<meta charset="gbk">', 1)
            return _response(200, body.encode("gbk", errors="xmlcharrefreplace"), "text/html; charset=gbk")
        if kind == "script-error":
            return _response(200, html.replace("<head>", "<head>" + THROW_JS, 1).encode("utf-8"))
        if kind == "crash":
            return _response(200, html.replace("</body>", BOMB_JS + "</body>", 1).encode("utf-8"))
        if kind == "freeze":
            return _response(200, html.replace("<head>", "<head>" + FREEZE_JS, 1).encode("utf-8"))
        if kind == "huge":
            return _response(200, _huge(html).encode("utf-8"))
        raise FaultError(f"fault {kind} has no implementation")  # pragma: no cover


def _response(status: int, body: bytes, content_type: str = "text/html; charset=utf-8",
              headers: tuple[tuple[str, str], ...] = ()) -> Response:
    return Response(status, content_type, body, headers)


def _without_meta_charset(html: str) -> str:
    return re.sub(r"<meta\s+charset=[\"']?[\w-]+[\"']?\s*/?>", "", html, count=1, flags=re.I)


def _huge(html: str) -> str:
    """~5 MB of extra paragraphs in a block 100,000 px tall, after the article."""
    para = "<p>" + "网易新闻 填充段落 " * 20 + "</p>\n"
    n = HUGE_BYTES // len(para.encode("utf-8")) + 1
    pad = (f'<div id="replica-huge" style="height:{HUGE_HEIGHT_PX}px;overflow:hidden">'
           + para * n + "</div>")
    return html.replace("</body>", pad + "</body>", 1)


"""A local HTTP server that answers like www.163.com for the replica's articles.

The request path goes through :func:`handle` (a pure function from method+path+query to a
:class:`~.response.Response`); the fault layer (:mod:`.faults`) answers first for ``/_fault/…`` paths
and ``ReplicaServer(fault=…)``, and ``?drift=`` wraps :func:`capture.replica.render.render`. The socket side is the standard library's
``ThreadingHTTPServer``.
"""

from __future__ import annotations

import errno
import json
import mimetypes
import re
import socket
import socketserver
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..errors import BadInput
from ..sites import default_site
from . import content
from . import drift as drifts
from . import faults as faultmod
from .churn import Churn, churn_html, churn_json
from .hostnames import PAGE_HOST
from .render import render, render_index, render_not_found
from .response import HTML, JSON, Response

STATIC_DIR = Path(__file__).resolve().parent / "static"

#: static.ws.126.net URL prefix -> directories tried in order (generation-specific first, then shared
#: files): the real site's path shapes (``/163/f2e/product/post2020_dy/static/css/main.css``).
STATIC_ROOTS: dict[str, tuple[Path, ...]] = {
    "/163/f2e/product/post2020_dy/static/": (STATIC_DIR / "post2020_dy", STATIC_DIR / "post2020_shared"),
    "/163/f2e/product/post2020_cms/static/": (STATIC_DIR / "post2020_cms", STATIC_DIR / "post2020_shared"),
    "/163/f2e/": (STATIC_DIR / "f2e",),
    "/utf8/assets/js/": (STATIC_DIR / "libs",),
    "/f2e/products/analysis/js/": (STATIC_DIR / "libs",),
}
IMG_DIR = STATIC_DIR / "img"
#: Hosts that answer an ad slot, an analytics beacon or a widget with nothing (a JSONP ``callback``/``cb``
#: gets an empty answer, anything else an empty script): the replica answers them if the policy lets them through.
EMPTY_HOSTS = ("nex.163.com", "pos.baidu.com", "cpro.baidustatic.com", "dup.baidustatic.com", "hm.baidu.com",
               "zz.bdstatic.com", "acstatic-dun.126.net", "dl.reg.163.com")
#: The reader's location ipservice.ws.126.net gives by default (churn picks another city).
DEFAULT_LOCATION = {"country": "中国", "province": "北京", "city": "北京", "isp": "联通"}
JS = "text/javascript; charset=utf-8"
CORS = (("Access-Control-Allow-Origin", "*"),)

TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
    ".png": "image/png",
    ".json": JSON,
    ".html": HTML,
}

ARTICLE_RE = re.compile(default_site().article_path_re)
API_RE = re.compile(r"^/api/(?P<what>tie|hot)/(?P<id>[0-9A-Z]{16})\.json$")


def _html(status: int, text: str) -> Response:
    return Response(status, HTML, text.encode("utf-8"))


def _json(status: int, value: Any) -> Response:
    return Response(status, JSON, json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8"))


def not_found(path: str) -> Response:
    return _html(404, render_not_found(path))


def article_response(path: str, drift: str | None = None, churn: Churn | None = None) -> Response | None:
    """Normal or 关怀版 page for an article path; ``None`` if the path is not an article path.

    ``drift`` names a mutation of :mod:`capture.replica.drift` applied to the page (if it applies);
    ``churn`` (:mod:`.churn`) makes this load differ from the last as a live page does.
    """
    m = ARTICLE_RE.match(path)
    if not m:
        return None
    page, kind = content.page_by_id(m["id"]), None
    if page is None and (found := content.variant(m["id"])) is not None:
        page, kind = found  # a variant (content.VARIANTS): the stored page under the variant's id
    if page is None or page.kind != m["channel"]:
        return not_found(path)
    mode = "normal" if m["care"] is None else "care"
    if kind is not None and mode == "care":
        return not_found(path)  # every variant's care page is gone (no-care: the URL rule's address)
    if mode == "care" and path != page.care_path:
        return not_found(path)  # e.g. a dy id with the news care suffix
    html = render(page, mode)
    if kind is not None:
        html = html.replace(page.id, m["id"])
        if kind == "no-care":
            html = drifts.apply("remove-care-link", "normal", html)
    if churn is not None:
        html = churn_html(html, page.kind, mode, churn.seed())
    return _html(200, drifts.apply(drift, mode, html) if drift else html)


def api_response(path: str, drift: str | None = None, churn: Churn | None = None) -> Response | None:
    """The JSON the page's scripts fetch after load: 跟贴 count and 热点推荐 list."""
    m = API_RE.match(path)
    if not m:
        return None
    art_id = m["id"] if content.page_by_id(m["id"]) else (v[0].id if (v := content.variant(m["id"])) else None)
    if art_id is None:
        return _json(404, {"code": 404, "message": "no such article"})
    if m["what"] == "tie":
        value: dict[str, Any] = {"docId": m["id"], "tcount": content.tie_count(art_id)}
    else:
        items = [dict(item, img=content.nimg(item["img"], "140y88", 90, key=item["title"]))
                 for item in content.hot_items(art_id)]
        value = {"docId": m["id"], "items": items}
    if churn is not None:
        value = churn_json(m["what"], value, churn.seed())
    resp = _json(200, drifts.apply_json(drift, m["what"], value) if drift else value)
    return Response(resp.status, resp.content_type, resp.body, CORS)  # the comment host is another origin


def image_response(query: str) -> Response:
    """nimg.ws.126.net/?url=<original>&thumbnail=…: the original's file, by its name (the replica keeps
    one copy of each image, whatever host the original names)."""
    url = parse_qs(query).get("url", [""])[-1]
    name = re.sub(r"^[0-9a-f]{8}-", "", urlsplit(url).path.rsplit("/", 1)[-1])  # an item's own copy: content.nimg
    file = IMG_DIR / name
    if not name or name.startswith(".") or not file.is_file():
        return Response(404, "text/plain; charset=utf-8", b"no such image")
    return Response(200, TYPES.get(file.suffix, "application/octet-stream"), file.read_bytes(), CORS)


def _callback(query: str) -> str:
    """A JSONP callback name from the query (only a safe identifier, else a fixed one)."""
    qs = parse_qs(query)
    name = (qs.get("callback") or qs.get("cb") or [""])[-1]
    return name if re.fullmatch(r"[A-Za-z_$][\w$.]{0,80}", name) else ""


def location_response(query: str, churn: Churn | None = None) -> Response:
    """ipservice.ws.126.net: the reader's location as JSONP (the page fills 本地新闻 from it)."""
    where = dict(DEFAULT_LOCATION)
    if churn is not None:
        import random

        from .churn import CITIES

        where["city"] = where["province"] = random.Random(churn.seed()).choice(CITIES)
    body = json.dumps({"status": 200, "message": "ok", "result": where}, ensure_ascii=False, sort_keys=True)
    return Response(200, JS, f"{_callback(query) or 'getLocByIpCallback'}({body});".encode())


def empty_response(host: str, query: str) -> Response:
    """An ad, analytics or widget host: no ad, no beacon (JSONP gets an empty answer)."""
    cb = _callback(query)
    return Response(200, JS, (f"{cb}({{}});" if cb else f"/* replica: {host} answers nothing */").encode())


def static_file(path: str) -> Response | None:
    for prefix, roots in STATIC_ROOTS.items():
        if not path.startswith(prefix):
            continue
        rel = path[len(prefix):]
        if not rel or ".." in rel.split("/") or rel.startswith("/"):
            return not_found(path)
        for root in roots:
            file = (root / rel).resolve()
            if file.is_file() and file.is_relative_to(root.resolve()):
                ctype = TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                return Response(200, ctype, file.read_bytes())
        return not_found(path)
    return None


def handle(method: str, path: str, query: str = "", drift: str | None = None, churn: Churn | None = None,
           host: str = PAGE_HOST) -> Response:
    """Route one request for ``host`` (:data:`.hostnames.HOSTS`). Pure: same input, same bytes (unless
    ``churn`` is given: see :mod:`.churn`).

    ``drift`` (server-wide) or ``?drift=<name>`` in ``query`` (wins over it) mutates article, care and
    ``/api/`` answers; an unknown ``?drift=`` name answers 400 with the known names.
    """
    del method  # GET and HEAD answer the same
    host = (host or PAGE_HOST).lower()
    if host == "static.ws.126.net":
        return static_file(path) or not_found(path)
    if host == "nimg.ws.126.net":
        return image_response(query)
    if host == "ipservice.ws.126.net":
        return location_response(query, churn)
    if host in EMPTY_HOSTS:
        return empty_response(host, query)
    if host not in (PAGE_HOST, "comment.tie.163.com"):
        return not_found(path)
    asked = parse_qs(query).get("drift")
    if asked:
        if asked[-1] not in drifts.DRIFTS:
            return _html(400, drifts.unknown_page(asked[-1]))
        drift = asked[-1]
    if path in ("/", "/index.html"):
        return _html(200, render_index())
    if path == "/favicon.ico":
        return Response(204, "image/x-icon", b"")
    for responder in (article_response, api_response):
        if (resp := responder(path, drift, churn)) is not None:
            return resp
    return not_found(path)


class _Handler(BaseHTTPRequestHandler):
    server_version = "nginx"
    sys_version = ""
    verbose = False
    drift: str | None = None
    faults: faultmod.FaultLayer | None = None
    churn: Churn | None = None

    def _respond(self, with_body: bool) -> None:
        parts = urlsplit(self.path)
        # One origin answers every replica host: a mapped fetch names the one it was for (none: the page's).
        host = self.headers.get("X-Forwarded-Host") or PAGE_HOST
        try:
            if self.faults is not None and host == PAGE_HOST:  # /_fault/<kind>/…, ReplicaServer(fault=…): faults.py
                resp = self.faults.respond(self.command, parts.path, parts.query,
                                           lambda m, p, q: handle(m, p, q, self.drift, self.churn))
            else:
                resp = handle(self.command, parts.path, parts.query, self.drift, self.churn, host)
        except Exception as exc:  # a bug in a template must not kill the server thread silently
            resp = Response(500, "text/plain; charset=utf-8", f"replica error: {exc}".encode())
        if isinstance(resp, faultmod.SocketFault):
            resp.perform(self, with_body)
            return
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        self.send_header("Cache-Control", "no-cache")
        for name, value in resp.headers:
            self.send_header(name, value)
        self.end_headers()
        if with_body:
            self.wfile.write(resp.body)

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self._respond(True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(False)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if self.verbose:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    #: The listen backlog. socketserver's default is 5, but a real-shaped page fires ~100 requests at once
    #: through the host map (one connection each, HTTP/1.0): connections beyond the backlog are dropped and
    #: the client's SYN retries back off by seconds, so a page load could outlast its timeout.
    request_queue_size = 512

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse-DNS lookup (getfqdn) that stalls on closed networks.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gives up mid-answer (a timeout, a fault test) is normal here: no traceback."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def _check_port(port: Any) -> int:
    if isinstance(port, str) and port.strip().isdigit():
        port = int(port)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise BadInput(f"port {port!r} is not valid: use a number from 1 to 65535, or --port 0 for any free port")
    return port


class ReplicaServer:
    """The replica site on ``host:port`` (port 0 picks a free one). Use as a context manager.

    ``drift`` names a :mod:`capture.replica.drift` mutation applied to every article page, care page
    and ``/api/`` answer (``BadInput`` if unknown). ``churn`` makes every answer change what a live
    page changes from load to load (:mod:`.churn`), seeded by a request counter from ``churn_seed``.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, verbose: bool = False,
                 drift: str | None = None, fault: str | faultmod.FaultPolicy | None = None,
                 churn: bool = False, churn_seed: int = 0) -> None:
        self.host = host
        self.port = _check_port(port)
        self.verbose = verbose
        self.drift = drifts.get(drift).name if drift is not None else None
        self.churn = Churn(churn_seed) if churn else None
        #: Fault mode (capture/replica/faults.py): ``fault`` applies to every article page.
        try:
            self.faults = faultmod.FaultLayer(fault)
        except faultmod.FaultError as exc:
            raise BadInput(str(exc)) from None
        self.base_url = ""
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def _bind(self) -> _HTTPServer:
        if self._httpd is not None:
            return self._httpd
        handler = type("ReplicaHandler", (_Handler,), {"verbose": self.verbose, "drift": self.drift,
                                                        "faults": self.faults, "churn": self.churn})
        self.faults.stop.clear()
        try:
            httpd = _HTTPServer((self.host, self.port), handler)
        except OSError as exc:
            raise BadInput(self._bind_error(exc)) from None
        self._httpd = httpd
        self.port = httpd.server_port
        self.base_url = f"http://{self.host}:{self.port}"
        return httpd

    def _bind_error(self, exc: OSError) -> str:
        where = f"port {self.port}"
        if exc.errno == errno.EADDRINUSE:
            return f"{where} is already in use: pick another with --port or use --port 0"
        if exc.errno == errno.EACCES:
            return f"{where} needs more privileges than this user has: pick one above 1023 or use --port 0"
        if isinstance(exc, socket.gaierror) or exc.errno == errno.EADDRNOTAVAIL:
            return f"cannot listen on {self.host}:{self.port}: {exc.strerror or exc}; use host 127.0.0.1"
        return f"cannot listen on {self.host}:{self.port}: {exc.strerror or exc}; try --port 0"

    def start(self) -> ReplicaServer:
        """Serve in a daemon thread; returns self so ``ReplicaServer().start()`` reads naturally."""
        httpd = self._bind()
        if self._thread is None:
            self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                            name=f"replica:{self.port}", daemon=True)
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the foreground (``capture serve``); Ctrl-C stops it and returns normally."""
        httpd = self._bind()
        try:
            httpd.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            httpd.server_close()
            self._httpd = None

    def stop(self) -> None:
        """Stop serving and close the listening socket, so the port is free again."""
        httpd, thread = self._httpd, self._thread
        self._httpd = self._thread = None
        self.faults.stop.set()  # releases hanging and dripping fault answers
        if httpd is not None:
            if thread is not None:
                httpd.shutdown()
                thread.join(timeout=5)
            httpd.server_close()

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

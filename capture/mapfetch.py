"""Fetching a mapped request from its origin, bounded: a deadline, and a cap on the decoded body.

The host map (:mod:`capture.hosts`) answers a request from another origin. Playwright's
``route.fetch`` decodes the whole body inside its driver with no size limit and only a timeout on
the headers, so a gzip bomb (≈200 KB that decodes to 200 MB) ran the driver out of memory. Here the
origin is read by Python's ``http.client`` on a worker thread, streamed through the decoder with a
cap on what comes out, within one deadline for the whole exchange (connect, headers and body).
Redirects are not followed: the caller decides where a Location may lead (:func:`capture.browser._policy_guard`).
"""

from __future__ import annotations

import concurrent.futures
import http.client
import ssl
import time
import zlib
from dataclasses import dataclass
from urllib.parse import urlsplit

#: The default cap on a mapped answer's decoded body (``BrowserSettings.max_body_bytes``): a real
#: article is 150–250 KB, its largest image a few MB.
MAX_BODY_BYTES = 32 * 1024 * 1024
#: What a mapped fetch accepts: the encodings it decodes itself, under the cap.
ACCEPT_ENCODING = "gzip, deflate"
CHUNK = 64 * 1024
#: Mapped fetches run here, not on the event loop's default executor (a page asks for dozens at once).
_POOL = concurrent.futures.ThreadPoolExecutor(32, thread_name_prefix="mapfetch")


class MappedFetchError(Exception):
    """Why a mapped fetch failed: ``reason`` is an outcome class (``too-large``, ``timeout``,
    ``connection``, ``fetch-failed``), ``abort`` the Playwright abort code the request ends with."""

    def __init__(self, message: str, *, reason: str, abort: str, retryable: bool = False) -> None:
        super().__init__(message)
        self.reason, self.abort, self.retryable = reason, abort, retryable


@dataclass
class MappedResponse:
    status: int
    headers: dict[str, str]
    body: bytes


def megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def _too_large(cap: int, compressed: bool) -> MappedFetchError:
    how = "decodes to" if compressed else "is"
    return MappedFetchError(f"the answer {how} more than {megabytes(cap)} (the size cap of a mapped fetch)",
                            reason="too-large", abort="failed")


class _Decoder:
    """Content-Encoding gzip/deflate (or none), never producing more than ``cap`` + 1 bytes."""

    def __init__(self, encoding: str) -> None:
        encoding = encoding.strip().lower()
        if encoding in ("", "identity"):
            self.z = None
        elif encoding in ("gzip", "x-gzip", "deflate"):
            self.z = zlib.decompressobj(32 + zlib.MAX_WBITS)  # gzip or zlib header, detected
            self.raw = encoding == "deflate"
        else:
            raise MappedFetchError(f"unsupported Content-Encoding {encoding!r}", reason="fetch-failed", abort="failed")

    def feed(self, data: bytes, room: int) -> bytes:
        """Decode ``data``, at most ``room`` bytes out (room >= 1); more left means over the cap."""
        if self.z is None:
            return data[:room + 1]
        out = b""
        while data and len(out) <= room:
            try:
                piece = self.z.decompress(data, room + 1 - len(out))
            except zlib.error:
                if not self.raw or out:
                    raise
                self.z, self.raw = zlib.decompressobj(-zlib.MAX_WBITS), False  # deflate without its zlib header
                continue
            out += piece
            data = self.z.unconsumed_tail
            if not piece and not data:
                break
        return out


def fetch(url: str, *, method: str = "GET", headers: dict[str, str] | None = None, body: bytes | None = None,
          timeout_s: float = 20.0, max_bytes: int = MAX_BODY_BYTES) -> MappedResponse:
    """One HTTP exchange with ``url`` (no redirect followed), within ``timeout_s`` in all, the body
    decoded and capped at ``max_bytes``. Raises :class:`MappedFetchError` (its message names the
    origin, not the URL: the caller knows which URL of the page it was for)."""
    deadline = time.monotonic() + timeout_s
    parts = urlsplit(url)
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = cls(parts.hostname or "", parts.port, timeout=max(0.05, timeout_s))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    sent = {k: v for k, v in (headers or {}).items() if k.lower() not in ("host", "accept-encoding")}
    sent["Accept-Encoding"] = ACCEPT_ENCODING
    try:
        conn.request(method, path, body=body, headers=sent)
        _left(deadline, conn)
        resp = conn.getresponse()
        got = {k.lower(): v for k, v in resp.getheaders()}  # a repeated header: its last value
        encoding = got.get("content-encoding", "")
        decoder = _Decoder(encoding)
        length = resp.length
        if not encoding and length is not None and length > max_bytes:
            raise _too_large(max_bytes, False)
        out = bytearray()
        while True:
            _left(deadline, conn)
            chunk = resp.read1(CHUNK) if method != "HEAD" else b""
            if not chunk:
                break
            out += decoder.feed(chunk, max_bytes - len(out))
            if len(out) > max_bytes:
                raise _too_large(max_bytes, bool(encoding))
        return MappedResponse(resp.status, got, bytes(out))
    except MappedFetchError:
        raise
    except TimeoutError:
        raise MappedFetchError(f"no answer from {parts.netloc} within {timeout_s:.0f} s", reason="timeout", abort="timedout",
                               retryable=True) from None
    except ConnectionRefusedError:
        raise MappedFetchError(f"connection refused by {parts.netloc}", reason="connection",
                               abort="connectionrefused", retryable=True) from None
    except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected):
        raise MappedFetchError(f"connection reset by {parts.netloc}", reason="connection",
                               abort="connectionreset", retryable=True) from None
    except http.client.IncompleteRead:
        raise MappedFetchError(f"body cut short by {parts.netloc}", reason="connection",
                               abort="connectionreset", retryable=True) from None
    except (OSError, ssl.SSLError, http.client.HTTPException, zlib.error, ValueError) as exc:
        raise MappedFetchError(f"{parts.netloc}: {type(exc).__name__}: {exc}".splitlines()[0], reason="connection",
                               abort="failed", retryable=True) from None
    finally:
        conn.close()


def _left(deadline: float, conn: http.client.HTTPConnection) -> None:
    """Raise a timeout once the deadline has passed; else give the socket what is left of it."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    if conn.sock is not None:
        conn.sock.settimeout(left)


async def fetch_async(url: str, **kw: object) -> MappedResponse:
    """:func:`fetch` on the mapped-fetch thread pool."""
    import asyncio

    return await asyncio.get_running_loop().run_in_executor(_POOL, lambda: fetch(url, **kw))  # type: ignore[arg-type]

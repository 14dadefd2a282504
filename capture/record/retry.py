"""Retry policy: which failures get another attempt, how long to wait, when to give up.

Kept as a small policy of its own (not tenacity or stamina): the outcome of a page must say *why* it
was given up (attempts used, or the page's deadline about to pass, with the figures), each attempt's
budget is cut to what is left of the deadline, and a server's Retry-After replaces the backoff. Those
three are a few lines here; with a library they would be a custom wait, a custom stop and a callback
reading its retry state back. Everything here is pure and runs without a browser.
"""

from __future__ import annotations

import asyncio
import email.utils
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from ..errors import CaptureError, FetchFailed, first_line
from .options import RecordOptions

T = TypeVar("T")

RETRYABLE_NET = ("ERR_CONNECTION", "ERR_EMPTY_RESPONSE", "ERR_TIMED_OUT", "ERR_NETWORK_CHANGED",
                 "ERR_SOCKET", "ERR_ADDRESS_UNREACHABLE", "ERR_INCOMPLETE_CHUNKED_ENCODING",
                 "ERR_CONTENT_LENGTH_MISMATCH")
#: HTTP statuses worth another attempt (honouring Retry-After); every other 4xx (a 404 above all) is final.
RETRYABLE_STATUS = (429, 500, 502, 503, 504)
#: Seconds another attempt needs at least before the deadline, or it is not started.
MIN_ATTEMPT_S = 1.0


def classify_nav_error(url: str, exc: Exception) -> FetchFailed:
    """A Playwright error as a :class:`FetchFailed` with its reason and whether to retry."""
    msg = first_line(exc)
    if "Timeout" in type(exc).__name__ or "Timeout" in msg:
        return FetchFailed(f"{url}: timed out loading the page", reason="timeout", retryable=True)
    if "ERR_TOO_MANY_REDIRECTS" in msg:
        return FetchFailed(f"{url}: redirect loop", reason="redirect-loop")
    if any(code in msg for code in RETRYABLE_NET):
        code = re.search(r"net::(ERR_\w+)", msg)
        return FetchFailed(f"{url}: {code.group(1) if code else msg}", reason="connection", retryable=True)
    if "crash" in msg.lower() or "closed" in msg.lower() or "disconnected" in msg.lower():
        return FetchFailed(f"{url}: the browser or its page crashed or closed ({msg})", reason="crash",
                           retryable=True)
    return FetchFailed(f"{url}: {msg}", reason="fetch-failed")


def status_failure(url: str, status: int, retry_after_header: str | None) -> FetchFailed | None:
    """The failure an HTTP status means for the main document (None: the page is there)."""
    if status >= 500 or status in RETRYABLE_STATUS:
        return FetchFailed(f"{url}: HTTP {status}", reason=f"http-{status}", retryable=status in RETRYABLE_STATUS,
                           retry_after=retry_after(retry_after_header))
    if status >= 400:
        return FetchFailed(f"{url}: HTTP {status}", reason=f"http-{status}")
    return None


def retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: a number or an HTTP date; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


async def within(coro: Awaitable[T], url: str, budget: float) -> T:
    """Run one capture attempt within ``budget`` seconds; any failure becomes a classified FetchFailed."""
    try:
        return await asyncio.wait_for(coro, timeout=max(0.1, budget))
    except CaptureError:
        raise
    except TimeoutError:
        raise FetchFailed(f"{url}: no result within {budget:.0f} s (server or page hung)", reason="timeout",
                          retryable=True) from None
    except Exception as exc:  # a Playwright error outside navigation (evaluate, screenshot, closed browser)
        raise classify_nav_error(url, exc) from None


def failure_reason(exc: BaseException) -> str:
    """An outcome's reason for an error that ends a page at once."""
    if isinstance(exc, FetchFailed):
        return f"{exc.reason}: {exc}"
    if isinstance(exc, CaptureError):
        return str(exc)
    return f"error: {type(exc).__name__}: {first_line(exc, '')}"


class GiveUp(Exception):
    """No further attempt: the message is the outcome's reason."""


@dataclass
class RetryPolicy:
    """The attempts of one page in one mode: ``begin`` each, ``next_wait`` after a failure."""

    retries: int
    backoff_s: float
    max_wait_s: float
    deadline_s: float
    attempt_budget_s: float
    clock: Callable[[], float] = time.perf_counter
    attempt: int = 0
    started: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        self.started = self.clock()

    @classmethod
    def of(cls, opts: RecordOptions, mode: str, **kw: Any) -> RetryPolicy:
        return cls(retries=opts.retries, backoff_s=opts.backoff_s, max_wait_s=opts.max_retry_after_s,
                   deadline_s=opts.deadline(mode), attempt_budget_s=opts.attempt_budget(mode), **kw)

    def elapsed(self) -> float:
        return round(self.clock() - self.started, 2)

    def begin(self) -> float:
        """Start the next attempt; its budget in seconds (never past the deadline)."""
        self.attempt += 1
        return min(self.attempt_budget_s, self.started + self.deadline_s - self.clock())

    def wait_for(self, exc: FetchFailed) -> float:
        """Seconds before the next attempt: the server's Retry-After, else exponential backoff; capped."""
        wait = exc.retry_after if exc.retry_after is not None else self.backoff_s * 2 ** (self.attempt - 1)
        return min(wait, self.max_wait_s)

    def next_wait(self, exc: BaseException) -> float:
        """The wait before another attempt after ``exc``; raises :class:`GiveUp` when there is none."""
        if not isinstance(exc, FetchFailed) or not exc.retryable or self.attempt >= self.retries:
            raise GiveUp(failure_reason(exc))
        wait = self.wait_for(exc)
        if self.clock() + wait + MIN_ATTEMPT_S > self.started + self.deadline_s:
            raise GiveUp(f"{failure_reason(exc)} (gave up after {self.attempt} attempt(s): the "
                         f"{self.deadline_s:.0f} s deadline for one page would pass)")
        return wait

"""capture.record.retry: which failures get another attempt, the waits, the deadline (no browser)."""

from __future__ import annotations

import asyncio
import email.utils
import time

import pytest

from capture.errors import BadInput, FetchFailed
from capture.record.options import RecordOptions
from capture.record.retry import (
    GiveUp,
    RetryPolicy,
    classify_nav_error,
    failure_reason,
    retry_after,
    status_failure,
    within,
)
from capture.sync import run_sync


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def policy(clock: Clock, **kw: float) -> RetryPolicy:
    args = {"retries": 3, "backoff_s": 0.5, "max_wait_s": 30.0, "deadline_s": 100.0, "attempt_budget_s": 40.0}
    return RetryPolicy(**{**args, **kw}, clock=clock)


def retryable(after: float | None = None) -> FetchFailed:
    return FetchFailed("u: HTTP 503", reason="http-503", retryable=True, retry_after=after)


def test_backoff_doubles_and_attempts_run_out():
    clock = Clock()
    p = policy(clock)
    waits = []
    with pytest.raises(GiveUp) as stop:
        while True:
            p.begin()
            waits.append(p.next_wait(retryable()))
    assert waits == [0.5, 1.0] and p.attempt == 3
    assert str(stop.value) == "http-503: u: HTTP 503"


def test_retry_after_replaces_the_backoff_and_is_capped():
    clock = Clock()
    p = policy(clock, max_wait_s=5.0)
    p.begin()
    assert p.next_wait(retryable(after=2.0)) == 2.0
    assert p.next_wait(retryable(after=600.0)) == 5.0


def test_a_final_failure_is_not_retried():
    p = policy(Clock())
    p.begin()
    with pytest.raises(GiveUp, match="^http-404: u: HTTP 404$"):
        p.next_wait(FetchFailed("u: HTTP 404", reason="http-404"))
    with pytest.raises(GiveUp, match="^bad thing$"):
        p.next_wait(BadInput("bad thing"))
    with pytest.raises(GiveUp, match="^error: ValueError: boom$"):
        p.next_wait(ValueError("boom\ncall log"))


def test_the_deadline_cuts_the_budget_and_ends_the_retries():
    clock = Clock()
    p = policy(clock, deadline_s=50.0, attempt_budget_s=40.0)
    assert p.begin() == 40.0
    clock.now += 40.0
    assert p.next_wait(retryable(after=2.0)) == 2.0  # 42 + 1 s for an attempt < 50
    clock.now += 2.0
    assert p.begin() == pytest.approx(8.0), "the second attempt gets only what is left of the deadline"
    clock.now += 8.0
    with pytest.raises(GiveUp, match=r"gave up after 2 attempt\(s\): the 50 s deadline for one page would pass"):
        p.next_wait(retryable(after=0.0))
    assert p.elapsed() == 50.0


def test_policy_of_options_takes_the_mode_budget():
    opts = RecordOptions(retries=2, backoff_s=0.1, max_retry_after_s=3.0)
    p = RetryPolicy.of(opts, "care")
    assert (p.retries, p.backoff_s, p.max_wait_s) == (2, 0.1, 3.0)
    assert p.attempt_budget_s == opts.attempt_budget("care") > opts.attempt_budget("normal")
    assert p.deadline_s == opts.deadline("care")


@pytest.mark.parametrize(("status", "reason", "again"), [
    (200, None, None), (302, None, None), (404, "http-404", False), (410, "http-410", False),
    (429, "http-429", True), (500, "http-500", True), (503, "http-503", True), (507, "http-507", False)])
def test_status_failure(status, reason, again):
    failure = status_failure("u", status, "7")
    if reason is None:
        assert failure is None
        return
    assert failure is not None and (failure.reason, failure.retryable) == (reason, again)
    assert failure.retry_after == (7.0 if status >= 500 or status == 429 else None)


def test_retry_after_reads_seconds_and_dates():
    assert retry_after("12") == 12.0 and retry_after(" -3 ") == 0.0
    assert retry_after(None) is None and retry_after("soon") is None
    later = email.utils.formatdate(time.time() + 60, usegmt=True)
    assert 55 <= (retry_after(later) or 0) <= 60


@pytest.mark.parametrize(("message", "reason", "again"), [
    ("Timeout 20000ms exceeded", "timeout", True),
    ("net::ERR_TOO_MANY_REDIRECTS at https://x/", "redirect-loop", False),
    ("net::ERR_CONNECTION_REFUSED at https://x/", "connection", True),
    ("Target page, context or browser has been closed", "crash", True),
    ("net::ERR_NAME_NOT_RESOLVED at https://x/", "fetch-failed", False)])
def test_classify_nav_error(message, reason, again):
    failure = classify_nav_error("https://x/", RuntimeError(message + "\ncall log:\n  - navigating"))
    assert (failure.reason, failure.retryable) == (reason, again)
    assert "call log" not in str(failure)


def test_within_bounds_an_attempt_and_classifies_its_errors():
    async def hang() -> None:
        await asyncio.sleep(10)

    async def breaks() -> None:
        raise RuntimeError("net::ERR_EMPTY_RESPONSE at https://x/")

    with pytest.raises(FetchFailed) as hung:
        run_sync(within(hang(), "https://x/", 0.1))
    assert hung.value.reason == "timeout" and hung.value.retryable
    with pytest.raises(FetchFailed) as broke:
        run_sync(within(breaks(), "https://x/", 5))
    assert (broke.value.reason, str(broke.value)) == ("connection", "https://x/: ERR_EMPTY_RESPONSE")
    assert failure_reason(broke.value) == "connection: https://x/: ERR_EMPTY_RESPONSE"

"""Pages served as ``capture record --replica`` serves them, for every benchmark's own scripts.

One piece of code for serving and mapping: the harness runs with :class:`~capture.recorder.RecordOptions`
(``replica=True, base_url=…``); the floor and naive scripts open their contexts here with the very same
launch flags (no DNS but 127.0.0.1), context options and host policy (every host the replica knows
answered by it, ad and tracker hosts blocked), so the three load the same requests at the same real
URLs and differ only in what they do with the page.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from capture.browser import context_args, launch_args, prepare_context_async
from capture.hosts import HostOverrides, HostPolicy
from capture.recorder import RecordOptions


def replica_options(base_url: str, **kw: Any) -> RecordOptions:
    """The harness's options for ``capture record --replica`` against the replica at ``base_url``."""
    return RecordOptions(replica=True, base_url=base_url, **kw)


def policy_for(opts: RecordOptions, url: str) -> HostPolicy:
    """The host policy the recorder gives a page at ``url`` (as ``_Session.host_policy`` builds it)."""
    from capture.browser import host_of

    s = opts.settings
    cli = HostOverrides(s.extra_allowed_hosts, s.extra_blocked_hosts, s.host_map)
    host = host_of(url)
    return HostPolicy.build({host}, cli=cli, watchlist=opts.hosts, guard=s.block_third_party,
                            answers=opts.answers(host))


def browser_kwargs(opts: RecordOptions) -> dict[str, Any]:
    """``chromium.launch`` keyword arguments: the harness's binary (the headless shell) and flags."""
    return launch_args(opts.launch_settings())


async def open_context(browser: Any, opts: RecordOptions, url: str) -> Any:
    """A context configured as the recorder's for a page at ``url`` (clock, seeded random, host guard)."""
    context = await browser.new_context(**context_args(opts.settings))
    await prepare_context_async(context, opts.settings, policy=policy_for(opts, url))
    return context


def tree_cpu_s() -> float:
    """CPU seconds so far of this process and every descendant (the driver and the browser's
    processes, and the children each has reaped): a cost that a machine's other load barely moves,
    unlike wall time. NaN without psutil."""
    try:
        import psutil
    except ImportError:
        return float("nan")
    me = psutil.Process()
    total = 0.0
    for proc in [me, *me.children(recursive=True)]:
        try:
            t = proc.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


class PeakRSS:
    """Peak memory (MB) of this process and all its descendants while the block runs.

    ``peak_mb`` sums each process's RSS (every 20 ms): an upper bound, since pages shared between
    Chromium's processes (its binary, the CJK font file) count once per process. ``peak_pss_mb``
    sums PSS (proportional set size: shared pages split among their sharers; every 10th sample, as
    reading smaps is slower), the footprint the machine actually gives the run.
    """

    def __init__(self, interval_s: float = 0.02) -> None:
        self.interval_s = interval_s
        self.peak_mb = 0.0
        self.peak_pss_mb = 0.0
        self._stop = threading.Event()

    def _sample(self, pss: bool) -> tuple[float, float]:
        import psutil

        me = psutil.Process()
        rss = shared = 0
        for proc in [me, *me.children(recursive=True)]:
            try:
                if pss:
                    full = proc.memory_full_info()
                    rss, shared = rss + full.rss, shared + full.pss
                else:
                    rss += proc.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied, AttributeError):
                pass
        return rss / 2**20, shared / 2**20

    def _run(self) -> None:
        n = 0
        while not self._stop.is_set():
            rss, pss = self._sample(pss=n % 10 == 0)
            self.peak_mb = max(self.peak_mb, rss)
            self.peak_pss_mb = max(self.peak_pss_mb, pss)
            n += 1
            self._stop.wait(self.interval_s)

    def __enter__(self) -> PeakRSS:
        try:
            import psutil  # noqa: F401
        except ImportError:
            self.peak_mb = self.peak_pss_mb = float("nan")
            return self
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def take(self) -> tuple[float, float]:
        """(peak RSS MB, peak PSS MB) since the start or the last take, and start again from now."""
        got = (self.peak_mb, self.peak_pss_mb)
        self.peak_mb = self.peak_pss_mb = 0.0
        return got

    def __exit__(self, *exc: object) -> None:
        if hasattr(self, "_thread"):
            self._stop.set()
            self._thread.join()


def timed(fn: Callable[[], Any]) -> tuple[float, float, float, Any]:
    """(seconds, peak summed RSS MB, peak summed PSS MB, what ``fn`` returned) of one call."""
    with PeakRSS() as mem:
        t0 = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - t0
    return seconds, mem.peak_mb, mem.peak_pss_mb, result

"""Scheduling: ``jobs`` pages at a time on one browser pool; a page wanted in both modes is one job.

That job records the normal bundle, then the 关怀版 followed from that same page (one load of the
normal page, not two); if that continuation fails, the 关怀版 is recorded on its own, in a fresh
context, with its retries. Each mode's attempts follow :class:`~.retry.RetryPolicy`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from .. import bundle
from ..care_status import NO_CARE
from ..errors import CareNotOffered
from ..targets import Target
from . import pool as pools
from .options import Outcome, RecordOptions
from .page import PageSession
from .retry import GiveUp, RetryPolicy, within
from .staging import replay_copy, replay_source

PAIR = ("normal", "care")


def plan(targets: list[Target], modes: tuple[str, ...], wanted: Callable[[Target, str], bool],
         replay: bool) -> list[tuple[Target, tuple[str, ...]]]:
    """The jobs of a run, in watchlist order: ``(target, ("normal", "care"))`` for a page wanted in
    both modes (not in a replay: each mode replays its own HAR), else one job per mode."""
    jobs: list[tuple[Target, tuple[str, ...]]] = []
    for t in targets:
        paired = not replay and {m for m in modes if wanted(t, m)} == set(PAIR)
        if paired:
            jobs.append((t, PAIR))
        jobs.extend((t, (m,)) for m in modes if not (paired and m in PAIR))
    return jobs


def no_care_outcome(target: Target, exc: CareNotOffered, seconds: float, attempts: int) -> Outcome:
    """The 关怀版 of a page that offers none: status ``no-care`` (not a failure), no bundle."""
    return Outcome(target.id, "care", NO_CARE, str(exc), None, seconds, attempts, care_via="url-rule")


def in_order(outcomes: list[Outcome], targets: list[Target], modes: tuple[str, ...]) -> list[Outcome]:
    """Outcomes in watchlist × modes order, whatever order the jobs finished in."""
    order = {(t.id, m): i for i, (t, m) in enumerate((t, m) for t in targets for m in modes)}
    return sorted(outcomes, key=lambda o: order.get((o.id, o.mode), len(order)))


class Recorder:
    """Captures targets × modes into ``snapshots``, sharing one browser (relaunched if it dies)."""

    def __init__(self, snapshots: Path, opts: RecordOptions,
                 on_done: Callable[[Outcome], None] | None = None) -> None:
        self.snapshots = Path(snapshots)
        self.opts = opts
        self.on_done = on_done or (lambda _o: None)
        self.pool: pools.BrowserPool | None = None
        self._slots: dict[str, int] = {}  # target id -> watchlist index (round-robin over endpoints)

    def _wanted(self, target: Target, mode: str) -> bool:
        """Whether this page in this mode is to be captured (not a complete bundle kept as it is)."""
        final = bundle.bundle_dir(self.snapshots, target.id, mode)
        return self.opts.force or self.opts.replay or not bundle.is_complete(final)

    async def _one(self, target: Target, mode: str, follow: list[PageSession] | None = None) -> Outcome:
        """Capture one page in one mode, with retries. With ``follow`` (normal mode), the successful
        attempt's page is left open and appended to it, for :meth:`_care_after`."""
        final = bundle.bundle_dir(self.snapshots, target.id, mode)
        if not self._wanted(target, mode):
            return Outcome(target.id, mode, "skipped", "complete bundle exists (use --force)", final)
        replay_src = None
        if self.opts.replay:
            source = bundle.bundle_dir(self.opts.replay_from or self.snapshots, target.id, mode)
            replay_src, problem = replay_source(source, target.id, mode)
            if problem:
                return Outcome(target.id, mode, "failed", problem, None)
        policy = RetryPolicy.of(self.opts, mode)
        while True:
            budget = policy.begin()
            try:
                await self._attempt(target, mode, replay_src, follow, budget, policy.attempt)
                return Outcome(target.id, mode, "ok", "", final, policy.elapsed(), policy.attempt)
            except Exception as exc:  # never let one page end the run for the others
                if isinstance(exc, CareNotOffered):
                    return no_care_outcome(target, exc, policy.elapsed(), policy.attempt)
                try:
                    wait = policy.next_wait(exc)
                except GiveUp as stop:
                    return Outcome(target.id, mode, "failed", str(stop), None, policy.elapsed(), policy.attempt)
            await asyncio.sleep(wait)

    async def _attempt(self, target: Target, mode: str, replay_src: Path | None,
                       follow: list[PageSession] | None, budget: float, attempt: int) -> None:
        """One attempt, staged: the bundle is in place when this returns, and nothing is when it raises."""
        with bundle.staging(self.snapshots, target.id, mode) as stage, replay_copy(replay_src, stage, mode) as har:
            art = await within(self._capture(target, mode, stage, har, follow), target.url, budget)
            art.meta.attempts = attempt
            bundle.write_files(stage, art)  # the replayed HAR goes in as replay_copy closes

    async def _capture(self, target: Target, mode: str, stage: Path, har_copy: Path | None,
                       follow: list[PageSession] | None = None) -> bundle.Bundle:
        """One attempt: a live browser (relaunched if it died or was closed), then a fresh context.

        The HAR is recorded straight into ``stage``; in replay mode pages come from ``har_copy`` only.
        With ``follow`` the context stays open and its session is appended there; else it is closed.
        """
        assert self.pool is not None, "Recorder.started() first"
        session = PageSession(await self.pool.get(self._slots.get(target.id, 0)), target, self.opts, har_copy)
        try:
            art = await session.capture(mode, stage, keep_har=follow is not None)
        except BaseException:
            await session.close()
            raise
        if follow is None:
            await session.close()
        else:
            follow.append(session)
        return art

    async def _care_after(self, target: Target, session: PageSession) -> Outcome | None:
        """The 关怀版 bundle, continued from the normal page just captured in ``session`` (one page load
        saved). None if that does not work out: the caller then captures care on its own, with retries."""
        policy = RetryPolicy.of(self.opts, "care")
        try:
            with bundle.staging(self.snapshots, target.id, "care") as stage:
                try:
                    art = await within(session.continue_care(stage), target.url, policy.begin())
                except BaseException:
                    # Close before the staging folder is removed: a context closed mid-HAR writes
                    # its HAR out, which would bring the folder back.
                    await session.close()
                    raise
                bundle.write_files(stage, art)
            return Outcome(target.id, "care", "ok", "", bundle.bundle_dir(self.snapshots, target.id, "care"),
                           policy.elapsed(), 1)
        except CareNotOffered as exc:  # final: capturing the 关怀版 on its own would find no more
            return no_care_outcome(target, exc, policy.elapsed(), 1)
        except Exception:
            return None
        finally:
            await session.close()

    async def _pair(self, target: Target) -> list[Outcome]:
        """Normal, then 关怀版 in the same page, as a reader goes there."""
        follow: list[PageSession] = []
        normal = await self._one(target, "normal", follow)
        care = None
        try:
            if normal.status == "ok" and follow:
                care = await self._care_after(target, follow[-1])
        finally:
            for session in follow:
                await session.close()
        return [normal, care or await self._one(target, "care")]

    async def run(self, targets: list[Target]) -> list[Outcome]:
        """Start Playwright and the browser, capture ``targets`` × modes, close everything."""
        async with self.started():
            return await self.capture(targets)

    @contextlib.asynccontextmanager
    async def started(self) -> AsyncIterator[Recorder]:
        """Playwright and the browser (or the ``connect`` endpoints) for one or more :meth:`capture`
        calls (the soak benchmark runs many rounds on one browser)."""
        bundle.clean_stale(self.snapshots)
        async with pools.started(self.opts) as pool:
            self.pool = pool  # kept after the run: which browsers it opened (``pool.opened``)
            yield self

    async def capture(self, targets: list[Target]) -> list[Outcome]:
        """Every target in every mode, ``jobs`` at a time; outcomes in watchlist × modes order."""
        sem = asyncio.Semaphore(max(1, self.opts.jobs))
        self._slots = {t.id: i for i, t in enumerate(targets)}

        async def job(t: Target, modes: tuple[str, ...]) -> list[Outcome]:
            async with sem:
                outs = await self._pair(t) if modes == PAIR else [await self._one(t, modes[0])]
            for out in outs:
                self.on_done(out)
            return outs

        jobs = plan(targets, self.opts.modes, self._wanted, self.opts.replay)
        done = [out for outs in await asyncio.gather(*(job(t, m) for t, m in jobs)) for out in outs]
        return in_order(done, targets, self.opts.modes)

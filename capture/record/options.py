"""What a recording run is asked to do, and what happened to each page (pure data, no browser)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from ..browser import NO_DNS_ARG, BrowserSettings
from ..environment import default_jobs
from ..hosts import HostOverrides
from ..sites import Site, default_site

#: Seconds added to each attempt's budget for collecting artifacts and the screenshot.
ATTEMPT_SLACK_S = 30.0
class A11yLevel(StrEnum):
    """``--a11y``: FIGURES measures a normal page without axe-core (its findings never fail a check);
    FULL runs axe there too. The 关怀版 always runs axe: its findings fail checks."""

    FIGURES = "figures"
    FULL = "full"


A11Y_LEVELS = tuple(a.value for a in A11yLevel)


@dataclass(frozen=True)
class RecordOptions:
    modes: tuple[str, ...] = ("normal", "care")
    #: The origin that answers the page's host (``--base-url``: ``--map-host www.163.com=<base_url>``).
    #: The browser loads the real URL either way, so the page runs at www.163.com as on the real site.
    base_url: str | None = None
    #: ``base_url`` is the built-in replica: it also answers every host it knows
    #: (:data:`capture.replica.hostnames.HOSTS`) that the host policy allows (``--replica``).
    replica: bool = False
    jobs: int = field(default_factory=default_jobs)
    replay: bool = False
    #: With ``replay``: the snapshots folder whose bundles hold the HARs (default: the one written to).
    replay_from: Path | None = None
    force: bool = False
    retries: int = 3
    backoff_s: float = 0.5
    ready_timeout_ms: float = 8_000
    settings: BrowserSettings = field(default_factory=BrowserSettings)
    #: Longest wait a server's Retry-After may impose before the next attempt.
    max_retry_after_s: float = 30.0
    #: Wall-clock limit for one page in one mode, all attempts and waits included (None: derived
    #: from the navigation and readiness timeouts × retries, see :meth:`RecordOptions.deadline`).
    deadline_s: float | None = None
    #: WebSocket endpoints of remote browsers (``--connect``); pages go round-robin by watchlist index.
    connect: tuple[str, ...] = ()
    #: Sent as the launch-options header to a ``run-server --unsafe`` endpoint (None: no header).
    remote_executable: str | None = None
    #: The watchlist's ``[hosts]`` rows; the command line's are in ``settings`` (they win).
    hosts: HostOverrides = field(default_factory=HostOverrides)
    #: ``--a11y`` (:data:`A11Y_LEVELS`): whether axe-core also runs on normal pages.
    a11y: str = "figures"
    #: The site table the pages are loaded and read by (readiness, the care link, fonts, host rules,
    #: text regions), overlays included: passed down explicitly, never looked up.
    site: Site = field(default_factory=default_site)

    def answers(self, page_host: str) -> tuple[tuple[str, str], ...]:
        """``(host, origin)`` pairs served by ``base_url`` when the policy allows them."""
        if not self.base_url:
            return ()
        if self.replica:
            from ..replica.hostnames import host_map

            return host_map(self.base_url)
        return ((page_host, self.base_url),)

    def launch_settings(self) -> BrowserSettings:
        """The browser settings: with a base URL or the replica, no name resolves but 127.0.0.1, so
        nothing a page asks for can leave the machine (not even a DNS query for a prefetch)."""
        if not self.base_url or NO_DNS_ARG in self.settings.extra_args:
            return self.settings
        return replace(self.settings, extra_args=(*self.settings.extra_args, NO_DNS_ARG))

    def attempt_budget(self, mode: str) -> float:
        """Seconds one attempt may take: each navigation and readiness wait, plus collection."""
        gotos = 2 if mode == "care" else 1
        per_goto = self.settings.navigation_timeout_ms / 1000 + self.ready_timeout_ms / 1000
        return gotos * per_goto + ATTEMPT_SLACK_S

    def deadline(self, mode: str) -> float:
        """Seconds one page in one mode may take in all, so a hung or dripping server cannot stall a run."""
        if self.deadline_s is not None:
            return self.deadline_s
        return max(1, self.retries) * self.attempt_budget(mode) + min(self.max_retry_after_s, 10.0)

    def runs_axe(self, mode: str) -> bool:
        """axe-core where its findings decide something: always on the 关怀版, on normal pages with
        ``--a11y full`` only (there its findings are informational and cost ~600 ms a page)."""
        return mode == "care" or self.a11y == "full"


#: Outcome statuses, and whether each is a failure of the run. ``no-care``: a 关怀版 capture of a page
#: that offers none (no link, no aria-url, the URL rule's page 404/410): no bundle, not a failure
#: (capture/care_status.py).
OUTCOME_STATUSES: dict[str, bool] = {"ok": False, "skipped": False, "failed": True, "no-care": False}


@dataclass
class Outcome:
    """What happened to one page in one mode."""

    id: str
    mode: str
    status: str  # a key of OUTCOME_STATUSES: "ok" | "skipped" | "failed" | "no-care"
    reason: str = ""
    path: Path | None = None
    seconds: float = 0.0
    attempts: int = 0
    #: 关怀版 outcomes without a bundle: how the care URL was looked for ("url-rule" for ``no-care``).
    care_via: str | None = None

    @property
    def fails(self) -> bool:
        """Whether this outcome fails the run (exit 1)."""
        return OUTCOME_STATUSES.get(self.status, True)

    def row(self) -> dict[str, Any]:
        """As JSON-ready data (the path as a string), e.g. to share between pytest-xdist workers."""
        return {"id": self.id, "mode": self.mode, "status": self.status, "reason": self.reason,
                "path": str(self.path) if self.path else None, "seconds": self.seconds, "attempts": self.attempts,
                "care_via": self.care_via}

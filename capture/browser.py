"""The one place that knows how to find Chromium and how to configure it.

Everything that launches a browser (the CLI, the recorder, the pytest-playwright fixtures, benchmarks)
takes its launch and context options from here, so a capture made by ``capture record`` and one made
inside the test suite see the same page.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import BrowserNotFound, first_line

BEIJING = timezone(timedelta(hours=8))
#: The clock every deterministic capture sees (Beijing time, like the pages' own timestamps).
FIXED_TIME = datetime(2024, 9, 17, 8, 0, 0, tzinfo=BEIJING)
VIEWPORT = {"width": 1280, "height": 900}
LOCALE = "zh-CN"
TIMEZONE = "Asia/Shanghai"
SYSTEM_CHROMIUM = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Chromium's old headless shell (Debian ``chromium-headless-shell``; what Playwright itself runs for
#: headless pages). No browser UI layer: a page costs about half the CPU and memory, so headless
#: captures prefer it. Same Blink and fonts, so text, aria and a11y figures are the same.
SYSTEM_HEADLESS_SHELL = ("chromium-headless-shell", "chrome-headless-shell")

#: Flags that keep Chromium quiet on a closed network and its rendering repeatable.
CHROMIUM_ARGS = (
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-features=Translate,MediaRouter,OptimizationHints",
    "--font-render-hinting=none",
    "--force-color-profile=srgb",
    "--hide-scrollbars",
    "--mute-audio",
)

#: Page scripts use randomness (a real page shuffles 态度原创 with Math.random): seed it.
SEEDED_RANDOM_JS = """
(() => {
  let s = 0x2024_0917 >>> 0;
  Math.random = function () {
    s = (s + 0x6D2B79F5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
})();
"""

MISSING_BROWSER = (
    "no Chromium found: set CAPTURE_CHROMIUM=/path/to/chromium, or install one "
    "(`apt-get install chromium fonts-wqy-zenhei` on Debian, or `playwright install chromium`)"
)


def playwright_managed_chromium() -> str | None:
    """The browser that ``playwright install chromium`` put on disk, if it is there."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    try:
        with sync_playwright() as p:
            path = p.chromium.executable_path
    except Exception:
        return None
    return path if path and Path(path).is_file() else None


def find_chromium(*, managed_first: bool = True, headless: bool = True) -> str | None:
    """Find a Chromium: Playwright-managed, then ``CAPTURE_CHROMIUM``, then a system one (for headless
    use, the system's headless shell first)."""
    if managed_first and (managed := playwright_managed_chromium()):
        return managed
    env = os.environ.get("CAPTURE_CHROMIUM")
    if env:
        return env if Path(env).is_file() and os.access(env, os.X_OK) else None
    for name in (*SYSTEM_HEADLESS_SHELL, *SYSTEM_CHROMIUM) if headless else SYSTEM_CHROMIUM:
        if found := shutil.which(name):
            return _unwrapped(found) if name in SYSTEM_HEADLESS_SHELL else found  # chromium's wrapper execs
    return None


def _unwrapped(path: str) -> str:
    """The binary a Debian ``/usr/bin`` shell wrapper runs, when it runs it without ``exec``.

    Debian's ``chromium-headless-shell`` wrapper stays alive as the browser's parent, so a signal
    meant for the browser (a kill, a crash test) would hit only the wrapper and orphan the browser.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return path
    if not head.startswith(b"#!"):
        return path
    name = Path(path).name
    for token in re.findall(rb"(/[\w./+-]+)", head):
        cand = Path(token.decode())
        if cand.name == name and cand != Path(path) and cand.is_file() and os.access(cand, os.X_OK):
            return str(cand)
    return path


def require_chromium(*, headless: bool = True) -> str:
    """Like :func:`find_chromium` but raises the one-line :class:`BrowserNotFound`."""
    env = os.environ.get("CAPTURE_CHROMIUM")
    found = find_chromium(headless=headless)
    if found:
        return found
    if env:
        raise BrowserNotFound(f"CAPTURE_CHROMIUM={env} is not an executable file: point it at a Chromium binary")
    raise BrowserNotFound(MISSING_BROWSER)


@dataclass(frozen=True)
class BrowserSettings:
    """How pages are loaded. The defaults are the deterministic ones used for goldens."""

    headless: bool = True
    viewport: dict[str, int] = field(default_factory=lambda: dict(VIEWPORT))
    locale: str = LOCALE
    timezone_id: str = TIMEZONE
    fixed_time: datetime | None = FIXED_TIME
    block_third_party: bool = True
    extra_allowed_hosts: tuple[str, ...] = ()
    executable_path: str | None = None
    user_agent: str | None = None
    navigation_timeout_ms: float = 20_000


def launch_args(settings: BrowserSettings | None = None, *, executable: str | None = None) -> dict[str, Any]:
    """Keyword arguments for ``browser_type.launch``."""
    settings = settings or BrowserSettings()
    args = list(CHROMIUM_ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox on
    exe = executable or settings.executable_path or require_chromium(headless=settings.headless)
    return {"headless": settings.headless, "executable_path": exe, "args": args}


def context_args(settings: BrowserSettings | None = None) -> dict[str, Any]:
    """Keyword arguments for ``browser.new_context``."""
    settings = settings or BrowserSettings()
    out: dict[str, Any] = {
        "viewport": dict(settings.viewport),
        "locale": settings.locale,
        "timezone_id": settings.timezone_id,
        "service_workers": "block",
        "reduced_motion": "reduce",
        "color_scheme": "light",
        "device_scale_factor": 1,
    }
    if settings.user_agent:
        out["user_agent"] = settings.user_agent
    return out


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _guard_hosts(settings: BrowserSettings, allowed_hosts: set[str] | None) -> set[str] | None:
    if not settings.block_third_party or allowed_hosts is None:
        return None
    return {h.lower() for h in allowed_hosts} | {h.lower() for h in settings.extra_allowed_hosts}


def third_party_pattern(hosts: set[str]) -> re.Pattern[str]:
    """A URL regex matching every request *not* to ``hosts`` (nor data:/blob:/about:).

    Given to ``context.route`` as a regex, it is matched inside Playwright's driver, so the page's own
    requests never make a round trip to Python; only the third parties reach the guard, to be blocked.
    (The regex is also valid JavaScript: Playwright sends its source to the driver.)
    """
    own = "|".join(re.escape(h) for h in sorted(hosts)) or "(?!)"
    return re.compile(rf"^(?!(?:data|blob|about):)(?![a-z][a-z0-9+.-]*://(?:[^/@]*@)?(?:{own})(?::\d+)?(?:[/?#]|$))",
                      re.IGNORECASE)


def prepare_context(context: Any, settings: BrowserSettings | None = None, *,
                    allowed_hosts: set[str] | None = None) -> None:
    """Apply what ``new_context`` options cannot: fixed clock, seeded randomness, third-party block.

    ``allowed_hosts`` is the set of hosts the page may reach (the page's own host). ``None`` leaves
    the guard off (used when a route of its own, e.g. HAR replay, serves every request).
    """
    settings = settings or BrowserSettings()
    context.set_default_navigation_timeout(settings.navigation_timeout_ms)
    context.add_init_script(SEEDED_RANDOM_JS)
    if settings.fixed_time is not None:
        context.clock.set_fixed_time(settings.fixed_time)
    if (hosts := _guard_hosts(settings, allowed_hosts)) is not None:
        context.route(third_party_pattern(hosts), lambda route: route.abort("blockedbyclient"))


async def prepare_context_async(context: Any, settings: BrowserSettings | None = None, *,
                                allowed_hosts: set[str] | None = None, blocked: list[str] | None = None) -> None:
    """:func:`prepare_context` for Playwright's async API (the recorder runs contexts in parallel).

    ``blocked`` collects the URLs the guard blocked (the a11y check counts ad hosts among them).
    """
    settings = settings or BrowserSettings()
    context.set_default_navigation_timeout(settings.navigation_timeout_ms)
    await context.add_init_script(SEEDED_RANDOM_JS)
    if settings.fixed_time is not None:
        await context.clock.set_fixed_time(settings.fixed_time)
    if (hosts := _guard_hosts(settings, allowed_hosts)) is not None:
        async def guard(route: Any) -> None:
            if blocked is not None:
                blocked.append(route.request.url)
            await route.abort("blockedbyclient")

        await context.route(third_party_pattern(hosts), guard)


def _launch_error(kwargs: dict[str, Any], exc: Exception) -> BrowserNotFound:
    first = first_line(exc)
    return BrowserNotFound(f"Chromium at {kwargs['executable_path']} did not start: {first}")


def launch(playwright: Any, settings: BrowserSettings | None = None) -> Any:
    """Launch Chromium with our options, turning launch failures into :class:`BrowserNotFound`."""
    kwargs = launch_args(settings)
    try:
        return playwright.chromium.launch(**kwargs)
    except Exception as exc:  # playwright raises a bare Error with a multi-line log
        raise _launch_error(kwargs, exc) from None


async def launch_async(playwright: Any, settings: BrowserSettings | None = None) -> Any:
    """:func:`launch` for the async API."""
    kwargs = launch_args(settings)
    try:
        return await playwright.chromium.launch(**kwargs)
    except Exception as exc:
        raise _launch_error(kwargs, exc) from None

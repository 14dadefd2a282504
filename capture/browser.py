"""The one place that knows how to find Chromium and how to configure it.

Everything that launches a browser (the CLI, the recorder, the pytest-playwright fixtures, benchmarks)
takes its launch and context options from here, so a capture made by ``capture record`` and one made
inside the test suite see the same page.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import platform
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from .errors import BrowserNotFound, first_line
from .sites import Site, default_site

if TYPE_CHECKING:
    from .hosts import HostPolicy

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

#: Where ``playwright install chromium`` puts each build's executable inside its folder, by Playwright's
#: short platform name: ``EXECUTABLE_PATHS`` of playwright-core's ``server/registry/index.ts`` (1.65,
#: bundled in ``driver/package/lib/coreBundle.js``). Only the two Chromium builds a capture can run.
PLAYWRIGHT_EXECUTABLES: dict[str, dict[str, tuple[str, ...]]] = {
    "chromium": {
        "linux-x64": ("chrome-linux64", "chrome"),
        "linux-arm64": ("chrome-linux-arm64", "chrome"),
        "mac-x64": ("chrome-mac-x64", "Google Chrome for Testing.app", "Contents", "MacOS", "Google Chrome for Testing"),
        "mac-arm64": ("chrome-mac-arm64", "Google Chrome for Testing.app", "Contents", "MacOS",
                      "Google Chrome for Testing"),
        "win-x64": ("chrome-win64", "chrome.exe"),
    },
    "chromium-headless-shell": {
        "linux-x64": ("chrome-headless-shell-linux64", "chrome-headless-shell"),
        "linux-arm64": ("chrome-headless-shell-linux-arm64", "chrome-headless-shell"),
        "mac-x64": ("chrome-headless-shell-mac-x64", "chrome-headless-shell"),
        "mac-arm64": ("chrome-headless-shell-mac-arm64", "chrome-headless-shell"),
        "win-x64": ("chrome-headless-shell-win64", "chrome-headless-shell.exe"),
    },
}
#: Which managed build to run, best first: Playwright itself runs the headless shell for headless
#: pages and the full browser for headed ones; a headless capture falls back to the full browser.
MANAGED_BUILDS = {True: ("chromium-headless-shell", "chromium"), False: ("chromium",)}
#: ``hostPlatform`` (``utils/hostPlatform.ts``) of Ubuntu and its derivatives: below major version N, name.
_UBUNTU_RELEASES = ((20, "18.04"), (22, "20.04"), (24, "22.04"), (26, "24.04"), (28, "26.04"))
_NODE_ARCH = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}


MISSING_BROWSER = (
    "no Chromium found: set CAPTURE_CHROMIUM=/path/to/chromium, or install one "
    "(`apt-get install chromium fonts-wqy-zenhei` on Debian, or `playwright install chromium`)"
)


def _playwright_env(name: str) -> str | None:
    """An environment setting as Playwright reads it (``utils/env.ts``: npm config names too)."""
    for key in (name, f"npm_config_{name.lower()}", f"npm_package_config_{name.lower()}"):
        if (value := os.environ.get(key)) is not None:
            return value
    return None


def _js_int(text: str) -> int | None:
    """JavaScript's ``parseInt(text, 10)``; None for its NaN."""
    m = re.match(r"\s*([+-]?\d+)", text)
    return int(m.group(1)) if m else None


def _linux_distribution() -> str:
    """The distribution half of Playwright's Linux ``hostPlatform``, from ``/etc/os-release`` as it reads it."""
    fields: dict[str, str] = {}
    try:
        text = Path("/etc/os-release").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return "ubuntu24.04"
    for line in text.split("\n"):
        key, _, value = line.partition("=")
        value = value.strip()
        if key:
            fields[key.lower()] = value[1:-1] if value.startswith('"') and value.endswith('"') else value
    distro, version = fields.get("id", ""), fields.get("version_id", "")
    major = _js_int(version)
    if distro in ("ubuntu", "pop", "neon", "tuxedo"):
        below = (name for limit, name in _UBUNTU_RELEASES if major is not None and major < limit)
        return "ubuntu" + next(below, version)
    if distro == "linuxmint":
        return "ubuntu" + ("20.04" if major is not None and major <= 20 else "22.04" if major == 21 else "24.04")
    if distro in ("debian", "raspbian") and version in ("11", "12", "13", ""):
        return "debian" + (version or "13")
    return "ubuntu24.04"


def playwright_host_platform() -> str:
    """Playwright's ``hostPlatform`` (``utils/hostPlatform.ts``), e.g. ``debian12-x64``, ``mac14-arm64``:
    the key of a browser's ``revisionOverrides``, and what its download's platform derives from."""
    if override := os.environ.get("PLAYWRIGHT_HOST_PLATFORM_OVERRIDE"):
        return override
    if sys.platform == "darwin":
        major = _js_int(platform.release()) or 0
        version = ({18: 10.14, 19: 10.15}.get(major, 10.13) if major < 20
                   else 11 + major - 20 if major < 25 else min(major + 1, 26))
        arm = major >= 20 and "ARM64" in os.uname().version  # the kernel's, so Rosetta too (node: cpu model "Apple")
        return f"mac{version}" + ("-arm64" if arm else "")
    if sys.platform == "win32":
        return "win64"
    arch = _NODE_ARCH.get(platform.machine().lower())
    if not sys.platform.startswith("linux") or arch is None:
        return "<unknown>"
    return f"{_linux_distribution()}-{arch}"


def _short_platform(host: str) -> str:
    """``toShortPlatform``: the key of :data:`PLAYWRIGHT_EXECUTABLES`."""
    if host in ("<unknown>", "win64"):
        return "win-x64" if host == "win64" else host
    return ("mac" if host.startswith("mac") else "linux") + ("-arm64" if host.endswith("arm64") else "-x64")


def _playwright_package() -> Path | None:
    """The driver package inside the installed ``playwright`` (found without importing it)."""
    try:
        spec = importlib.util.find_spec("playwright")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    return Path(spec.origin).parent / "driver" / "package"


def playwright_browsers_path(package: Path) -> Path:
    """Playwright's ``registryDirectory``: ``PLAYWRIGHT_BROWSERS_PATH`` (``0``: the package's own
    ``.local-browsers``, the default of a frozen app), else the user's cache ``ms-playwright``."""
    value = _playwright_env("PLAYWRIGHT_BROWSERS_PATH")
    if value is None and (getattr(sys, "frozen", False) or "__compiled__" in globals()):
        value = "0"  # what playwright's transport sets for PyInstaller and Nuitka builds
    if value == "0":
        where = package / ".local-browsers"
    elif value:
        where = Path(value)
    elif sys.platform == "darwin":
        where = Path.home() / "Library" / "Caches" / "ms-playwright"
    elif sys.platform == "win32":
        where = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "ms-playwright"
    else:
        where = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ms-playwright"
    return where if where.is_absolute() else Path(_playwright_env("INIT_CWD") or os.getcwd()) / where


def playwright_managed_executable(build: str) -> str | None:
    """The executable of one Playwright download (``chromium`` or ``chromium-headless-shell``), if it
    is on disk, found the way Playwright's registry finds it, without starting a driver.

    Only the revision the installed Playwright names in its ``browsers.json`` (or its
    ``revisionOverrides`` for this host) counts, as for Playwright itself: another revision left by an
    older Playwright is a browser this driver was not built against, and Playwright would not run it.
    """
    if (package := _playwright_package()) is None:
        return None
    try:
        entries = json.loads((package / "browsers.json").read_text(encoding="utf-8"))["browsers"]
        entry = next(e for e in entries if e["name"] == build)
        host = playwright_host_platform()
        override = (entry.get("revisionOverrides") or {}).get(host)
        revision = override or entry["revision"]
    except (OSError, ValueError, LookupError, TypeError, AttributeError, StopIteration):
        return None  # a driver without browsers.json (an sdist), or one this code does not know
    prefix = f"{build}_{host}_special" if override else build
    folder = playwright_browsers_path(package) / f"{prefix.replace('-', '_')}-{revision}"
    tokens = PLAYWRIGHT_EXECUTABLES[build].get(_short_platform(host))
    exe = folder.joinpath(*tokens) if tokens else None
    return str(exe) if exe and exe.is_file() and os.access(exe, os.X_OK) else None


def playwright_managed_chromium(*, headless: bool = True) -> str | None:
    """The Chromium that ``playwright install chromium`` put on disk, if it is there: for headless
    use its headless shell first (what Playwright itself runs headless), else the full browser.

    Reads Playwright's registry files instead of asking its driver: the sync API cannot start inside
    the recorder's running event loop, and a driver costs a Node process per lookup.
    """
    return next(filter(None, map(playwright_managed_executable, MANAGED_BUILDS[headless])), None)


def find_chromium(*, managed_first: bool = True, headless: bool = True) -> str | None:
    """Find a Chromium: Playwright-managed, then ``CAPTURE_CHROMIUM``, then a system one (for headless
    use, the headless shell first, managed or system)."""
    if managed_first and (managed := playwright_managed_chromium(headless=headless)):
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
    #: Hosts blocked on top of the site's host policy (``--block-host``).
    extra_blocked_hosts: tuple[str, ...] = ()
    #: ``(host, origin)`` pairs: requests for host, any scheme, are answered by origin (``--map-host``).
    host_map: tuple[tuple[str, str], ...] = ()
    #: More Chromium flags (tests add ``--host-resolver-rules`` so no DNS query can leave the machine).
    extra_args: tuple[str, ...] = ()
    executable_path: str | None = None
    #: None: the site table's (:data:`capture.sites.default_site().user_agent`), never Chromium's "HeadlessChrome".
    user_agent: str | None = None
    navigation_timeout_ms: float = 20_000
    #: Largest decoded body a mapped answer may have (a gzip bomb ends as ``too-large``).
    max_body_bytes: int = 32 * 1024 * 1024


def launch_args(settings: BrowserSettings | None = None, *, executable: str | None = None) -> dict[str, Any]:
    """Keyword arguments for ``browser_type.launch``."""
    settings = settings or BrowserSettings()
    args = [*CHROMIUM_ARGS, *settings.extra_args]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox on
    exe = executable or settings.executable_path or require_chromium(headless=settings.headless)
    return {"headless": settings.headless, "executable_path": exe, "args": args}


def context_args(settings: BrowserSettings | None = None, *, site: Site | None = None) -> dict[str, Any]:
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
    out["user_agent"] = settings.user_agent or (site or default_site()).user_agent
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


async def prepare_context_async(context: Any, settings: BrowserSettings | None = None, *,
                                blocked: list[str] | None = None, policy: HostPolicy | None = None,
                                allowed_hosts: set[str] | None = None, record: MapRecord | None = None) -> None:
    """Apply what ``new_context`` options cannot: fixed clock, seeded randomness, the host guard.

    ``policy`` (:mod:`capture.hosts`) is the host guard; ``blocked`` collects the URLs it blocked (the
    a11y ad-host figure); ``record`` (:class:`MapRecord`) what it did to the main document. Without a
    policy, ``allowed_hosts`` (the page's own hosts) blocks every other host; with neither the guard is
    off (HAR replay, whose own route serves every request).
    """
    settings = settings or BrowserSettings()
    context.set_default_navigation_timeout(settings.navigation_timeout_ms)
    await context.add_init_script(SEEDED_RANDOM_JS)
    if settings.fixed_time is not None:
        await context.clock.set_fixed_time(settings.fixed_time)
    if policy is not None:
        await context.route(policy.route_pattern(), _policy_guard(policy, settings, blocked, record))
    elif (hosts := _guard_hosts(settings, allowed_hosts)) is not None:
        await context.route(third_party_pattern(hosts), _abort_blocked)


async def _abort_blocked(route: Any) -> None:
    await route.abort("blockedbyclient")


def prepare_context(context: Any, settings: BrowserSettings | None = None, **kwargs: Any) -> None:
    """:func:`prepare_context_async` for a sync Playwright context (pytest-playwright's, tests): the
    same steps and the same route handler, run inline (:class:`capture.sync.Inline`)."""
    from .sync import Inline, run_inline

    run_inline(prepare_context_async(Inline(context), settings, **kwargs))


async def guard_replay_async(context: Any, policy: HostPolicy, blocked: list[str] | None = None) -> None:
    """During a HAR replay, in front of ``route_from_har``: hosts the policy blocks are aborted (as when
    recording, so ``blocked_hosts`` reads the same), the rest fall back to the HAR. Without it a request
    the HAR has no entry for (a blocked ad script) stays pending and the page never loads."""
    async def guard(route: Any) -> None:
        if policy.decide(host_of(route.request.url)) == "block":
            if blocked is not None:
                blocked.append(route.request.url)
            await route.abort("blockedbyclient")
        else:
            await route.fallback()

    await context.route(policy.route_pattern(), guard)


#: The response headers a mapped answer passes on (what the page acts on); the rest are dropped. With
#: all of a server's headers (even Python's own Server + Date pair), a fulfilled stylesheet never
#: completes in the HAR recorder and ``tracing.stop_har`` hangs (Playwright 1.65; the body is given
#: whole, so its length and encoding are the fulfilled body's own anyway).
PASSED_HEADERS = ("content-type", "location", "cache-control", "access-control-allow-origin",
                  "access-control-allow-credentials", "retry-after")


def _passed_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower() in PASSED_HEADERS}


#: The request headers a mapped fetch sends on (a short list, like :data:`PASSED_HEADERS`), plus
#: ``X-Forwarded-Host``: one origin (the replica) answers many hosts and must know which was asked.
SENT_HEADERS = ("accept", "accept-language", "user-agent", "referer", "origin")
FORWARDED_HOST = "x-forwarded-host"
#: Chromium's resolver answers every name but 127.0.0.1 with NOT_FOUND: with every host mapped or
#: blocked nothing should need DNS, and this makes sure not even a prefetch or preconnect asks.
NO_DNS_ARG = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"


def mapped_request_headers(headers: dict[str, str], url: str) -> dict[str, str]:
    """What a mapped fetch sends: the request's own few headers and the host it was for."""
    out = {k: v for k, v in headers.items() if k.lower() in SENT_HEADERS}
    out[FORWARDED_HOST] = (urlsplit(url).hostname or "").lower()
    return out


#: Redirects a mapped answer may lead through, as Chromium allows a load (then ``redirect-loop``).
MAX_REDIRECTS = 20
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


@dataclass
class MapRecord:
    """What the host guard did that the recorder must know about the page's main document: the
    redirects it followed through the host map, and why a mapped navigation failed (a body over the
    size cap, no answer, a redirect loop, a redirect to a blocked host), as an outcome reason."""

    #: ``(from, status, to)`` of each redirect of the main document, in order.
    redirects: list[tuple[str, int, str]] = field(default_factory=list)
    #: ``(url, FetchFailed)`` of each failed main-document request, in order.
    failures: list[tuple[str, Any]] = field(default_factory=list)

    def begin(self) -> None:
        """A new navigation by the recorder: forget the last one's."""
        self.redirects.clear()
        self.failures.clear()

    def chain(self, url: str) -> list[str]:
        """``url`` and every URL the guard's redirects led it to, in order (just ``[url]``: none)."""
        out, to = [url], {f: t for f, _s, t in self.redirects}
        while out[-1] in to and len(out) <= len(to):
            out.append(to[out[-1]])
        return out


def _main_navigation(request: Any) -> bool:
    try:
        return bool(request.is_navigation_request()) and request.frame.parent_frame is None
    except Exception:  # a service-worker request, or its frame is gone
        return False


def _redirect_fetch_url(policy: HostPolicy, url: str) -> str | None:
    """Where a redirect from a mapped answer to ``url`` is fetched: its mapped origin, the URL itself on
    loopback if the policy allows that host, else nowhere (blocked: a mapped answer never leads off
    the machine, whatever DNS would say)."""
    host = host_of(url)
    decision = policy.decide(host)
    if decision == "map":
        return policy.mapped_url(url)
    if decision == "allow" and host in LOOPBACK_HOSTS:
        return url
    return None


def _policy_guard(policy: HostPolicy, settings: BrowserSettings, blocked: list[str] | None,
                  record: MapRecord | None = None) -> Any:
    """The route handler of a host policy: block (collected in ``blocked``), serve from the mapped
    origin (fetched by :mod:`capture.mapfetch`, bounded in time and decoded size, and fulfilled, so the
    page keeps the original URL, over https too), or let the request go on."""
    async def guard(route: Any) -> None:
        url = route.request.url
        decision = policy.decide(host_of(url))
        if decision == "block":
            if blocked is not None:
                blocked.append(url)
            await route.abort("blockedbyclient")
        elif decision == "map":
            await _answer_mapped(route, policy, settings, blocked, record)
        else:
            await route.continue_()

    return guard


async def _answer_mapped(route: Any, policy: HostPolicy, settings: BrowserSettings, blocked: list[str] | None,
                         record: MapRecord | None) -> None:
    """Answer one request from its mapped origin, following redirects through the map.

    Playwright routes only the first request of a redirect chain (a 3xx given to ``route.fulfill`` is
    followed by Chromium straight to the network: off the machine, or ERR_NAME_NOT_RESOLVED with no
    DNS), so redirects never reach Chromium: they are followed here, each Location on a mapped host
    from its mapped origin (relative ones against the URL that gave them), at most
    :data:`MAX_REDIRECTS`, and the last answer fulfils the request under its original URL. (Playwright's
    ``route_from_har`` way, a private redirectNavigationRequest, crashes its driver with an unhandled
    rejection when the redirected navigation fails, e.g. at the next redirect.) The main document's
    redirects and failures are noted in ``record``, failures with their outcome reason; every failure
    ends the request with an abort code.
    """
    from . import mapfetch
    from .errors import FetchFailed
    from .sync import Inline

    request = route.request
    url = current = request.url
    nav = record is not None and _main_navigation(request)
    hops = 0
    method, body = request.method, request.post_data_buffer
    deadline = time.monotonic() + settings.navigation_timeout_ms / 1000
    inline = isinstance(route, Inline)  # a sync Playwright context: its handler must not await a thread

    async def fail(abort: str, reason: str, detail: str, retryable: bool = False) -> None:
        if nav and record is not None:
            record.failures.append((url, FetchFailed(detail, reason=reason, retryable=retryable)))
        with contextlib.suppress(Exception):  # the context may be closing
            await route.abort(abort)

    fetch_url = policy.mapped_url(url)
    while True:
        kw = dict(method=method, headers=mapped_request_headers(request.headers, current), body=body,
                  timeout_s=max(0.05, deadline - time.monotonic()), max_bytes=settings.max_body_bytes)
        try:
            resp = mapfetch.fetch(fetch_url, **kw) if inline else await mapfetch.fetch_async(fetch_url, **kw)
        except mapfetch.MappedFetchError as exc:
            where = "" if current == url else f"redirected to {current}: "
            await fail(exc.abort, exc.reason, where + str(exc), exc.retryable)
            return
        location = resp.headers.get("location")
        if not (300 <= resp.status < 400 and location):
            break
        nxt = urljoin(current, location.strip())
        hops += 1
        if hops > MAX_REDIRECTS:
            await fail("failed", "redirect-loop", f"redirect loop (more than {MAX_REDIRECTS} redirects through "
                       f"the host map, the last to {nxt})")
            return
        nxt_fetch = _redirect_fetch_url(policy, nxt)
        if nxt_fetch is None:
            if blocked is not None:
                blocked.append(nxt)
            await fail("blockedbyclient", "blocked-host", f"redirected ({resp.status}) to {nxt}: {host_of(nxt)} is "
                       "neither mapped nor allowed on loopback, so the host policy blocks it")
            return
        if nav and record is not None:
            record.redirects.append((current, resp.status, nxt))
        current, fetch_url = nxt, nxt_fetch
        if resp.status == 303 or (resp.status in (301, 302) and method == "POST"):
            method, body = "GET", None
    with contextlib.suppress(Exception):  # the context may be closing
        await route.fulfill(status=resp.status, headers=_passed_headers(resp.headers), body=resp.body)


def launch(playwright: Any, settings: BrowserSettings | None = None) -> Any:
    """:func:`launch_async` for Playwright's sync API."""
    from .sync import Inline, run_inline

    return run_inline(launch_async(Inline(playwright), settings))


async def launch_async(playwright: Any, settings: BrowserSettings | None = None) -> Any:
    """Launch Chromium with our options, turning launch failures into :class:`BrowserNotFound`."""
    kwargs = launch_args(settings)
    try:
        return await playwright.chromium.launch(**kwargs)
    except Exception as exc:  # playwright raises a bare Error with a multi-line log
        raise BrowserNotFound(f"Chromium at {kwargs['executable_path']} did not start: {first_line(exc)}") from None

"""The browser module: finding Chromium, launch and context options, and the fixtures built on them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from capture import browser
from capture.errors import BrowserNotFound
from capture.sites import default_site
from capture.testing import run_pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def pw_page(capture_context, site_origin):
    """A page configured exactly as the recorder configures one (options + clock + host guard):
    the plugin's ``capture_context``, which is built from this module's functions."""
    page = capture_context.new_page()
    page.goto(site_origin + "/")
    yield page
    page.close()


def test_chromium_launches_headless_through_the_module(pw_page, browser_type_launch_args):
    """Headless, yet the page sees the site table's desktop Chrome, not "HeadlessChrome"."""
    assert browser_type_launch_args["headless"] is True
    ua = pw_page.evaluate("navigator.userAgent")
    assert ua == default_site().user_agent and "Headless" not in ua
    assert pw_page.context.browser.version.split(".")[0].isdigit()


def test_context_is_zh_cn_beijing_fixed_viewport(pw_page):
    assert pw_page.evaluate("navigator.language") == "zh-CN"
    assert pw_page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "Asia/Shanghai"
    assert pw_page.evaluate("[innerWidth, innerHeight]") == [browser.VIEWPORT["width"], browser.VIEWPORT["height"]]


def test_clock_is_fixed_and_random_is_seeded(pw_page):
    now = pw_page.evaluate("Date.now()")
    assert now == int(browser.FIXED_TIME.timestamp() * 1000)
    first = pw_page.evaluate("[Math.random(), Math.random()]")
    pw_page.reload()
    assert pw_page.evaluate("[Math.random(), Math.random()]") == first


def test_third_party_hosts_are_blocked(pw_page, site_origin):
    blocked = pw_page.evaluate("""async () => {
        try { await fetch('http://pos.baidu.com/x.js', {mode: 'no-cors'}); return 'fetched'; }
        catch (e) { return 'blocked'; } }""")
    assert blocked == "blocked"
    same = pw_page.evaluate(f"fetch('{site_origin}/').then(r => r.status)")
    assert same == 200


#: A service worker that takes control of its page at once (skipWaiting + clients.claim).
SERVICE_WORKER_JS = ("self.addEventListener('install', () => self.skipWaiting());\n"
                     "self.addEventListener('activate', e => e.waitUntil(self.clients.claim()));\n")
#: The page registers /sw-probe.js; with a registration, waits until the worker controls the page.
REGISTER_SW = """async () => {
    const reg = await navigator.serviceWorker.register('/sw-probe.js');
    if (reg && !navigator.serviceWorker.controller)
        await new Promise(done => navigator.serviceWorker.addEventListener('controllerchange', done));
    return {registered: !!reg, registrations: (await navigator.serviceWorker.getRegistrations()).length};
}"""


def _service_worker_outcome(pw_browser, origin: str, context_options: dict) -> tuple[dict, bool, list[str]]:
    """Register a service worker from a replica page (its script served by a route, on the same
    127.0.0.1 origin); then reload: whether a worker controls the new page, and the script fetches."""
    ctx = pw_browser.new_context(**context_options)
    try:
        browser.prepare_context(ctx, allowed_hosts={browser.host_of(origin)})
        fetched: list[str] = []
        ctx.route("**/sw-probe.js", lambda route: fetched.append(route.request.url) or route.fulfill(
            body=SERVICE_WORKER_JS, content_type="text/javascript"))
        page = ctx.new_page()
        page.goto(origin + "/")
        outcome = page.evaluate(REGISTER_SW)
        page.reload()
        return outcome, page.evaluate("navigator.serviceWorker.controller !== null"), fetched
    finally:
        ctx.close()


def test_pages_cannot_register_a_service_worker(pw_page, site_origin):
    """A service worker would serve later loads from its cache, not from the site: none may install.
    The control (same page, workers allowed) shows the probe does install one when it can."""
    allowed = _service_worker_outcome(pw_page.context.browser, site_origin,
                                      {**browser.context_args(), "service_workers": "allow"})
    assert allowed[:2] == ({"registered": True, "registrations": 1}, True) and allowed[2], allowed
    outcome, controlled, fetched = _service_worker_outcome(pw_page.context.browser, site_origin, browser.context_args())
    assert outcome == {"registered": False, "registrations": 0}
    assert not controlled, "a service worker controls the reloaded page"
    assert fetched == [], "the browser fetched the service worker script"


def test_pytest_playwright_fixtures_use_our_options_and_keep_their_flags(tmp_path):
    """pytest-playwright's `page` gets our launch/context options; --tracing and --output still work."""
    proc = run_pytest(str(ROOT / "tests/fixture_probe/probe_page.py"), "--tracing", "on", "--output", str(tmp_path / "out"),
                      timeout=300)
    assert proc.returncode == 0, proc.stdout[-1500:]
    assert list((tmp_path / "out").rglob("trace.zip")), "--tracing on --output DIR left no trace"


def test_missing_browser_is_one_line(monkeypatch):
    monkeypatch.setenv("CAPTURE_CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setattr(browser, "playwright_managed_chromium", lambda **_: None)
    with pytest.raises(BrowserNotFound) as err:
        browser.require_chromium()
    assert "CAPTURE_CHROMIUM=/nonexistent/chromium" in str(err.value) and "\n" not in str(err.value)
    monkeypatch.delenv("CAPTURE_CHROMIUM")
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(BrowserNotFound) as err:
        browser.require_chromium()
    assert "apt-get install chromium" in str(err.value) and "\n" not in str(err.value)


def test_cli_without_a_browser_exits_3_with_one_line(tmp_path, site_origin):
    env = {**os.environ, "CAPTURE_CHROMIUM": "/nonexistent/chromium"}
    proc = subprocess.run([sys.executable, "-m", "capture.cli", "record", "--replica", "--snapshots", str(tmp_path)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and "CAPTURE_CHROMIUM" in errors[0] and "Traceback" not in proc.stderr


def test_bootstrap_stops_with_one_line_when_no_browser_can_be_had(tmp_path):
    """With the virtualenv in place, a bad CAPTURE_CHROMIUM stops the bootstrap with one line, exit 3."""
    env = {**os.environ, "CAPTURE_CHROMIUM": "/nonexistent/chromium", "CAPTURE_VENV": sys.prefix}
    if not (Path(sys.prefix) / ".netease-capture-installed").exists():
        pytest.skip("this interpreter's environment was not made by the bootstrap (no install stamp)")
    proc = subprocess.run([sys.executable, "-m", "capture.bootstrap", "capture", "--version"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3
    assert proc.stderr.strip().splitlines()[-1].startswith("bootstrap: CAPTURE_CHROMIUM=/nonexistent/chromium")


def test_bootstrap_usage_is_one_line():
    proc = subprocess.run([sys.executable, "-m", "capture.bootstrap"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("port", ["taken", "70000", "abc"])
def test_serve_bad_port_exits_2_with_one_line(port):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        value = str(sock.getsockname()[1]) if port == "taken" else port
        proc = subprocess.run([sys.executable, "-m", "capture.cli", "serve", "--port", value], cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and value in proc.stderr


def test_headless_shell_preferred_and_its_shell_wrapper_unwrapped(tmp_path, monkeypatch):
    """Headless captures prefer the headless shell; a wrapper script that does not ``exec`` its binary
    is looked through, so the browser (not the wrapper) is the process Playwright signals."""
    real = tmp_path / "lib" / "chromium-headless-shell"
    real.parent.mkdir()
    real.write_text("#!/bin/sh\n")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    wrapper = bindir / "chromium-headless-shell"
    wrapper.write_text(f'#!/bin/sh -e\n\n{real} "$@"\n')
    full = bindir / "chromium"
    full.write_text("#!/bin/sh\nexec /nonexistent/chromium \"$@\"\n")
    for f in (real, wrapper, full):
        f.chmod(0o755)
    monkeypatch.delenv("CAPTURE_CHROMIUM", raising=False)
    monkeypatch.setattr(browser, "playwright_managed_chromium", lambda **_: None)
    monkeypatch.setenv("PATH", str(bindir))
    assert browser.find_chromium() == str(real)
    assert browser.find_chromium(headless=False) == str(full), "a headed browser needs the full chromium"
    assert browser.launch_args(browser.BrowserSettings(headless=False))["executable_path"] == str(full)


def test_bootstrap_adds_the_headless_shell_once(tmp_path, monkeypatch):
    """With Debian's full chromium only, bootstrap tries apt for the headless shell; when that fails
    it keeps the full browser and remembers, so later runs do not retry apt."""
    from capture import bootstrap

    calls = []
    monkeypatch.setattr(bootstrap, "VENV", tmp_path)
    monkeypatch.setattr(bootstrap, "is_root_debian", lambda: True)
    monkeypatch.setattr(bootstrap, "apt_install", lambda pkgs: calls.append(pkgs) or False)
    monkeypatch.delenv("CAPTURE_CHROMIUM", raising=False)
    assert bootstrap.ensure_headless_shell("/usr/bin/chromium") == "/usr/bin/chromium"
    assert calls == [["chromium-headless-shell"]] and (tmp_path / ".no-headless-shell").is_file()
    assert bootstrap.ensure_headless_shell("/usr/bin/chromium") == "/usr/bin/chromium" and len(calls) == 1
    (tmp_path / ".no-headless-shell").unlink()
    monkeypatch.setattr(bootstrap, "apt_install", lambda pkgs: calls.append(pkgs) or True)
    monkeypatch.setattr(bootstrap, "find_browser", lambda: "/usr/lib/chromium/chromium-headless-shell")
    assert bootstrap.ensure_headless_shell("/usr/bin/chromium") == "/usr/lib/chromium/chromium-headless-shell"
    shell = "/usr/lib/chromium/chromium-headless-shell"
    assert bootstrap.ensure_headless_shell(shell) == shell and len(calls) == 2, "a shell needs nothing more"
    monkeypatch.setenv("CAPTURE_CHROMIUM", "/opt/chrome")
    assert bootstrap.ensure_headless_shell("/opt/chrome") == "/opt/chrome" and len(calls) == 2

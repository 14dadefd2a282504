"""Finding the Chromium that ``playwright install chromium`` downloaded, without a Playwright driver.

A fake registry in ``tmp_path`` (the folders and executables ``playwright install chromium`` makes for
the installed Playwright's revisions, laid out for linux-x64) holds two tiny scripts that note their
own path in a log and ``exec`` the system's Chromium and headless shell. ``PLAYWRIGHT_BROWSERS_PATH``
points at it; with ``PATH`` emptied and ``CAPTURE_CHROMIUM`` unset, it is the only browser there is.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import playwright
import pytest

from capture import browser
from capture.cli import main
from capture.testing import ROOT, on_fresh_thread, run_pytest

BROWSERS_JSON = Path(playwright.__file__).parent / "driver" / "package" / "browsers.json"
LINUX_X64 = sys.platform.startswith("linux") and platform.machine().lower() in ("x86_64", "amd64")
pytestmark = pytest.mark.skipif(not LINUX_X64, reason="the fake registry is laid out for linux-x64 (Debian's "
                                                      "Chromium stands in for the downloads)")
#: What ``playwright install chromium`` creates on linux-x64, as playwright-core's registry spells it
#: (written out here, not taken from capture.browser, so a wrong table there fails these tests).
LINUX_X64_LAYOUT = {
    "chromium": ("chromium-{rev}", "chrome-linux64/chrome"),
    "chromium-headless-shell": ("chromium_headless_shell-{rev}", "chrome-headless-shell-linux64/chrome-headless-shell"),
}
#: The system binaries the fake downloads run: Debian's headless shell (its wrapper looked through) and
#: full Chromium (its wrapper ``exec``s).
REAL = {"chromium-headless-shell": browser._unwrapped(shutil.which("chromium-headless-shell") or "/nonexistent"),
        "chromium": shutil.which("chromium") or "/nonexistent"}
NEEDS_REAL = pytest.mark.skipif(not all(os.access(p, os.X_OK) for p in REAL.values()),
                                reason="launch tests need the system chromium and chromium-headless-shell "
                                       "to stand in for Playwright's downloads")


def _revision(name: str) -> str:
    return next(e["revision"] for e in json.loads(BROWSERS_JSON.read_text())["browsers"] if e["name"] == name)


@dataclass
class FakeRegistry:
    root: Path
    shell: str
    chromium: str
    log: Path

    def launched(self) -> list[str]:
        """The fake executables started so far, in order."""
        return self.log.read_text().split() if self.log.exists() else []


def _fake_download(root: Path, name: str, log: Path, revision: str | None = None) -> str:
    folder, exe = LINUX_X64_LAYOUT[name]
    path = root / folder.format(rev=revision or _revision(name)) / exe
    path.parent.mkdir(parents=True)
    path.write_text(f'#!/bin/sh\necho "$0" >> {log}\nexec {REAL[name]} "$@"\n')
    path.chmod(0o755)
    return str(path)


@pytest.fixture
def no_other_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No system Chromium on PATH, no CAPTURE_CHROMIUM: only a Playwright download can be found."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("CAPTURE_CHROMIUM", raising=False)


@pytest.fixture
def fake_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeRegistry:
    root, log = tmp_path / "ms-playwright", tmp_path / "launched.log"
    shell = _fake_download(root, "chromium-headless-shell", log)
    chromium = _fake_download(root, "chromium", log)
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(root))
    return FakeRegistry(root, shell, chromium, log)


def test_headless_takes_the_managed_headless_shell_headed_the_full_browser(fake_registry, monkeypatch):
    monkeypatch.setenv("CAPTURE_CHROMIUM", REAL["chromium"])  # managed comes first, as documented
    assert browser.find_chromium() == fake_registry.shell
    assert browser.find_chromium(headless=False) == fake_registry.chromium
    assert browser.launch_args(browser.BrowserSettings(headless=False))["executable_path"] == fake_registry.chromium
    shutil.rmtree(Path(fake_registry.shell).parents[1])  # `playwright install chromium` minus the shell
    assert browser.find_chromium() == fake_registry.chromium, "headless falls back to the managed full browser"


def test_lookup_works_inside_a_running_event_loop(fake_registry):
    """The recorder asks from inside its asyncio loop, where Playwright's sync API refuses to start."""
    async def inside() -> tuple[str | None, str | None]:
        asyncio.get_running_loop()
        return browser.find_chromium(), browser.find_chromium(headless=False)

    assert on_fresh_thread(lambda: asyncio.run(inside())) == (fake_registry.shell, fake_registry.chromium)


def test_only_the_revision_the_installed_playwright_names_counts(tmp_path, monkeypatch, no_other_browser):
    """A download left by another Playwright version is not this driver's browser: Playwright itself
    would not run it, so neither do we (the lookup then goes on to CAPTURE_CHROMIUM and the system)."""
    root, log = tmp_path / "ms-playwright", tmp_path / "log"
    for name in LINUX_X64_LAYOUT:
        _fake_download(root, name, log, revision=str(int(_revision(name)) - 1))
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(root))
    assert browser.playwright_managed_chromium() is None
    assert browser.find_chromium() is None and browser.find_chromium(headless=False) is None


@NEEDS_REAL
def test_lookup_agrees_with_playwright_itself(fake_registry, no_other_browser):
    """Playwright's own answer for the same registry (a fresh process, outside any loop): the full
    browser's path it reports, and the executable it starts for a headless launch of its own."""
    probe = ("from playwright.sync_api import sync_playwright\n"
             "with sync_playwright() as p:\n"
             "    print(p.chromium.executable_path)\n"
             "    p.chromium.launch(headless=True, args=['--no-sandbox']).close()\n")
    proc = subprocess.run([sys.executable, "-c", probe], env=dict(os.environ), capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-1500:]
    assert proc.stdout.strip() == browser.playwright_managed_chromium(headless=False) == fake_registry.chromium
    assert fake_registry.launched() == [browser.playwright_managed_chromium()] == [fake_registry.shell]


@pytest.mark.parametrize("setting", ["0", "relative", "unset"])
def test_where_the_registry_is(setting, tmp_path, monkeypatch):
    """PLAYWRIGHT_BROWSERS_PATH as Playwright reads it: ``0`` is the driver package's own
    ``.local-browsers``, a relative path is from the current folder, unset is ``$XDG_CACHE_HOME``."""
    package = tmp_path / "driver" / "package"
    package.mkdir(parents=True)
    shutil.copy(BROWSERS_JSON, package / "browsers.json")
    monkeypatch.setattr(browser, "_playwright_package", lambda: package)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("INIT_CWD", raising=False)
    root = {"0": package / ".local-browsers", "relative": tmp_path / "rel" / "pw",
            "unset": tmp_path / "cache" / "ms-playwright"}[setting]
    if setting == "unset":
        monkeypatch.delenv("PLAYWRIGHT_BROWSERS_PATH", raising=False)
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    else:
        monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", "0" if setting == "0" else "rel/pw")
    assert browser.playwright_managed_chromium() is None
    shell = _fake_download(root, "chromium-headless-shell", tmp_path / "log")
    assert browser.playwright_managed_chromium() == shell


def test_a_revision_override_for_this_host_names_its_own_folder(tmp_path, monkeypatch):
    """``revisionOverrides`` (Playwright's pins for old hosts) key on its host platform and name the
    folder ``<name>_<host>_special-<revision>``; other hosts keep the plain revision."""
    package = tmp_path / "package"
    package.mkdir()
    entry = {"name": "chromium-headless-shell", "revision": "1255", "revisionOverrides": {"mac14-arm64": "1200"}}
    (package / "browsers.json").write_text(json.dumps({"browsers": [entry]}))
    monkeypatch.setattr(browser, "_playwright_package", lambda: package)
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "pw"))
    special = (tmp_path / "pw" / "chromium_headless_shell_mac14_arm64_special-1200"
               / "chrome-headless-shell-mac-arm64" / "chrome-headless-shell")
    plain = tmp_path / "pw" / "chromium_headless_shell-1255" / "chrome-headless-shell-linux64" / "chrome-headless-shell"
    for exe in (special, plain):
        exe.parent.mkdir(parents=True)
        exe.write_text("#!/bin/sh\n")
        exe.chmod(0o755)
    monkeypatch.setenv("PLAYWRIGHT_HOST_PLATFORM_OVERRIDE", "mac14-arm64")
    assert browser.playwright_managed_executable("chromium-headless-shell") == str(special)
    monkeypatch.setenv("PLAYWRIGHT_HOST_PLATFORM_OVERRIDE", "ubuntu24.04-x64")
    assert browser.playwright_managed_executable("chromium-headless-shell") == str(plain)


@NEEDS_REAL
@pytest.mark.usefixtures("replica_only")
def test_capture_record_runs_the_managed_browser(fake_registry, no_other_browser, seed_target, tmp_path, capsys):
    """`capture record` (in process, on the replica) with a Playwright download as the only browser."""
    snaps = tmp_path / "snapshots"
    code = main(["record", seed_target.id, "--replica", "--snapshots", str(snaps), "--modes", "normal",
                 "--watchlist", str(ROOT / "pages.toml"), "--retries", "1"])
    assert code == 0, capsys.readouterr().err
    meta = json.loads((snaps / "captures" / seed_target.id / "normal" / "meta.json").read_text(encoding="utf-8"))
    assert meta["browser"]["name"] == "chromium" and meta["browser"]["version"]
    assert fake_registry.launched() == [fake_registry.shell], "the capture did not run the managed headless shell"
    assert browser.find_chromium(managed_first=False) is None, "another browser was findable: the test proves nothing"


SESSION_TESTS = '''
def test_session_capture(capture_bundle):
    assert capture_bundle.meta.browser["name"] == "chromium"


def test_page_fixture(page, base_url):
    assert page.goto(base_url + "/").status == 200
'''


@NEEDS_REAL
@pytest.mark.usefixtures("replica_only")
def test_pytest_session_runs_the_managed_browser(fake_registry, no_other_browser, seed_target, tmp_path):
    """A pytest run of a user's repository: the session capture (the recorder, inside its event loop)
    and pytest-playwright's ``page`` both launch the managed headless shell."""
    repo = tmp_path / "repo"
    (repo / "tests").mkdir(parents=True)
    (repo / "pages.toml").write_text(f'[[page]]\nid = "{seed_target.id}"\nurl = "{seed_target.url}"\n',
                                     encoding="utf-8")
    (repo / "tests" / "test_session.py").write_text(SESSION_TESTS, encoding="utf-8")
    proc = run_pytest("-p", "no:cacheprovider", "tests", cwd=repo, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-1500:]
    assert "3 passed" in proc.stdout, proc.stdout[-1500:]  # 2 modes of the page, and the page fixture
    launched = fake_registry.launched()
    assert len(launched) >= 2 and set(launched) == {fake_registry.shell}, launched


def test_bootstrap_finds_the_managed_browser(fake_registry, no_other_browser, monkeypatch):
    """The bootstrap asks the virtualenv's python (where playwright is installed) the same lookup."""
    from capture import bootstrap

    monkeypatch.setattr(bootstrap, "BIN", Path(sys.executable).parent)
    assert bootstrap.find_browser() == fake_registry.shell

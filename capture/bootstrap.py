"""One-command setup on a fresh machine: ``python3 -m capture.bootstrap TOOL [ARGS...]``.

Creates or reuses ``.venv``, installs the project with its test extras, makes sure a Chromium (and a
CJK font) is there, then runs TOOL (``capture`` or ``pytest``) from the virtualenv with ARGS.
Standard library only: nothing is installed when this starts.

Browser order: a Playwright-managed browser; else ``CAPTURE_CHROMIUM`` or a system ``chromium``;
else ``playwright install chromium``; where that cannot download and we are root on Debian,
``apt-get install chromium fonts-wqy-zenhei``. Otherwise stop with one line saying what to install.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(os.environ.get("CAPTURE_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".netease-capture-installed"
TOOLS = {"capture": ["capture"], "pytest": ["python", "-m", "pytest"]}
APT_PACKAGES = ["chromium", "fonts-wqy-zenhei"]  # then chromium-headless-shell, optional (ensure_headless_shell)


def say(msg: str) -> None:
    print(f"[bootstrap] {msg}", file=sys.stderr, flush=True)


def die(msg: str, code: int = 3) -> None:
    print(f"bootstrap: {msg}", file=sys.stderr, flush=True)
    raise SystemExit(code)


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, **kw)


def is_root_debian() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and Path("/etc/debian_version").exists()


def apt_install(packages: list[str]) -> bool:
    say(f"apt-get install {' '.join(packages)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    quiet = {"stdout": subprocess.DEVNULL, "env": env}
    if run(["apt-get", "update", "-qq"], **quiet).returncode != 0:
        return False
    return run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages], **quiet).returncode == 0


def ensure_venv() -> None:
    if (BIN / "python").exists():
        return
    say(f"creating virtualenv {VENV}")
    if run([sys.executable, "-m", "venv", str(VENV)]).returncode != 0:
        if is_root_debian() and apt_install(["python3-venv"]):
            shutil.rmtree(VENV, ignore_errors=True)
            if run([sys.executable, "-m", "venv", str(VENV)]).returncode == 0:
                return
        die(f"could not create a virtualenv with {sys.executable}: install python3-venv")


def install_project() -> None:
    """pip install -e .[test], skipped when pyproject.toml has not changed since the last install."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == digest:
        return
    say("installing netease-capture[test] into the virtualenv")
    pip = [str(BIN / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    if run([*pip, "-e", f"{ROOT}[test]"]).returncode != 0:
        die("pip install -e .[test] failed: see the pip output above", 4)
    STAMP.write_text(digest + "\n")


def find_browser() -> str:
    out = run([str(BIN / "python"), "-c", "from capture.browser import find_chromium; print(find_chromium() or '')"],
              capture_output=True, text=True, cwd=ROOT)
    return out.stdout.strip()


def ensure_headless_shell(found: str) -> str:
    """Debian's chromium without its headless shell: add the shell once (captures take about half the
    CPU with it); if apt cannot, remember that and keep the full browser."""
    marker = VENV / ".no-headless-shell"
    if (os.environ.get("CAPTURE_CHROMIUM") or not is_root_debian() or marker.exists()
            or Path(found).name not in ("chromium", "chromium-browser")):
        return found
    if apt_install(["chromium-headless-shell"]) and (shell := find_browser()):
        return shell
    marker.write_text("apt-get install chromium-headless-shell failed; using the full browser\n")
    return found


def ensure_chromium() -> str:
    found = find_browser()
    if found:
        return ensure_headless_shell(found)
    if os.environ.get("CAPTURE_CHROMIUM"):
        die(f"CAPTURE_CHROMIUM={os.environ['CAPTURE_CHROMIUM']} is not an executable file")
    say("no Chromium found: trying `playwright install chromium`")
    try:
        ok = run([str(BIN / "python"), "-m", "playwright", "install", "chromium"],
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600).returncode == 0
    except subprocess.TimeoutExpired:
        ok = False
    if ok and (found := find_browser()):
        return found
    if is_root_debian():
        say("playwright could not download a browser: using Debian's chromium")
        if apt_install(APT_PACKAGES) and (found := find_browser()):
            return ensure_headless_shell(found)
    die("no Chromium: install one (`apt-get install chromium fonts-wqy-zenhei`, or "
        "`playwright install chromium`) or set CAPTURE_CHROMIUM=/path/to/chromium")
    return ""


def ensure_cjk_font() -> None:
    """Without a CJK font the screenshots show boxes instead of Chinese text."""
    if not shutil.which("fc-list"):
        return
    out = run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    if out.strip():
        return
    if is_root_debian() and apt_install(["fonts-wqy-zenhei"]):
        return
    say("warning: no Chinese font found; screenshots will not show CJK text (install fonts-wqy-zenhei)")


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in TOOLS:
        die(f"usage: python3 -m capture.bootstrap {{{'|'.join(TOOLS)}}} [ARGS...]", 2)
    tool, args = argv[0], argv[1:]
    started = time.monotonic()
    ensure_venv()
    install_project()
    browser = ensure_chromium()
    ensure_cjk_font()
    say(f"ready in {time.monotonic() - started:.1f}s (browser: {browser})")
    cmd = TOOLS[tool]
    exe = str(BIN / cmd[0])
    os.chdir(ROOT)
    os.execv(exe, [exe, *cmd[1:], *args])


if __name__ == "__main__":
    main()

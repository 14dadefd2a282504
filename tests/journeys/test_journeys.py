"""The README's workflows as a user runs them: the commands as written, as subprocesses, in a temporary
folder outside the repository (its own ``pages.toml``, the installed plugin), against ``capture serve``
with and without a drift. Each journey is one test: it fails at the first step that does not end where
the README says it ends.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
PAGE = "J2P6C4GT0530JPVV"  # the replica's seed page
PAGES_TOML = f'[[page]]\nid = "{PAGE}"\nurl = "https://www.163.com/dy/article/{PAGE}.html"\n'
#: The README's own two-test golden suite, in a module of the user's naming.
SUITE = '''def test_extraction(capture_views, golden):
    assert capture_views.extraction == golden.extraction

def test_text(capture_views, golden):
    assert capture_views.text == golden.text
'''
#: A drift that breaks extraction of a required field (the title's class renamed).
DRIFT = "rename-title-class"

pytestmark = pytest.mark.skipif(shutil.which("capture", path=str(BIN)) is None,
                                reason=f"the capture command is not installed beside {sys.executable}")


def run(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """One command as a user types it (``capture …`` or ``pytest …``) from the venv's bin folder."""
    cmd = [str(BIN / args[0]), *args[1:]]
    if args[0] == "pytest":
        cmd.insert(1, "-p")
        cmd.insert(2, "no:cacheprovider")
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("CAPTURE_", "PYTEST_"))}
    return subprocess.run(cmd, cwd=cwd, env={**full_env, **(env or {})}, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[callable]:
    """``capture serve --port 0 [--drift NAME]`` in the background; returns its origin."""
    procs: list[subprocess.Popen] = []

    def start(*flags: str) -> str:
        p = subprocess.Popen([str(BIN / "capture"), "serve", "--port", "0", *flags], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True, cwd=tmp_path_factory.mktemp("serve"))
        procs.append(p)
        line = p.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert m, f"capture serve printed {line!r}"
        return m.group(0)

    yield start
    for p in procs:
        p.terminate()
        p.wait(10)


@pytest.fixture
def user_repo(tmp_path: Path) -> Path:
    """A user's own repository: a watchlist and the README's two-test suite under any module name."""
    repo = tmp_path / "my-watch"
    (repo / "tests").mkdir(parents=True)
    (repo / "pages.toml").write_text(PAGES_TOML, encoding="utf-8")
    (repo / "tests" / "test_watch.py").write_text(SUITE, encoding="utf-8")
    return repo


def _report(repo: Path, name: str) -> dict:
    return json.loads((repo / "snapshots" / "reports" / name).read_text(encoding="utf-8"))


def test_user_repository_suite_drift_review_repair(user_repo: Path, serve) -> None:
    """Goldens → a drifted replica fails with a diff and a proposed repair → review shows what moved →
    ``capture repair --apply`` → the same pytest passes with the overlay; a green run replaces the report."""
    clean, drifted = serve(), serve("--drift", DRIFT)
    made = run("pytest", "--replica-url", clean, "--snapshot-update", cwd=user_repo)
    assert made.returncode == 0, made.stdout[-2000:]
    stored = sorted(p.relative_to(user_repo / "snapshots").as_posix()
                    for p in (user_repo / "snapshots" / "replica").rglob("*.*"))
    assert stored == [f"replica/{view}/{PAGE}-{mode}.{ext}" for view, ext in (("extraction", "json"), ("text", "txt"))
                      for mode in ("care", "normal")]

    broken = run("pytest", "--replica-url", drifted, cwd=user_repo)
    assert broken.returncode == 1, broken.stdout[-2000:]
    assert "ERROR" not in broken.stdout and "Traceback" not in broken.stdout
    assert f"FAILED tests/test_watch.py::test_extraction[{PAGE}-normal]" in broken.stdout
    assert "extraction failed" in broken.stdout and "h1.post_title" in broken.stdout  # what is missing, the selector
    assert "proposed repair" in broken.stdout and f"capture repair {PAGE} --mode normal --apply" in broken.stdout
    assert "--snapshot-update to delete" not in broken.stdout  # no advice that does nothing
    failing = _report(user_repo, "last-pytest.json")
    assert failing["run"] == "pytest"
    assert [r["status"] for r in failing["results"] if r["mode"] == "normal"] == ["changed"]
    assert any("not compared: skeleton, aria, a11y" in n for n in failing["notes"])

    review = run("capture", "review", cwd=user_repo)
    assert review.returncode == 0, review.stderr
    html = (user_repo / "snapshots" / "reports" / "review.html").read_text(encoding="utf-8")
    assert "could not be loaded" not in html
    assert "the pytest run of" in html and "h1.post_title" in html and "Proposed repair" in html

    repair = run("capture", "repair", "--apply", cwd=user_repo)
    assert repair.returncode == 0, repair.stdout + repair.stderr
    overlay = (user_repo / "netease.toml").read_text(encoding="utf-8")
    assert "POST_TITLE" in overlay or "fields.title" in overlay or "title =" in overlay, overlay  # the title's selector

    fixed = run("pytest", "--replica-url", drifted, cwd=user_repo)
    assert fixed.returncode == 0, fixed.stdout[-3000:]
    green = _report(user_repo, "last-pytest.json")
    assert green["created_at"] >= failing["created_at"]
    assert {r["status"] for r in green["results"]} == {"unchanged"}
    check = run("capture", "check", "--replica-url", drifted, cwd=user_repo)
    assert check.returncode == 0, check.stdout + check.stderr  # check and pytest agree, on the kept views


def test_cli_record_check_review_repair_accept(tmp_path: Path, serve) -> None:
    """record → accept → check a drift (fails) → review → repair --apply → check: no extraction
    difference left → accept → check green; every hint carries ``--snapshots``."""
    clean, drifted = serve(), serve("--drift", DRIFT)
    work = tmp_path / "cli"
    work.mkdir()
    (work / "pages.toml").write_text(PAGES_TOML, encoding="utf-8")
    snaps = "goldens-here"
    rec = run("capture", "record", "--replica-url", clean, "--snapshots", snaps, cwd=work)
    assert rec.returncode == 0, rec.stdout + rec.stderr
    assert "watchlist: pages.toml (1 page)" in rec.stderr
    acc = run("capture", "accept", PAGE, "--snapshots", snaps, cwd=work)
    assert acc.returncode == 0, acc.stdout + acc.stderr
    assert (work / snaps / "replica" / "extraction" / f"{PAGE}-normal.json").is_file()

    chk = run("capture", "check", "--replica-url", drifted, "--snapshots", snaps, cwd=work)
    assert chk.returncode == 1, chk.stdout
    assert "layout-changed" in chk.stdout and "h1.post_title" in chk.stdout
    assert f"capture review --snapshots {snaps}" in chk.stdout  # the hint as it must be run
    rev = run("capture", "review", "--snapshots", snaps, cwd=work)
    assert rev.returncode == 0, rev.stderr
    rep = run("capture", "repair", "--apply", "--snapshots", snaps, cwd=work)
    assert rep.returncode == 0, rep.stdout + rep.stderr
    assert f"--snapshots {snaps}" in rep.stdout

    again = run("capture", "check", "--replica-url", drifted, "--snapshots", snaps, "--json", cwd=work)
    results = json.loads(again.stdout)["results"]
    extraction_fields = {"title-info", "crumb", "body", "page", "side", "recommendations", "nav-a11y"}
    left = [d for r in results for d in r["differences"] if d["fails"] and d["cls"] == "layout-changed"
            and d["region"] in extraction_fields and "skeleton" not in d["reason"] and "absent" in d["reason"]]
    assert not left, left  # the extraction reads again; what is left is the fingerprint of the new layout
    acc2 = run("capture", "accept", PAGE, "--snapshots", snaps, cwd=work)
    assert acc2.returncode == 0, acc2.stdout + acc2.stderr
    green = run("capture", "check", "--replica-url", drifted, "--snapshots", snaps, cwd=work)
    assert green.returncode == 0, green.stdout


def test_accept_after_a_normal_only_check(tmp_path: Path, serve) -> None:
    """The modes the last check did not capture are named and skipped; nothing fails after a write."""
    clean = serve()
    work = tmp_path / "acc"
    work.mkdir()
    (work / "pages.toml").write_text(PAGES_TOML, encoding="utf-8")
    chk = run("capture", "check", "--replica-url", clean, "--modes", "normal", cwd=work)
    assert chk.returncode == 1 and "no-golden" in chk.stdout, chk.stdout
    assert f"capture accept {PAGE} --mode normal" in chk.stdout
    acc = run("capture", "accept", PAGE, cwd=work)
    assert acc.returncode == 0, acc.stdout + acc.stderr
    assert f"skipped {PAGE}/care" in acc.stdout
    gold = work / "snapshots" / "replica"
    assert (gold / "extraction" / f"{PAGE}-normal.json").is_file()
    assert not (gold / "extraction" / f"{PAGE}-care.json").exists()
    green = run("capture", "check", "--replica-url", clean, "--modes", "normal", cwd=work)
    assert green.returncode == 0, green.stdout


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_pytest_live_out_of_reach_fails(user_repo: Path) -> None:
    """A nightly ``pytest --live`` where the site cannot be reached fails with one line (no green run that
    watched nothing); ``--skip-unreachable`` is the explicit opt-out. The probe goes to a closed loopback
    port (CAPTURE_LIVE_PROBE), so nothing leaves 127.0.0.1."""
    env = {"CAPTURE_LIVE_PROBE": f"127.0.0.1:{_closed_port()}"}
    out = run("pytest", "--live", cwd=user_repo, env=env)
    assert out.returncode != 0
    text = out.stdout + out.stderr
    assert "cannot be reached" in text and "Traceback" not in text
    skipped = run("pytest", "--live", "--skip-unreachable", cwd=user_repo, env=env)
    assert skipped.returncode == 0 and "skipped" in skipped.stdout, skipped.stdout


def test_pytest_base_url_is_not_ignored(user_repo: Path, serve) -> None:
    """``pytest --base-url X`` without ``--live`` loads the pages from X (as ``capture check --base-url``)."""
    clean, drifted = serve(), serve("--drift", DRIFT)
    assert run("pytest", "--replica-url", clean, "--snapshot-update", cwd=user_repo).returncode == 0
    out = run("pytest", "--base-url", drifted, cwd=user_repo)
    assert out.returncode == 1 and "h1.post_title" in out.stdout, out.stdout[-2000:]


def test_accept_new_refuses_a_broken_capture(tmp_path: Path, serve) -> None:
    """A capture whose first-party host failed (its stylesheets and scripts did not load) is not made a
    golden by ``--accept-new``, and says why; ``--force`` takes it."""
    clean = serve()
    work = tmp_path / "broken"
    work.mkdir()
    (work / "pages.toml").write_text(PAGES_TOML, encoding="utf-8")
    dead = f"static.ws.126.net=http://127.0.0.1:{_closed_port()}"
    out = run("capture", "check", "--replica-url", clean, "--modes", "normal", "--accept-new", "-v",
              "--map-host", dead, cwd=work)
    assert out.returncode == 1, out.stdout
    assert "static.ws.126.net" in out.stdout and "--force" in out.stdout
    assert not (work / "snapshots" / "replica" / "extraction").exists()
    forced = run("capture", "check", "--replica-url", clean, "--modes", "normal", "--accept-new", "--force",
                 "--map-host", dead, cwd=work)
    assert forced.returncode == 0, forced.stdout
    assert (work / "snapshots" / "replica" / "extraction" / f"{PAGE}-normal.json").is_file()

"""The pytest plugin as a user gets it: ``pip install netease-capture`` in a fresh virtualenv, then
pytest in a repository of their own (outside this one) with a one-page watchlist, on the replica."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from capture.testing import ROOT

USER_TESTS = '''
def test_extraction(capture_views, golden):
    assert capture_views.extraction["title"]
    assert capture_views.extraction == golden.extraction


def test_text(capture_views, golden):
    assert capture_views.text == golden.text


def test_context_is_the_recorders(capture_context, base_url):
    tab = capture_context.new_page()
    assert tab.goto(base_url + "/").status == 200
    assert tab.evaluate("navigator.language") == "zh-CN"
'''


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtualenv with the project installed from this checkout (not editable)."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                          str(ROOT)], capture_output=True, text=True, timeout=900)
    assert pip.returncode == 0, pip.stderr[-2000:]
    return venv


def _pytest(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAPTURE_GOLDENS_ROOT", "PYTEST_", "VIRTUAL_ENV"))}
    return subprocess.run([str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
def test_installed_plugin_works_in_a_users_repository(fresh_venv, seed_target, tmp_path):
    repo = tmp_path / "their-repo"
    (repo / "tests").mkdir(parents=True)
    (repo / "pages.toml").write_text(f'[[page]]\nid = "{seed_target.id}"\nurl = "{seed_target.url}"\n',
                                     encoding="utf-8")
    (repo / "tests" / "test_watch.py").write_text(USER_TESTS, encoding="utf-8")

    where = subprocess.run([str(fresh_venv / "bin" / "python"), "-c", "import capture; print(capture.__file__)"],
                           cwd=repo, capture_output=True, text=True)
    assert where.stdout.startswith(str(fresh_venv)), where.stdout + where.stderr  # the installed copy

    helptext = _pytest(fresh_venv, repo, "--help").stdout
    for option in ("--live", "--connect", "--shard", "--watchlist", "--a11y"):
        assert option in helptext, f"{option} missing from pytest --help"

    first = _pytest(fresh_venv, repo, "--snapshot-update")
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-2000:]
    # Found by page, mode and view (not by the test module's name): where `capture accept` writes it.
    stored = repo / "snapshots" / "replica" / "extraction" / f"{seed_target.id}-normal.json"
    assert stored.is_file(), sorted(p.name for p in (repo / "snapshots").rglob("*"))
    # Independent of the user's run: the same page's golden as this repository stores it.
    ours = ROOT / "snapshots" / "replica" / "extraction" / stored.name
    assert stored.read_bytes() == ours.read_bytes()

    again = _pytest(fresh_venv, repo)
    assert again.returncode == 0, again.stdout[-3000:]

    stored.write_text(stored.read_text(encoding="utf-8").replace('"title": "', '"title": "X', 1), encoding="utf-8")
    broken = _pytest(fresh_venv, repo)
    assert broken.returncode == 1 and "test_extraction" in broken.stdout, broken.stdout[-3000:]

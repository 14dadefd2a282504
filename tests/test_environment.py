"""capture.environment: what a browser update changes in a run, and the suite across one."""

from __future__ import annotations

import json
import shutil

from capture import environment
from capture.testing import ROOT, run_pytest

ENV = {"browser": {"name": "chromium", "version": "156.0.8078.108"}, "fonts": ["WenQuanYi Zen Hei"],
       "viewport": {"width": 1280, "height": 900}, "locale": "zh-CN", "timezone": "Asia/Shanghai"}


def _with(**changes) -> dict:
    return {**json.loads(json.dumps(ENV)), **changes}


def test_same_environment_compares_pixels():
    cmp = environment.compare_env(ENV, _with())
    assert cmp.pixels_comparable and not cmp.mismatched and not cmp.build


def test_new_browser_build_is_a_note_not_a_failure():
    cmp = environment.compare_env(ENV, _with(browser={"name": "chromium", "version": "156.0.8078.114"}))
    assert not cmp.mismatched and not cmp.pixels_comparable
    assert "goldens made with chromium 156.0.8078.108, this is 156.0.8078.114" in cmp.build
    assert "--snapshot-update" in cmp.build


def test_other_fonts_are_a_note():
    cmp = environment.compare_env(ENV, _with(fonts=["Noto Sans CJK SC"]))
    assert not cmp.mismatched and "Noto Sans CJK SC" in cmp.build


def test_capture_settings_must_match():
    cmp = environment.compare_env(ENV, _with(viewport={"width": 1024, "height": 768}, locale="en-US"))
    assert [m.split(":")[0] for m in cmp.mismatched] == ["viewport", "locale"]
    other = environment.compare_env(ENV, _with(browser={"name": "firefox", "version": "140"}))
    assert any(m.startswith("browser:") for m in other.mismatched)


def _goldens_with_env(tmp_path, **changes):
    root = tmp_path / "goldens"
    shutil.copytree(ROOT / "snapshots" / "replica", root / "replica")
    for f in (root / "replica" / "env").glob("*.json"):
        data = json.loads(f.read_text(encoding="utf-8"))
        f.write_text(json.dumps({**data, **changes}, indent=2), encoding="utf-8")
    return root


def test_suite_passes_across_a_browser_update_and_says_so(seed_target, tmp_path):
    """Goldens made with another Chromium build: every golden still passes, nothing is skipped, and
    the run says in one line that the screenshots were not compared, and how to refresh them."""
    root = _goldens_with_env(tmp_path, browser={"name": "chromium", "version": "1.2.3.4"})
    proc = run_pytest(str(ROOT / "tests" / "test_goldens.py"), "-k", seed_target.id, "-rs",
                      env={"CAPTURE_GOLDENS_ROOT": str(root)})
    assert proc.returncode == 0, proc.stdout[-3000:]
    notes = [line for line in proc.stdout.splitlines() if line.startswith("screenshots not compared")]
    assert len(notes) == 1 and "goldens made with chromium 1.2.3.4, this is " in notes[0], proc.stdout[-2000:]
    assert "skipped" not in proc.stdout.strip().splitlines()[-1]


def test_suite_fails_when_the_capture_settings_differ(seed_target, tmp_path):
    root = _goldens_with_env(tmp_path, viewport={"width": 1024, "height": 768})
    proc = run_pytest(str(ROOT / "tests" / "test_goldens.py"), "-k", f"environment and {seed_target.id}",
                      env={"CAPTURE_GOLDENS_ROOT": str(root)})
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert "capture settings differ" in proc.stdout and "viewport" in proc.stdout

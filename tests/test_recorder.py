"""The recorder and ``capture record``: bundles, determinism, replay, atomic writes, skip/force, retries."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from capture import bundle
from capture.cli import main
from capture.recorder import RecordOptions, record
from capture.replica import ReplicaServer, pages
from capture.testing import DETERMINISTIC, digest

pytestmark = pytest.mark.usefixtures("replica_only")

def test_bundle_has_every_file_and_meta(site_origin, seed_target, tmp_path):
    out = record([seed_target], tmp_path, RecordOptions(replica=True, base_url=site_origin))
    assert [o.status for o in out] == ["ok", "ok"], [o.reason for o in out]
    for mode in ("normal", "care"):
        b = bundle.read_bundle(bundle.bundle_dir(tmp_path, seed_target.id, mode))
        assert sorted(p.name for p in b.path.iterdir()) == sorted(bundle.FILES)
        m = b.meta
        assert m.status == 200 and m.mode == mode and m.final_url.startswith("https://www.163.com/")
        assert m.browser["name"] == "chromium" and m.browser["version"]
        assert m.locale == "zh-CN" and m.timezone == "Asia/Shanghai" and m.viewport["width"] == 1280
        if mode == "normal":  # the care page's generation: tests/test_recorder.py::test_care_bundle_is_recognised
            assert m.generation.startswith("post2020_dy")
        assert m.charset == "utf-8" and b.raw.lstrip().startswith(b"<"), (m.charset, b.raw[:40])
        loads = {"care_goto", "care_ready"} if mode == "care" else {"goto", "ready"}
        assert loads | {"collect", "a11y", "screenshot", "total"} <= set(m.timings_ms), m.timings_ms
        assert m.followed_from_normal is (mode == "care"), "both modes at once: care follows from the normal page"
        assert b.screenshot[:8] == b"\x89PNG\r\n\x1a\n" and len(b.screenshot) > 10_000
        assert any("WenQuanYi" in f or "Noto" in f for f in m.fonts), m.fonts
    care = bundle.read_bundle(bundle.bundle_dir(tmp_path, seed_target.id, "care")).meta
    assert care.care_via == "link", "the 进入关怀版 link should have been followed"
    assert care.final_url.endswith("_pdya11y.html")


def test_raw_html_is_the_server_bytes(site_origin, seed_target, tmp_path):
    import urllib.request

    record([seed_target], tmp_path, RecordOptions(replica=True, base_url=site_origin, modes=("normal",)))
    raw = (bundle.bundle_dir(tmp_path, seed_target.id, "normal") / "raw.html").read_bytes()
    with urllib.request.urlopen(seed_target.at(site_origin)) as resp:
        assert raw == resp.read()
    dom = (bundle.bundle_dir(tmp_path, seed_target.id, "normal") / "dom.html").read_text()
    assert dom != raw.decode(), "dom.html should be the DOM after scripts, not the raw HTML"


def test_two_captures_are_byte_identical(site_origin, seed_target, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for snap in (a, b):
        out = record([seed_target], snap, RecordOptions(replica=True, base_url=site_origin))
        assert all(o.status == "ok" for o in out)
    for mode in ("normal", "care"):
        for name in DETERMINISTIC:
            fa = bundle.bundle_dir(a, seed_target.id, mode) / name
            fb = bundle.bundle_dir(b, seed_target.id, mode) / name
            assert fa.read_bytes() == fb.read_bytes(), f"{mode}/{name} differs between two captures"


def test_care_followed_from_normal_equals_care_on_its_own(site_origin, seed_target, tmp_path):
    """Both modes at once continue from the normal page to the 关怀版 in one context; recording the
    关怀版 alone (fresh context: load normal, follow the link) must give the very same bundle."""
    both, alone = tmp_path / "both", tmp_path / "alone"
    record([seed_target], both, RecordOptions(replica=True, base_url=site_origin))
    out = record([seed_target], alone, RecordOptions(replica=True, base_url=site_origin, modes=("care",)))
    assert [o.status for o in out] == ["ok"], [o.reason for o in out]
    a, b = (bundle.read_bundle(bundle.bundle_dir(s, seed_target.id, "care")) for s in (both, alone))
    assert a.meta.followed_from_normal and not b.meta.followed_from_normal
    assert {"goto", "ready", "care_goto", "care_ready"} <= set(b.meta.timings_ms)
    for name in (*DETERMINISTIC, "raw.html", "a11y.json"):
        assert (a.path / name).read_bytes() == (b.path / name).read_bytes(), f"care/{name} depends on the route"
    har = lambda bd: sorted(e["request"]["url"] for e in json.loads((bd.path / "page.har").read_text())["log"]["entries"])  # noqa: E731
    assert seed_target.url in har(a), "the care HAR must hold the normal page too (replay starts there)"
    assert set(har(b)) <= set(har(a))


def test_care_continuation_that_fails_falls_back_and_leaves_nothing(site_origin, seed_target, tmp_path,
                                                                     monkeypatch):
    """If following the 关怀版 from the normal page fails mid-way (its HAR already recording), the
    staging folder goes and the 关怀版 is recorded on its own, with its retries."""
    from capture import recorder as recorder_mod
    from capture.errors import FetchFailed

    real, calls = recorder_mod._Session.go_care, []

    async def go_care_once_broken(self, timings):
        calls.append(1)
        if len(calls) == 1:
            raise FetchFailed("care link went nowhere", reason="connection", retryable=True)
        return await real(self, timings)

    monkeypatch.setattr(recorder_mod._Session, "go_care", go_care_once_broken)
    out = record([seed_target], tmp_path, RecordOptions(replica=True, base_url=site_origin))
    assert [o.status for o in out] == ["ok", "ok"], [o.reason for o in out]
    care = bundle.read_bundle(bundle.bundle_dir(tmp_path, seed_target.id, "care"))
    assert len(calls) == 2 and not care.meta.followed_from_normal
    left = [p.name for p in (tmp_path / "captures" / seed_target.id).iterdir() if p.name.startswith(".")]
    assert not left, f"left behind: {left}"


def test_replay_with_the_server_stopped(seed_target, tmp_path):
    with ReplicaServer() as server:
        origin = server.base_url
        record([seed_target], tmp_path, RecordOptions(replica=True, base_url=origin))
    before = {m: digest(bundle.bundle_dir(tmp_path, seed_target.id, m)) for m in ("normal", "care")}
    out = record([seed_target], tmp_path, RecordOptions(replica=True, base_url=origin, replay=True, retries=1))
    assert [o.status for o in out] == ["ok", "ok"], [o.reason for o in out]
    for mode in ("normal", "care"):
        after = digest(bundle.bundle_dir(tmp_path, seed_target.id, mode))
        for name in DETERMINISTIC:
            assert after[name] == before[mode][name], f"replayed {mode}/{name} differs"
        assert bundle.read_bundle(bundle.bundle_dir(tmp_path, seed_target.id, mode)).meta.replayed


def test_skip_complete_bundles_unless_force(site_origin, seed_target, tmp_path):
    opts = RecordOptions(replica=True, base_url=site_origin, modes=("normal",))
    assert record([seed_target], tmp_path, opts)[0].status == "ok"
    meta = bundle.bundle_dir(tmp_path, seed_target.id, "normal") / "meta.json"
    first = meta.read_text()
    again = record([seed_target], tmp_path, opts)[0]
    assert again.status == "skipped" and meta.read_text() == first
    forced = record([seed_target], tmp_path, RecordOptions(replica=True, base_url=site_origin, modes=("normal",), force=True))[0]
    assert forced.status == "ok" and meta.read_text() != first  # captured_at/timings moved on


def test_killed_run_leaves_no_partial_bundle(site_origin, seed_target, tmp_path):
    """Kill -9 a run midway: every bundle folder is complete, and one stored before is untouched."""
    record([seed_target], tmp_path, RecordOptions(replica=True, base_url=site_origin, modes=("normal",)))
    kept = bundle.bundle_dir(tmp_path, seed_target.id, "normal")
    kept_digest = digest(kept)
    others = [p.id for p in pages() if not p.seed]
    cmd = [sys.executable, "-m", "capture.cli", "record", *others, "--replica-url", site_origin,
           "--snapshots", str(tmp_path), "--jobs", "2", "--watchlist", str(Path(__file__).parents[1] / "pages.toml")]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if any(bundle.is_complete(bundle.bundle_dir(tmp_path, i, m)) for i in others for m in ("normal", "care")):
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    for target_dir in (tmp_path / "captures").iterdir():
        for child in target_dir.iterdir():
            if not child.name.startswith("."):
                assert bundle.is_complete(child), f"half-written bundle at {child}"
    assert digest(kept) == kept_digest
    assert not all(bundle.is_complete(bundle.bundle_dir(tmp_path, i, m)) for i in others for m in ("normal", "care")), \
        "the run finished before it was killed; the test proved nothing"
    bundle.clean_stale(tmp_path)
    assert not [c for d in (tmp_path / "captures").iterdir() for c in d.iterdir() if c.name.startswith(".")]


def test_cli_record_summary_and_exit_code(site_origin, seed_target, tmp_path, capsys):
    code = main(["record", seed_target.id, "--replica-url", site_origin, "--snapshots", str(tmp_path),
                 "--watchlist", str(Path(__file__).parents[1] / "pages.toml")])
    out = capsys.readouterr().out
    assert code == 0
    assert "2 captured, 0 skipped, 0 failed" in out and seed_target.id in out


@pytest.mark.parametrize("bad", ["file:///etc/passwd", "javascript:alert(1)", "data:text/html,hi",
                                 "https://example.com/dy/article/AAAAAAAAAAAAAAAA.html",
                                 "https://www.163.com/not/an/article", "../../etc"])
def test_cli_bad_input_is_one_line_exit_2(bad, tmp_path, capsys):
    code = main(["record", bad, "--snapshots", str(tmp_path), "--watchlist",
                 str(Path(__file__).parents[1] / "pages.toml")])
    err = capsys.readouterr().err
    assert code == 2
    lines = [line for line in err.strip().splitlines() if not line.startswith("watchlist: ")]  # informational
    assert len(lines) == 1 and "error" in err and "Traceback" not in err
    assert not (tmp_path / "captures").exists()


def test_second_run_on_same_snapshots_refuses(tmp_path, capsys):
    from capture.lock import snapshots_lock

    with snapshots_lock(tmp_path):
        code = main(["record", "--replica", "--snapshots", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 4 and "in use by another capture run" in err
def test_care_bundle_is_recognised(site_origin, seed_target, tmp_path):
    """The 关怀版 bundle names a care generation (not the normal template its restyled markup resembles)."""
    (out,) = record([seed_target], tmp_path, RecordOptions(replica=True, base_url=site_origin, modes=("care",)))
    assert out.status == "ok", out.reason
    assert bundle.read_bundle(out.path).meta.generation.startswith("care")

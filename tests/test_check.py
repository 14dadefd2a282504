"""``capture check`` / ``capture accept``: classification, the drift self-test, reports, golden hygiene."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from capture.cli import main
from capture.goldens import View
from capture.recorder import RecordOptions, record
from capture.replica import ReplicaServer
from capture.replica.drift import DRIFTS
from capture.report import CheckReport, last_check_path
from capture.run.accept import accept
from capture.run.check import run_check
from capture.targets import Target
from capture.testing import run_config, run_pytest, snapshots_with_goldens

ROOT = Path(__file__).resolve().parents[1]
REPO_GOLDENS = ROOT / "snapshots" / "replica"
pytestmark = [pytest.mark.usefixtures("replica_only"), pytest.mark.browser]  # checks in a browser


MODES = ["normal", "care"]


@pytest.mark.parametrize("mode", MODES)
def test_unchanged_replica_passes_and_report_is_written(site_origin, seed_target, tmp_path, mode):
    snaps = snapshots_with_goldens(tmp_path, [seed_target.id])
    report = run_check(run_config(snaps, site_origin, modes=(mode,)), [seed_target])
    assert [(r.mode, r.status) for r in report.results] == [(mode, "unchanged")], \
        [d for r in report.results for d in r.differences]
    assert not report.fails
    stored = CheckReport.read(last_check_path(snaps))
    assert stored.to_json() == report.to_json()


LAYOUT = sorted(n for n, d in DRIFTS.items() if d.kind == "layout")
VOLATILE = sorted(n for n, d in DRIFTS.items() if d.kind == "volatile")
CARE_A11Y = sorted(n for n, d in DRIFTS.items() if d.kind == "a11y")


def _modes(name: str) -> tuple[str, ...]:
    return {"both": ("normal", "care"), "normal": ("normal",), "care": ("care",)}[DRIFTS[name].applies_to]


def _check_under_drift(name: str, seed_target: Target, tmp_path: Path,
                       modes: tuple[str, ...] | None = None) -> CheckReport:
    snaps = snapshots_with_goldens(tmp_path, [seed_target.id])
    with ReplicaServer(drift=name) as server:
        return run_check(run_config(snaps, server.base_url, modes=modes or _modes(name), retries=1), [seed_target])


@pytest.mark.parametrize(("name", "mode"), [(n, m)
                                            for n in LAYOUT for m in _modes(n)])
def test_layout_drift_is_caught_with_class_and_region(name, mode, seed_target, tmp_path):
    drift = DRIFTS[name]
    report = _check_under_drift(name, seed_target, tmp_path, (mode,))
    assert [r.mode for r in report.results] == [mode]
    for result in report.results:
        got = [(d.cls, d.region) for d in result.differences if d.fails]
        assert (drift.expect_class, drift.expect_region) in got, \
            f"{name} on {result.mode}: expected {drift.expect_class} in {drift.expect_region}, got {got}"
    assert report.fails
@pytest.mark.parametrize("name", CARE_A11Y)
def test_care_a11y_drift_is_a_care_regression_naming_its_rule(name, seed_target, tmp_path):
    drift = DRIFTS[name]
    report = _check_under_drift(name, seed_target, tmp_path)
    (result,) = report.results
    got = [(d.cls, d.region) for d in result.differences if d.fails]
    assert ("care-regression", drift.expect_region) in got, f"{name}: expected rule {drift.expect_region}, got {got}"


@pytest.mark.parametrize("name", VOLATILE)
def test_volatile_drift_does_not_fail(name, seed_target, tmp_path):
    report = _check_under_drift(name, seed_target, tmp_path)
    assert [r.mode for r in report.results] == list(_modes(name))
    for result in report.results:
        assert result.status == "unchanged", (name, result.mode, result.differences)
        failing = [d for d in result.differences if d.fails]
        assert not failing, f"volatile drift {name} failed the check: {failing}"
    assert not report.fails


def test_volatile_churn_is_reported_as_volatile_only(seed_target, tmp_path):
    """With a stored bundle to compare against, churn shows as volatile-only (which does not fail)."""
    snaps = snapshots_with_goldens(tmp_path, [seed_target.id])
    with ReplicaServer() as server:
        record([seed_target], snaps, RecordOptions(replica=True, base_url=server.base_url, modes=("normal",)))
    with ReplicaServer(drift="hot-items") as server:
        report = run_check(run_config(snaps, server.base_url, modes=("normal",)), [seed_target])
    (result,) = report.results
    assert [(d.cls, d.region, d.fails) for d in result.differences] == [("volatile-only", "recommendations", False)]
    assert not report.fails


def test_cli_check_json_and_exit_codes(seed_target, tmp_path, capsys):
    snaps = snapshots_with_goldens(tmp_path, [seed_target.id])
    code = main(["check", seed_target.id, "--snapshots", str(snaps), "--json", "--modes", "normal"])
    out = capsys.readouterr().out
    assert code == 0
    data = json.loads(out)
    assert data["target"] == "replica" and data["results"][0]["status"] == "unchanged"
    with ReplicaServer(drift="rename-title-class") as server:
        code = main(["check", seed_target.id, "--snapshots", str(snaps), "--replica-url", server.base_url,
                     "--modes", "normal", "--retries", "1"])
    out = capsys.readouterr().out
    assert code == 1
    # one line per page and mode: id, mode, status, then the leading difference's class and region
    assert re.search(rf"^{seed_target.id} normal +changed +layout-changed title-info: ", out, re.M), out


def test_corrupt_golden_names_the_file(seed_target, tmp_path, capsys):
    snaps = snapshots_with_goldens(tmp_path, [seed_target.id])
    golden = run_config(snaps).store.path(seed_target.id, "normal", View.EXTRACTION)
    golden.write_text(golden.read_text(encoding="utf-8")[:200], encoding="utf-8")  # truncated
    before = golden.read_bytes()
    code = main(["check", seed_target.id, "--snapshots", str(snaps), "--modes", "normal"])
    err = capsys.readouterr().err
    assert code == 2
    errors = [line for line in err.splitlines() if "error" in line]
    assert len(errors) == 1 and str(golden) in errors[0] and "capture accept" in errors[0]
    assert "Traceback" not in err
    assert golden.read_bytes() == before, "a corrupt golden must be left for the user to regenerate"


def test_missing_golden_is_no_golden_not_a_layout_change(seed_target, tmp_path, capsys):
    """Like syrupy's missing snapshot: the check fails and says how to create the golden."""
    code = main(["check", seed_target.id, "--snapshots", str(tmp_path), "--modes", "care", "-v"])
    out = capsys.readouterr().out
    assert code == 1, out
    # the hint carries the run's options (here --snapshots), so it acts on the same files; -v: whole reasons
    hint = f"`capture accept {seed_target.id} --mode care --snapshots {tmp_path}` or `pytest --snapshot-update`"
    assert re.search(rf"^{seed_target.id} care +no-golden +no-golden page: ", out, re.M), out
    assert f"    no-golden page: no replica golden yet: create it with {hint}" in out, out
    assert "0 unchanged, 1 no-golden;" in out, out
    assert "layout-changed" not in out
    (result,) = CheckReport.read(last_check_path(tmp_path)).results
    assert result.status == "no-golden" and result.fails
    assert [(d.cls, d.region, d.fails) for d in result.differences] == [("no-golden", "page", True)]


@pytest.mark.parametrize("mode", MODES)
def test_check_replay_needs_no_server(seed_target, tmp_path, mode):
    snaps = snapshots_with_goldens(tmp_path, [seed_target.id])
    with ReplicaServer() as server:
        origin = server.base_url
        record([seed_target], snaps, RecordOptions(replica=True, base_url=origin, modes=(mode,)))
    report = run_check(run_config(snaps, origin, replay=True, retries=1, modes=(mode,)), [seed_target])
    assert [r.status for r in report.results] == ["unchanged"], [d for r in report.results for d in r.differences]
def test_accept_equals_snapshot_update_and_partial_update_keeps_other_goldens(seed_target, tmp_path):
    """`capture accept` and `pytest --snapshot-update` leave the same files; `-k` deletes nothing."""
    by_accept = tmp_path / "accept"
    by_pytest = tmp_path / "pytest"
    # accept: check (no goldens yet) then accept the new captures
    main(["check", seed_target.id, "--snapshots", str(by_accept)])
    written, _plan = accept(run_config(by_accept), [seed_target.id], ("normal", "care"))
    assert len(written) == 14
    # pytest: a goldens root holding every other golden of the repo plus a planted stale one
    shutil.copytree(REPO_GOLDENS, by_pytest / "replica")
    for f in (by_pytest / "replica").rglob(f"*{seed_target.id}*"):
        f.unlink()
    stale = by_pytest / "replica" / "text" / "ZZZZZZZZZZZZZZZZ-normal.txt"
    stale.write_text("a golden of a page no longer watched\n", encoding="utf-8")
    others = sorted(p.relative_to(by_pytest) for p in (by_pytest / "replica").rglob("*") if p.is_file())
    proc = run_pytest(str(ROOT / "tests/test_goldens.py"), "-k", seed_target.id, "--snapshot-update",
                      env={"CAPTURE_GOLDENS_ROOT": str(by_pytest)})
    assert proc.returncode == 0, proc.stdout[-2000:]
    still = sorted(p.relative_to(by_pytest) for p in (by_pytest / "replica").rglob("*") if p.is_file())
    assert set(others) <= set(still), f"goldens deleted by a partial update: {set(others) - set(still)}"
    assert stale.exists()
    for path in written:
        rel = path.relative_to(by_accept)
        assert (by_pytest / rel).read_bytes() == path.read_bytes(), f"{rel} differs between accept and pytest"


def _failing_pytest_report(target: Target, root: Path, k: str) -> CheckReport:
    """Run the golden suite (``-k k``) on ``target`` alone against the goldens in ``root``: it must fail,
    and leave its report."""
    watchlist = root / "pages.toml"
    watchlist.write_text(f'[[page]]\nid = "{target.id}"\nurl = "{target.url}"\n', encoding="utf-8")
    proc = run_pytest(str(ROOT / "tests/test_goldens.py"), "--watchlist", str(watchlist), "-k", k,
                      env={"CAPTURE_GOLDENS_ROOT": str(root)})
    assert proc.returncode == 1, proc.stdout[-1500:]
    return CheckReport.read(root / "reports" / "last-pytest.json")


def test_failing_pytest_run_leaves_a_report_for_review(seed_target, tmp_path):
    """A golden suite that fails writes reports/last-pytest.json, classified like `capture check`."""
    shutil.copytree(REPO_GOLDENS, tmp_path / "replica")
    golden = run_config(tmp_path).store.path(seed_target.id, "normal", View.EXTRACTION)
    data = json.loads(golden.read_text(encoding="utf-8"))
    data["title"] = "一个旧标题"
    golden.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    report = _failing_pytest_report(seed_target, tmp_path, "extraction")
    # Every captured page is listed (the report is written after every session); the failed one compared.
    assert [(r.id, r.mode, r.status) for r in report.results] == [(seed_target.id, "care", "unchanged"),
                                                                  (seed_target.id, "normal", "changed")]
    assert [(d.cls, d.region) for d in report.results[1].differences] == [("content-changed", "title-info")]
    assert report.run == "pytest" and [r.mode for r in report.results if r.fails] == ["normal"]


def test_pytest_run_without_goldens_reports_no_golden(seed_target, tmp_path):
    """syrupy fails a test whose snapshot is missing; the run's report calls that no-golden, as `capture check` does."""
    report = _failing_pytest_report(seed_target, tmp_path, "extraction and normal")
    failing = [r for r in report.results if r.fails]  # the report also lists the pages that did not fail
    assert [(r.id, r.mode, r.status) for r in failing] == [(seed_target.id, "normal", "no-golden")]
    assert [d.cls for d in failing[0].differences] == ["no-golden"]
    assert "pytest --snapshot-update" in failing[0].differences[0].reason


def test_volatile_paths_mask_and_collect_the_same_values():
    """One path walker serves masking and the aria view's volatile strings: list indices, ``*`` and
    keys select the same values in both."""
    import dataclasses

    from capture import volatile
    from capture.sites import default_site

    # (A string the mask leaves in the article is the page's own, never a volatile string: so every
    # path here names values its kind masks.)
    site = dataclasses.replace(default_site(), volatile_fields=(
        ("items.0.when", "time", None, ""), ("side.*.when", "time", None, "")))
    data = {"items": [{"when": "2024-09-17 08:00:00"}, {"when": "2024-09-18 09:00:00"}],
            "side": [{"when": "2024-09-19 10:00:00"}, {"when": "2024-09-20 11:00:00"}]}
    masked = volatile.mask_article(data, site=site)
    assert masked["items"] == [{"when": "<time>"}, {"when": "2024-09-18 09:00:00"}]
    assert masked["side"] == [{"when": "<time>"}, {"when": "<time>"}]
    assert volatile.volatile_strings(data, site=site) == {"2024-09-17 08:00:00", "2024-09-19 10:00:00",
                                                          "2024-09-20 11:00:00"}
    assert data["items"][0]["when"] == "2024-09-17 08:00:00", "masking works on a copy"

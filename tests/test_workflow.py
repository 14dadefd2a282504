"""The example GitHub workflow stays in step with the CLI: every command it calls exists."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from capture.cli import build_parser

WORKFLOW = Path(__file__).resolve().parents[1] / ".github" / "workflows" / "watch.yml"


def _run_lines() -> list[str]:
    yaml = pytest.importorskip("yaml", reason="PyYAML is needed to parse the workflow")
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    lines = []
    for job in doc["jobs"].values():
        for step in job["steps"]:
            if "run" in step:
                lines += [line for line in step["run"].splitlines() if line.strip()]
    return lines


def _capture_args(line: str) -> list[str] | None:
    words = shlex.split(line.split(">")[0])
    for i, word in enumerate(words):
        if word.endswith("capture") and i + 1 < len(words) and not words[i + 1].startswith("-"):
            return words[i + 1:]
        if word == "capture.bootstrap" and i + 1 < len(words) and words[i + 1] == "capture":
            return words[i + 2:]
    return None


def test_workflow_has_push_suite_with_junit_and_nightly_live_check():
    lines = _run_lines()
    assert any("pytest" in line and "--junitxml" in line for line in lines)
    assert any("check" in line and "--live" in line for line in lines)
    assert any("review" in line for line in lines)


def test_every_capture_command_in_the_workflow_parses():
    parser = build_parser()
    calls = [args for line in _run_lines() if (args := _capture_args(line)) is not None]
    assert len(calls) >= 2, calls
    for args in calls:
        try:
            parser.parse_args(args)
        except SystemExit as exc:
            pytest.fail(f"the workflow calls `capture {' '.join(args)}`, which the CLI rejects ({exc.code})")


def test_watchlist_files_named_in_the_workflow_exist():
    root = WORKFLOW.parents[2]
    for line in _run_lines():
        for word in shlex.split(line.split(">")[0]):
            if word.endswith(".toml"):
                assert (root / word).is_file(), f"{word} named in the workflow does not exist"


def _nightly() -> dict:
    yaml = pytest.importorskip("yaml", reason="PyYAML is needed to parse the workflow")
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["nightly-live-check"]


def test_nightly_check_records_missing_live_goldens_and_offers_them():
    """The first night has no snapshots/live: the check records it (--accept-new) and the job offers it
    as an artifact and on a branch, saying so in the job summary."""
    job = _nightly()
    parser = build_parser()
    checks = [parser.parse_args(args) for step in job["steps"] if "run" in step
              for line in step["run"].splitlines() if (args := _capture_args(line)) and args[0] == "check"]
    assert [(a.live, a.accept_new, a.json) for a in checks] == [(True, True, True)]
    artifact = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact")
                and s["with"]["path"] == "snapshots/live"]
    assert len(artifact) == 1 and "steps.new.outputs.count" in artifact[0]["if"], artifact
    (branch,) = [s for s in job["steps"] if "git push" in s.get("run", "")]
    assert "steps.new.outputs.count" in branch["if"] and "git add snapshots/live" in branch["run"]
    assert "$GITHUB_STEP_SUMMARY" in branch["run"] and "live-goldens" in branch["run"]
    assert job["permissions"]["contents"] == "write", "pushing the branch needs contents: write"


@pytest.mark.parametrize("statuses, expect", [(["new", "unchanged", "new"], "2"), (["unchanged", "changed"], "0")])
def test_the_new_golden_count_reads_the_check_report(tmp_path, statuses, expect):
    """The step that decides whether to offer goldens counts ``new`` results in the real report format."""
    import subprocess
    import sys

    from capture.report import CheckReport, PageResult

    (count,) = [s for s in _nightly()["steps"] if s.get("id") == "new"]
    line = next(line for line in count["run"].splitlines() if "python3 -c" in line)
    code = shlex.split(line[line.index("python3 -c"):])[2]
    report = CheckReport("t", "snapshots", "live", None, [PageResult(f"P{i}", "normal", "u", s)
                                                          for i, s in enumerate(statuses)])
    (tmp_path / "check.json").write_text(report.to_json(), encoding="utf-8")
    got = subprocess.run([sys.executable, "-c", code, "check.json"], cwd=tmp_path, capture_output=True, text=True)
    assert got.stdout.strip() == expect, got.stderr

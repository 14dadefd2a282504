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

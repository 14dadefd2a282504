"""Unit tests of :mod:`capture.report`: the check report's dataclasses, JSON, file and verdict helpers."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pytest

from capture import report
from capture.errors import CorruptFile
from capture.report import CLASSES, STATUSES, CheckReport, Difference, PageResult


def sample() -> CheckReport:
    return CheckReport(
        created_at="2024-09-17T08:00:00+00:00", snapshots="snapshots", target="replica",
        base_url="http://127.0.0.1:8123",
        results=[
            PageResult("J30TJ1QA0530JPVV", "normal", "https://www.163.com/dy/article/J30TJ1QA0530JPVV.html",
                       "changed", [Difference("layout-changed", "body", "div.post_body → div.post_body_v2"),
                                   Difference("volatile-only", "side", "side_modules churned", fails=False)],
                       bundle="snapshots/reports/check/captures/J30TJ1QA0530JPVV/normal",
                       golden={"text": "snapshots/replica/test_goldens/test_text[J30TJ1QA0530JPVV-normal].txt"}),
            PageResult("J30TJ1QA0530JPVV", "care", "https://www.163.com/dy/article/J30TJ1QA0530JPVV_pdya11y.html",
                       "unchanged"),
            PageResult("J2QK3V7O0001899O", "normal", "https://www.163.com/news/article/J2QK3V7O0001899O.html",
                       "failed", [Difference("fetch-failed", "page", "http-500 标题")]),
        ])


# --- JSON ----------------------------------------------------------------------------------------

def test_report_json_round_trips_to_an_equal_report():
    r = sample()
    again = CheckReport.from_dict(json.loads(r.to_json()))
    assert again == r
    assert isinstance(again.results[0].differences[1], Difference) and again.results[0].differences[1].fails is False


def test_report_json_is_deterministic_and_keeps_chinese():
    """Same report, same bytes; keys in field order (a stable diff for CI); UTF-8 text, not escapes."""
    a = sample().to_json()
    assert a == sample().to_json()
    assert a.endswith("}\n") and "标题" in a and "\\u" not in a
    data = json.loads(a)
    assert list(data) == [f.name for f in fields(CheckReport)]
    assert list(data["results"][0]) == [f.name for f in fields(PageResult)]
    assert list(data["results"][0]["differences"][0]) == ["cls", "region", "reason", "fails"]


def test_write_then_read_is_the_same_report_and_leaves_no_temp(tmp_path):
    path = report.last_check_path(tmp_path)
    sample().write(path)
    assert CheckReport.read(path) == sample()
    assert path.read_text(encoding="utf-8") == sample().to_json()
    assert [p.name for p in path.parent.iterdir()] == ["last-check.json"]


def test_from_dict_fills_defaults_of_an_older_report():
    data = {"created_at": "t", "snapshots": "s", "target": "live", "base_url": None,
            "results": [{"id": "X", "mode": "care", "url": "u", "status": "unchanged"}]}
    r = CheckReport.from_dict(data)
    assert r.results == [PageResult("X", "care", "u", "unchanged")]
    assert r.results[0].differences == [] and r.results[0].golden == {} and r.results[0].bundle is None


# --- reading a bad report ------------------------------------------------------------------------

def test_missing_report_says_to_run_check_first(tmp_path):
    path = report.last_check_path(tmp_path)
    with pytest.raises(CorruptFile, match=r"not found: run `capture check` first$") as err:
        CheckReport.read(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize("text", [
    '{"created_at": "t", "snaps',  # truncated
    "[1, 2]",  # not an object
    '{"created_at": "t"}',  # lacks keys
    '{"created_at": "t", "snapshots": "s", "target": "replica", "base_url": null,'
    ' "results": [{"id": 7, "mode": "normal", "url": "u", "status": "changed"}]}',  # id not a string
    '{"created_at": "t", "snapshots": "s", "target": "replica", "base_url": null,'
    ' "results": [{"id": "X", "mode": "normal", "url": "u", "status": "changed", "differences": [{"cls": "x"}]}]}',
])
@pytest.mark.parametrize("name, rerun", [("last-check.json", "rerun `capture check`"),
                                         ("last-pytest.json", "rerun pytest")])
def test_malformed_report_is_one_line_naming_the_file_and_the_rerun(tmp_path, text, name, rerun):
    path = tmp_path / "reports" / name
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CorruptFile) as err:
        CheckReport.read(path)
    msg = str(err.value)
    assert msg.startswith(f"report {path} is corrupt (") and msg.endswith(f"{rerun} to regenerate it")
    assert len(msg.splitlines()) == 1


def test_report_that_is_not_utf8_cannot_be_read(tmp_path):
    path = tmp_path / "last-check.json"
    path.write_bytes(b'{"created_at": "\xff"}')
    with pytest.raises(CorruptFile, match=r"cannot be read .*rerun `capture check` to regenerate it$"):
        CheckReport.read(path)


# --- verdicts ------------------------------------------------------------------------------------

def test_statuses_and_classes_say_what_fails():
    """Only ``unchanged`` and ``new`` pages (goldens just recorded by ``--accept-new``) and ``volatile-only``
    and ``new-golden`` differences pass."""
    assert [s for s, fails in STATUSES.items() if not fails] == ["unchanged", "new", "no-care"]  # no 关怀版 offered
    assert [c for c, fails in CLASSES.items() if not fails] == ["volatile-only", "new-golden"]
    assert {"no-golden", "layout-changed", "content-changed", "care-regression", "fetch-failed"} <= set(CLASSES)


@pytest.mark.parametrize("status, diffs, fails", [
    ("unchanged", [], False),
    ("unchanged", [Difference("volatile-only", "side", "churned", fails=False)], False),
    ("unchanged", [Difference("care-regression", "a11y", "informational", fails=False)], False),
    ("unchanged", [Difference("content-changed", "body", "edited")], True),
    ("changed", [], True),
    ("new", [report.new_golden(7, report.reports_dir(Path("s")))], False),
    ("failed", [], True),
    ("no-golden", [], True),
    ("something-new", [], True),  # an unknown status never passes silently
])
def test_page_result_fails(status, diffs, fails):
    assert PageResult("X", "normal", "u", status, diffs).fails is fails


def test_report_fails_if_any_page_fails_and_counts_every_status():
    r = sample()
    assert r.fails
    assert r.counts() == {"unchanged": 1, "changed": 1, "failed": 1, "no-golden": 0, "new": 0, "no-care": 0}
    assert list(r.counts()) == list(STATUSES)
    passing = CheckReport("t", "s", "replica", None, [r.results[1]])
    assert not passing.fails and passing.counts()["unchanged"] == 1
    assert not CheckReport("t", "s", "replica", None).fails


@pytest.mark.parametrize("target_set, suffix", [("replica", ""), ("live", " --live")])
def test_accept_command_and_no_golden(target_set, suffix):
    """The "no golden" difference fails, is not a layout change, and quotes the accept command."""
    cmd = report.accept_command("J30TJ1QA0530JPVV", "care", target_set)
    assert cmd == f"capture accept J30TJ1QA0530JPVV --mode care{suffix}"
    d = report.no_golden("J30TJ1QA0530JPVV", "care", target_set)
    assert (d.cls, d.region, d.fails) == ("no-golden", "page", True)
    assert f"`{cmd}`" in d.reason and "pytest --snapshot-update" in d.reason and target_set in d.reason


def test_report_paths(tmp_path):
    assert report.last_check_path(tmp_path) == tmp_path / "reports" / "last-check.json"
    assert report.check_captures_root(tmp_path) == tmp_path / "reports" / "check"
    assert report.reports_dir(tmp_path) == tmp_path / "reports"

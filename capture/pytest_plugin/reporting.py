"""What a session reports: a proposed repair beside a failing extraction golden, one line for what the
environment kept from being compared, and a report of every run (``last-pytest.json``, the format of
``capture check``'s) for ``capture review`` and ``capture repair``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ..errors import CaptureError
from ..goldens import View
from ..run import RunConfig
from ..targets import Target
from .fixtures import CAPTURED

ENV_NOTES = pytest.StashKey[set[str]]()
FAILED_PAGES = pytest.StashKey[set[tuple[str, str]]]()
#: The fixture whose failure gets the proposed repair: a test comparing the extraction golden.
EXTRACTION_FIXTURE = "golden"


def note_environment(config: pytest.Config, note: str) -> None:
    """Something the run did not compare because of its environment, for the one summary line."""
    config.stash.setdefault(ENV_NOTES, set()).add(note)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    for note in sorted(config.stash.get(ENV_NOTES, set())):
        terminalreporter.write_line(note)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    rep = yield
    params = getattr(getattr(item, "callspec", None), "params", {})
    if rep.failed and rep.when in ("setup", "call") and "page_mode" in params:
        target, mode = params["page_mode"]
        item.config.stash.setdefault(FAILED_PAGES, set()).add((target.id, mode))
        if rep.when == "call" and _compares_extraction(item, rep):
            _add_repair_note(item, rep, target, mode)
    return rep


def _compares_extraction(item: pytest.Item, rep: Any) -> bool:
    """Whether this failure is of the extraction golden (syrupy names the view's file in its message)."""
    text = str(getattr(rep, "longrepr", "") or "")
    return EXTRACTION_FIXTURE in getattr(item, "fixturenames", ()) and (
        "extraction" in text or "extraction failed" in text)


def _add_repair_note(item: pytest.Item, rep: Any, target: Target, mode: str) -> None:
    """Name the proposed repair and the command that applies it, next to syrupy's diff."""
    from ..repair import failure_note, repair_bundle
    from ..repair.site import Table

    stash = item.config.stash.get(CAPTURED, None)
    if stash is None:
        return
    path, run = stash[0].get((target.id, mode)), stash[2]
    golden_file = run.store.path(target.id, mode, View.EXTRACTION)
    if not isinstance(path, Path) or not golden_file.is_file():
        return
    try:
        golden = json.loads(golden_file.read_text(encoding="utf-8"))
        repair = repair_bundle(path, golden, target.id, mode, run.snapshots, str(run.store.target),
                               Table(run.overlays), run.overlay_path)
    except (CaptureError, OSError, ValueError) as exc:
        note = f"no repair proposed: {exc}\n"
    else:
        note = failure_note(repair, run.command("repair", [target.id], mode=mode, tail="--apply"))
    if not note:
        return
    if hasattr(rep.longrepr, "addsection"):
        rep.longrepr.addsection("proposed repair (capture repair)", note)
    else:
        rep.sections.append(("proposed repair (capture repair)", note))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write ``<snapshots>/reports/last-pytest.json`` after every session that captured pages, green
    ones included: the failed pages compared as ``capture check`` compares them, the others listed."""
    stash = session.config.stash.get(CAPTURED, None)
    if stash is None or hasattr(session.config, "workerinput"):
        return
    write_session_report(stash, session.config.stash.get(FAILED_PAGES, set()))


def write_session_report(stash: tuple[dict, dict, RunConfig], failed: set[tuple[str, str]]) -> Path:
    from ..report import Difference, PageResult, reports_dir
    from ..run.check import Compare, compare_bundle, new_report, views_note

    captured, targets, run = stash
    report = new_report(run, run="pytest")
    cmp = Compare(run.store, run.site, run.hint_options())
    for (target_id, mode), path in sorted(captured.items()):
        target = targets[target_id]
        if (target_id, mode) not in failed:
            if isinstance(path, Path):
                report.results.append(PageResult(target_id, mode, target.url, "unchanged", bundle=str(path)))
            continue
        try:
            if not isinstance(path, Path):
                raise CaptureError(str(path))
            report.results.append(compare_bundle(target, mode, path, cmp))
        except CaptureError as exc:
            report.results.append(PageResult(target_id, mode, target.url, "failed",
                                             [Difference("fetch-failed", "page", str(exc))]))
    report.notes = views_note(run.store, report.results)
    out = reports_dir(run.snapshots) / "last-pytest.json"
    report.write(out)
    return out

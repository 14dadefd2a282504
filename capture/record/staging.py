"""Where an attempt's files go: the staging folder, the HAR to replay, HARs merged.

The bundle itself is staged and swapped into place by :func:`capture.bundle.staging`; this module
adds what recording needs around it: a private copy of a HAR to replay (Playwright's
``route_from_har`` reads it while the attempt runs), the check that a stored bundle can be replayed at
all, and the 关怀版 HAR that holds the normal page's entries too.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import bundle


def merge_hars(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """One HAR holding both recordings' pages and entries, in order (for ``route_from_har``)."""
    log = dict(second.get("log") or {})
    a = first.get("log") or {}
    for key in ("pages", "entries"):
        log[key] = list(a.get(key) or []) + list(log.get(key) or [])
    return {**second, "log": log}


def har_problem(path: Path) -> str:
    """Why a stored HAR cannot be replayed ('' if it can)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return f"is not a readable HAR ({type(exc).__name__})"
    if not isinstance(data, dict) or not isinstance(data.get("log", {}).get("entries"), list):
        return "has no log.entries"
    return ""


def replay_source(source: Path, target_id: str, mode: str) -> tuple[Path, str]:
    """The HAR of the stored bundle at ``source`` and why it cannot be replayed ('' if it can)."""
    har = source / "page.har"
    fix = f"re-record it with `capture record {target_id} --modes {mode} --force`"
    if not bundle.is_complete(source):
        why = "is incomplete or its meta.json is corrupt" if source.exists() else "does not exist"
        return har, f"corrupt-file: the bundle to replay at {source} {why}: {fix}"
    if problem := har_problem(har):
        return har, f"corrupt-file: {har} {problem}: {fix}"
    return har, ""


@contextlib.contextmanager
def replay_copy(source: Path | None, stage: Path, mode: str) -> Iterator[Path | None]:
    """A private copy of the HAR to replay, beside ``stage`` (None when not replaying); when the
    attempt succeeds it becomes the new bundle's ``page.har``, and it is removed in any case."""
    if source is None:
        yield None
        return
    copy = stage.parent / f".{mode}.replay-{id(stage)}.har"
    shutil.copyfile(source, copy)
    try:
        yield copy
        shutil.copyfile(copy, stage / "page.har")
    finally:
        copy.unlink(missing_ok=True)

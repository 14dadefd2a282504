"""Golden files, stored by syrupy: one small extension class per stored format.

Goldens live under ``<snapshots>/<target>/<test module>/<test name>.<ext>`` where target is
``replica`` (the default, offline) or ``live`` (``pytest --live``). ``capture accept`` writes the same
files by the same names, so it and ``pytest --snapshot-update`` are interchangeable.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from .volatile import mask_article

TARGETS = ("replica", "live")


class _Store:
    """Where goldens go for this run (set once by the pytest plugin or the CLI)."""

    root: ClassVar[Path] = Path("snapshots")
    target: ClassVar[str] = "replica"


def configure(root: Path, target: str) -> None:
    if target not in TARGETS:
        raise ValueError(f"golden target must be one of {TARGETS}, not {target!r}")
    _Store.root = Path(root)
    _Store.target = target


def golden_dir(module: str, root: Path | None = None, target: str | None = None) -> Path:
    return Path(root or _Store.root) / (target or _Store.target) / module


def golden_name(test: str, target_id: str, mode: str) -> str:
    """The file stem of a parametrized golden test: ``test_extraction[<id>-<mode>]``."""
    return f"{test}[{target_id}-{mode}]"


class _GoldenExtension(SingleFileSnapshotExtension):
    _write_mode = WriteMode.TEXT

    @classmethod
    def dirname(cls, *, test_location: Any) -> str:
        return str(golden_dir(test_location.basename))


class GoldenJSON(_GoldenExtension):
    """Extraction JSON, volatile fields masked by the site's declared rules."""

    file_extension = "json"

    def serialize(self, data: Any, **_kw: Any) -> str:
        if hasattr(data, "to_dict"):
            data = data.to_dict()
        return json.dumps(mask_article(data), ensure_ascii=False, indent=2) + "\n"


class GoldenText(_GoldenExtension):
    """``text.txt`` (already masked by the caller, see :func:`capture.volatile.mask_text`)."""

    file_extension = "txt"

    def serialize(self, data: Any, **_kw: Any) -> str:
        return str(data)


class GoldenAria(_GoldenExtension):
    """``aria.yaml``, Playwright's aria snapshot (masked by :func:`capture.volatile.mask_aria`)."""

    file_extension = "yaml"

    def serialize(self, data: Any, **_kw: Any) -> str:
        return str(data)

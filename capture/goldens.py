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


def current() -> tuple[Path, str]:
    """The goldens root and target set in force for this run."""
    return _Store.root, _Store.target


def golden_dir(module: str, root: Path | None = None, target: str | None = None) -> Path:
    return Path(root or _Store.root) / (target or _Store.target) / module


def golden_name(test: str, target_id: str, mode: str) -> str:
    """The file stem of a parametrized golden test: ``test_extraction[<id>-<mode>]``."""
    return f"{test}[{target_id}-{mode}]"


#: Each stored view of a capture: (kind, test function in tests/test_goldens.py, file extension).
KINDS = (("extraction", "test_extraction", "json"), ("skeleton", "test_skeleton", "json"),
         ("text", "test_text", "txt"), ("aria", "test_aria", "yaml"), ("a11y", "test_a11y_figures", "json"))
MODULE = "test_goldens"


def golden_paths(target_id: str, mode: str, root: Path | None = None, target: str | None = None) -> dict[str, Path]:
    """``{kind: path}`` of every golden of one page and mode (the files pytest and accept write)."""
    folder = golden_dir(MODULE, root, target)
    return {kind: folder / f"{golden_name(test, target_id, mode)}.{ext}" for kind, test, ext in KINDS}


def env_path(target_id: str, mode: str, root: Path | None = None, target: str | None = None) -> Path:
    """The golden's capture environment (browser, fonts, viewport), for the review's pixel comparison."""
    return Path(root or _Store.root) / (target or _Store.target) / "env" / f"{target_id}-{mode}.json"


def screen_path(target_id: str, mode: str, root: Path | None = None, target: str | None = None) -> Path:
    """The golden screenshot (not committed: see .gitignore; written by accept and --snapshot-update)."""
    return Path(root or _Store.root) / (target or _Store.target) / "screens" / f"{target_id}-{mode}.png"


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


class GoldenSkeleton(_GoldenExtension):
    """The layout fingerprint: ``{region: skeleton lines}`` (see :mod:`capture.fingerprint`)."""

    file_extension = "json"

    def serialize(self, data: Any, **_kw: Any) -> str:
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


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


class GoldenA11y(_GoldenExtension):
    """``a11y.json`` figures (:mod:`capture.a11y`): sorted keys, like the bundle's own file."""

    file_extension = "json"

    def serialize(self, data: Any, **_kw: Any) -> str:
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"

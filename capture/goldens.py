"""Golden files: where they live (:class:`GoldenStore`) and how syrupy stores them (one small extension
class per stored format; serializers only write, the views come masked).

A golden is found by page, mode and view, never by the test that wrote it:
``<root>/<target>/<view>/<id>-<mode>.<ext>``, target ``replica`` (offline) or ``live``. So a user's
suite with any module name and any subset of the views writes the files ``capture check``, ``review``,
``repair`` and ``accept`` read, and ``capture accept`` writes the files the suite compares.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

from syrupy.data import SnapshotCollections
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode


class TargetSet(StrEnum):
    """Which golden set: the replica's (offline) or the live site's."""

    REPLICA = "replica"
    LIVE = "live"


class View(StrEnum):
    """The views of a capture a golden keeps, each one file."""

    EXTRACTION = "extraction"
    SKELETON = "skeleton"
    TEXT = "text"
    ARIA = "aria"
    A11Y = "a11y"


#: File extension of each view.
EXTENSIONS = {View.EXTRACTION: "json", View.SKELETON: "json", View.TEXT: "txt", View.ARIA: "yaml",
              View.A11Y: "json"}
#: Views stored as JSON objects (the others as text).
JSON_VIEWS = (View.EXTRACTION, View.SKELETON, View.A11Y)


@dataclass(frozen=True)
class GoldenStore:
    """The goldens of one target set under ``root`` (the snapshots folder)."""

    root: Path
    target: TargetSet = TargetSet.REPLICA

    @property
    def folder(self) -> Path:
        return Path(self.root) / self.target

    def path(self, page_id: str, mode: str, view: View | str, index: int = 0) -> Path:
        view = View(view)
        suffix = f".{index}" if index else ""
        return self.folder / view / f"{page_id}-{mode}{suffix}.{EXTENSIONS[view]}"

    def paths(self, page_id: str, mode: str) -> dict[View, Path]:
        return {v: self.path(page_id, mode, v) for v in View}

    def env_path(self, page_id: str, mode: str) -> Path:
        """The golden's capture environment (browser, fonts, viewport), for the pixel comparison."""
        return self.folder / "env" / f"{page_id}-{mode}.json"

    def screen_path(self, page_id: str, mode: str) -> Path:
        """The golden screenshot (not committed: see .gitignore; written by accept and --snapshot-update)."""
        return self.folder / "screens" / f"{page_id}-{mode}.png"

    def kept(self, page_id: str, mode: str) -> list[View]:
        """The views this page and mode has goldens of (a suite may keep any subset)."""
        return [v for v, p in self.paths(page_id, mode).items() if p.exists()]

    def all_files(self, page_id: str, mode: str) -> list[Path]:
        """Every file of the page's golden set (the views, env and screenshot), kept or not."""
        return [*self.paths(page_id, mode).values(), self.env_path(page_id, mode), self.screen_path(page_id, mode)]


# --- syrupy ------------------------------------------------------------------------------------------

class _GoldenExtension(SingleFileSnapshotExtension):
    """A stored format. :func:`extension_for` makes a subclass per page, mode and view, whose file is
    the store's: syrupy then reads and writes exactly the files the CLI does."""

    _write_mode = WriteMode.TEXT
    #: Set on the per-page subclasses.
    store_dir: ClassVar[str] = ""
    store_stem: ClassVar[str] = ""

    @classmethod
    def dirname(cls, *, test_location: Any) -> str:
        if cls.store_dir:
            return cls.store_dir
        return super().dirname(test_location=test_location)

    @classmethod
    def get_snapshot_name(cls, *, test_location: Any, index: Any = 0) -> str:
        if cls.store_stem:
            return cls.store_stem + (f".{index}" if index else "")
        return super().get_snapshot_name(test_location=test_location, index=index)

    def discover_snapshots(self, *, test_location: Any, ignore_extensions: list[str] | None = None) -> Any:
        """Only this page's own file: the other pages' goldens in the view folder are never this test's
        "unused" snapshots (a ``-k`` run must not call them so, nor offer to delete them)."""
        if not self.store_dir:
            return super().discover_snapshots(test_location=test_location, ignore_extensions=ignore_extensions)
        found = SnapshotCollections()
        own = Path(self.get_location(test_location=test_location, index=0))
        if own.is_file():
            found.add(self.read_snapshot_collection(snapshot_location=str(own)))
        return found


class GoldenJSON(_GoldenExtension):
    """Extraction JSON, as :func:`capture.compare.views` gives it (volatile fields already masked by
    the run's site table: the serializer only writes)."""

    file_extension = "json"

    def serialize(self, data: Any, **_kw: Any) -> str:
        if hasattr(data, "to_dict"):
            data = data.to_dict()
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


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


#: The stored format of each view.
FORMATS: dict[View, type[_GoldenExtension]] = {View.EXTRACTION: GoldenJSON, View.SKELETON: GoldenSkeleton,
                                               View.TEXT: GoldenText, View.ARIA: GoldenAria, View.A11Y: GoldenA11y}


def serialize(view: View | str, value: Any) -> str:
    """Golden file text for one view, byte-identical to what syrupy writes for the same value."""
    return FORMATS[View(view)]().serialize(value)


def extension_for(store: GoldenStore, page_id: str, mode: str, view: View) -> type[_GoldenExtension]:
    """The syrupy extension whose file is ``store``'s golden of this page, mode and view."""
    base = FORMATS[view]
    path = store.path(page_id, mode, view)
    return type(f"{base.__name__}_{view}", (base,), {"store_dir": str(path.parent), "store_stem": path.stem})

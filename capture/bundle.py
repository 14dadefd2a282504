"""A capture bundle on disk: ``<snapshots>/captures/<id>/<mode>/``, written atomically.

A bundle is built in a hidden staging folder beside its final place and renamed into place only when
every file is written, so a crash, a kill or Ctrl-C never leaves a half bundle and never touches an
existing one. ``meta.json`` is written last and marks the bundle complete.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .errors import CorruptFile
from .fs import fsync_dir, write_atomic  # noqa: F401  (bundle.write_atomic: the callers' old name)

FILES = ("meta.json", "raw.html", "dom.html", "text.txt", "aria.yaml", "screenshot.png", "page.har", "a11y.json")
META_VERSION = 1


@dataclass
class Meta:
    """``meta.json``: how, when and with what a bundle was captured."""

    id: str
    mode: str
    requested_url: str
    final_url: str = ""
    status: int = 0
    redirect_chain: list[str] = field(default_factory=list)
    care_via: str | None = None
    #: 关怀版 only: reached from the normal bundle's own page, in the same context (normal and care
    #: recorded together), so its timings start at the care link (no goto/ready of the normal page).
    followed_from_normal: bool = False
    charset: str = ""
    generation: str = "unknown"
    base_url: str | None = None
    text_regions: list[str] = field(default_factory=list)
    browser: dict[str, str] = field(default_factory=dict)
    fonts: list[str] = field(default_factory=list)
    viewport: dict[str, int] = field(default_factory=dict)
    user_agent: str = ""
    locale: str = ""
    timezone: str = ""
    fixed_time: str | None = None
    screenshot: dict[str, Any] = field(default_factory=dict)
    timings_ms: dict[str, float] = field(default_factory=dict)
    replayed: bool = False
    attempts: int = 1
    #: Uncaught script errors on the page (first line each, at most 20): a page that throws still captures.
    page_errors: list[str] = field(default_factory=list)
    #: Hosts whose requests the host policy blocked, and hosts whose allowed requests failed
    #: (connection refused, not found …), sorted; empty in older bundles and in replays.
    blocked_hosts: list[str] = field(default_factory=list)
    failed_hosts: list[str] = field(default_factory=list)
    captured_at: str = ""
    tool_version: str = ""
    meta_version: int = META_VERSION

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Meta:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class Bundle:
    """A bundle's files: as collected from a page (``path`` is its staging folder, see
    :func:`write_files`) or read back from disk (:func:`read_bundle`). The HAR stays a path: it can be
    large, and the recorder writes it straight into the folder."""

    path: Path
    meta: Meta
    raw: bytes
    dom: str
    text: str
    aria: str
    screenshot: bytes
    a11y: dict[str, Any] = field(default_factory=dict)

    @property
    def har(self) -> Path:
        return self.path / "page.har"


def captures_dir(snapshots: Path) -> Path:
    return Path(snapshots) / "captures"


def bundle_dir(snapshots: Path, target_id: str, mode: str) -> Path:
    return captures_dir(snapshots) / target_id / mode


def is_complete(path: Path) -> bool:
    """Every file present and ``meta.json`` parseable."""
    if not all((path / name).is_file() for name in FILES):
        return False
    try:
        json.loads((path / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return True


@contextlib.contextmanager
def staging(snapshots: Path, target_id: str, mode: str) -> Iterator[Path]:
    """Yield an empty staging folder; on success rename it into place, on any error remove it.

    An existing bundle is replaced only after the new one is complete (moved aside, swapped, removed).
    """
    final = bundle_dir(snapshots, target_id, mode)
    final.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{mode}.staging-", dir=final.parent))
    try:
        yield stage
        missing = [name for name in FILES if not (stage / name).is_file()]
        if missing:
            raise CorruptFile(f"bundle for {target_id}/{mode} is missing {', '.join(missing)}: not stored")
        for name in FILES:
            with open(stage / name, "rb") as fh:
                os.fsync(fh.fileno())
        fsync_dir(stage)
        old = None
        if final.exists():
            old = final.parent / f".{mode}.old-{os.getpid()}"
            shutil.rmtree(old, ignore_errors=True)
            os.rename(final, old)
        os.rename(stage, final)
        fsync_dir(final.parent)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def clean_stale(snapshots: Path) -> int:
    """Remove staging folders left by a killed run; restore a bundle moved aside mid-swap."""
    removed = 0
    root = captures_dir(snapshots)
    if not root.is_dir():
        return 0
    for target in root.iterdir():
        if not target.is_dir():
            continue
        for child in target.iterdir():
            if child.name.startswith(".") and ".old-" in child.name:
                mode = child.name[1:].split(".old-")[0]
                if not (target / mode).exists():
                    os.rename(child, target / mode)  # the swap was cut between its two renames
                    continue
            if child.name.startswith(".") and (".staging-" in child.name or ".old-" in child.name):
                shutil.rmtree(child, ignore_errors=True)
                removed += 1
    return removed


def write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")


def write_files(stage: Path, b: Bundle) -> None:
    """Write everything but the HAR (already there) into ``stage``; ``meta.json`` last."""
    from .a11y.measure import to_json

    (stage / "raw.html").write_bytes(b.raw)
    write_text(stage / "dom.html", b.dom)
    write_text(stage / "text.txt", b.text)
    write_text(stage / "aria.yaml", b.aria)
    (stage / "screenshot.png").write_bytes(b.screenshot)
    write_text(stage / "a11y.json", to_json(b.a11y))
    write_text(stage / "meta.json", b.meta.to_json())


def _read_json(path: Path, hint: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise CorruptFile(f"{path} is corrupt ({exc}): {hint}") from None
    if not isinstance(data, dict):
        raise CorruptFile(f"{path} is not a JSON object: {hint}")
    return data


def read_bundle(path: Path) -> Bundle:
    """Read a bundle; a missing or corrupt file raises :class:`CorruptFile` naming it."""
    hint = f"re-record it with `capture record {path.parent.name} --modes {path.name} --force`"
    for name in FILES:
        if not (path / name).is_file():
            raise CorruptFile(f"{path / name} is missing: {hint}")
    try:
        meta = Meta.from_dict(json.loads((path / "meta.json").read_text(encoding="utf-8")))
    except (ValueError, TypeError, AttributeError) as exc:  # bad JSON, not an object, missing keys
        raise CorruptFile(f"{path / 'meta.json'} is corrupt ({type(exc).__name__}: {exc}): {hint}") from None
    with open(path / "screenshot.png", "rb") as fh:
        png_signature = fh.read(8)
    if png_signature != b"\x89PNG\r\n\x1a\n":
        raise CorruptFile(f"{path / 'screenshot.png'} is not a PNG: {hint}")
    try:
        return Bundle(
            path=path,
            meta=meta,
            raw=(path / "raw.html").read_bytes(),
            dom=(path / "dom.html").read_text(encoding="utf-8"),
            text=(path / "text.txt").read_text(encoding="utf-8"),
            aria=(path / "aria.yaml").read_text(encoding="utf-8"),
            screenshot=(path / "screenshot.png").read_bytes(),
            a11y=_read_json(path / "a11y.json", hint),
        )
    except UnicodeDecodeError as exc:
        raise CorruptFile(f"a file in {path} is not valid UTF-8 ({exc.reason}): {hint}") from None

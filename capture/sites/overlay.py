"""Writing an overlay: additions merged into a user's file, their comments and layout kept (tomlkit).

An addition is a nested dict in the table's shape, e.g. ``{"generation": {"post2020_dy": {"fields":
{"body": [".post_body_v2"]}}}, "text_regions": {"post2020_dy": {"body": [".post_body_v2"]}}}``. It is
merged by the overlay rules (capture.sites.load): a table key by key, a list's new items put first
(tried first; what the file already lists stays), a scalar replaced. The result is validated as an
overlay before anything is written, and written atomically (:func:`capture.fs.write_atomic`): the file is
the old one or the new one. Writers take turns on ``<overlay>.lock``, re-reading the file inside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import BadInput
from ..fs import write_atomic
from ..lock import file_lock
from .load import PACKAGE_FILE, _package_text, _parse, build


def _merge_into(container: Any, addition: Mapping[str, Any], where: str) -> None:
    import tomlkit

    for key, value in addition.items():
        here = f"{where}.{key}" if where else key
        old = container.get(key) if hasattr(container, "get") else None
        if isinstance(value, Mapping):
            if old is None:
                container[key] = tomlkit.table(is_super_table=all(isinstance(v, Mapping) for v in value.values()))
                old = container[key]
            elif not isinstance(old, Mapping):
                raise BadInput(f"{where or 'overlay'}: {key} is {type(old).__name__} in the file, not a table "
                               f"(fix {here} by hand)")
            _merge_into(old, value, here)
        elif isinstance(value, list | tuple):
            if old is None:
                container[key] = list(value)
            elif isinstance(old, list):
                new = [v for v in dict.fromkeys(value) if v not in old]
                for i, item in enumerate(new):
                    old.insert(i, item)
            else:
                raise BadInput(f"{key}: the file has {old!r} at {here}, not a list (fix it by hand)")
        else:
            container[key] = value


def merge_overlay_text(existing_text: str, addition: Mapping[str, Any]) -> str:
    """``existing_text`` (an overlay's TOML, may be "") with ``addition`` merged in, comments kept."""
    import tomlkit  # only writing needs it: loading the table is tomllib's
    from tomlkit.exceptions import TOMLKitError

    try:
        doc = tomlkit.parse(existing_text)
    except TOMLKitError as exc:
        raise BadInput(f"overlay: not valid TOML: {exc} (fix the file's syntax first)") from None
    _merge_into(doc, addition, "")
    return tomlkit.dumps(doc)


def write_overlay(path: Path, addition: Mapping[str, Any], *, timeout: float | None = 60.0) -> None:
    """Merge ``addition`` into the overlay at ``path`` (created if absent), validated, atomically.

    The read, merge and write happen under ``<path>.lock`` (:func:`capture.lock.file_lock`), the file
    re-read inside it: two ``capture repair --apply`` at once both land, neither overwrites the other's
    addition with the file it read before. ``timeout``: seconds to wait for the other writer (Busy).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(path, timeout=timeout):
        text = _merged(path, addition)
        write_atomic(path, text.encode("utf-8"))


def _merged(path: Path, addition: Mapping[str, Any]) -> str:
    """The overlay's text as it is now with ``addition`` merged in; refused (BadInput) if it would not load."""
    try:
        existing = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: cannot read the overlay ({exc}); fix or move it first") from None
    try:
        text = merge_overlay_text(existing, addition)
    except BadInput as exc:
        raise BadInput(f"{path}: {exc}") from None
    # Never write an overlay that would not load: the same checks as --site, naming this file.
    build([_parse(PACKAGE_FILE, _package_text(), package=True), _parse(str(path), text, package=False)])
    return text

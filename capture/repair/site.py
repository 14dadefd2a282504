"""The tables a repair reads and proposes against: overlay files plus proposed additions, over the package's.

An addition is a nested dict in the package table's shape (``{"generation": {"post2020_dy": {"fields":
{"body": [".post_body_v2"]}}}}``); :mod:`capture.sites` layers it (a list tried before the package's)
and writes it into an overlay file (:func:`capture.sites.write_overlay`, atomic, comments kept).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..sites import Site, load_site, merge_overlay_text
from ..sites.model import Generation


def addition_text(addition: Mapping[str, Any]) -> str:
    """An addition as overlay TOML."""
    return merge_overlay_text("", addition)


@lru_cache(maxsize=256)
def _load(overlays: tuple[Path, ...], stamps: tuple[tuple[int, int], ...], texts: tuple[str, ...]) -> Site:
    return load_site(overlays, texts=texts)


def _stamp(path: Path) -> tuple[int, int]:
    """An overlay file's identity for the cache: an edited overlay (``repair --apply``) is read again."""
    try:
        st = path.stat()
    except OSError:
        return (0, 0)
    return (st.st_mtime_ns, st.st_size)


@dataclass(frozen=True)
class Table:
    """Overlay files, then additions as TOML texts, over the package table."""

    overlays: tuple[Path, ...] = ()
    texts: tuple[str, ...] = ()

    def site(self) -> Site:
        return _load(self.overlays, tuple(_stamp(p) for p in self.overlays), self.texts)

    def plus(self, addition: Mapping[str, Any]) -> Table:
        return Table(self.overlays, (*self.texts, addition_text(addition))) if addition else self


#: The package's table alone.
PACKAGE = Table()


def generation(site: Site, name: str | None) -> Generation | None:
    """One generation of ``site`` by name."""
    return site.generation_by_name.get(name or "")

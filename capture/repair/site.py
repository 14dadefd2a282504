"""The overlay API the repair uses, in one place: loading a site with overlays, using it, merging.

Stand-in until ``capture.sites`` has its TOML loader (issue 15, item 1): an overlay is the package
table's shape layered over it, a list of selectors tried *before* the package's at the same key.
Only the keys the repair writes are understood here (``generation.<g>.fields.<f>``,
``text_regions.<g>.<r>``, ``skeleton_regions.<g>.<r>``). Switching to the real loader is this module.
"""

from __future__ import annotations

import contextlib
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..bundle import write_atomic
from ..errors import BadInput
from ..sites import netease
from ..sites.netease import Generation


@dataclass(frozen=True)
class Site:
    """The site table in force: generations, text and skeleton regions (the package's plus overlays)."""

    generations: tuple[Generation, ...]
    text_regions: Mapping[str, tuple[tuple[str, str], ...]]
    skeleton_regions: Mapping[str, Mapping[str, tuple[str, ...]]]


PACKAGE = Site(netease.GENERATIONS, netease.TEXT_REGIONS, netease.SKELETON_REGIONS)
_CURRENT: ContextVar[Site] = ContextVar("capture_repair_site", default=PACKAGE)


def _selectors(value: Any, where: str, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(s, str) and s.strip() for s in value):
        raise BadInput(f"{where}: key {key} must be a list of CSS selectors (strings), e.g. [\".post_body_v2\"]")
    return tuple(value)


def _table(value: Any, where: str, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadInput(f"{where}: key {key} must be a table, not {type(value).__name__}")
    return value


def _layer(site: Site, data: dict[str, Any], where: str) -> Site:
    by_name = {g.name: g for g in site.generations}
    text = {g: tuple(v) for g, v in site.text_regions.items()}
    skel = {g: dict(v) for g, v in site.skeleton_regions.items()}
    for top, value in data.items():
        if top not in ("generation", "text_regions", "skeleton_regions"):
            raise BadInput(f"{where}: unknown key {top}: an overlay holds generation, text_regions, skeleton_regions")
        for gen, body in _table(value, where, top).items():
            if gen not in by_name and not (top != "generation" and gen in text):
                raise BadInput(f"{where}: key {top}.{gen}: no such generation (known: {', '.join(by_name)})")
            body = _table(body, where, f"{top}.{gen}")
            if top == "generation":
                fields = dict(by_name[gen].fields)
                for part, table in body.items():
                    if part != "fields":
                        raise BadInput(f"{where}: key generation.{gen}.{part}: only fields can be layered")
                    for name, sels in _table(table, where, f"generation.{gen}.fields").items():
                        new = _selectors(sels, where, f"generation.{gen}.fields.{name}")
                        fields[name] = tuple(dict.fromkeys((*new, *fields.get(name, ()))))
                by_name[gen] = replace(by_name[gen], fields=MappingProxyType(fields))
            elif top == "text_regions":
                rows = list(text.get(gen, ()))
                for region, sels in body.items():
                    new = _selectors(sels, where, f"text_regions.{gen}.{region}")
                    at = next((i for i, (r, _css) in enumerate(rows) if r == region), len(rows))
                    have = {css for r, css in rows if r == region}
                    rows[at:at] = [(region, s) for s in new if s not in have]
                text[gen] = tuple(rows)
            else:
                regions = skel.setdefault(gen, {})
                for region, sels in body.items():
                    new = _selectors(sels, where, f"skeleton_regions.{gen}.{region}")
                    regions[region] = tuple(dict.fromkeys((*new, *regions.get(region, ()))))
    gens = tuple(by_name[g.name] for g in site.generations)
    return Site(gens, MappingProxyType(text), MappingProxyType({g: MappingProxyType(v) for g, v in skel.items()}))


def _parse(text: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"{where}: not valid TOML ({exc}): fix or delete the file") from None


def load_site(overlays: Sequence[Path] = (), *, texts: Sequence[str] = ()) -> Site:
    """The package table with each overlay file, then each overlay text, layered on in order."""
    site = PACKAGE
    for path in overlays:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise BadInput(f"overlay {path} cannot be read ({exc.strerror}): give an existing TOML file") from None
        site = _layer(site, _parse(text, str(path)), str(path))
    for i, text in enumerate(texts):
        site = _layer(site, _parse(text, f"overlay text {i + 1}"), f"overlay text {i + 1}")
    return site


def current() -> Site:
    return _CURRENT.get()


@contextlib.contextmanager
def using(site: Site) -> Iterator[Site]:
    """Extraction (and text/skeleton regions) read ``site`` inside the block."""
    from ..extract import core

    token = _CURRENT.set(site)
    saved = (core.GENERATIONS, netease.TEXT_REGIONS, netease.SKELETON_REGIONS)
    core.GENERATIONS, netease.TEXT_REGIONS, netease.SKELETON_REGIONS = (
        site.generations, site.text_regions, site.skeleton_regions)
    try:
        yield site
    finally:
        core.GENERATIONS, netease.TEXT_REGIONS, netease.SKELETON_REGIONS = saved
        _CURRENT.reset(token)


def generation(site: Site, name: str) -> Generation | None:
    """One generation of ``site`` by name."""
    return next((g for g in site.generations if g.name == name), None)


# --- overlay text ----------------------------------------------------------------------------------

def _merge(base: dict[str, Any], addition: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in addition.items():
        if isinstance(value, Mapping):
            out[key] = _merge(out.get(key, {}) if isinstance(out.get(key), dict) else {}, value)
        else:
            old = out.get(key, [])
            out[key] = list(dict.fromkeys([*value, *(old if isinstance(old, list) else [old])]))
    return out


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dump(data: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> list[str]:
    lines: list[str] = []
    leaves = {k: v for k, v in data.items() if not isinstance(v, Mapping)}
    if leaves and prefix:
        lines.append(f"[{'.'.join(prefix)}]")
    for k, v in leaves.items():
        lines.append(f"{k} = [{', '.join(_quote(s) for s in v)}]")
    if leaves:
        lines.append("")
    for k, v in data.items():
        if isinstance(v, Mapping):
            lines += _dump(v, (*prefix, k))
    return lines


def merge_overlay_text(existing: str, addition: Mapping[str, Any]) -> str:
    """The overlay file text with ``addition``'s selectors put before those already there."""
    merged = _merge(_parse(existing, "overlay") if existing.strip() else {}, addition)
    return "\n".join(_dump(merged)).rstrip("\n") + "\n"


def write_overlay(path: Path, addition: Mapping[str, Any]) -> None:
    """Add ``addition`` to the overlay at ``path`` (created if absent), atomically."""
    path = Path(path)
    existing = path.read_text(encoding="utf-8") if path.is_file() else ""
    write_atomic(path, merge_overlay_text(existing, addition).encode("utf-8"))

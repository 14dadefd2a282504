"""The replica's articles: one JSON data file per article, plus shared module/recommendation sets.

Data lives next to the code (``data/``) so the replica is fully offline and deterministic: every date,
count and list below is fixed in a file, nothing is generated at request time.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..targets import Target

DATA_DIR = Path(__file__).resolve().parent / "data"
ARTICLES_DIR = DATA_DIR / "articles"
LIVE_ORIGIN = "https://www.163.com"

#: A NetEase document id: 16 upper-case letters/digits.
ID_RE = re.compile(r"^[0-9A-Z]{16}$")

#: kind -> (template generation, care-page suffix)
KINDS: dict[str, tuple[str, str]] = {
    "dy": ("post2020_dy", "_pdya11y"),
    "news": ("post2020_cms", "_pa11y"),
}


@dataclass(frozen=True)
class ReplicaPage:
    """One replica article, with the real-site paths of its normal and 关怀版 pages."""

    id: str
    kind: str
    generation: str
    path: str
    care_path: str
    title: str
    seed: bool

    @property
    def live_url(self) -> str:
        """The real-site URL this page imitates (what ``pages.toml`` watches)."""
        return LIVE_ORIGIN + self.path

    @property
    def live_care_url(self) -> str:
        return LIVE_ORIGIN + self.care_path


def _load_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def _page_of(data: dict[str, Any], source: Path) -> ReplicaPage:
    art_id, kind = data["id"], data["kind"]
    if not ID_RE.match(art_id) or source.stem != art_id:
        raise ValueError(f"{source}: id {art_id!r} must be 16 [0-9A-Z] and match the file name")
    if kind not in KINDS:
        raise ValueError(f"{source}: kind {kind!r} must be one of {sorted(KINDS)}")
    generation, suffix = KINDS[kind]
    return ReplicaPage(
        id=art_id,
        kind=kind,
        generation=generation,
        path=f"/{kind}/article/{art_id}.html",
        care_path=f"/{kind}/article/{art_id}{suffix}.html",
        title=data["title"],
        seed=bool(data.get("seed", False)),
    )


@cache
def articles() -> dict[str, dict[str, Any]]:
    """Raw article data by id (read once; the files do not change while serving)."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(ARTICLES_DIR.glob("*.json")):
        data = _load_json(path)
        _page_of(data, path)  # validates
        out[data["id"]] = data
    from .generated import generate, wanted  # CAPTURE_REPLICA_ARTICLES=N: extra, generated articles

    out.update(generate(out, wanted()))
    return out


@cache
def _pages() -> tuple[ReplicaPage, ...]:
    pages = [_page_of(data, ARTICLES_DIR / f"{art_id}.json") for art_id, data in articles().items()]
    if sum(p.seed for p in pages) != 1:
        raise ValueError("exactly one replica article must have \"seed\": true")
    return tuple(sorted(pages, key=lambda p: p.id))


def pages() -> list[ReplicaPage]:
    """All replica articles, sorted by id (stable across runs)."""
    return list(_pages())


def seed_page() -> ReplicaPage:
    """The article whose visible text reproduces ``../shared/seed`` (exactly one has ``"seed": true``)."""
    return next(p for p in _pages() if p.seed)


def targets() -> list[Target]:
    """Every replica article as a watchlist target, at its www.163.com URL (``--base-url`` maps it)."""
    from ..targets import Target

    return [Target(p.id, p.live_url) for p in _pages()]


def page_by_id(art_id: str) -> ReplicaPage | None:
    """The article ``art_id`` (looked up on every request, so by a table, not a scan)."""
    return _by_id().get(art_id)


@cache
def _by_id() -> dict[str, ReplicaPage]:
    return {p.id: p for p in _pages()}


@cache
def shared(name: str) -> dict[str, Any]:
    """A shared data file (``side_modules``, ``recommends``, ``hot``) as a dict of named sets."""
    return _load_json(DATA_DIR / f"{name}.json")


def _resolve(value: Any, table: str) -> Any:
    """An article field is either inline data or the name of a set in a shared file."""
    if isinstance(value, str):
        return shared(table)[value]
    return value


def side_modules(art_id: str) -> list[dict[str, Any]]:
    """Side modules of an article in page order; each entry inline or a key of side_modules.json."""
    return [_resolve(m, "side_modules") for m in articles()[art_id].get("side", [])]


def recommends(art_id: str) -> list[dict[str, Any]]:
    return list(_resolve(articles()[art_id].get("recommends", []), "recommends"))


def hot_items(art_id: str) -> list[dict[str, Any]]:
    """The 热点推荐 list the page fetches after load (``/api/hot/<ID>.json``)."""
    return list(_resolve(articles()[art_id].get("hot", []), "hot"))


def tie_count(art_id: str) -> int:
    """The 跟贴 count the page fetches after load (``/api/tie/<ID>.json``)."""
    return int(articles()[art_id].get("tie", 0))

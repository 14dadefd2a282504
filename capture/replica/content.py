"""The replica's articles: one JSON data file per article, plus shared module/recommendation sets.

Data lives next to the code (``data/``) so the replica is fully offline and deterministic: every date,
count and list below is fixed in a file, nothing is generated at request time.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..targets import Target

from ..sites import default_site

#: The real site's origin and care suffixes: what the replica stands in for (the package table's).
LIVE_ORIGIN = default_site().live_origin
CARE_SUFFIX = default_site().care_suffix

DATA_DIR = Path(__file__).resolve().parent / "data"
ARTICLES_DIR = DATA_DIR / "articles"

#: A NetEase document id: 16 upper-case letters/digits.
ID_RE = re.compile(r"^[0-9A-Z]{16}$")

#: kind -> (template generation, care-page suffix); the suffixes are the site table's URL rule.
KINDS: dict[str, tuple[str, str]] = {
    kind: (generation, CARE_SUFFIX.get(kind, CARE_SUFFIX["*"]))
    for kind, generation in (("dy", "post2020_dy"), ("news", "post2020_cms"))
}
#: The two 关怀版 markups the replica serves (no real care page was ever saved, so its markup is
#: unknown: the harness must cope with more than one). "restyled": the article template itself in care
#: style (big type, care stylesheet, the 无障碍 toolbar open), no ads, side column or lists.
#: "standalone": a stripped page with class names and structure of its own. An article's
#: ``"care_markup"`` picks one; by default 网易号 articles are restyled and news articles standalone.
CARE_MARKUPS = ("restyled", "standalone")
DEFAULT_CARE_MARKUP = {"dy": "restyled", "news": "standalone"}
#: Where the replica's images "come from" (the ``url=`` inside an nimg.ws.126.net thumbnail URL).
IMAGE_ORIGIN = "https://cms-bucket.ws.126.net/2024/0524/"


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
    care_markup: str = "restyled"

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
    care_markup = data.get("care_markup", DEFAULT_CARE_MARKUP[kind])
    if care_markup not in CARE_MARKUPS:
        raise ValueError(f"{source}: care_markup {care_markup!r} must be one of {CARE_MARKUPS}")
    return ReplicaPage(
        id=art_id,
        kind=kind,
        generation=generation,
        path=f"/{kind}/article/{art_id}.html",
        care_path=f"/{kind}/article/{art_id}{suffix}.html",
        title=data["title"],
        seed=bool(data.get("seed", False)),
        care_markup=care_markup,
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


#: Articles the replica serves at URLs of their own but lists nowhere (not in :func:`pages`, the index,
#: ``pages.toml`` or any golden), for tests of pages that offer no 关怀版: variant id -> (the stored
#: article it copies, how it differs; a key of :data:`VARIANT_KINDS`). The copy is the stored page with
#: the variant's id in place of the stored one.
VARIANTS: dict[str, tuple[str, str]] = {
    "J0NOCARE0530JPVV": ("J2P6C4GT0530JPVV", "no-care"),  # a 网易号 page, like an early-2021 one
    "J0NOCARE000189FH": ("J2S9B2EL000189FH", "no-care"),  # a news page, like a 2020 one
    "J0CARE4040530JPV": ("J2P6C4GT0530JPVV", "care-404"),
}
VARIANT_KINDS = {
    "no-care": "no 进入关怀版 link and no body@aria-url (older pages); the URL rule's care page answers 404",
    "care-404": "the 进入关怀版 link and body@aria-url as usual, but the care page they name answers 404",
}


def variant(art_id: str) -> tuple[ReplicaPage, str] | None:
    """``(stored page, variant kind)`` for a variant id of :data:`VARIANTS`, else None."""
    entry = VARIANTS.get(art_id)
    if entry is None or (page := page_by_id(entry[0])) is None:
        return None
    return page, entry[1]


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


#: A real page lists about 40 相关推荐 items and 20–27 热点推荐 items (both samples).
RELATED_COUNT = 40
HOT_COUNT = 24


@cache
def _pool() -> tuple[dict[str, Any], ...]:
    """Every headline the replica's data knows (list sets, and the stored articles themselves), once
    each: what the long lists are filled from, as the real lists mix headlines from across the site."""
    items: list[dict[str, Any]] = []
    for table in ("recommends", "hot"):
        for value in shared(table).values():
            items += value
    for path in sorted(ARTICLES_DIR.glob("*.json")):
        data = _load_json(path)
        if isinstance(data.get("recommends"), list):
            items += data["recommends"]
        items.append({"title": data["title"], "source": data["source"]["name"], "time": data["time"],
                      "url": f"{LIVE_ORIGIN}/{data['kind']}/article/{data['id']}.html"})
    seen: dict[str, dict[str, Any]] = {}
    for item in items:
        if item.get("title") and item["title"] not in seen:
            seen[item["title"]] = item
    return tuple(seen.values())


def _filled(art_id: str, own: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """``own`` then pool headlines (not the article itself, none twice) up to ``count`` items; the pool
    is entered at a place that depends on the article, so pages do not all list the same tail."""
    pool = _pool()
    start = int(hashlib.sha1(art_id.encode()).hexdigest(), 16) % len(pool)
    titles = {i.get("title") for i in own} | {articles()[art_id]["title"]}
    out = list(own)
    for k in range(len(pool)):
        if len(out) >= count:
            break
        item = pool[(start + k) % len(pool)]
        if item["title"] not in titles:
            titles.add(item["title"])
            out.append(dict(item, img=item.get("img") or f"thumb_{(len(out) % 6) + 1}.svg"))
    return out


def _linked(item: dict[str, Any]) -> dict[str, Any]:
    """A list item with a link: a real list links every headline to its article; an item the data
    gives no URL gets a 网易号 article URL of its own, derived from its title (so it is stable)."""
    if item.get("url") or not item.get("title"):
        return item
    digest = hashlib.sha1(item["title"].encode()).digest()
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    doc = "".join(alphabet[b % 36] for b in digest[:8]) + "0530JPVV"
    return dict(item, url=f"{LIVE_ORIGIN}/dy/article/{doc}.html")


def recommends(art_id: str) -> list[dict[str, Any]]:
    """相关推荐: the article's own items, then pool headlines up to :data:`RELATED_COUNT` (unless the
    article says its list is complete: the seed page's list is the seed file's)."""
    data = articles()[art_id]
    own = list(_resolve(data.get("recommends", []), "recommends"))
    items = own if data.get("recommends_complete") else _filled(art_id, own, RELATED_COUNT)
    return [_linked(i) for i in items]


def hot_items(art_id: str) -> list[dict[str, Any]]:
    """The 热点推荐 list (in the page, and refreshed by its script from ``/api/hot/<ID>.json``)."""
    return [_linked(i) for i in _filled(art_id, list(_resolve(articles()[art_id].get("hot", []), "hot")), HOT_COUNT)]


def nimg(name: str, thumbnail: str = "140y88", quality: int = 80, key: str = "") -> str:
    """An image as the real page references it: through nimg.ws.126.net, the original in ``url=``.

    ``key`` (an item's title) makes the original's name the item's own (``<8 hex>-thumb_1.svg``), as every
    real list item has its own picture: the replica keeps a few files, the page still asks for one each."""
    if key:
        name = f"{hashlib.sha1(key.encode()).hexdigest()[:8]}-{name}"
    return f"https://nimg.ws.126.net/?url={IMAGE_ORIGIN}{name}&thumbnail={thumbnail}&quality={quality}&type=jpg"


@cache
def site() -> dict[str, Any]:
    """The page furniture shared by every article: the top nav's menus and the footer links."""
    return _load_json(DATA_DIR / "site.json")


def paragraph_id(art_id: str, index: int) -> str:
    """The id a 2024 网易号 page gives body paragraph ``index`` (``<p id="2NOJUF63">``): generated, so
    derived from the article and the position (stable here; churn draws new ones)."""
    digest = hashlib.sha1(f"{art_id}:{index}".encode()).digest()
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return "".join(alphabet[b % 36] for b in digest[:8])


def tie_count(art_id: str) -> int:
    """The 跟贴 count the page fetches after load (``/api/tie/<ID>.json``)."""
    return int(articles()[art_id].get("tie", 0))

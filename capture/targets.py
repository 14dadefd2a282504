"""What to capture: the watchlist (``pages.toml``), ids and URLs from the command line, and URL checks."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .errors import BadInput
from .hosts import HostOverrides, check_host, parse_map
from .sites import Site, default_site, netease


class Mode(StrEnum):
    """How a page is captured: as a reader sees it, or its 关怀版 (elder-care) page."""

    NORMAL = "normal"
    CARE = "care"


MODES = tuple(m.value for m in Mode)
_ARTICLE = re.compile(default_site().article_path_re)
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")


@dataclass(frozen=True)
class Target:
    """One watched article. ``url`` is the canonical (live-site) URL; ``id`` names its bundle folder."""

    id: str
    url: str

    def at(self, base_url: str | None) -> str:
        """The URL to load: ``url`` with its origin replaced by ``base_url`` (ids and paths kept)."""
        return rebase(self.url, base_url)

    def care_url(self, base_url: str | None = None, *, site: Site | None = None) -> str:
        """The 关怀版 URL by the site's URL rule (the last of the recorder's three ways)."""
        site = site or default_site()
        parts = urlsplit(self.at(base_url))
        m = re.match(site.article_path_re, parts.path)
        if m:
            path = netease.article_path(m["channel"], m["id"], care=True, site=site)
        else:  # a path on an allowed host: the default care suffix before .html
            path = re.sub(rf"(?:{site.care_suffix_re})?\.html$", f"{site.care_suffix['*']}.html", parts.path)
        return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def rebase(url: str, base_url: str | None) -> str:
    if not base_url:
        return url
    base = urlsplit(base_url)
    parts = urlsplit(url)
    return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))


def check_id(value: str) -> str:
    """Ids name folders: refuse path separators, ``..`` and anything odd."""
    if not _SAFE_ID.match(value) or ".." in value:
        raise BadInput(f"bad id {value!r}: use letters, digits, '_', '-' or '.' (no path separators or '..')")
    return value


def check_url(url: str, *, allow_hosts: tuple[str, ...] = (), base_url: str | None = None) -> str:
    """A watched URL must be http(s), on a NetEase host (or an allowed one), at an article path."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        _ = parts.port  # raises ValueError on a bad port
    except ValueError as exc:
        raise BadInput(f"malformed URL {url!r}: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise BadInput(f"{url!r} is not an http(s) URL: give a NetEase article URL such as "
                       f"{default_site().live_origin}/dy/article/<ID>.html")
    if not host:
        raise BadInput(f"malformed URL {url!r}: no host")
    hosts = {h.lower() for h in (*default_site().article_hosts, *allow_hosts)}
    if base_url:
        hosts.add((urlsplit(base_url).hostname or "").lower())
    if host not in hosts:
        raise BadInput(f"host {host!r} of {url!r} is not a NetEase host: add --allow-host {host} to watch it")
    if host in default_site().article_hosts and not _ARTICLE.match(parts.path):
        raise BadInput(f"{url!r} is not a NetEase article path ({netease.article_path('<channel>', '<ID>')})")
    return url


def target_for_url(url: str, *, allow_hosts: tuple[str, ...] = (), base_url: str | None = None) -> Target:
    check_url(url, allow_hosts=allow_hosts, base_url=base_url)
    parts = urlsplit(url)
    m = _ARTICLE.match(parts.path)
    if m:
        # A care URL stands for its article; a URL on the replica or a mirror for the live article.
        path = netease.article_path(m["channel"], m["id"])
        origin = urlsplit(default_site().live_origin)[:2] if base_url else (parts.scheme, parts.netloc)
        return Target(m.group("id"), urlunsplit((*origin, path, "", "")))
    slug = re.sub(r"[^A-Za-z0-9]+", "-", f"{parts.hostname}{parts.path}").strip("-")[:80]
    return Target(check_id(slug), url)


def load_watchlist(path: Path) -> list[Target]:
    """Read ``pages.toml``: ``[[page]]`` tables with ``id`` and ``url``. Errors name the line."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadInput(f"watchlist {path} not found: create it or pass ids/URLs on the command line") from None
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"watchlist {path}: {exc}: fix that line") from None
    except UnicodeDecodeError as exc:
        raise BadInput(f"watchlist {path} is not UTF-8 text (byte {exc.start}): save it as UTF-8") from None
    except OSError as exc:
        raise BadInput(f"watchlist {path} cannot be read: {exc.strerror or exc}") from None
    except RecursionError:
        raise BadInput(f"watchlist {path} is nested too deeply to read: a watchlist is [[page]] tables") from None
    load_host_overrides(path, data)  # a bad [hosts] table fails as early as a bad [[page]]
    load_user_agent(path, data)
    allow = data.get("allow_hosts", [])
    if not isinstance(allow, list) or not all(isinstance(h, str) for h in allow):
        raise BadInput(f"watchlist {path}: allow_hosts must be a list of host names")
    pages = data.get("page", [])
    if not isinstance(pages, list):
        raise BadInput(f"watchlist {path}: 'page' must be an array of tables ([[page]])")
    lines = _table_lines(path)
    out: list[Target] = []
    seen: set[str] = set()
    for n, entry in enumerate(pages):
        where = f"watchlist {path}:{lines[n] if n < len(lines) else '?'}"
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not isinstance(entry.get("url"), str):
            raise BadInput(f"{where}: each [[page]] needs a string id and url")
        try:
            check_id(entry["id"])
            check_url(entry["url"], allow_hosts=tuple(allow))
        except BadInput as exc:
            raise BadInput(f"{where}: {exc}") from None
        if entry["id"] in seen:
            raise BadInput(f"{where}: id {entry['id']} is listed twice")
        seen.add(entry["id"])
        out.append(Target(entry["id"], entry["url"]))
    return out


HOST_KEYS = ("allow", "block", "map")


def load_host_overrides(path: Path, data: dict | None = None) -> HostOverrides:
    """The watchlist's ``[hosts]`` table (``allow``/``block`` lists of hosts, ``map`` of HOST = ORIGIN):
    rows in front of the site's host policy. Errors name the line; no file or no table: no rows."""
    if data is None:
        if not path.is_file():
            return HostOverrides()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
            return HostOverrides()  # load_watchlist reports those
    table = data.get("hosts", {})
    lines = _key_lines(path, "hosts")
    where = f"watchlist {path}:{lines.get('', '?')}"
    if not isinstance(table, dict):
        raise BadInput(f"{where}: 'hosts' must be a table ([hosts] with allow, block, map)")
    if unknown := sorted(set(table) - set(HOST_KEYS)):
        raise BadInput(f"{where}: [hosts] has no key {unknown[0]!r}: use allow, block or map")
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("allow", "block"):
        value, at = table.get(key, []), f"watchlist {path}:{lines.get(key, lines.get('', '?'))}"
        if not isinstance(value, list) or not all(isinstance(h, str) for h in value):
            raise BadInput(f"{at}: [hosts] {key} must be a list of host names")
        try:
            lists[key] = tuple(check_host(h, f"[hosts] {key}") for h in value)
        except BadInput as exc:
            raise BadInput(f"{at}: {exc}") from None
    mapping, at = table.get("map", {}), f"watchlist {path}:{lines.get('map', lines.get('', '?'))}"
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        raise BadInput(f"{at}: [hosts] map must be a table of HOST = \"ORIGIN\" "
                       '(e.g. map = {"static.ws.126.net" = "http://127.0.0.1:8001"})')
    try:
        pairs = tuple(parse_map(f"{k}={v}", "[hosts] map") for k, v in mapping.items())
    except BadInput as exc:
        raise BadInput(f"{at}: {exc}") from None
    return HostOverrides(lists["allow"], lists["block"], pairs)


_UA = re.compile(r"[\x20-\x7e]{1,512}")


def check_user_agent(value: str, flag: str = "--user-agent") -> str:
    """A User-Agent header value: printable ASCII on one line (a header cannot carry anything else)."""
    if not isinstance(value, str) or not _UA.fullmatch(value) or not value.strip():
        raise BadInput(f"{flag} {value!r}: give a User-Agent string on one line of printable ASCII, such as "
                       f"{default_site().user_agent!r}")
    return value.strip()


def load_user_agent(path: Path, data: dict | None = None) -> str | None:
    """The watchlist's top-level ``user_agent = "…"`` (in front of the site table's, behind
    ``--user-agent``); None when the file or the key is absent. Errors name the line."""
    if data is None:
        if not path.is_file():
            return None
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
            return None  # load_watchlist reports those
    if "user_agent" not in data:
        return None
    line = next((i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if re.match(r"\s*user_agent\s*=", text)), "?")
    try:
        return check_user_agent(data["user_agent"], "user_agent")
    except BadInput as exc:
        raise BadInput(f"watchlist {path}:{line}: {exc}") from None


def _key_lines(path: Path, table: str) -> dict[str, int]:
    """1-based lines of ``[table]`` (key '') and of each key inside it, for error messages."""
    out: dict[str, int] = {}
    inside = False
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = line.strip()
        if text.startswith("["):
            inside = text.replace(" ", "") == f"[{table}]"
            if inside:
                out[""] = i
            continue
        if inside and (m := re.match(r"([A-Za-z0-9_-]+)\s*=", text)):
            out.setdefault(m.group(1), i)
    return out


def _table_lines(path: Path) -> list[int]:
    """1-based line numbers of each ``[[page]]`` header, for error messages."""
    return [i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if line.strip().startswith("[[page]]")]


#: The site overlay a watchlist's folder may hold (see capture.sites.load).
SITE_OVERLAY = "netease.toml"


def site_overlays(chosen: Path | None, watchlist: Path | None) -> list[Path]:
    """The overlays to layer over the site table: ``--site FILE``, else ``netease.toml`` beside the
    watchlist (``pages.toml``) when there is one, else none."""
    if chosen is not None:
        return [Path(chosen)]
    beside = Path(watchlist).parent / SITE_OVERLAY if watchlist is not None else None
    return [beside] if beside is not None and beside.is_file() else []


def site_overlay_path(chosen: Path | None, watchlist: Path | None) -> Path:
    """Where an overlay is written (``capture repair --apply``): ``--site FILE``, else ``netease.toml``
    beside the watchlist, else in the current folder; the file need not exist yet."""
    if chosen is not None:
        return Path(chosen)
    return (Path(watchlist).parent if watchlist is not None else Path()) / SITE_OVERLAY


def is_url(arg: str) -> bool:
    """Whether a page argument is meant as a URL (then checked as one) rather than an id."""
    return "://" in arg or arg.startswith(("javascript:", "data:", "file:", "mailto:"))


def resolve(args: list[str], watchlist: list[Target], *, allow_hosts: tuple[str, ...] = (),
            base_url: str | None = None, known_as: str = "the watchlist") -> list[Target]:
    """Command-line ids and URLs → targets, the one vocabulary of every subcommand that takes pages.

    No arguments means the whole watchlist. An id must be in ``watchlist`` (``known_as`` names it in
    the error); a URL stands for its article. The same page named twice (by id and by URL) is one target.
    """
    if not args:
        return list(watchlist)
    by_id = {t.id: t for t in watchlist}
    out: dict[str, Target] = {}
    for arg in args:
        if is_url(arg):
            target = target_for_url(arg, allow_hosts=allow_hosts, base_url=base_url)
        elif arg in by_id:
            target = by_id[arg]
        else:
            check_id(arg)
            raise BadInput(f"unknown id {arg!r}: not in {known_as}; pass its article URL "
                           f"({default_site().live_origin}{netease.article_path('<channel>', arg)}) or add it to pages.toml")
        out.setdefault(target.id, target)
    return list(out.values())


def parse_modes(value: str) -> tuple[str, ...]:
    modes = tuple(m.strip() for m in value.split(",") if m.strip())
    bad = [m for m in modes if m not in MODES]
    if bad or not modes:
        raise BadInput(f"bad --modes {value!r}: use normal, care or normal,care")
    return modes

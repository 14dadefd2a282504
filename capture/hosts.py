"""Which hosts a captured page may reach, and which are answered by another origin.

The policy is data: the site table's ``[hosts] rules`` (``Site.host_rules``), with rows put in front of
it by the watchlist (``[hosts]`` in pages.toml) and the command line (``--allow-host``, ``--block-host``),
and a host map (``--map-host HOST=ORIGIN``) whose hosts are served by another origin. The decision for a
host, first match wins: mapped, the page's own host, the command line, the watchlist, the site table,
then ``Site.unknown_host_decision``. At one level a block beats an allow.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from .errors import BadInput
from .sites import Site, default_site
from .sites.model import HostRule

_HOST = re.compile(r"^(?:\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$")
MAP_EXAMPLE = "static.ws.126.net=http://127.0.0.1:8001"


def check_host(value: str, flag: str) -> str:
    """A host name (or ``*.domain``) as the policy stores it: lower case; anything else is one line."""
    host = value.strip().lower()
    if not _HOST.match(host):
        raise BadInput(f"{flag} {value!r}: expected a host name such as static.ws.126.net (or *.126.net)")
    return host


def parse_map(value: str, flag: str = "--map-host") -> tuple[str, str]:
    """``HOST=ORIGIN`` → ``(host, origin)``; the origin is http(s)://host[:port], no path."""
    bad = BadInput(f"{flag} {value!r}: expected HOST=ORIGIN such as {MAP_EXAMPLE}")
    host, sep, origin = value.partition("=")
    if not sep or not _HOST.match(host.strip().lower()) or host.strip().startswith("*."):
        raise bad
    try:
        parts = urlsplit(origin.strip())
        _ = parts.port
    except ValueError:
        raise bad from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/") \
            or parts.query or parts.fragment or parts.username or parts.password:
        raise bad
    return host.strip().lower(), urlunsplit((parts.scheme, parts.netloc.lower(), "", "", ""))


@dataclass(frozen=True)
class HostOverrides:
    """Rows one level (the watchlist, or the command line) puts in front of the site table."""

    allow: tuple[str, ...] = ()
    block: tuple[str, ...] = ()
    map: tuple[tuple[str, str], ...] = ()

    def rows(self, where: str) -> tuple[HostRule, ...]:
        return (*(HostRule(h.lower(), "block", f"blocked by {where}") for h in self.block),
                *(HostRule(h.lower(), "allow", f"allowed by {where}") for h in self.allow))

    def then(self, later: HostOverrides) -> HostOverrides:
        """These overrides in front of ``later``'s (a map of both: these win)."""
        return HostOverrides(self.allow + later.allow, self.block + later.block,
                             tuple({**dict(later.map), **dict(self.map)}.items()))


def _host_regex(pattern: str) -> str:
    """A regex for the host part of a URL, ``*.domain`` meaning the domain and every host under it."""
    if pattern.startswith("*."):
        return rf"(?:[^/?#@:]+\.)?{re.escape(pattern[2:])}"
    return re.escape(pattern)


@dataclass(frozen=True)
class HostPolicy:
    """The decision for every host a page may ask for. ``rules`` first match wins."""

    rules: tuple[HostRule, ...] = field(default_factory=lambda: default_site().host_rules)
    mapped: dict[str, str] = field(default_factory=dict)
    own: frozenset[str] = frozenset()
    default: str = field(default_factory=lambda: default_site().unknown_host_decision)
    #: Hosts another origin answers *if the policy allows them* (``--replica``: the replica answers
    #: every host it knows, but an ad host the policy blocks stays blocked). ``mapped`` always maps.
    answers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, own: Iterable[str], *, cli: HostOverrides = HostOverrides(),
              watchlist: HostOverrides = HostOverrides(), guard: bool = True,
              answers: Iterable[tuple[str, str]] = (), site: Site | None = None) -> HostPolicy:
        """The policy of one capture: ``own`` are the page's hosts. ``guard`` False (no third-party
        block, ``BrowserSettings.block_third_party``) keeps only the overrides: every other host is allowed.
        ``answers`` are ``(host, origin)`` pairs served by the origin when the policy allows the host."""
        site = site or default_site()
        rules = (*cli.rows("the command line"), *watchlist.rows("the watchlist"),
                 *(site.host_rules if guard else ()))
        return cls(rules, dict(cli.then(watchlist).map), frozenset(h.lower() for h in own),
                   site.unknown_host_decision if guard else "allow",
                   {h.lower(): o for h, o in answers})

    def decide(self, host: str) -> str:
        """``map``, ``allow`` or ``block``."""
        host = host.lower()
        if host in self.mapped:
            return "map"
        decision = "allow" if host in self.own else \
            next((r.decision for r in self.rules if r.matches(host)), self.default)
        return "map" if decision == "allow" and host in self.answers else decision

    def route_pattern(self) -> re.Pattern[str]:
        """A URL regex matching every request the guard must see (blocked, mapped, or undecided).

        Matched inside Playwright's driver, so requests to a host that is surely allowed (allowed by a
        row and by no block row anywhere, nor mapped) never make a round trip to Python; the rest are
        decided there by :meth:`decide`. (The regex is also valid JavaScript.)
        """
        sure = sorted({*self.own} - set(self.mapped) - set(self.answers))
        sure_rx = [re.escape(h) for h in sure]
        sure_rx += [_host_regex(r.pattern) for r in self.rules if r.decision == "allow"]
        unsure = [re.escape(h) for h in sorted({*self.mapped, *self.answers})]
        unsure += [_host_regex(r.pattern) for r in self.rules if r.decision == "block"]
        end = r"(?::\d+)?(?:[/?#]|$)"
        own = "|".join(dict.fromkeys(sure_rx)) or "(?!)"
        not_unsure = rf"(?!(?:{'|'.join(unsure)}){end})" if unsure else ""
        return re.compile(rf"^(?!(?:data|blob|about):)(?![a-z][a-z0-9+.-]*://(?:[^/@]*@)?{not_unsure}"
                          rf"(?:{own}){end})", re.IGNORECASE)

    def mapped_url(self, url: str) -> str | None:
        """``url`` on its mapped origin, path and query kept; None if its host is not mapped."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        origin = self.mapped.get(host) or self.answers.get(host)
        if origin is None:
            return None
        base = urlsplit(origin)
        return urlunsplit((base.scheme, base.netloc, parts.path or "/", parts.query, ""))

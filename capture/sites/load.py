"""The site table from ``netease.toml``, with overlays layered over it, validated into ``Site``.

Merge rules (``capture repair`` writes overlays by them, so they are a contract): a table merges key by
key (new keys add; a new generation is tried before the package's); a list in the overlay is tried
before the list at the same key below it, duplicates dropped (so a selector added beside the old one
keeps pages of the old layout working); ``key = { replace = [...] }`` replaces a list; a scalar
replaces. Selectors may say ``{NAME}`` for an entry of ``[selectors]``, looked up after merging.

Every problem is one ``BadInput`` line naming the file, the dotted key and the fix.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from ..errors import BadInput
from .model import CareRules, Fingerprint, Generation, HostRule, Site

PACKAGE_FILE = "netease.toml"
_NAME = re.compile(r"\{([^{}]*)\}")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ATTR = re.compile(r"[-\w:]+")


# --- error messages ---------------------------------------------------------------------------------

def key_path(path: Sequence[str | int]) -> str:
    """``generation.post2020_dy.fields."recommend.title"``, ``hosts.rules[3].decision``: TOML's spelling."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + (part if _BARE_KEY.fullmatch(part) else json.dumps(part, ensure_ascii=False))
    return out


def _toml(value: Any) -> str:
    """A value as TOML writes it (JSON's spelling of strings, lists and numbers is TOML's)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key_path([k])} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _shown(value: Any) -> str:
    text = _toml(value)
    return text if len(text) <= 60 else text[:59] + "…"


class _Layer:
    """One file (or text) of the table: its name for messages and its parsed TOML."""

    def __init__(self, name: str, data: dict[str, Any], package: bool) -> None:
        self.name, self.data, self.package = name, data, package

    def error(self, path: Sequence[str | int], problem: str, fix: str) -> BadInput:
        where = f"{key_path(path)}: " if path else ""
        return BadInput(f"{self.name}: {where}{problem} ({fix})")


def _parse(name: str, text: str, package: bool) -> _Layer:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc).splitlines()[0]
        m = re.search(r"line (\d+)", msg)
        near = ""
        if m and 0 < int(m.group(1)) <= len(lines := text.splitlines()):
            key = re.match(r"\s*(\[+[^\]]*\]+|[^=\s]+)", lines[int(m.group(1)) - 1])
            near = f" near {key.group(1)!s}" if key else ""
        raise BadInput(f"{name}: not valid TOML{near}: {msg} (fix the TOML syntax there)") from None
    return _Layer(name, data, package)


# --- the schema -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Replace:
    """An overlay's ``key = { replace = [...] }``: this list instead of the one below, not before it."""

    items: list[Any]


class _Ctx:
    """What checking a layer needs: the layer, the merged ``[selectors]`` and the package's own values
    (shown in fixes: ``write title = ["h1.post_title"]``)."""

    def __init__(self, layer: _Layer, selectors: Mapping[str, str], package: dict[str, Any]) -> None:
        self.layer, self.selectors, self.package = layer, selectors, package

    def example(self, path: Sequence[str | int], fallback: Any) -> Any:
        """The package's value at ``path`` (at a generation's key: the first generation's that has
        one), interpolated, else ``fallback``."""
        paths = [path]
        if len(path) > 2 and path[0] == "generation":
            paths += [("generation", g, *path[2:]) for g in self.package.get("generation", {})]
        for candidate in paths:
            node: Any = self.package
            for part in candidate:
                if isinstance(node, dict) and part in node:
                    node = node[part]
                elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                    node = node[part]
                else:
                    break
            else:
                return self.readable(node)
        return fallback

    def readable(self, value: Any) -> Any:
        if isinstance(value, str):
            return _NAME.sub(lambda m: self.selectors.get(m.group(1), m.group(0)), value)
        if isinstance(value, list):
            return [self.readable(v) for v in value]
        return value

    def fail(self, path: Sequence[str | int], problem: str, fix: str) -> BadInput:
        return self.layer.error(path, problem, fix)

    def expected(self, path: Sequence[str | int], what: str, got: Any, example: Any, own: bool = False) -> BadInput:
        """``own``: the fix shows ``example`` itself (the user's value, corrected), not the package's."""
        name = next((p for p in reversed(path) if isinstance(p, str)), "key")
        return self.fail(path, f"expected {what}, got {_shown(got)}",
                         f"write {key_path([name])} = {_toml(example if own else self.example(path, example))}")

    def interpolate(self, path: Sequence[str | int], text: str) -> str:
        def name(m: re.Match[str]) -> str:
            key = m.group(1)
            if key not in self.selectors:
                close = difflib.get_close_matches(key, list(self.selectors), n=1)
                hint = f"did you mean {{{close[0]}}}? " if close else ""
                raise self.fail(path, f"unknown selector name {{{key}}} in {_shown(text)}",
                                f"{hint}define {key} under [selectors], or write the selector itself")
            return self.selectors[key]
        return _NAME.sub(name, text)


_PROBE = LexborHTMLParser("<p>")


def _balanced(css: str) -> bool:
    """Brackets, parentheses and quotes closed: Lexbor accepts ``div[class`` and ``a[href="x]``."""
    stack: list[str] = []
    quote = ""
    for ch in css:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[(":
            stack.append("]" if ch == "[" else ")")
        elif ch in "])":
            if not stack or stack.pop() != ch:
                return False
    return not stack and not quote


@cache
def _css_ok(css: str) -> bool:
    if not _balanced(css):
        return False
    try:
        _PROBE.css(css)
    except Exception:  # selectolax raises its own error type on CSS it cannot parse
        return False
    return True


class _Kind:
    """One expected value. ``check`` validates an overlay-or-package value and returns it normalised."""

    what = "a value"
    example: Any = ""

    def check(self, value: Any, path: tuple[str | int, ...], ctx: _Ctx) -> Any:
        raise NotImplementedError


class _Scalar(_Kind):
    def __init__(self, types: type | tuple[type, ...], what: str, example: Any,
                 test: Callable[[Any], str | None] | None = None) -> None:
        self.types, self.what, self.example, self.test = types, what, example, test

    def check(self, value: Any, path: tuple[str | int, ...], ctx: _Ctx) -> Any:
        if not isinstance(value, self.types) or isinstance(value, bool) and bool not in _tuple(self.types):
            raise ctx.expected(path, self.what, value, self.example)
        problem = self.test(value) if self.test else None
        if problem:
            raise ctx.expected(path, f"{self.what} ({problem})", value, self.example)
        return value


def _tuple(t: type | tuple[type, ...]) -> tuple[type, ...]:
    return t if isinstance(t, tuple) else (t,)


def _regex_problem(value: str) -> str | None:
    try:
        re.compile(value)
    except re.error as exc:
        return f"not a regex: {exc}"
    return None


def _one_of(*choices: str) -> Callable[[Any], str | None]:
    return lambda v: None if v in choices else "one of " + ", ".join(choices)


STR = _Scalar(str, "a string", "text")
INT = _Scalar(int, "an integer", 150, lambda v: None if v >= 0 else "0 or more")
SHARE = _Scalar((int, float), "a number from 0 to 1", 0.9, lambda v: None if 0 <= v <= 1 else "0 to 1")
REGEX = _Scalar(str, "a regex", r"\d+", _regex_problem)


class _Selector(_Kind):
    """A CSS selector (``{NAME}`` interpolated; with ``attr``, an optional ``@attribute`` suffix)."""

    what = "a CSS selector"
    example = ".a_class"

    def __init__(self, attr: bool = False, interpolate: bool = True) -> None:
        self.attr, self.interpolate = attr, interpolate

    def check(self, value: Any, path: tuple[str | int, ...], ctx: _Ctx) -> Any:
        if not isinstance(value, str):
            raise ctx.expected(path, self.what, value, self.example)
        css = ctx.interpolate(path, value) if self.interpolate else value
        attr = ""
        if self.attr:
            css, _, attr = css.partition("@")
        if not css.strip() or not _css_ok(css):
            raise ctx.fail(path, f"{_shown(value)} is not a CSS selector"
                           + (f" (it reads {_shown(css)})" if css != value else ""),
                           'write a selector such as "h1.post_title"' + (' or "body@aria-url"' if self.attr else ""))
        if self.attr and "@" in value and not _ATTR.fullmatch(attr):
            raise ctx.fail(path, f"{_shown(value)}: {attr!r} after @ is not an attribute name",
                           'write "selector@attribute", e.g. "html[data-publishtime]@data-publishtime"')
        return value


class _List(_Kind):
    """A list of ``item``s; in an overlay also ``{ replace = [...] }``."""

    def __init__(self, item: _Kind, what: str, example: list[Any]) -> None:
        self.item, self.what, self.example = item, what, example

    def check(self, value: Any, path: tuple[str | int, ...], ctx: _Ctx) -> Any:
        if isinstance(value, dict) and set(value) == {"replace"} and not ctx.layer.package:
            return _Replace(self.check(value["replace"], path, ctx))
        if not isinstance(value, list):
            own = isinstance(value, str) and isinstance(self.example[0], str)
            raise ctx.expected(path, self.what, value, [value] if own else self.example, own=own)
        return [self.item.check(v, (*path, i), ctx) for i, v in enumerate(value)]


class _Table(_Kind):
    """A table of known keys; ``required`` ones must be there once every layer is merged."""

    what = "a table"

    def __init__(self, keys: dict[str, _Kind], required: Sequence[str] = (), example: Any = None,
                 row: bool = False) -> None:
        self.keys, self.required, self.row = keys, frozenset(required), row
        self.example = example if example is not None else {k: self.keys[k].example for k in list(self.keys)[:1]}

    def check(self, value: Any, path: tuple[str | int, ...], ctx: _Ctx) -> Any:
        if not isinstance(value, dict):
            raise ctx.expected(path, self.what, value, self.example)
        out = {}
        for key, sub in value.items():
            kind = self.keys.get(key)
            if kind is None:
                close = difflib.get_close_matches(key, list(self.keys), n=1)
                hint = f"did you mean {close[0]}? " if close else ""
                raise ctx.fail((*path, key), "unknown key", f"{hint}known keys here: {', '.join(self.keys)}")
            out[key] = kind.check(sub, (*path, key), ctx)
        for key in sorted(self.required - set(value)) if self.row else ():  # a row is whole in its own file
            raise ctx.fail(path, f"missing key {key}", f"add {key_path([key])} = {_toml(self.keys[key].example)}")
        return out


class _Map(_Kind):
    """A table of any keys (names, or selectors with ``key``), each holding a ``value``."""

    what = "a table"

    def __init__(self, value: _Kind, key: _Kind | None = None, example: Any = None) -> None:
        self.value, self.key = value, key
        self.example = example if example is not None else {"name": value.example}

    def check(self, value: Any, path: tuple[str | int, ...], ctx: _Ctx) -> Any:
        if not isinstance(value, dict):
            raise ctx.expected(path, self.what, value, self.example)
        for key in value:
            if self.key is not None:
                self.key.check(key, (*path, key), ctx)
        return {k: self.value.check(v, (*path, k), ctx) for k, v in value.items()}


SEL = _Selector()
SELS = _List(SEL, "a list of CSS selectors", [".a_class"])
FIELD_SELS = _List(_Selector(attr=True), "a list of CSS selectors", [".a_class"])
STRS = _List(STR, "a list of strings", ["text"])
REGEXES = _List(REGEX, "a list of regexes", [r"\d+"])
BOUNDS = _List(INT, "[min, max]", [0, 60])

_GENERATION = _Table({
    "mode": _Scalar(str, "a mode", "normal", _one_of("normal", "care")),
    "extends": _Scalar(str, "a generation name", "post2020_cms"),
    "fingerprint": _Table({"all": SELS, "any": SELS}, example={"all": [".post_main"]}),
    "fields": _Map(FIELD_SELS, example={"title": ["h1.post_title"]}),
    "required": STRS,
    "regions": _Map(STRS, key=SEL, example={".post_main": ["title", "body"]}),
})

SCHEMA = _Table({
    "selectors": _Map(_Selector(interpolate=False), example={"POST_BODY": ".post_body"}),
    "site": _Table({
        "live_origin": _Scalar(str, "an origin", "https://www.163.com",
                               lambda v: None if re.fullmatch(r"https?://[^/\s]+", v) else "like https://www.163.com"),
        "user_agent": STR,
        "article_hosts": STRS,
        "care_aria_url_attr": STR,
        "block_page_markers": STRS,
        "care_suffix": _Map(STR, example={"*": "_pa11y"}),
    }, required=("live_origin", "user_agent", "article_hosts", "care_aria_url_attr", "block_page_markers",
                 "care_suffix")),
    "hosts": _Table({
        "unknown": _Scalar(str, "a decision", "block", _one_of("allow", "block")),
        "rules": _List(_Table({
            "pattern": _Scalar(str, "a host or *.domain", "www.163.com",
                               lambda v: None if re.fullmatch(r"(\*\.)?[a-z0-9.-]+", v) else "lower-case host or *.domain"),
            "decision": _Scalar(str, "a decision", "allow", _one_of("allow", "block")),
            "reason": STR,
        }, required=("pattern", "decision", "reason"), row=True), "a list of host rules",
            [{"pattern": "cdn.example.com", "decision": "allow", "reason": "why"}]),
    }, required=("unknown", "rules")),
    "generation": _Map(_GENERATION, example={"my_gen": {"mode": "normal"}}),
    "care": _Table({
        "title": FIELD_SELS,
        "body_containers": SEL,
        "paragraph": SEL,
        "info_containers": SEL,
        "info_max_chars": INT,
        "crumb_separator": STR,
        "otitle": REGEX,
        "min_paragraph_share": SHARE,
        "same_fields": STRS,
    }, required=("title", "body_containers", "paragraph", "info_containers", "info_max_chars",
                 "crumb_separator", "otitle", "min_paragraph_share", "same_fields")),
    "care_fields": _Map(FIELD_SELS, example={"wza": ["#cniil_wza"]}),
    "readiness": _Table({"quiet_ms": INT}, required=("quiet_ms",)),
    "dates": _Table({"date": REGEX, "clock": REGEX, "published_format": STR, "utc_offset": STR},
                    required=("date", "clock", "published_format", "utc_offset")),
    "labels": _Table({"editor": REGEX, "author": REGEX, "source": REGEX}, required=("editor", "author", "source")),
    "field_formats": _Map(STR, example={"title": "some text"}),
    "volatile": _Table({
        "fields": _List(_Table({
            "path": STR,
            "kind": _Scalar(str, "a kind", "list", _one_of("count", "list", "time")),
            "bounds": BOUNDS,
            "why": STR,
        }, required=("path", "kind", "why"), row=True), "a list of volatile fields",
            [{"path": "tie_count", "kind": "count", "why": "why"}]),
        "location_modules": STRS,
        "lists": SELS,
        "list_elements": SELS,
        "screenshot_mask": SELS,
        "screenshot_list_height": INT,
        "text_regions": _Map(BOUNDS, example={"top": [1, 4]}),
    }, required=("fields", "location_modules", "lists", "list_elements", "screenshot_mask", "screenshot_list_height",
                 "text_regions")),
    "fallback": _Table({"normal": STR, "care": STR}, required=("normal", "care")),
    "text_regions": _Map(_Map(SELS, example={"body": [".post_body"]}), example={"my_gen": {"body": [".post_body"]}}),
    "skeleton_regions": _Map(_Map(SELS, example={"body": [".post_body"]}), example={"my_gen": {"body": [".post_body"]}}),
    "skeleton": _Table({
        "volatile_classes": STRS,
        "random_class": REGEX,
        "generated_ids": REGEXES,
        "item_sets": SELS,
        "unordered": STRS,
        "skip": _List(_Table({"css": SEL, "why": STR}, required=("css", "why"), row=True), "a list of skipped subtrees",
                      [{"css": ".ad", "why": "why"}]),
    }, required=("volatile_classes", "random_class", "generated_ids", "item_sets", "unordered", "skip")),
}, required=("selectors", "site", "hosts", "generation", "care", "care_fields", "readiness", "dates", "labels",
             "field_formats", "volatile", "fallback", "text_regions", "skeleton_regions", "skeleton"))


# --- merging ----------------------------------------------------------------------------------------

def _merge(base: Any, over: Any, path: tuple[str, ...] = ()) -> Any:
    """``over`` layered on ``base`` by the module's rules (lists: over's first, duplicates dropped)."""
    if isinstance(over, _Replace):
        return list(over.items)
    if isinstance(base, dict) and isinstance(over, dict):
        if path == ("generation",):  # a new generation is tried before the ones below it
            out = {k: v for k, v in over.items() if k not in base}
            out.update(base)
        else:
            out = dict(base)
        for key, value in over.items():
            out[key] = _merge(base[key], value, (*path, key)) if key in base else value
        return out
    if isinstance(base, list) and isinstance(over, list):
        out = list(over)
        out.extend(v for v in base if v not in out)
        return out
    return over


def _plain(value: Any) -> Any:
    """A merged value with its ``_Replace`` markers (nothing left below them to replace) made plain lists."""
    if isinstance(value, _Replace):
        return list(value.items)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _has(data: dict[str, Any], path: Sequence[str]) -> bool:
    node: Any = data
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


# --- building the Site ------------------------------------------------------------------------------

class _Builder:
    """The merged table into a ``Site``; errors name the last layer that set the key at fault."""

    def __init__(self, layers: list[_Layer], data: dict[str, Any], checked: list[dict[str, Any]]) -> None:
        # Generations keep overlays' ``replace`` markers until ``extends`` is resolved (a replace must
        # win over the extended generation's list too); everything else reads plain lists.
        self.raw_generations: dict[str, Any] = data.get("generation", {})
        self.layers, self.data, self.checked = layers, _plain(data), checked
        self.selectors: dict[str, str] = self.data.get("selectors", {})

    def fail(self, path: Sequence[str], problem: str, fix: str) -> BadInput:
        for layer, checked in zip(reversed(self.layers), reversed(self.checked), strict=True):
            if _has(checked, path):
                return layer.error(path, problem, fix)
        return self.layers[0].error(path, problem, fix)

    def sel(self, css: str) -> str:
        return _NAME.sub(lambda m: self.selectors[m.group(1)], css)

    def sels(self, values: Sequence[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.sel(v) for v in values))

    def required(self, kind: _Table, value: dict[str, Any], path: tuple[str, ...]) -> None:
        for key in sorted(kind.required - set(value)):
            sub = kind.keys[key]
            raise self.fail(path, f"missing key {key}", f"add {key_path([key])} = {_toml(sub.example)}")

    def generations(self) -> tuple[Generation, ...]:
        raw: dict[str, dict[str, Any]] = self.raw_generations
        resolved: dict[str, dict[str, Any]] = {}

        def resolve(name: str, seen: tuple[str, ...]) -> dict[str, Any]:
            if name in resolved:
                return resolved[name]
            entry = raw[name]
            base_name = entry.get("extends")
            if base_name is not None:
                if base_name not in raw:
                    raise self.fail(("generation", name, "extends"), f"no generation {base_name!r} to extend",
                                    f"use one of: {', '.join(raw)}")
                if base_name in seen:
                    raise self.fail(("generation", name, "extends"), f"extends itself through {' -> '.join(seen)}",
                                    "remove the loop")
                base = resolve(base_name, (*seen, name))
                inherited = {k: base[k] for k in ("mode", "fields", "required", "regions") if k in base}
                entry = _merge(inherited, {k: v for k, v in entry.items() if k != "extends"})
            resolved[name] = entry = _plain(entry)
            return entry

        out = []
        for name in raw:
            entry = resolve(name, (name,))
            path = ("generation", name)
            for key in ("mode", "fingerprint", "fields", "required"):
                if key not in entry:
                    raise self.fail(path, f"missing key {key}",
                                    f"add {key_path([key])} = {_toml(_GENERATION.keys[key].example)} "
                                    "or extends = \"<generation>\"")
            fp = entry["fingerprint"]
            if not fp.get("all") and not fp.get("any"):
                raise self.fail((*path, "fingerprint"), "a fingerprint with no selectors matches every page",
                                'write fingerprint.all = [".a_marker_of_this_layout"]')
            fields = MappingProxyType({k: self.sels(v) for k, v in entry["fields"].items()})
            for field in entry["required"]:
                if field not in fields:
                    raise self.fail((*path, "required"), f"required field {field!r} has no selectors",
                                    f"add fields.{key_path([field])} = [\"…\"] or drop {field!r} from required")
            out.append(Generation(
                name=name, mode=entry["mode"],
                fingerprint=Fingerprint(all=self.sels(fp.get("all", ())), any=self.sels(fp.get("any", ()))),
                fields=fields, required=frozenset(entry["required"]),
                regions=MappingProxyType({self.sel(k): tuple(v) for k, v in entry.get("regions", {}).items()}),
            ))
        return tuple(out)

    def site(self) -> Site:
        d = self.data
        self.required(SCHEMA, d, ())
        for key, kind in SCHEMA.keys.items():
            if isinstance(kind, _Table):
                self.required(kind, d[key], (key,))
        generations = self.generations()
        by_name = {g.name: g for g in generations}
        fallback = d["fallback"]
        care_name = fallback["care"]
        if fallback["normal"] not in by_name or by_name[fallback["normal"]].mode != "normal":
            raise self.fail(("fallback", "normal"), f"{fallback['normal']!r} is no normal-page generation",
                            f"use one of: {', '.join(g.name for g in generations if g.mode == 'normal')}")
        text, skeleton, optional = self.regions(by_name, care_name)
        self.patterns()
        care = d["care"]
        formats = {"published": d["dates"]["published_format"], **d["field_formats"]}
        return Site(
            sources=tuple(layer.name for layer in self.layers),
            selectors=MappingProxyType(dict(self.selectors)),
            live_origin=d["site"]["live_origin"],
            user_agent=d["site"]["user_agent"],
            article_hosts=tuple(d["site"]["article_hosts"]),
            care_suffix=MappingProxyType(self.care_suffix()),
            care_aria_url_attr=d["site"]["care_aria_url_attr"],
            block_page_markers=tuple(d["site"]["block_page_markers"]),
            host_rules=tuple(HostRule(r["pattern"], r["decision"], r["reason"]) for r in d["hosts"]["rules"]),
            unknown_host_decision=d["hosts"]["unknown"],
            generations=generations,
            care=CareRules(title=self.sels(care["title"]), body_containers=self.sel(care["body_containers"]),
                           paragraph=self.sel(care["paragraph"]), info_containers=self.sel(care["info_containers"]),
                           info_max_chars=care["info_max_chars"], crumb_separator=care["crumb_separator"],
                           otitle=care["otitle"], min_paragraph_share=float(care["min_paragraph_share"]),
                           same_fields=tuple(care["same_fields"])),
            care_fields=MappingProxyType({k: self.sels(v) for k, v in d["care_fields"].items()}),
            ready_quiet_ms=d["readiness"]["quiet_ms"],
            date_pattern=d["dates"]["date"], clock_pattern=d["dates"]["clock"],
            published_format=d["dates"]["published_format"], page_utc_offset=d["dates"]["utc_offset"],
            editor_label=d["labels"]["editor"], author_label=d["labels"]["author"], source_label=d["labels"]["source"],
            field_formats=MappingProxyType(formats),
            volatile_fields=tuple((f["path"], f["kind"], tuple(f["bounds"]) if "bounds" in f else None, f["why"])
                                  for f in d["volatile"]["fields"]),
            location_modules=tuple(d["volatile"]["location_modules"]),
            volatile_lists=self.sels(d["volatile"]["lists"]),
            volatile_list_elements=self.sels(d["volatile"]["list_elements"]),
            screenshot_mask=self.sels(d["volatile"]["screenshot_mask"]),
            screenshot_list_height=d["volatile"]["screenshot_list_height"],
            volatile_text_regions=MappingProxyType({k: tuple(v) for k, v in d["volatile"]["text_regions"].items()}),
            fallback_generation=MappingProxyType(dict(fallback)),
            text_regions=text, skeleton_regions=skeleton, skeleton_optional=optional,
            skeleton_volatile_classes=tuple(d["skeleton"]["volatile_classes"]),
            skeleton_random_class=d["skeleton"]["random_class"],
            skeleton_generated_ids=tuple(d["skeleton"]["generated_ids"]),
            skeleton_skip=tuple((self.sel(s["css"]), s["why"]) for s in d["skeleton"]["skip"]),
            skeleton_item_sets=self.sels(d["skeleton"]["item_sets"]),
            skeleton_unordered=tuple(d["skeleton"]["unordered"]),
        )

    def patterns(self) -> None:
        """The regexes the code reads groups of: a date's year, month and day, a clock's hour, minute
        and second (iso_time), a label's value (group 1)."""
        d = self.data
        for key, groups in (("date", ("year", "month", "day")), ("clock", ("hour", "minute", "second"))):
            lacking = [g for g in groups if g not in re.compile(d["dates"][key]).groupindex]
            if lacking:
                raise self.fail(("dates", key), f"the regex has no group {', '.join(lacking)}",
                                f"name them (?P<{lacking[0]}>...) as the package's {key} does")
        for key in ("editor", "author", "source"):
            if re.compile(d["labels"][key]).groups < 1:
                raise self.fail(("labels", key), "the regex captures nothing", r"put the value in a group: 作者\s*[:：]\s*(\S+)")

    def care_suffix(self) -> dict[str, str]:
        suffix = dict(self.data["site"]["care_suffix"])
        if "*" not in suffix:
            raise self.fail(("site", "care_suffix"), 'no "*" entry for the channels not listed',
                            'add "*" = "_pa11y"')
        return suffix

    def regions(self, by_name: Mapping[str, Generation], care_name: str) -> tuple[Any, Any, frozenset]:
        """text_regions and skeleton_regions per generation (a generation that ``extends`` another starts
        from that one's; one with no entry at all reads its crumb, title and body fields), and the
        skeleton roots overlays added (optional where absent)."""
        d = self.data
        known = [*by_name, care_name]
        for table in ("text_regions", "skeleton_regions"):
            for name in d[table]:
                if name not in known:
                    close = difflib.get_close_matches(name, known, n=1)
                    raise self.fail((table, name), f"no generation {name!r}",
                                    f"{'did you mean ' + close[0] + '? ' if close else ''}use one of: {', '.join(known)}")
        if care_name not in d["text_regions"]:
            raise self.fail(("fallback", "care"), f"{care_name!r} has no text_regions entry",
                            f"add [text_regions.{care_name}] page = [\"body\"]")
        text: dict[str, tuple[tuple[str, str], ...]] = {}
        skeleton: dict[str, Mapping[str, tuple[str, ...]]] = {}
        def entry(table: str, name: str, data: dict[str, Any] = d) -> dict[str, Any] | None:
            own = data.get(table, {}).get(name)
            base = data.get("generation", {}).get(name, {}).get("extends")
            inherited = entry(table, base, data) if base else None
            return _plain(own if inherited is None else inherited if own is None else _merge(inherited, own))

        for name in known:
            gen = by_name.get(name)
            own = entry("text_regions", name)
            if own is None:
                own = {r: [gen.fields[f][0]] for r, f in (("crumb", "crumb"), ("title", "title"), ("body", "body"))
                       if gen is not None and gen.fields.get(f)}
            text[name] = tuple((region, ", ".join(self.sels(sels))) for region, sels in own.items())
            sk = entry("skeleton_regions", name)
            if sk is None:
                regions = dict(own)
                sk = {r: v for r, v in (("crumb", regions.get("crumb")),
                                        ("title-info", [*regions.get("title", []), *regions.get("info", [])]),
                                        ("body", regions.get("body"))) if v}
            skeleton[name] = MappingProxyType({region: self.sels(sels) for region, sels in sk.items()})
        # Roots an overlay added beside the package's own (those of the package's file, extends resolved).
        optional = set()
        for gen, regions in skeleton.items():
            package = entry("skeleton_regions", gen, self.checked[0]) or {}
            for region, sels in regions.items():
                own = set(self.sels(package.get(region, [])))
                if own & set(sels):
                    optional.update((gen, region, css) for css in sels if css not in own)
        return MappingProxyType(text), MappingProxyType(skeleton), frozenset(optional)


def _package_text() -> str:
    return resources.files(__package__).joinpath(PACKAGE_FILE).read_text(encoding="utf-8")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput(f"{path}: no such site overlay (give an existing TOML file to --site)") from None
    except UnicodeDecodeError:
        raise BadInput(f"{path}: not UTF-8 text (save the overlay as UTF-8 TOML)") from None
    except OSError as exc:
        raise BadInput(f"{path}: cannot read the site overlay: {exc.strerror or exc}") from None


def build(layers: list[_Layer]) -> Site:
    """Validate every layer (against the selectors merged over all of them), merge, build."""
    selectors: dict[str, Any] = {}
    package = layers[0].data
    for layer in layers:  # [selectors] first: every other key is read through them
        raw = layer.data.get("selectors", {})
        SCHEMA.keys["selectors"].check(raw, ("selectors",), _Ctx(layer, {}, package))
        selectors.update(raw)
    checked: list[dict[str, Any]] = []
    for layer in layers:
        ctx = _Ctx(layer, {k: v for k, v in selectors.items() if isinstance(v, str)}, package)
        checked.append(SCHEMA.check(layer.data, (), ctx))
    merged: dict[str, Any] = {}
    for data in checked:
        merged = _merge(merged, data)
    return _Builder(layers, merged, checked).site()


def load_site(overlays: Sequence[Path] = (), *, texts: Sequence[str] = ()) -> Site:
    """The package table with the overlay files, then the overlay TOML ``texts`` (in-memory, named
    ``<overlay N>`` in errors), merged in order. Raises ``BadInput`` (one line) on any problem."""
    if not overlays and not texts:
        return default_site()
    layers = [_parse(PACKAGE_FILE, _package_text(), package=True)]
    layers += [_parse(str(p), _read(Path(p)), package=False) for p in overlays]
    layers += [_parse(f"<overlay {i + 1}>", t, package=False) for i, t in enumerate(texts)]
    return build(layers)


@cache
def default_site() -> Site:
    """The package's own table (loaded once)."""
    return build([_parse(PACKAGE_FILE, _package_text(), package=True)])


def table_from_text(text: str, name: str = PACKAGE_FILE) -> Site:
    """A whole table (not an overlay) from TOML text: for proving an edit of the package file."""
    return build([_parse(name, text, package=True)])

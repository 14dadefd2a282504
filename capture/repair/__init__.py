"""``capture repair``: from "the layout changed" to "here is the fix", proposed and verified.

For each page and mode of the last check whose extraction no longer matches its golden:

- **search** the new capture's ``dom.html`` for the elements holding the golden's values;
- **propose** the smallest robust selector for each broken field, as an overlay addition tried before
  the package's selectors (so pages of the old layout keep reading as before);
- **verify** it: the new capture re-extracted with it gives the golden's title, time and source and
  its body (character F1 >= 0.99), and the golden's own page re-extracted with it reads as before;
- **report** it as a unified diff of the overlay with those figures.

The golden's own page is the stored bundle (``<snapshots>/captures/<id>/<mode>``, which ``capture
check`` leaves alone) when its extraction is the golden's; on the replica, else, the replica's page
served without drift. Without either, a proposal cannot be verified and is rejected.

Content is not layout: an edited paragraph, a value no element holds any more, or text inserted into a
body paragraph gets no selector; a block inserted into the body (an ad) gets a ``body_skip`` exclusion.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import bundle as bundle_mod
from .. import goldens
from ..errors import CaptureError, CorruptFile, LayoutNotRecognized, MissingField
from ..extract.accuracy import char_f1
from ..report import CheckReport, PageResult
from ..sites import Site, merge_overlay_text, using
from ..volatile import canonical_origin, mask_article
from . import search
from .site import Table, generation

#: Body character F1 a repaired extraction must reach against the golden.
MIN_BODY_F1 = 0.99
#: Extraction keys compared field by field with the golden (url and mode say where, not what).
_IGNORED = ("url", "mode")
#: Extraction key -> the table fields that produce it, tried in this order.
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title",), "published": ("published",), "source": ("source",), "place": ("place",),
    "crumb": ("crumb",), "blocks": ("body",), "otitle": ("otitle",), "editor": ("editor",),
    "author": ("author", "author_text"), "side_modules": ("side_title",), "share": ("share",),
    "recommendations": ("recommend_tab", "recommend_panel"), "yuanchuang": ("yuanchuang",),
    "accessibility": ("care_link", "care_url", "wza"), "tie_count": ("tie_count",),
}
FIELD_KEY = {f: k for k, fields in KEY_FIELDS.items() for f in fields}
#: Text and skeleton regions named after the field whose element they read.
_REGION_OF = {"body": "body", "crumb": "crumb", "title": "title"}
#: Most candidate selectors tried per field.
MAX_CANDIDATES = 60


@dataclass
class FieldRepair:
    """One selector added for one table field of one generation."""

    generation: str
    field: str
    selector: str
    old: tuple[str, ...]
    found: str  # the element holding the golden value, e.g. "div.post_body_v2"
    kind: str = "selector"  # "selector" | "exclusion" (body_skip: a block the body must not read)

    @property
    def key(self) -> str:
        return f"generation.{self.generation}.fields.{self.field}"


@dataclass
class Verification:
    """The figures a proposal is accepted on."""

    title: bool = False
    published: bool = False
    source: bool = False
    body_f1: float = 0.0
    remaining: list[str] = field(default_factory=list)  # extraction keys still unlike the golden
    reference: str = ""  # which copy of the golden's page it was checked on
    reference_unchanged: bool | None = None  # None: no copy to check on
    reference_changes: list[str] = field(default_factory=list)

    @property
    def content_ok(self) -> bool:
        return self.title and self.published and self.source and self.body_f1 >= MIN_BODY_F1

    @property
    def accepted(self) -> bool:
        return self.content_ok and self.reference_unchanged is True

    def line(self) -> str:
        mark = {True: "=", False: "≠"}
        ref = ("golden page not checked: " + self.reference if self.reference_unchanged is None else
               f"golden page ({self.reference}) " + ("reads as before" if self.reference_unchanged else
                                                     "would change: " + ", ".join(self.reference_changes)))
        rest = f"; still unlike the golden: {', '.join(self.remaining)}" if self.remaining else ""
        return (f"new capture: title {mark[self.title]} time {mark[self.published]} source {mark[self.source]} "
                f"body F1 {self.body_f1:.3f}; {ref}{rest}")


@dataclass
class PageRepair:
    """What the repair found for one page and mode."""

    id: str
    mode: str
    url: str
    #: repaired | partial (some fields left) | rejected (failed verification) | content (no layout
    #: difference to repair) | unrepaired (layout, but no selector found) | nothing-broken
    status: str
    broken: list[str] = field(default_factory=list)  # extraction keys unlike the golden
    repairs: list[FieldRepair] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    verification: Verification | None = None
    diff: str = ""

    @property
    def verified(self) -> bool:
        return bool(self.repairs) and self.verification is not None and self.verification.accepted

    @property
    def fails(self) -> bool:
        """Broken and not (fully) repaired."""
        return self.status not in ("repaired", "nothing-broken")

    def addition(self) -> dict[str, Any]:
        return addition_of(self.repairs)


def addition_of(repairs: list[FieldRepair], site: Site | None = None) -> dict[str, Any]:
    """The overlay addition (nested dict, the package table's shape) of some field repairs: each field's
    selector, and the text/skeleton region reading the same element."""
    out: dict[str, Any] = {}
    for r in repairs:
        fields = out.setdefault("generation", {}).setdefault(r.generation, {}).setdefault("fields", {})
        fields.setdefault(r.field, [])
        if r.selector not in fields[r.field]:
            fields[r.field].append(r.selector)
        region = _REGION_OF.get(r.field)
        if region is None or r.kind != "selector":
            continue
        from ..sites import current

        table = site or current()
        old = r.old[0] if r.old else None
        text = {(name, css) for name, joined in table.text_regions.get(r.generation, ())
                for css in joined.split(", ")}
        if old and (region, old) in text:
            sels = out.setdefault("text_regions", {}).setdefault(r.generation, {}).setdefault(region, [])
            sels.append(r.selector) if r.selector not in sels else None
        if old and old in table.skeleton_regions.get(r.generation, {}).get(region, ()):
            sels = out.setdefault("skeleton_regions", {}).setdefault(r.generation, {}).setdefault(region, [])
            sels.append(r.selector) if r.selector not in sels else None
    return out


def overlay_diff(existing: str, addition: dict[str, Any], name: str) -> str:
    """A unified diff of the overlay file before and after ``addition``."""
    after = merge_overlay_text(existing, addition)
    return "".join(difflib.unified_diff(existing.splitlines(keepends=True), after.splitlines(keepends=True),
                                        fromfile=f"a/{name}", tofile=f"b/{name}"))


# --- reading -------------------------------------------------------------------------------------

def masked(html: str | bytes, url: str, mode: str, base_url: str | None, site: Site | Table) -> dict[str, Any]:
    """The extraction of ``html`` with ``site``'s table, as a golden keeps it (origin made www.163.com,
    volatile values masked)."""
    from ..extract import extract

    with using(site.site() if isinstance(site, Table) else site):
        article = extract(html, url, mode=mode)
    return mask_article(json.loads(canonical_origin(article.to_json(), base_url)))


def differing(golden: dict[str, Any], data: dict[str, Any]) -> list[str]:
    return [k for k in golden if k not in _IGNORED and golden.get(k) != data.get(k)]


def _body_text(data: dict[str, Any]) -> str:
    parts = [data.get("otitle") or ""]
    for b in data.get("blocks") or []:
        parts.append(b.get("text") or b.get("caption") or "")
    return search.nows("".join(parts))


def _paragraphs(data: dict[str, Any]) -> list[str]:
    return [b["text"] for b in data.get("blocks") or [] if b.get("type") == "p" and b.get("text")]


def _short(value: Any, limit: int = 40) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _value(key: str, data: dict[str, Any]) -> str:
    """A golden value as a report quotes it: module titles, tab labels, the care URL, else the value."""
    value = data.get(key)
    if key == "side_modules":
        return "modules " + " · ".join(m.get("title", "") for m in value or [])
    if key == "recommendations":
        return "tabs " + " · ".join(value or {})
    if key == "accessibility" and isinstance(value, dict):
        return f"care_url {value.get('care_url')}"
    if isinstance(value, dict) and "volatile" in value:
        return f"a volatile list, {value.get('count')}"
    return _short(value)


def _gone_items(page: search.Page, key: str, golden: dict[str, Any]) -> list[str]:
    """The golden's side-module titles or recommendation tabs that no element of the page shows."""
    value = golden.get(key)
    if key == "side_modules":
        names = [m.get("title", "") for m in value or []]
    elif key == "recommendations":
        names = list(value or {})
    else:
        return []
    return [repr(n) for n in names if n and page.containing(n, exact=True) is None]


def find_value(page: search.Page, key: str, golden: dict[str, Any]) -> Any:
    """The element of the new capture that holds the golden's value of ``key``, or None."""
    from ..sites.netease import iso_time

    value = golden.get(key)
    if value in (None, "", [], {}):
        return None
    if key == "blocks":
        paras = _paragraphs(golden)
        return page.in_order([paras[0], paras[-1]]) if paras else None
    if key == "crumb":
        return page.in_order(list(value))
    if key == "source":
        name = value.get("name") if isinstance(value, dict) else None
        for node in page.tree.css("a"):
            if search.nows(node.text(deep=True)) == search.nows(name) and name:
                return node
        return page.containing(name or "")
    if key == "published":
        return page.deepest(lambda t: iso_time(t) == value) or page.with_attribute(str(value)[:10])
    if key == "side_modules":
        titles = [m.get("title") for m in value if m.get("title")]
        return page.containing(titles[0], exact=True) if titles else None
    if key == "recommendations":
        labels = [k for k in value if k]
        return page.containing(labels[0], exact=True) if labels else None
    if key == "accessibility":
        url = value.get("care_url") if isinstance(value, dict) else None
        return page.with_attribute(url.split("://", 1)[-1].split("/", 1)[-1]) if url else None
    if isinstance(value, str):
        return page.containing(value, exact=True) or page.containing(value)
    return None


def _reads(page: search.Page, node: Any, sels: tuple[str, ...]) -> bool:
    """Whether the table's current selectors already reach ``node`` (so a different value is content)."""
    for sel in sels:
        css = sel.partition("@")[0]
        try:
            matches = {n.mem_id for n in page.tree.css(css)}
        except Exception:  # noqa: BLE001 (an exotic selector lexbor refuses: it reaches nothing)
            continue
        if any(n.mem_id in matches for n in (node, *search.ancestors(node, 3))):
            return True
    return False


# --- one page ------------------------------------------------------------------------------------

@dataclass
class Case:
    """One broken page and mode: the new capture, its golden and the copies of the golden's page."""

    id: str
    mode: str
    url: str
    html: bytes
    base_url: str | None
    golden: dict[str, Any]
    references: list[tuple[str, bytes, str, str | None]]  # (label, html, url, base_url)
    rejected: list[str] = field(default_factory=list)  # candidates that would change the golden's page

    def reference_changes(self, base: Table, site: Site) -> tuple[str, list[str] | None]:
        """(which copy of the golden's page, what ``site`` changes in its extraction against ``base``);
        None: no copy of the golden's layout to check on."""
        for label, html, url, base_url in self.references:
            try:
                before = masked(html, url, self.mode, base_url, base)
            except CaptureError:
                continue  # not a page of the golden's layout
            try:
                after = masked(html, url, self.mode, base_url, site)
            except CaptureError as exc:
                return label, [f"extraction fails: {search.nows(str(exc))[:60]}"]
            return label, [f"{k} {_short(before.get(k), 24)} → {_short(after.get(k), 24)}"
                           for k in differing(before, after) + [k for k in after if k not in before]]
        return "", None


def _layer_on(base: Table, addition: dict[str, Any]) -> Site:
    return base.plus(addition).site()


def _renamed(table: Any, lost: str, new: str, page: search.Page, skip: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """Every other field of ``table`` naming the class ``lost``, with ``new`` in its place where that
    reaches an element of the page: a renamed class is renamed in every selector that names it."""
    out = []
    for fname, sels in table.fields.items():
        if fname == skip:
            continue
        for sel in sels:
            css, _, attr = sel.partition("@")
            new_css = search.rename(css, lost, new)
            if new_css == css:
                continue
            try:
                reaches = page.tree.css_first(new_css) is not None
            except Exception:  # noqa: BLE001 (lexbor refuses the selector: it reaches nothing)
                reaches = False
            if reaches:
                out.append((fname, new_css + (f"@{attr}" if attr else ""), sels))
                break
    return out


def _try_field(case: Case, base: Table, repairs: list[FieldRepair], table: Any, fname: str, key: str,
               node: Any, page: search.Page) -> list[FieldRepair]:
    """The first candidate selector that makes ``key`` read as the golden's (with the same class
    rename in the other fields naming the class), as the repairs it takes; [] when none does."""
    gen, old = table.name, table.fields.get(fname, ())
    for sel, renamed in search.candidates(node, old, page.tree)[:MAX_CANDIDATES]:
        trial = [FieldRepair(gen, fname, sel, old, search.describe(node))]
        if renamed is not None:
            trial += [FieldRepair(gen, other, other_sel, other_old, f"class {renamed[0]} → {renamed[1]}")
                      for other, other_sel, other_old in _renamed(table, *renamed, page, fname)]
        site = _layer_on(base, addition_of([*repairs, *trial]))
        try:
            data = masked(case.html, case.url, case.mode, case.base_url, site)
        except Exception:  # noqa: BLE001 (a field still missing, or a selector lexbor cannot parse: no candidate)
            continue
        if data.get(key) != case.golden.get(key):
            continue
        label, changes = case.reference_changes(base, site)
        if changes:  # it reads the new page right but the golden's page wrong: rejected
            case.rejected.append(f"{fname} = {sel}: the golden's page ({label}) would read {'; '.join(changes)}")
            continue
        return trial
    return []


def _body_exclusion(case: Case, base: Table, repairs: list[FieldRepair], gen: str, data: dict[str, Any],
                    page: search.Page) -> tuple[FieldRepair | None, str]:
    """An ad block inside the body: the new blocks are the golden's with whole blocks inserted. Returns
    a ``body_skip`` repair, or None and why the body difference is content."""
    golden_blocks, new_blocks = case.golden.get("blocks") or [], data.get("blocks") or []
    it = iter(new_blocks)
    if golden_blocks and all(any(b == g for b in it) for g in golden_blocks):
        extra = [b for b in new_blocks if b not in golden_blocks]
        texts = [b.get("text") or b.get("caption") or "" for b in extra]
        site = _layer_on(base, addition_of(repairs))
        gen_table = generation(site, gen)
        body_sels = gen_table.fields.get("body", ()) if gen_table else ()
        body = next((page.tree.css_first(s) for s in body_sels if page.tree.css_first(s) is not None), None)
        root = search.block_root(page, next((t for t in texts if t), ""), body, _paragraphs(case.golden)) \
            if body is not None else None
        if root is None:
            return None, f"body: {len(extra)} block(s) inserted ({_short(texts[0] if texts else '')}) with no element of their own"
        old = gen_table.fields.get("body_skip", ()) if gen_table else ()
        for sel, _renamed_class in search.candidates(root, (), page.tree):
            trial = FieldRepair(gen, "body_skip", sel, old, search.describe(root), kind="exclusion")
            try:
                after = masked(case.html, case.url, case.mode, case.base_url,
                               _layer_on(base, addition_of([*repairs, trial])))
            except CaptureError:
                continue
            if after.get("blocks") == golden_blocks:
                return trial, ""
        return None, f"body: an inserted block {search.describe(root)} has no stable class to exclude it by"
    golden_paras, new_paras = _paragraphs(case.golden), _paragraphs(data)
    for i, (a, b) in enumerate(zip(golden_paras, new_paras, strict=False)):
        if a != b:
            if search.nows(a) in search.nows(b) or _subsequence(search.nows(a), search.nows(b)):
                return None, (f"volatile: text inserted into body paragraph {i + 1} ({_short(b)}): an ad or link "
                              "in the text, not a layout change; no selector repair")
            return None, f"content: body paragraph {i + 1} edited ({_short(a, 24)} → {_short(b, 24)}); no selector repair"
    return None, (f"content: the body has {len(new_blocks)} blocks, the golden {len(golden_blocks)}, and the "
                  "golden's are not all among them; no selector repair")


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def propose(case: Case, base: Table) -> PageRepair:
    """Search, propose and verify for one page and mode (no file is written)."""
    out = PageRepair(case.id, case.mode, case.url, "unrepaired")
    golden = case.golden
    if case.mode == "care":
        try:
            data = masked(case.html, case.url, case.mode, case.base_url, base)
        except CaptureError as exc:
            field_name = getattr(exc, "field", "") or "page"
            data, out.broken = {}, [FIELD_KEY.get(field_name, field_name)]
        out.broken = out.broken or differing(golden, data)
        out.status = "content" if out.broken else "nothing-broken"
        page = search.Page(case.html) if out.broken else None
        for key in out.broken:
            where = "is in the page but reads differently" if page and find_value(page, key, golden) is not None \
                else "is in no element of the page"
            out.reasons.append(f"{key}: the golden's value ({_value(key, golden)}) {where}; the 关怀版 is read "
                               "generically (the CARE rules, no selectors of the site), so no selector repairs it")
        return out
    page = search.Page(case.html)
    repairs: list[FieldRepair] = []
    tried: set[str] = set()
    first_broken: list[str] | None = None
    layout_left = False  # a difference that is layout but got no selector
    for _round in range(len(KEY_FIELDS) + 4):
        site = _layer_on(base, addition_of(repairs))
        try:
            data = masked(case.html, case.url, case.mode, case.base_url, site)
            broken = differing(golden, data)
        except MissingField as exc:
            data, broken = {}, [FIELD_KEY.get(exc.field, exc.field)]
        except LayoutNotRecognized as exc:
            out.broken = ["generation"]
            out.reasons.append(f"layout not recognised ({search.nows(str(exc))[:80]}…): a generation's fingerprint, "
                               "not a field selector; add or fix the generation in the overlay")
            return out
        if first_broken is None:
            first_broken = list(broken)
        todo = [k for k in broken if k not in tried]
        if not todo:
            break
        key = todo[0]
        tried.add(key)
        gen = data.get("generation") or golden.get("generation")
        if key == "generation" or (data and data.get("generation") != golden.get("generation")):
            layout_left = True
            out.reasons.append(f"template generation {golden.get('generation')} → {data.get('generation')}: the page "
                               "is read by another generation of the table; not a selector repair (accept it if intended)")
            tried.update(broken)
            continue
        table = generation(site, gen)
        if table is None or key not in KEY_FIELDS:
            out.reasons.append(f"{key}: no table field to repair")
            continue
        node = find_value(page, key, golden)
        if key == "blocks" and data.get("blocks"):
            repair, why = _body_exclusion(case, base, repairs, gen, data, page)
            if repair is not None:
                repairs.append(repair)
            else:
                out.reasons.append(why)
            continue
        gone = _gone_items(page, key, golden)
        if gone:
            out.reasons.append(f"{key}: {', '.join(gone)} no longer on the page (removed or renamed): content, "
                               "not a selector")
            continue
        if node is None:
            out.reasons.append(f"{key}: the golden's value ({_value(key, golden)}) is in no element of the page: "
                               "content (or a value the page no longer has), not a selector")
            continue
        fields = KEY_FIELDS[key]
        if data and any(_reads(page, node, table.fields.get(f, ())) for f in fields):
            out.reasons.append(f"{key}: the table's selectors already read {search.describe(node)}, where the "
                               "golden's values are: they come in another order or with other content now, "
                               "not a selector")
            continue
        for fname in fields:
            found = _try_field(case, base, repairs, table, fname, key, node, page)
            if found:
                repairs += found
                break
        else:
            layout_left = True
            out.reasons.append(f"{key}: found in {search.describe(node)}, but no selector of its classes and "
                               "structure reads the golden's value")
    out.broken = first_broken or []
    if not out.broken:
        out.status = "nothing-broken"
        return out
    out.repairs = repairs
    out.reasons += [f"rejected candidate {why}" for why in case.rejected]
    if not repairs:
        out.status = "rejected" if case.rejected else "unrepaired" if layout_left else "content"
        return out
    out.verification = verify(case, base, _layer_on(base, addition_of(repairs)))
    if not out.verification.accepted:
        out.status = "rejected"
        out.reasons.insert(0, "rejected: " + out.verification.line())
    else:
        out.status = "partial" if out.verification.remaining else "repaired"
    return out


def verify(case: Case, base: Table, site: Site) -> Verification:
    """The figures: the new capture with ``site`` against the golden; each copy of the golden's page with
    ``site`` against itself with ``base``."""
    v = Verification()
    try:
        data = masked(case.html, case.url, case.mode, case.base_url, site)
    except CaptureError as exc:
        v.remaining = [f"extraction fails: {search.nows(str(exc))[:60]}"]
        return v
    g = case.golden
    v.title, v.published, v.source = (data.get(k) == g.get(k) for k in ("title", "published", "source"))
    v.body_f1 = char_f1(_body_text(data), _body_text(g))
    v.remaining = differing(g, data)
    label, changes = case.reference_changes(base, site)
    if changes is None:
        v.reference = "no capture of the golden's page (keep the stored bundle: `capture record` before the change)"
        return v
    v.reference, v.reference_changes, v.reference_unchanged = label, changes, not changes
    return v


# --- the last check ------------------------------------------------------------------------------

def references(result: PageResult, snapshots: Path, target_set: str, golden: dict[str, Any],
               base: Table) -> list[tuple[str, bytes, str, str | None]]:
    """Copies of the golden's own page, best first: the stored bundle when it reads as the golden; on
    the replica, its page served without drift."""
    out: list[tuple[str, bytes, str, str | None]] = []
    stored = bundle_mod.bundle_dir(snapshots, result.id, result.mode)
    if bundle_mod.is_complete(stored):
        try:
            b = bundle_mod.read_bundle(stored)
            if masked(b.dom, b.meta.final_url, result.mode, b.meta.base_url, base) == golden:
                out.append((f"stored bundle {stored}", b.dom, b.meta.final_url, b.meta.base_url))
        except CaptureError:
            pass
    if target_set == "replica":
        from ..replica import handle
        from ..replica.content import page_by_id

        rp = page_by_id(result.id)
        if rp is not None:
            resp = handle("GET", rp.path if result.mode == "normal" else rp.care_path, "", None)
            if resp.status == 200:
                url = rp.live_url if result.mode == "normal" else rp.live_care_url
                out.append(("the replica's page without drift", resp.body, url, None))
    return out


def read_extraction_golden(result: PageResult, snapshots: Path, target_set: str) -> dict[str, Any] | None:
    path = goldens.golden_paths(result.id, result.mode, snapshots, target_set)["extraction"]
    if not path.is_file() and result.golden.get("extraction"):
        path = Path(result.golden["extraction"])
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        raise CorruptFile(f"golden {path} is corrupt: regenerate it with `capture accept {result.id} --mode "
                          f"{result.mode}` or `pytest --snapshot-update`") from None
    if not isinstance(data, dict):
        raise CorruptFile(f"golden {path} is not a JSON object: regenerate it with `capture accept {result.id}`")
    return data


def repair_bundle(bundle_path: Path, golden: dict[str, Any], target_id: str, mode: str, snapshots: Path,
                  target_set: str, base: Table, overlay: Path) -> PageRepair:
    """The repair of one new capture against its extraction golden; its diff is of ``overlay``."""
    b = bundle_mod.read_bundle(bundle_path)
    result = PageResult(target_id, mode, b.meta.final_url, "changed", bundle=str(bundle_path))
    case = Case(target_id, mode, b.meta.final_url, b.dom, b.meta.base_url, golden,
                references(result, Path(snapshots), target_set, golden, base))
    repair = propose(case, base)
    if repair.repairs:
        existing = overlay.read_text(encoding="utf-8") if overlay.is_file() else ""
        repair.diff = overlay_diff(existing, repair.addition(), overlay.name)
    return repair


def repair_result(result: PageResult, snapshots: Path, target_set: str, base: Table,
                  overlay: Path) -> PageRepair | None:
    """The repair of one result of a check report; None when it has no new capture or no golden."""
    if not result.bundle:
        return None
    bundle_path = Path(result.bundle)
    if not bundle_path.is_absolute() and not bundle_path.exists():
        bundle_path = Path(snapshots) / bundle_path
    golden = read_extraction_golden(result, Path(snapshots), target_set)
    if golden is None or not bundle_mod.is_complete(bundle_path):
        return None
    return repair_bundle(bundle_path, golden, result.id, result.mode, snapshots, target_set, base, overlay)


def failure_note(repair: PageRepair, command: str) -> str:
    """What a failing extraction golden test adds to its message: the verified repair (diff, figures,
    the command), or why there is none."""
    if repair.verified:
        return (f"the layout changed: a verified repair of {', '.join(repair.broken)} is proposed\n"
                f"{repair.diff.rstrip()}\nverified {repair.verification.line()}\napply it with: {command}\n")
    if repair.status == "nothing-broken":
        return ""
    why = "\n".join(f"- {r}" for r in repair.reasons) or "- no selector found"
    return f"no selector repair for {', '.join(repair.broken)} ({repair.status}):\n{why}\n"


@dataclass
class RepairRun:
    """Every page's repair, and the overlay they would be written into."""

    overlay: Path
    pages: list[PageRepair]
    existing: str = ""

    @property
    def broken(self) -> list[PageRepair]:
        return [p for p in self.pages if p.status != "nothing-broken"]

    @property
    def verified(self) -> list[PageRepair]:
        return [p for p in self.pages if p.verified]

    def addition(self) -> dict[str, Any]:
        return addition_of([r for p in self.verified for r in p.repairs])

    @property
    def exit_code(self) -> int:
        return 1 if any(p.fails for p in self.broken) else 0


def run_repair(report: CheckReport, snapshots: Path, overlay: Path, *, ids: set[str] | None = None,
               modes: tuple[str, ...] | None = None) -> RepairRun:
    """Propose and verify a repair for every failing result of ``report`` (``ids``/``modes``: only those)."""
    overlay = Path(overlay)
    base = Table((overlay,) if overlay.is_file() else ())
    existing = overlay.read_text(encoding="utf-8") if overlay.is_file() else ""
    run = RepairRun(overlay, [], existing)
    for r in report.results:
        if not r.fails or (ids and r.id not in ids) or (modes and r.mode not in modes):
            continue
        repair = repair_result(r, Path(snapshots), report.target, base, overlay)
        if repair is not None:
            run.pages.append(repair)
    return run


def render_text(run: RepairRun, command: str) -> str:
    """The report: one block per broken page (status, fields, diff, figures, why not), then the command."""
    lines: list[str] = []
    for p in run.pages:
        if p.status == "nothing-broken":
            lines.append(f"{p.id} {p.mode:<6} extraction matches its golden: nothing to repair "
                         "(a layout difference left is the fingerprint's)")
            continue
        fields = ", ".join(f"{r.field} → {r.selector} ({r.found})" for r in p.repairs)
        lines.append(f"{p.id} {p.mode:<6} {p.status}: broken {', '.join(p.broken)}; "
                     + (f"proposed {fields}" if fields else "no selector proposed"))
        if p.diff:
            lines += ["    " + d for d in p.diff.rstrip("\n").splitlines()]
        if p.verification is not None:
            lines.append("    verified " if p.verified else "    not verified ")
            lines[-1] += p.verification.line()
        lines += [f"    - {why}" for why in p.reasons]
    if run.verified:
        lines.append(f"apply the verified repairs: {command}")
    broken = run.broken
    lines.append(f"{sum(not p.fails for p in broken)} of {len(broken)} broken page×mode repaired; "
                 f"overlay {run.overlay}")
    return "\n".join(lines) + "\n"

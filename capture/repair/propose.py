"""One broken page and mode: search, propose a selector per broken field, and verify the proposal on
the new capture and on the golden's own page (no file is written)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import CaptureError, LayoutNotRecognized, MissingField
from ..extract.accuracy import char_f1
from ..sites import Site
from . import evidence, search
from .model import FieldRepair, PageRepair, Verification, addition_of
from .read import (
    _body_text,
    _gone_items,
    _paragraphs,
    _reads,
    _short,
    _value,
    differing,
    find_value,
    masked,
    same_at_precision,
)
from .site import Table, generation

#: Extraction key -> the table fields that produce it, tried in this order.
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title",), "published": ("published",), "source": ("source",), "place": ("place",),
    "crumb": ("crumb",), "blocks": ("body",), "otitle": ("otitle",), "editor": ("editor",),
    "author": ("author", "author_text"), "side_modules": ("side_title",), "share": ("share",),
    "recommendations": ("recommend_tab", "recommend_panel"), "yuanchuang": ("yuanchuang",),
    "accessibility": ("care_link", "care_url", "wza"), "tie_count": ("tie_count",),
}
FIELD_KEY = {f: k for k, fields in KEY_FIELDS.items() for f in fields}
#: Most candidate selectors tried per field.
MAX_CANDIDATES = 60


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


def _precision(case: Case, site: Site, data: dict[str, Any]) -> str:
    """How precisely the new capture shows its publish time, when that is all that differs in it."""
    g, n = case.golden.get("published"), data.get("published")
    if not isinstance(g, str) or not isinstance(n, str) or g == n:
        return ""
    return evidence.published_precision(case.html, site, data.get("generation"))


def _broken(case: Case, site: Site) -> tuple[dict[str, Any], list[str], str]:
    """(the new capture's masked extraction with ``site``, the keys unlike the golden's, the precision its
    publish time is shown at when coarser); raises the extraction's error."""
    data = masked(case.html, case.url, case.mode, case.base_url, site)
    prec = _precision(case, site, data)
    return data, differing(case.golden, data, prec), prec


def _score(case: Case, site: Site) -> int:
    """How far the new capture is from the golden with ``site``: keys unlike it (failing extraction: more)."""
    try:
        return len(_broken(case, site)[1])
    except LayoutNotRecognized:
        return 10_000
    except CaptureError:
        return 1_000


def _reference(case: Case) -> bytes | None:
    return case.references[0][1] if case.references else None


def _class_step(case: Case, base: Table, repairs: list[FieldRepair], page: search.Page) -> list[FieldRepair]:
    """Classes the table names that the new page lost, found again by evidence (the golden page's element,
    by its text, or a class of the same stem): the stem selector first, then the new class as it is; the
    first that brings the capture closer to the golden and leaves the golden's page as it read."""
    old = _reference(case)
    gen = case.golden.get("generation")
    if old is None or not gen:
        return []
    site = _layer_on(base, addition_of(repairs))
    before = _score(case, site)
    for exact in (False, True):
        mapping, found = evidence.class_mapping(site, gen, old, page, exact=exact)
        if not mapping:
            return []
        trial = evidence.class_repairs(site, gen, mapping, found)
        if not trial:
            return []
        try:
            trial_site = _layer_on(base, addition_of([*repairs, *trial]))
        except CaptureError as exc:
            case.rejected.append(f"classes {', '.join(mapping)}: the overlay does not load ({search.nows(str(exc))[:60]})")
            continue
        if _score(case, trial_site) >= before:
            continue
        label, changes = case.reference_changes(base, trial_site)
        if changes:
            case.rejected.append(f"classes {', '.join(f'{k} → {v}' for k, v in mapping.items())}: the golden's page "
                                 f"({label}) would read {'; '.join(changes)}")
            continue
        return trial
    return []


def _date_step(case: Case, base: Table, repairs: list[FieldRepair], page: search.Page) -> tuple[list[FieldRepair], str]:
    """The golden's publish time on the page in a format [dates] does not read: the patterns widened."""
    site = _layer_on(base, addition_of(repairs))
    hit = evidence.find_time(page, str(case.golden.get("published") or ""))
    if hit is None:
        return [], ""
    text, seps = hit
    trial = evidence.date_repairs(site, seps)
    if not trial:
        return [], ""
    try:
        trial_site = _layer_on(base, addition_of([*repairs, *trial]))
        _data, broken, _prec = _broken(case, trial_site)
    except CaptureError:
        return [], f"published: the golden's time is on the page as {text!r}, but no [dates] pattern reads it"
    if "published" in broken:
        return [], f"published: the golden's time is on the page as {text!r}, but [dates] widened still reads another"
    label, changes = case.reference_changes(base, trial_site)
    if changes:
        case.rejected.append(f"dates for {text!r}: the golden's page ({label}) would read {'; '.join(changes)}")
        return [], ""
    return trial, ""


def _split_step(case: Case, base: Table, repairs: list[FieldRepair], gen: str, page: search.Page) -> list[FieldRepair]:
    """The golden's body paragraphs in sibling containers: their parent read as the body, minus the rest."""
    site = _layer_on(base, addition_of(repairs))
    table = generation(site, gen)
    trial, _why = evidence.split_repairs(page, case.golden, gen, table.fields.get("body", ()) if table else ())
    if not trial:
        return []
    try:
        trial_site = _layer_on(base, addition_of([*repairs, *trial]))
        data, _broken_keys, _prec = _broken(case, trial_site)
    except CaptureError:
        return []
    if data.get("blocks") != case.golden.get("blocks"):
        return []
    label, changes = case.reference_changes(base, trial_site)
    if changes:
        case.rejected.append(f"body = {trial[0].selector}: the golden's page ({label}) would read {'; '.join(changes)}")
        return []
    return trial


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
        try:
            site = _layer_on(base, addition_of([*repairs, *trial]))
            data, broken, _prec = _broken(case, site)
        except Exception:  # noqa: BLE001 (a field still missing, or a selector lexbor cannot parse: no candidate)
            continue
        if key in broken:
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


def _crumb_items(node: Any, parts: list[str]) -> bool:
    """Whether ``node``'s list items hold the crumb's parts, one part each, in order."""
    items = [search.nows(li.text(deep=True)) for li in node.css("li")]
    items = [i for i in items if i and i not in (">", "&gt;")]
    return len(parts) >= 2 and items == [search.nows(p) for p in parts]


def _crumb_item_candidates(node: Any) -> list[str]:
    """Selectors for the list items holding the crumb's parts (matched inside the crumb's element): any
    list item, then the items' own class, then the list's class with its items."""
    items = [li for li in node.css("li") if search.nows(li.text(deep=True)) not in ("", ">", "&gt;")]
    out = ["li"]
    shared = [c for c in search.robust_classes(items[0]) if all(c in search.robust_classes(li) for li in items)] \
        if items else []
    out += [f"li.{c}" for c in shared]
    lists = [node, *(n for n in node.css("ul, ol") if n.mem_id != node.mem_id)] if node.tag in ("ul", "ol") \
        else list(node.css("ul, ol"))
    for lst in lists:
        out += [f"{lst.tag}.{c} > li" for c in search.robust_classes(lst)]
    return list(dict.fromkeys(out))


def _crumb_item_step(case: Case, base: Table, repairs: list[FieldRepair], table: Any, node: Any,
                     page: search.Page) -> list[FieldRepair]:
    """The golden's crumb parts are the texts of list items (evidence: one part per item, in order): a
    ``crumb_item`` selector, with the crumb's own selector when the table's no longer reaches the list.
    The first that reads the golden's crumb and leaves the golden's page as it read."""
    gen, where = table.name, f"{search.describe(node)} > li"
    crumb_reaches = _reads(page, node, table.fields.get("crumb", ()))
    holders: list[list[FieldRepair]] = [[]]
    if not crumb_reaches:
        holders = [[FieldRepair(gen, "crumb", sel, table.fields.get("crumb", ()), search.describe(node))]
                   for sel, _renamed in search.candidates(node, table.fields.get("crumb", ()), page.tree)[:MAX_CANDIDATES]]
    for holder in holders:
        for sel in _crumb_item_candidates(node):
            trial = [*holder, FieldRepair(gen, "crumb_item", sel, table.fields.get("crumb_item", ()),
                                          f"the golden's crumb parts in {where}")]
            try:
                site = _layer_on(base, addition_of([*repairs, *trial]))
                _data, broken, _prec = _broken(case, site)
            except Exception:  # noqa: BLE001 (a selector lexbor refuses, or the page no longer reads)
                continue
            if "crumb" in broken:
                continue
            label, changes = case.reference_changes(base, site)
            if changes:
                case.rejected.append(f"crumb_item = {sel}: the golden's page ({label}) would read {'; '.join(changes)}")
                continue
            return trial
    return []


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def _propose_care(case: Case, base: Table, out: PageRepair) -> PageRepair:
    """The 关怀版 is read generically (the CARE rules, no selectors of the site): what differs is
    reported, and nothing is proposed."""
    golden = case.golden
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


def propose(case: Case, base: Table) -> PageRepair:
    """Search, propose and verify for one page and mode (no file is written)."""
    out = PageRepair(case.id, case.mode, case.url, "unrepaired")
    golden = case.golden
    if case.mode == "care":
        return _propose_care(case, base, out)
    page = search.Page(case.html)
    repairs: list[FieldRepair] = []
    tried: set[str] = set()
    first_broken: list[str] | None = None
    layout_left = False  # a difference that is layout but got no selector
    precision = ""
    classes_tried = False
    for _round in range(len(KEY_FIELDS) + 6):
        site = _layer_on(base, addition_of(repairs))
        try:
            data, broken, prec = _broken(case, site)
            coarser = prec in ("minute", "day") and same_at_precision(golden.get("published"), data.get("published"), prec)
            precision = prec if coarser else ""
        except MissingField as exc:
            data, broken = {}, [FIELD_KEY.get(exc.field, exc.field)]
        except LayoutNotRecognized as exc:
            if not classes_tried:
                classes_tried = True
                found = _class_step(case, base, repairs, page)
                if found:
                    first_broken = first_broken or ["generation"]
                    repairs += found
                    continue
            out.broken = ["generation"]
            out.reasons.append(f"layout not recognised ({search.nows(str(exc))[:80]}…): a generation's fingerprint, "
                               "not a field selector; add or fix the generation in the overlay")
            out.reasons += [f"rejected candidate {why}" for why in case.rejected]
            return out
        if first_broken is None:
            first_broken = list(broken)
        if broken and not classes_tried:
            classes_tried = True
            found = _class_step(case, base, repairs, page)
            if found:
                repairs += found
                continue
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
        if key == "published":
            found, why = _date_step(case, base, repairs, page)
            if found:
                repairs += found
                continue
            if why:
                layout_left = True
                out.reasons.append(why)
                continue
        node = find_value(page, key, golden)
        if key == "blocks":
            found = _split_step(case, base, repairs, gen, page)
            if found:
                repairs += found
                continue
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
        if key == "crumb" and _crumb_items(node, golden.get("crumb") or []):
            found = _crumb_item_step(case, base, repairs, table, node, page)
            if found:
                repairs += found
            else:
                layout_left = True
                out.reasons.append(f"crumb: the golden's parts are list items now ({search.describe(node)} > li), "
                                   "but no crumb_item selector inside the crumb reads them as the golden's")
            continue
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
    if precision:
        out.reasons.append(_precision_note(case, precision))
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


def _precision_note(case: Case, precision: str) -> str:
    return (f"published: the page shows the time to the {precision} now, the golden to the second "
            f"({case.golden.get('published')}): the same value at that precision (precision changed; "
            "accept the new golden to record it)")


def verify(case: Case, base: Table, site: Site) -> Verification:
    """The figures: the new capture with ``site`` against the golden; each copy of the golden's page with
    ``site`` against itself with ``base``."""
    v = Verification()
    try:
        data, remaining, prec = _broken(case, site)
    except CaptureError as exc:
        v.remaining = [f"extraction fails: {search.nows(str(exc))[:60]}"]
        return v
    g = case.golden
    v.title, v.source = (data.get(k) == g.get(k) for k in ("title", "source"))
    v.published = same_at_precision(g.get("published"), data.get("published"), prec or "second")
    v.body_f1 = char_f1(_body_text(data), _body_text(g))
    v.remaining = remaining
    label, changes = case.reference_changes(base, site)
    if changes is None:
        v.reference = "no capture of the golden's page (keep the stored bundle: `capture record` before the change)"
        return v
    v.reference, v.reference_changes, v.reference_unchanged = label, changes, not changes
    return v

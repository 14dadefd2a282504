"""Repair by evidence: where the golden's values (and the golden page's elements) are on the new page,
generalised into what the site table can express.

* **classes** — a class the table names that the new page lost: the element of the golden's page that
  carried it is found on the new page (by its text), and a class of the new page sharing its stem
  (``post_title`` → ``post_title_a1b2c3``, a build hash or a version) becomes ``[class^="post_title"]``
  (``[class*=…]`` when it is not the first class), robust to the next hash; an unrelated new name is
  used as it is. The change goes where the table names the class: a ``[selectors]`` entry (so every
  field, fingerprint and region naming it follows), else the fields' own selectors.
* **dates** — the golden's publish time found on the page in a format the table's ``[dates]`` does not
  read: the date and clock patterns widened by the separators seen (``2024.05.24``, ``09时16分``).
* **precision** — a time shown coarser (seconds dropped) that equals the golden's at the precision
  shown is the same value; the report says the precision changed.
* **containers** — the golden's body paragraphs found in two sibling containers: their parent read
  as the body, with its other text-bearing children as ``body_skip`` exclusions (the table's field
  reader reads one container, so "several containers as one" is a parent minus its other parts).
* **crumb as a list** — the golden's crumb parts found as the texts of list items, one part each, in
  order: a ``crumb_item`` selector read inside the crumb (``propose._crumb_item_step``), with the
  crumb's own selector when the table's no longer reaches the list.

Selectors never name a generated id or a random class (:func:`search.robust_classes`).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..sites import Site
from . import search
from .model import FieldRepair
from .read import _paragraphs
from .site import generation

_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_CLASS_IN_CSS = re.compile(r"\.(-?[_a-zA-Z][-\w]*)")


def named_classes(css: str) -> list[str]:
    """The class tokens a selector names (quoted attribute values left out)."""
    return list(dict.fromkeys(_CLASS_IN_CSS.findall(_QUOTED.sub('""', css))))


def page_classes(tree: LexborHTMLParser) -> set[str]:
    out: set[str] = set()
    for n in tree.css("[class]"):
        out.update((n.attributes.get("class") or "").split())
    return out


def rewrite(css: str, mapping: dict[str, str]) -> str:
    """``css`` with each class token ``.L`` of ``mapping`` written as its replacement (outside quotes)."""
    if not mapping:
        return css
    parts = re.split(r"(\"[^\"]*\"|'[^']*')", css)

    def one(cls: str, before: str) -> str:
        new = mapping.get(cls)
        if new is None:
            return f".{cls}"
        # Lexbor drops matches of a compound that starts with a pseudo-class before a descendant
        # combinator (":is(.a) h3" finds nothing): such a compound starts with "*".
        star = new.startswith(":") and not re.match(r"[-\w\])*\]]", before or "")
        return ("*" if star else "") + new

    for i in range(0, len(parts), 2):
        text = parts[i]
        parts[i] = re.sub(r"\.(-?[_a-zA-Z][-\w]*)(?![-\w])",
                          lambda m, t=text: one(m[1], t[m.start() - 1] if m.start() else ""), text)
    return "".join(parts)


def _forms(lost: str, new: str) -> list[str]:
    """Selectors for "the element that carried class ``lost`` and now carries ``new``", most robust to the
    next build first: the stem alone, the old class or the stem with its separator, the two classes."""
    out = []
    if new.startswith(lost):
        sep = re.match(r"[^0-9a-zA-Z]+", new[len(lost):])
        out += [f'[class^="{lost}"]', f'[class*="{lost}"]']
        if sep:
            out += [f':not(:not(.{lost}):not([class^="{lost}{sep[0]}"]))',
                    f':not(:not(.{lost}):not([class*="{lost}{sep[0]}"]))']
    out.append(f":not(:not(.{lost}):not(.{_css_escape(new)}))")  # either class; no comma (recommend_item splits on commas)
    return out


def _same(tree: LexborHTMLParser, css: str, want: str) -> bool:
    try:
        return [n.mem_id for n in tree.css(css)] == [n.mem_id for n in tree.css(want)]
    except Exception:  # noqa: BLE001 (a selector lexbor refuses)
        return False


def _form(old_tree: LexborHTMLParser, new_tree: LexborHTMLParser, lost: str, new: str, exact: bool) -> str:
    """The first form that selects exactly the ``.lost`` elements on the golden's page and the ``.new``
    ones on the new page (checked on both: a stem that also names a longer class is not used)."""
    forms = _forms(lost, new)
    if exact:
        return forms[-1]
    want_old, want_new = f".{_css_escape(lost)}", f".{_css_escape(new)}"
    return next((f for f in forms if _same(old_tree, f, want_old) and _same(new_tree, f, want_new)), forms[-1])


def _css_escape(cls: str) -> str:
    return re.sub(r"([^-\w])", r"\\\1", cls)


def _table_css(site: Site, gen_name: str, entries: bool = True) -> list[str]:
    """Every selector of the golden's generation, its fingerprint and regions (and the [selectors] entries)."""
    gen = generation(site, gen_name)
    out = list(site.selectors.values()) if entries else []
    if gen is not None:
        out += [s.partition("@")[0] for sels in gen.fields.values() for s in sels]
        out += [*gen.fingerprint.all, *gen.fingerprint.any, *gen.regions]
    return out


def _by_text(old_tree: LexborHTMLParser, new: search.Page, lost: str, old_classes: set[str]) -> list[str]:
    """Classes of the new page's elements that hold what the golden page's ``.lost`` element held."""
    el = old_tree.css_first(f".{_css_escape(lost)}")
    if el is None:
        return []
    want = search.nows(el.text(deep=True))
    if not want:
        return []
    out: list[str] = []
    for node, text in zip(new.nodes, new.texts, strict=True):
        if text == want and node.tag == el.tag:
            out += [c for c in search.robust_classes(node) if c not in old_classes and c not in out]
    return out


def class_mapping(site: Site, gen_name: str, old_html: bytes | str, page: search.Page,
                  exact: bool = False) -> tuple[dict[str, str], dict[str, str]]:
    """(lost class -> what a selector names instead, lost class -> the new page's class it stands for)
    for every class the table names that the golden's page has and the new page lost."""
    old_tree = search.Page(old_html).tree
    old_classes, new_classes = page_classes(old_tree), page_classes(page.tree)
    named = {c for css in _table_css(site, gen_name) for c in named_classes(css)}
    lost = sorted(c for c in named if c in old_classes and c not in new_classes)
    mapping, found = {}, {}
    for c in lost:
        by_text = _by_text(old_tree, page, c, old_classes)
        stems = sorted((n for n in new_classes - old_classes
                        if n.startswith(c) and len(n) > len(c) and not n[len(c)].isalnum()), key=len)
        new = next((n for n in by_text if n in stems), None) or (stems[0] if stems else None) or \
            next(iter(by_text), None)
        if new is None or search._RANDOM.fullmatch(new):
            continue
        found[c] = new
        mapping[c] = _form(old_tree, page.tree, c, new, exact)
    # One build suffix on many classes (a hash appended to every class name): the classes the table names
    # that neither page shows are written for it too, so other pages of the generation read right.
    suffixes = Counter(found[c][len(c):] for c in found if found[c].startswith(c))
    if suffixes:
        suffix, count = suffixes.most_common(1)[0]
        sep = re.match(r"[^0-9a-zA-Z]+", suffix)
        if count >= 3 and sep:
            gen_named = {c for css in _table_css(site, gen_name, entries=False) for c in named_classes(css)}
            for c in sorted(gen_named - set(mapping) - new_classes - old_classes):
                found[c] = c + suffix
                mapping[c] = f':not(:not(.{c}):not([class^="{c}{sep[0]}"]))'
    return mapping, found


def class_repairs(site: Site, gen_name: str, mapping: dict[str, str], found: dict[str, str]) -> list[FieldRepair]:
    """The repairs a class mapping makes: the [selectors] entries naming a mapped class rewritten (so the
    fingerprints and regions built of them follow), and each field selector naming one, rewritten in
    full and tried first."""
    out: list[FieldRepair] = []
    for name, css in site.selectors.items():
        new = rewrite(css, mapping)
        if new != css:
            why = ", ".join(f"class {c} → {found[c]}" for c in named_classes(css) if c in mapping)
            out.append(FieldRepair("", name, new, (css,), why, kind="name"))
    gen = generation(site, gen_name)
    if gen is None:
        return out
    for fname, sels in gen.fields.items():
        named = [c for sel in sels for c in named_classes(sel.partition("@")[0]) if c in mapping]
        if not named:
            continue
        # The field's whole list, rewritten, replaces it: each rewritten selector reads the golden's page
        # too, and some fields join all their selectors (recommend_item), so old and new must not add up.
        why = ", ".join(f"class {c} → {found[c]}" for c in dict.fromkeys(named))
        for sel in sels:
            css, _, attr = sel.partition("@")
            out.append(FieldRepair(gen_name, fname, rewrite(css, mapping) + (f"@{attr}" if attr else ""), sels, why,
                                   kind="replace"))
    return out


# --- dates --------------------------------------------------------------------------------------------------

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2}))?")


def _num(v: str) -> str:
    return rf"0?{int(v)}" if int(v) < 10 else v


def find_time(page: search.Page, value: str) -> tuple[str, dict[str, str]] | None:
    """(the text, its separators) of the golden's publish time written in any Y M D h m [s] format."""
    m = _ISO.match(value or "")
    if m is None or m[4] is None:
        return None
    y, mo, d, h, mi, s = m.groups()
    pat = re.compile(rf"{y}(\D{{1,2}}){_num(mo)}(\D{{1,2}}){_num(d)}(\D{{0,2}}?){_num(h)}(\D{{1,2}}){mi}"
                     rf"(?:(\D{{1,2}}){s}(\D?))?")
    texts = [v for n in [page.tree.root] if n is not None for v in n.attributes.values() if isinstance(v, str)]
    texts += [t for t in page.texts if len(t) < 400]
    for text in texts:
        t = search.nows(text)
        hit = pat.search(t)
        if hit:
            return hit[0], {"d1": hit[1], "d2": hit[2], "d3": hit[3], "c1": hit[4], "c2": hit[5] or ""}
    return None


def _class_of(chars: Iterable[str]) -> str:
    body = "".join(dict.fromkeys(c for c in chars if c))
    return "[" + "".join(re.escape(c) if c not in "-" else r"\-" for c in body) + "]"


def date_repairs(site: Site, seps: dict[str, str]) -> list[FieldRepair]:
    """[dates] date/clock widened by the separators seen, when the table's patterns do not have them."""
    out = []
    d1, d2 = seps["d1"].rstrip(), seps["d2"].rstrip()
    old_date = re.compile(site.date_pattern)
    sample = f"2024{d1}5{d2}24{seps['d3']}"
    if old_date.fullmatch(sample) is None and old_date.match(sample) is None:
        date = (rf"(?P<year>\d{{4}}){_class_of(['-', '/', '年', *d1])}(?P<month>\d{{1,2}})"
                rf"{_class_of(['-', '/', '月', *d2])}(?P<day>\d{{1,2}})日?")
        out.append(FieldRepair("", "date", date, (site.date_pattern,), f"a date written {sample}", kind="dates"))
    c1, c2 = seps["c1"], seps["c2"]
    old_clock = re.compile(site.clock_pattern)
    sample = f"09{c1}16" + (f"{c2}04" if c2 else "")
    got = old_clock.match(sample)
    if got is None or (c2 and got["second"] is None):
        clock = (rf"(?P<hour>\d{{1,2}}){_class_of([':', *c1])}(?P<minute>\d{{2}})"
                 rf"(?:{_class_of([':', *(c2 or ':')])}(?P<second>\d{{2}}))?")
        out.append(FieldRepair("", "clock", clock, (site.clock_pattern,), f"a clock written {sample}", kind="dates"))
    return out


def published_precision(html: bytes | str | LexborHTMLParser, site: Site, gen_name: str | None) -> str:
    """How precisely the page shows its publish time, read as the extraction reads it: "second",
    "minute", "day" or "" (none found)."""
    gen = generation(site, gen_name)
    if gen is None:
        return ""
    tree = search.Page(html).tree if not isinstance(html, LexborHTMLParser) else html
    day = ""
    for sel in gen.fields.get("published", ()):
        css, _, attr = sel.partition("@")
        try:
            node = tree.css_first(css)
        except Exception:  # noqa: BLE001
            continue
        if node is None:
            continue
        text = node.attributes.get(attr) if attr else node.text(deep=True)
        m = site.published_re.search(text or "")
        if m is None:
            continue
        if m["hour"] is not None:
            return "second" if m["second"] is not None else "minute"
        day = "day"
    return day


# --- containers -------------------------------------------------------------------------------------------

_NO_TEXT = frozenset({"script", "style", "link", "meta", "noscript", "template", "-comment"})


def _lca(a: LexborNode, b: LexborNode) -> LexborNode | None:
    chain = {}
    n: LexborNode | None = a
    while n is not None:
        chain[n.mem_id] = n
        n = n.parent
    n = b
    while n is not None:
        if n.mem_id in chain:
            return n
        n = n.parent
    return None


def _child_of(node: LexborNode, parent: LexborNode) -> LexborNode | None:
    n: LexborNode | None = node
    while n is not None and n.parent is not None and n.parent.mem_id != parent.mem_id:
        n = n.parent
    return n if n is not None and n.parent is not None else None


def _selector_for(node: LexborNode, tree: LexborHTMLParser) -> str | None:
    """A class (or hand-written id) selector matching ``node`` first in the page."""
    options = [f"{node.tag}.{c}" for c in search.robust_classes(node)] + [f".{c}" for c in search.robust_classes(node)]
    if (ident := search.robust_id(node)) is not None:
        options.append(f"#{ident}")
    for css in sorted(options, key=len):
        first = tree.css_first(css)
        if first is not None and first.mem_id == node.mem_id:
            return css
    return None


def split_repairs(page: search.Page, golden: dict[str, Any], gen_name: str, body_sels: tuple[str, ...]
                  ) -> tuple[list[FieldRepair], str]:
    """The golden's body paragraphs in two or more sibling containers: the parent as the body and its
    other text-bearing children excluded. ([], why) when the body is not split so."""
    paras = [p for p in _paragraphs(golden) if search.nows(p)]
    if len(paras) < 2:
        return [], "body: too few paragraphs to tell a split"
    first, last = page.containing(paras[0]), page.containing(paras[-1])
    if first is None or last is None:
        return [], "body: the golden's first or last paragraph is in no element"
    parent = _lca(first, last)
    if parent is None or parent.tag in ("html", "body"):
        return [], "body: no container holds the golden's paragraphs"
    a, b = _child_of(first, parent), _child_of(last, parent)
    if a is None or b is None or a.mem_id == b.mem_id:
        return [], "body: the paragraphs are in one container"
    body_sel = _selector_for(parent, page.tree)
    if body_sel is None:
        return [], f"body: split across {search.describe(a)} and {search.describe(b)}, whose parent has no stable class"
    golden_texts = [search.nows(p) for p in paras]
    holders = [c for c in parent.iter() if c.tag not in _NO_TEXT
               and any(g in search.nows(c.text(deep=True)) for g in golden_texts)]
    firsts = [(h.attributes.get("class") or "").split()[:1] for h in holders]
    stem = os.path.commonprefix([f[0] for f in firsts]).rstrip("-_") if all(firsts) else ""
    if len(stem) >= 4 and not search._RANDOM.fullmatch(stem):
        # The containers share a class stem (post_body, post_body_2): everything else in the parent is
        # left out, whatever other pages put there.
        skips = [f'{body_sel} > *:not([class^="{stem}"])']
    else:
        skips = []
        for child in parent.iter():
            if child.tag in _NO_TEXT or any(child.mem_id == h.mem_id for h in holders):
                continue
            if not search.nows(child.text(deep=True)) and not child.css_first("img, video, iframe"):
                continue
            sel = _selector_for(child, page.tree) or next(
                (f"{body_sel} > {child.tag}.{c}" for c in search.robust_classes(child)), None)
            if sel is None:
                return [], f"body: split, but {search.describe(child)} beside it has no stable class to exclude it by"
            skips.append(sel)
    found = " + ".join(search.describe(h) for h in holders)
    out = [FieldRepair(gen_name, "body", body_sel, body_sels, f"body in {found}", kind="joined")]
    out += [FieldRepair(gen_name, "body_skip", s, (), f"beside the body in {search.describe(parent)}", kind="exclusion")
            for s in skips]
    return out, ""

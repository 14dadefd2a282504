"""Issue 22, point 1: every view a golden keeps is robust to what the site churns, and still sees layout.

In process (no browser): a bundle is built from HTML with a text.txt, an aria snapshot and a11y figures
made the way the browser makes them (roles and names by the rules Playwright's aria snapshot follows for
this markup: a ``div`` is no node, its children stand in its parent's place, as the 2024 网易号 相关推荐's
promoted items do). The real 2024 sample with its 相关推荐 reordered, thinned, given other ads and random
classes; the replica's churn model for 50 seeds; layout edits that must still fail. One browser test:
two captures of a churning replica agree in every view, the masked screenshot included.
"""

from __future__ import annotations

import json
import random
import re
import string
from pathlib import Path
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser, LexborNode

from capture.bundle import Bundle, Meta
from capture.compare import GoldenViews, classify, page_views
from capture.pagetext import format_text, nonempty_regions, page_generation, region_args
from capture.replica import ReplicaServer, handle, pages, seed_page
from capture.replica.churn import churn_html
from capture.sites import default_site
from capture.testing import ROOT

SAMPLES = ROOT.parent / "shared" / "samples" / "netease"
SAMPLE_2024 = SAMPLES / "magichtml_2024_dy_J22CN60P0514R9KQ_dom.html"
SAMPLE_URL = "https://www.163.com/dy/article/J22CN60P0514R9KQ.html"
SEEDS = 50
VIEWS = ("extraction", "skeleton", "text", "aria", "a11y")

# --- a bundle from HTML, as a browser would record it ------------------------------------------------

_SKIP = frozenset({"script", "style", "noscript", "template", "head", "-comment", "br"})
_HIDDEN = re.compile(r"display\s*:\s*none")


def _name(node: LexborNode) -> str:
    return " ".join((node.text(deep=True, separator=" ") or "").split())


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _aria(node: LexborNode, depth: int, out: list[str]) -> None:
    """Aria snapshot lines of ``node``'s children (Playwright's format, for the roles this markup uses)."""
    child = node.child
    while child is not None:
        tag, pad = child.tag, "  " * depth
        if tag == "-text":
            text = " ".join((child.text_content or "").split())
            if text:
                out.append(f"{pad}- text: {_quoted(text) if text.isdigit() or text[:1] in '|' else text}")
        elif tag in _SKIP or _HIDDEN.search(child.attributes.get("style") or "") or "hidden" in child.attributes:
            pass
        elif tag in ("ul", "ol", "li", "a", "p", "em") or re.fullmatch(r"h[1-6]", tag or ""):
            role = {"ul": "list", "ol": "list", "li": "listitem", "a": "link", "p": "paragraph",
                    "em": "emphasis"}.get(tag, "heading")
            name = _name(child) if role in ("link", "heading") else ""
            level = f" [level={tag[1]}]" if role == "heading" else ""
            sub: list[str] = []
            if role == "link" and child.attributes.get("href"):
                sub.append(f"{pad}  - /url: {child.attributes['href']}")
            _aria(child, depth + 1, sub)
            own = [x for x in sub if not x.strip().startswith("- /url:")]
            lone = own[0].strip()[8:] if len(own) == 1 and own[0].startswith(f"{pad}  - text: ") else None
            if lone is not None and lone.strip('"') == name:  # a name's own text is not repeated
                sub = [x for x in sub if x is not own[0]]
            elif lone is not None and not name:  # a lone text stands on its node's line
                out.append(f"{pad}- {role}: {lone}")
                child = child.next
                continue
            label = f" {_quoted(name)}" if name else ""
            out.append(f"{pad}- {role}{label}{level}" + (":" if sub else ""))
            out.extend(sub)
        elif tag == "img":
            alt = (child.attributes.get("alt") or "").strip()
            out.append(f"{pad}- img" + (f" {_quoted(alt)}" if alt else ""))
        elif tag == "iframe":
            out.append(f"{pad}- iframe")
        else:  # generic: its children stand in its place
            _aria(child, depth, out)
        child = child.next


def aria_of(tree: LexborHTMLParser) -> str:
    out: list[str] = []
    if tree.body is not None:
        _aria(tree.body, 0, out)
    return "\n".join(out) + "\n"


def _describe(el: LexborNode) -> str:
    """As capture/a11y/measure.js names an element: tag, id, first three classes."""
    s = el.tag or "?"
    if el.attributes.get("id"):
        s += "#" + el.attributes["id"]
    classes = (el.attributes.get("class") or "").split()
    return s + ("." + ".".join(classes[:3]) if classes else "")


def a11y_of(tree: LexborHTMLParser) -> dict[str, Any]:
    """The a11y figures measure.js takes that churn touches: ad elements and the keyboard walk."""
    ads_css = ", ".join((".ad_module", ".at_item", ".common_ad_item", "[data-adid]"))
    ads = [el for el in tree.css(ads_css)
           if not any(p.css_matches(ads_css) for p in _ancestors(el))]
    main = tree.css_first(".post_main") or tree.body
    links = [a for a in main.css("a[href]")]
    stops = [{"element": _describe(a), "indicator": "outline", "label": _name(a)[:40]} for a in links[:60]]
    return {"ads": {"element_list": [_describe(el) for el in ads], "elements": len(ads), "hosts": [],
                    "hosts_requested": 0, "iframes": 0},
            "keyboard": {"focusable": len(links), "main": "div.post_main", "no_indicator": 0,
                         "presses": len(stops), "reached": len(stops), "stops": stops},
            "axe": "skipped on normal pages (run with --a11y full)", "version": 1}


def _ancestors(el: LexborNode) -> list[LexborNode]:
    out, node = [], el.parent
    while node is not None and node.tag not in (None, "-document"):
        out.append(node)
        node = node.parent
    return out


def bundle_of(html: str, url: str, mode: str = "normal") -> Bundle:
    """A bundle of ``html`` as recorded at ``url`` (live origin: no replica port to canonicalise)."""
    tree = LexborHTMLParser(html)
    generation = page_generation(html)
    regions = [(name, "\n".join(n.text(deep=True, separator="\n") for n in tree.css(css)))
               for name, css in region_args(mode, generation)]
    meta = Meta(id=url.rsplit("/", 1)[-1][:16], mode=mode, requested_url=url, final_url=url, status=200,
                generation=generation, text_regions=nonempty_regions(regions))
    return Bundle(path=Path("captures") / meta.id / mode, meta=meta, raw=html.encode(), dom=html,
                  text=format_text(regions), aria=aria_of(tree), screenshot=b"", a11y=a11y_of(tree))


def views_of(html: str, url: str) -> GoldenViews:
    got, error = page_views(bundle_of(html, url))
    assert error is None, error
    return got


def differing(golden: GoldenViews, new: GoldenViews) -> dict[str, str]:
    """``{view: first differing line}`` of the stored views."""
    out = {}
    for view in VIEWS:
        a, b = golden.stored()[view], new.stored()[view]
        if a != b:
            a = a if isinstance(a, str) else json.dumps(a, ensure_ascii=False, indent=1, sort_keys=True)
            b = b if isinstance(b, str) else json.dumps(b, ensure_ascii=False, indent=1, sort_keys=True)
            first = next((f"{x!r} → {y!r}" for x, y in zip(a.splitlines(), b.splitlines(), strict=False) if x != y),
                         f"{len(a.splitlines())} → {len(b.splitlines())} lines")
            out[view] = first
    return out


def alarms(golden: GoldenViews, new: GoldenViews) -> list[str]:
    return [f"{d.cls} {d.region}: {d.reason}" for d in classify(golden, new) if d.fails]


# --- the real 2024 sample's 相关推荐, reloaded offline --------------------------------------------------

def _sample() -> str:
    if not SAMPLE_2024.is_file():
        pytest.skip(f"no real 2024 sample at {SAMPLE_2024} (third-party data kept outside the project)")
    return SAMPLE_2024.read_text(encoding="utf-8")


def _draw(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _kind(node: LexborNode) -> str:
    classes = (node.attributes.get("class") or "").split()
    return "ad" if "post_recommend_ad" in classes else "promoted" if node.tag == "div" else "article"


def reload_sample(html: str, rng: random.Random | None) -> str:
    """The sample as another load shows it: its 相关推荐 items (articles, promoted items, ads) in a
    random order, articles and ads dropped (one of each kept; the promoted items, of several shapes, are all
    kept: a shape no item takes any more reads as a layout change in the skeleton too), fresh ad slots with random classes and ids,
    video icons toggled, random classes and paragraph ids re-drawn. ``rng`` None: the page as it is,
    serialised the same way."""
    tree = LexborHTMLParser(html)
    ul = tree.css_first("ul.post_recommends_list")
    items = []
    child = ul.child
    while child is not None:
        if child.tag not in ("-text", "-comment"):
            items.append((_kind(child), child.html or ""))
        child = child.next
    if rng is not None:
        rng.shuffle(items)
        for kind in ("article", "ad"):  # promoted items of every variant stay (see the report: a shape gone differs)
            of_kind = [i for i, (k, _h) in enumerate(items) if k == kind]
            for i in sorted(rng.sample(of_kind, rng.randint(0, len(of_kind) - 1)), reverse=True):
                del items[i]
        for _ in range(rng.randint(0, 3)):
            ad = (f'<div class="at_item post_recommend_new post_recommend_ad _{_draw(rng, string.ascii_lowercase, 11)}">'
                  f'<div id="ssp_{rng.randint(1_000_000, 9_999_999)}"><iframe src="https://pos.baidu.com/x"></iframe>'
                  f"</div></div>")
            items.insert(rng.randrange(len(items) + 1), ("ad", ad))
        items = [(k, h.replace('<i class="post_recommend_video"></i>', "") if rng.random() < 0.5 else
                  re.sub(r'(<h3 class="post_recommend_title"><a [^>]*>)', r'\1<i class="post_recommend_video"></i>', h,
                         count=1)) for k, h in items]
    ul.replace_with("@@LIST@@")
    out = tree.html.replace("@@LIST@@", '<ul class="post_recommends_list">' + "".join(h for _k, h in items) + "</ul>")
    if rng is not None:
        out = re.sub(r'<p id="[0-9A-Z]{8}"', lambda _m: f'<p id="{_draw(rng, string.digits + string.ascii_uppercase, 8)}"',
                     out)
        out = re.sub(r"\b_[0-9a-z]{11}\b", lambda _m: "_" + _draw(rng, string.digits + string.ascii_lowercase, 11), out)
    return out


def test_the_sample_list_mixes_kinds_directly_in_the_list() -> None:
    html = _sample()
    kinds = [k for k, _h in _items(html)]
    assert {"article", "promoted", "ad"} <= set(kinds)
    aria = aria_of(LexborHTMLParser(html))
    assert re.search(r"^- list:\n  - listitem:", aria, re.M)
    assert re.search(r"^  - heading \"[^\"]+\" \[level=3\]:", aria, re.M), "promoted items stand in the list itself"


def _items(html: str) -> list[tuple[str, str]]:
    ul = LexborHTMLParser(html).css_first("ul.post_recommends_list")
    out, child = [], ul.child
    while child is not None:
        if child.tag not in ("-text", "-comment"):
            out.append((_kind(child), child.html or ""))
        child = child.next
    return out


@pytest.mark.slow
def test_real_2024_sample_reloads_differ_in_no_view() -> None:
    html = _sample()
    golden = views_of(reload_sample(html, None), SAMPLE_URL)
    reordered = 0
    for seed in range(SEEDS):
        churned = reload_sample(html, random.Random(seed))
        reordered += [h for _k, h in _items(churned)][:5] != [h for _k, h in _items(html)][:5]
        new = views_of(churned, SAMPLE_URL)
        assert differing(golden, new) == {}, seed
        assert alarms(golden, new) == [], seed
    assert reordered >= SEEDS - 2


# --- the replica's churn model ------------------------------------------------------------------------

def served(path: str) -> str:
    resp = handle("GET", path, "", None)
    assert resp.status == 200, path
    return resp.body.decode("utf-8")


@pytest.mark.slow
def test_replica_churn_differs_in_no_view_over_fifty_seeds() -> None:
    checked = 0
    for page in pages():
        base = served(page.path)
        golden = views_of(base, page.live_url)
        for seed in range(SEEDS):
            churned = churn_html(base, page.kind, "normal", seed)
            assert churned != base
            new = views_of(churned, page.live_url)
            assert differing(golden, new) == {}, (page.id, seed)
            assert alarms(golden, new) == [], (page.id, seed)
            checked += 1
    assert checked >= SEEDS * 2


# --- real layout changes still fail, churned or not -------------------------------------------------------

def _layout_edits(html: str) -> dict[str, str]:
    """A side module gone, a module title renamed, the 相关推荐 article items of a new shape."""
    side = re.search(r'<div class="post_side_mod[^"]*">\s*<h2 class="post_side_mod_title">.*?</ul>\s*</div>', html, re.S)
    assert side is not None
    title = re.search(r'<h2 class="post_side_mod_title">(?:<a [^>]*>)?([^<]+)<', side[0])
    assert title is not None
    return {
        "module-removed": html.replace(side[0], "", 1),
        "module-renamed": html.replace(side[0], side[0].replace(title[1], title[1] + "快讯", 1), 1),
        "item-shape": re.sub(r'(<li class="post_recommend">)(.*?)(</li>)',
                             lambda m: m[1] + re.sub(r'<p [^>]*class="post_recommend_time".*?</p>', "", m[2], flags=re.S) + m[3],
                             html, flags=re.S),
    }


def _check_layout_fails(html: str, churned: str, url: str) -> None:
    golden = views_of(html, url)
    for name, edited in _layout_edits(churned).items():
        assert edited != churned, name
        new = views_of(edited, url)
        found = alarms(golden, new)
        assert any(a.startswith("layout-changed") for a in found), (name, found)
        assert golden.aria != new.aria or name == "item-shape" and golden.skeleton != new.skeleton, name


def test_layout_changes_still_fail_on_the_sample() -> None:
    html = _sample()
    _check_layout_fails(reload_sample(html, None), reload_sample(html, random.Random(7)), SAMPLE_URL)


@pytest.mark.parametrize("seed", [3, 11])
def test_layout_changes_still_fail_on_the_churning_replica(seed: int) -> None:
    page = seed_page()
    base = served(page.path)
    _check_layout_fails(base, churn_html(base, page.kind, "normal", seed), page.live_url)


def test_item_shape_change_fails_in_aria_too() -> None:
    page = seed_page()
    base = served(page.path)
    edited = _layout_edits(base)["item-shape"]
    assert views_of(base, page.live_url).aria != views_of(edited, page.live_url).aria


def test_a11y_figures_drop_random_classes_counts_and_list_ads_but_keep_a_new_ad() -> None:
    from capture.a11y import golden_figures

    site = default_site()
    figures = {"ads": {"element_list": ["div.ad_module", "div.at_item.post_recommend_new.post_recommend_ad"],
                       "elements": 2},
               "keyboard": {"focusable": 90, "presses": 60, "reached": 3, "stops": [
                   {"element": "a.post_top_tie_count", "indicator": "outline", "label": "97"},
                   {"element": "a", "indicator": "outline", "label": "标题一"},
                   {"element": "a", "indicator": "outline", "label": "标题二"}]}}
    churned = json.loads(json.dumps(figures))
    churned["ads"] = {"element_list": ["div.ad_module._ka6bkibmrrl"], "elements": 1}
    churned["keyboard"].update(focusable=93, stops=[
        {"element": "a.post_top_tie_count", "indicator": "outline", "label": "42445"},
        {"element": "a", "indicator": "outline", "label": "标题三"}])
    titles = frozenset({"标题一", "标题二", "标题三"})
    golden = golden_figures(figures, "normal", site=site, titles=titles)
    assert golden == golden_figures(churned, "normal", site=site, titles=titles)
    assert golden_figures(golden, "normal", site=site, titles=titles) == golden, "idempotent"
    assert golden["keyboard"]["stops"][0]["label"] == "<n>"
    assert "42445" not in json.dumps(golden)
    grown = json.loads(json.dumps(churned))
    grown["ads"] = {"element_list": ["div.ad_module._x1y2z3w4v5u", "div.gg300"], "elements": 2}
    assert golden_figures(grown, "normal", site=site, titles=titles) != golden
    care = golden_figures(figures, "care", site=site, titles=titles)
    assert care["ads"]["elements"] == 2, "a care page's ads are all counted"


# --- one browser round: two captures of a churning replica ---------------------------------------------

@pytest.mark.usefixtures("replica_only")
def test_two_captures_of_a_churning_replica_agree_in_every_view(tmp_path: Path) -> None:
    from capture import environment
    from capture.bundle import read_bundle
    from capture.recorder import record
    from capture.targets import Target
    from capture.testing import run_config

    page = seed_page()
    with ReplicaServer(churn=True, churn_seed=4242) as server:
        got = []
        for i in range(2):
            config = run_config(tmp_path / f"s{i}", server.base_url, modes=("normal",), retries=2)
            [outcome] = record([Target(page.id, page.live_url)], tmp_path / f"s{i}", config.options)
            assert outcome.status == "ok", outcome.reason
            got.append(read_bundle(outcome.path))
    first, second = got
    assert first.dom != second.dom, "the two loads churned"
    (a, _), (b, _) = page_views(first), page_views(second)
    assert differing(a, b) == {}
    assert alarms(a, b) == []
    assert first.meta.screenshot.get("masked", 0) > 0
    changed = environment.screenshot_change(first.screenshot, second.screenshot)
    assert changed <= environment.PIXEL_TOLERANCE, f"{changed:.3%} of the masked screenshot changed"

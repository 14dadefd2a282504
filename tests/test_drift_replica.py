"""The replica's drift self-test mutations: served per request and replica_server-wide, and they change what they say."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest

from capture.cli import main as cli_main
from capture.compare import FIELD_REGION, GoldenViews, classify
from capture.errors import BadInput, CaptureError, MissingField
from capture.extract import Article, extract
from capture.extract.care import care_problems
from capture.fingerprint import skeleton
from capture.recorder import wait_ready_sync
from capture.replica import DRIFTS, ReplicaPage, ReplicaServer, handle, pages, render, seed_page
from capture.replica import drift as drifts
from capture.targets import MODES
from capture.volatile import mask_article

NAMES = sorted(DRIFTS)


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8")


def seed() -> ReplicaPage:
    return seed_page()


def urls(page: ReplicaPage) -> dict[str, str]:
    return {"normal": page.path, "care": page.care_path,
            "tie": f"/api/tie/{page.id}.json", "hot": f"/api/hot/{page.id}.json"}


def served(path: str, drift: str | None = None, query: str = "") -> str:
    resp = handle("GET", path, query, drift)
    assert resp.status == 200, (path, drift, query, resp.status)
    return resp.body.decode("utf-8")


def views(html: str, mode: str) -> tuple[dict[str, list[str]], str]:
    """(skeleton, extraction JSON or the extraction error's class and message)."""
    try:
        extraction = extract(html, mode=mode).to_json()
    except CaptureError as exc:
        extraction = f"{type(exc).__name__}: {exc}"
    return skeleton(html, mode), extraction


def side_module_count(html: str) -> int:
    return len(drifts._side_modules(html))


# --- the table -------------------------------------------------------------------------------------

def test_table_has_enough_drifts_of_both_kinds() -> None:
    assert sum(d.kind in ("layout", "volatile") for d in DRIFTS.values()) >= 14
    assert sum(d.kind == "volatile" for d in DRIFTS.values()) >= 3
    for name, d in DRIFTS.items():
        assert d.name == name and d.description
        assert d.applies_to in ("normal", "care", "both")
        if d.kind not in ("layout", "volatile"):
            continue  # other kinds (the 关怀版 a11y drifts) are checked by their own tests
        # A 关怀版 that loses its body no longer carries the article: a care-regression, not a layout note.
        want = "care-regression" if name == "care-loses-body" else "layout-changed" if d.kind == "layout" else None
        assert d.expect_class == want
        assert d.expect_region in ("crumb", "title-info", "body", "recommendations", "side", "nav-a11y", "page")
    required = {"rename-body-class", "rename-title-class", "rename-info-class", "rename-crumb-class", "wrap-body",
                "split-paragraphs", "drop-side-module", "reorder-side-modules", "rename-side-module",
                "swap-recommend-tabs", "date-format", "remove-care-link", "care-link-elsewhere", "care-loses-body",
                "old-template", "tie-count", "hot-items", "side-items"}
    assert required <= set(DRIFTS)


def test_unknown_drift_is_bad_input_in_one_line() -> None:
    for call in (lambda: ReplicaServer(drift="no-such-drift"), lambda: drifts.apply("no-such-drift", "normal", ""),
                 lambda: drifts.apply_json("no-such-drift", "tie", {})):
        with pytest.raises(BadInput) as err:
            call()
        message = str(err.value)
        assert "\n" not in message and "no-such-drift" in message
        assert all(name in message for name in DRIFTS)


def test_unknown_drift_query_answers_400_listing_the_names(replica_server: ReplicaServer) -> None:
    for path in urls(seed()).values():
        status, body = fetch(f"{replica_server.base_url}{path}?drift=no-such-drift")
        assert status == 400
        assert "no-such-drift" in body and "rename-body-class" in body and "side-items" in body


def test_cli_serve_rejects_an_unknown_drift(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["serve", "--drift", "no-such-drift"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "unknown drift" in err


# --- served over HTTP, per request and replica_server-wide ---------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_every_drift_is_served_per_request_and_server_wide(replica_server: ReplicaServer, name: str) -> None:
    page = seed()
    per_request = {}
    for what, path in urls(page).items():
        status, body = fetch(f"{replica_server.base_url}{path}?drift={name}")
        assert status == 200, (what, status)
        per_request[what] = body
    with ReplicaServer(drift=name) as wide:
        assert wide.drift == name
        for what, path in urls(page).items():
            status, body = fetch(f"{wide.base_url}{path}")
            assert status == 200, (what, status)
            assert body == per_request[what], what  # both ways serve the same bytes
        status, body = fetch(f"{wide.base_url}/")
        assert status == 200 and "replica" in body  # the index is never drifted
        status, _ = fetch(f"{wide.base_url}{path}?drift=tie-count")
        assert status == 200  # a per-request drift wins over the replica_server-wide one
    plain = {what: fetch(f"{replica_server.base_url}{path}")[1] for what, path in urls(page).items()}
    drift = DRIFTS[name]
    for what in urls(page):
        changes = (drift.target == what) if what in ("tie", "hot") else (
            drift.target == "html" and drift.applies(what))
        assert (per_request[what] != plain[what]) == changes, what


# --- what each drift does to the pages ---------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_drift_leaves_modes_it_does_not_apply_to_unchanged(name: str) -> None:
    drift = DRIFTS[name]
    for page in pages():
        for mode in MODES:
            path = urls(page)[mode]
            base, drifted = served(path), served(path, name)
            if drift.target != "html" or not drift.applies(mode):
                assert drifted == base, (page.id, mode)
            elif name == "reorder-side-modules" and side_module_count(base) < 2:
                assert drifted == base  # nothing to reorder on a one-module page
            else:
                assert drifted != base, (page.id, mode)
                assert served(path, name) == drifted  # deterministic


LAYOUT = [n for n in NAMES if DRIFTS[n].kind == "layout"]
VOLATILE = [n for n in NAMES if DRIFTS[n].kind == "volatile"]
#: Layout drifts whose change shows in the DOM skeleton, and the region it shows in ("*": several).
SKELETON_REGION = {"rename-body-class": "body", "rename-title-class": "title-info", "rename-info-class": "title-info",
                   "rename-crumb-class": "crumb", "wrap-body": "body", "split-paragraphs": "body",
                   "drop-side-module": "side", "reorder-side-modules": "side",
                   "swap-recommend-tabs": "recommendations", "care-loses-body": "body", "old-template": "*"}


def by_mode(names: list[str]) -> list[Any]:
    """(drift, mode) for every mode a drift applies to."""
    return [(n, m) for n in names for m in MODES if DRIFTS[n].applies(m)]


@pytest.mark.parametrize(("name", "mode"), by_mode(LAYOUT))
def test_layout_drift_changes_skeleton_or_extraction(name: str, mode: str) -> None:
    checked = 0
    for page in pages():
        path = urls(page)[mode]
        base, drifted = served(path), served(path, name)
        if base == drifted:
            continue  # reorder on a one-module page (checked above)
        (sk0, ex0), (sk1, ex1) = views(base, mode), views(drifted, mode)
        assert sk0 != sk1 or ex0 != ex1, (page.id, mode)
        if name in SKELETON_REGION:
            changed = {r for r in sk0 if sk0[r] != sk1.get(r)}
            assert changed, (page.id, mode)
            if SKELETON_REGION[name] != "*":
                assert SKELETON_REGION[name] in changed, (page.id, mode, changed)
        checked += 1
    assert checked >= len(pages()) - 1  # one replica page has a single side module


@pytest.mark.parametrize("name", VOLATILE)
def test_volatile_drift_keeps_skeleton_and_article(name: str) -> None:
    for page in pages():
        base, drifted = served(page.path), served(page.path, name)
        assert skeleton(base) == skeleton(drifted), page.id
        a, b = extract(base), extract(drifted)
        assert (a.generation, a.crumb, a.title, a.published, a.blocks) == (b.generation, b.crumb, b.title,
                                                                          b.published, b.blocks)
        assert [(m.title, len(m.items)) for m in a.side_modules] == [(m.title, len(m.items)) for m in b.side_modules]
        assert {k: len(v) for k, v in a.recommendations.items()} == {k: len(v) for k, v in b.recommendations.items()}


def test_side_items_changes_item_titles_and_links_only() -> None:
    for page in pages():
        a, b = extract(served(page.path)), extract(served(page.path, "side-items"))
        assert [m.title for m in a.side_modules] == [m.title for m in b.side_modules]
        for ma, mb in zip(a.side_modules, b.side_modules, strict=True):
            assert len(ma.items) == len(mb.items)
            assert not {i.title for i in ma.items} & {i.title for i in mb.items}
            assert all(i.url != j.url for i, j in zip(ma.items, mb.items, strict=True))


def test_json_drifts() -> None:
    for page in pages():
        tie, hot = urls(page)["tie"], urls(page)["hot"]
        tie0, hot0 = json.loads(served(tie)), json.loads(served(hot))
        tie1, hot1 = json.loads(served(tie, "tie-count")), json.loads(served(hot, "hot-items"))
        assert tie1["docId"] == tie0["docId"] and tie1["tcount"] != tie0["tcount"]
        assert isinstance(tie1["tcount"], int)
        assert len(hot1["items"]) == len(hot0["items"]) > 0
        assert [sorted(i) for i in hot1["items"]] == [sorted(i) for i in hot0["items"]]
        assert not {i["title"] for i in hot0["items"]} & {i["title"] for i in hot1["items"]}
        assert json.loads(served(hot, "tie-count")) == hot0 and json.loads(served(tie, "hot-items")) == tie0
        assert json.loads(served(tie, "wrap-body")) == tie0


def golden_views(html: str, mode: str) -> GoldenViews:
    """The views a golden keeps of a served page that its HTML alone decides: the masked extraction and
    the skeleton (text, aria and a11y figures need a browser: tests/test_check.py, tests/test_a11y.py)."""
    data = mask_article(json.loads(extract(html, mode=mode).to_json()))
    return GoldenViews(extraction=data, skeleton=skeleton(html, mode), text="", aria="", a11y={})


def failing(golden: GoldenViews, new: GoldenViews) -> set[tuple[str, str]]:
    """(class, region) of what ``capture.compare.classify`` fails; its "a11y" row only says that these
    views carry no figures, so it is left out."""
    return {(d.cls, d.region) for d in classify(golden, new) if d.fails and d.region != "a11y"}


HTML_DRIFTS = [n for n in NAMES if DRIFTS[n].kind != "a11y" and DRIFTS[n].target == "html"]


@pytest.mark.parametrize(("name", "mode"), by_mode(HTML_DRIFTS))
def test_harness_sees_the_drift_in_its_region_only(name: str, mode: str) -> None:
    """A layout drift is classed ``expect_class`` in ``expect_region`` and moves nothing elsewhere (the
    skeleton and the unmasked extraction of every other region stay equal); a volatile one fails nothing."""
    drift = DRIFTS[name]
    checked = 0
    for page in pages():
        path = urls(page)[mode]
        base, drifted = served(path), served(path, name)
        if base == drifted:
            continue  # reorder on a one-module page (checked above)
        golden = golden_views(base, mode)
        moved = {r for r, lines in skeleton(drifted, mode).items() if lines != golden.skeleton[r]}
        try:
            found = failing(golden, golden_views(drifted, mode))
        except MissingField as exc:  # what capture check reports then (capture.check.compare_bundle)
            cls = "care-regression" if mode == "care" else "layout-changed"
            found = {(cls, FIELD_REGION.get(exc.field, "page"))}
        else:
            if mode == "care":  # and whether it still carries the normal page's article (compare_bundle)
                normal = json.loads(extract(served(urls(page)["normal"]), mode="normal").to_json())
                care = json.loads(extract(drifted, mode="care").to_json())
                if care_problems(care, normal, path, urls(page)["normal"]):
                    found.add(("care-regression", "body"))
            if drift.expect_region != "page":  # the unmasked fields of the other regions are kept
                before, after = (json.loads(extract(html, mode=mode).to_json()) for html in (base, drifted))
                kept = [f for f in before if FIELD_REGION.get(f, "page") != drift.expect_region]
                assert {f: after.get(f) for f in kept} == {f: before[f] for f in kept}, (page.id, mode)
        where = (page.id, mode, found, moved)
        if drift.expect_class is None:
            assert not found and not moved, where
        else:
            assert (drift.expect_class, drift.expect_region) in found, where
            if drift.expect_region != "page":  # old-template changes the whole page
                assert {region for _cls, region in found} == {drift.expect_region}, where
                assert moved <= {drift.expect_region}, where
        checked += 1
    assert checked >= len(pages()) - 1  # one replica page has a single side module


@pytest.mark.parametrize("mode", ["normal", "care"])
def test_what_extraction_makes_of_the_drifts_on_the_seed_page(mode: str) -> None:
    page = seed()
    n0 = extract(served(page.path))

    def both(name: str) -> list[tuple[Article, Article]]:
        """(before, after) extraction of the page in ``mode`` under drift ``name``."""
        path = page.path if mode == "normal" else page.care_path
        return [(extract(served(path), mode=mode), extract(served(path, name), mode=mode))]

    for name in ("wrap-body", "split-paragraphs"):  # extraction survives; only the skeleton shows them
        for a, b in both(name):
            assert b == a, name
    for a, b in both("date-format"):  # a new format of the same time, to the minute it keeps
        assert b.published != a.published
        assert datetime.fromisoformat(b.published) == datetime.fromisoformat(a.published).replace(second=0)

    mods = n0.side_modules
    assert len(mods) > 1
    reordered = extract(served(page.path, "reorder-side-modules")).side_modules
    assert reordered != mods and sorted(map(repr, reordered)) == sorted(map(repr, mods))
    dropped = extract(served(page.path, "drop-side-module")).side_modules
    assert dropped in [mods[:i] + mods[i + 1:] for i in range(len(mods))]
    renamed = [(a, b) for a, b in zip(mods, extract(served(page.path, "rename-side-module")).side_modules,
                                       strict=True) if a != b]
    assert len(renamed) == 1 and renamed[0][0].title != renamed[0][1].title
    assert replace(renamed[0][0], title=renamed[0][1].title) == renamed[0][1]  # same link, same items

    swapped = extract(served(page.path, "swap-recommend-tabs")).recommendations
    assert list(swapped) == list(reversed(n0.recommendations)) and swapped == n0.recommendations

    assert n0.accessibility.care_url == page.live_care_url
    assert extract(served(page.path, "remove-care-link")).accessibility.care_url is None
    elsewhere = extract(served(page.path, "care-link-elsewhere")).accessibility.care_url
    assert elsewhere in {p.live_care_url for p in pages()} - {page.live_care_url}

    if mode == "care":  # the 关怀版 without its body no longer carries the article
        normal = json.loads(n0.to_json())
        try:
            care = json.loads(extract(served(page.care_path, "care-loses-body"), mode="care").to_json())
        except MissingField as err:
            assert err.field == "body"
        else:
            problems = care_problems(care, normal, page.live_care_url, page.live_url)
            assert problems and "body paragraphs" in problems[0], problems


@pytest.mark.parametrize("page", pages(), ids=lambda p: p.id)
def test_old_template_is_the_post_content_main_generation(page: ReplicaPage) -> None:
    base, old = extract(render(page, "normal")), extract(served(page.path, "old-template"))
    assert base.generation.startswith("post2020") and old.generation == "post_content_main"
    assert (old.title, old.published, old.crumb, old.editor) == (base.title, base.published, base.crumb, base.editor)
    assert [b.text for b in old.blocks if hasattr(b, "text")] == [b.text for b in base.blocks if hasattr(b, "text")]


# --- in a browser: the drifts that only show once the page's scripts ran ---------------------------

def test_care_link_drifts_after_scripts_run(capture_context: Any) -> None:
    page = seed()
    tab = capture_context.new_page()
    try:
        with ReplicaServer(drift="care-link-elsewhere") as srv:
            tab.goto(srv.base_url + page.path)
            wait_ready_sync(tab, 10_000)
            href = tab.get_attribute("#js_N_nav_left #js_gowza", "href")  # aria-url as it is (the real wzaInit)
            assert href in {p.live_care_url for p in pages()} - {page.live_care_url}
        with ReplicaServer(drift="remove-care-link") as srv:
            tab.goto(srv.base_url + page.path)
            wait_ready_sync(tab, 10_000)
            assert tab.query_selector("#js_gowza") is None
        with ReplicaServer(drift="old-template") as srv:
            tab.goto(srv.base_url + page.path)
            wait_ready_sync(tab, 10_000)  # the old page still signals readiness
            tie = json.loads(fetch(f"{srv.base_url}/api/tie/{page.id}.json")[1])["tcount"]
            assert tab.inner_text(".post_cnum_tie") == str(tie)  # the comment SDK filled it
            href = tab.get_attribute("#js_N_nav_left #js_gowza", "href")
            assert href == page.live_care_url
    finally:
        tab.close()

"""One table really is one table: regions per generation, and a class renamed on the site is one edit.

Text regions: a page of any recognised generation (tests/cases/, one per generation) gets a ``text.txt``
that carries its article, read in a browser exactly as the recorder reads it. One edit: the site table
is rebuilt from its own file (netease.toml) with a single string literal changed, and a replica page whose class
the drift self-test renamed reads again as before the drift.
"""

from __future__ import annotations

import io
import json
import re
import tokenize
from pathlib import Path
from typing import Any

import pytest

from capture import fingerprint, pagetext
from capture.bundle import read_bundle
from capture.errors import MissingField
from capture.extract import core, extract
from capture.extract.decode import to_text
from capture.fingerprint import skeleton
from capture.recorder import RecordOptions, record
from capture.replica import drift, render, seed_page
from capture.sites import Site, default_site, netease
from capture.sites.load import table_from_text
from capture.targets import Target

CASES = Path(__file__).resolve().parent / "cases"


def _case_articles() -> list[tuple[str, dict[str, Any]]]:
    """(case name, expected article) of every case that extracts (error cases have no article)."""
    out = []
    for d in sorted(p for p in CASES.iterdir() if (p / "page.html").is_file()):
        article = json.loads((d / "expected.json").read_text(encoding="utf-8")).get("article")
        if article:
            out.append((d.name, article))
    return out


ARTICLES = _case_articles()


def folded(text: str) -> str:
    """NFKC-folded, whitespace removed: how text.txt is compared with what the extraction says."""
    return "".join(pagetext.comparable_lines(text))


def test_every_generation_has_text_and_skeleton_regions_and_a_case() -> None:
    names = {g.name for g in default_site().generations}
    care = default_site().fallback_generation["care"]  # the generic 关怀版: regions of its own, no generation row
    assert set(default_site().text_regions) == set(default_site().skeleton_regions) == names | {care}
    assert set(default_site().format_probes) == names
    assert {a["generation"] for _case, a in ARTICLES} == names | {care}
    for gen in default_site().generations:
        regions = dict(default_site().text_regions[gen.name])
        # The article's regions are the generation's own field selectors, not restatements of them.
        assert regions["title"] == gen.fields["title"][0] and regions["body"] == gen.fields["body"][0], gen.name
        assert set(default_site().skeleton_regions[gen.name]) <= set(default_site().skeleton_region_names)


@pytest.mark.parametrize("case, article", ARTICLES, ids=[c for c, _ in ARTICLES])
def test_the_text_of_every_generations_regions_carries_its_article(case: str, article: dict[str, Any],
                                                                   capture_context: Any) -> None:
    """In a browser, the text of the case's generation's regions holds its title, 原标题 and every
    paragraph and caption the extraction found (NFKC-folded, whitespace removed)."""
    html = to_text((CASES / case / "page.html").read_bytes())
    tab = capture_context.new_page()
    try:
        tab.set_content(html, wait_until="domcontentloaded")
        if article["mode"] == "normal":  # a 关怀版 has no generation: its text is the whole page
            assert pagetext.page_generation(tab.content()) == article["generation"]
        text = pagetext.visible_text(tab, article["mode"])
    finally:
        tab.close()
    got = folded(text)
    wanted = [article["title"], article["otitle"] or "",
              *(b.get("text") or b.get("caption") or "" for b in article["blocks"])]
    assert [w for w in wanted if folded(w) not in got] == [], text
    assert folded(article["title"]) in got and len(got) > len(folded(article["title"]))


OLDER = {"post_content_main": "/news/article/PCM0000000000001.html",
         "dy_v2": "/dy/article/DYV2000000000001.html",
         "endpage1301_gbk": "/news/article/EP13010000000001.html"}


def test_an_older_generations_page_is_recorded_with_a_text_txt_that_carries_its_title(serve, tmp_path) -> None:
    """The recorder learns the generation from the DOM and reads that generation's regions: a
    2016–2020 page's text.txt is not empty, starts from its own crumb/title and names its regions."""
    articles = dict(ARTICLES)
    by_charset: dict[str, dict[str, str]] = {}  # the GBK page is served as GBK, the others as UTF-8
    for case, path in OLDER.items():
        by_charset.setdefault("gbk" if case.startswith("endpage") else "utf-8", {})[case] = path
    outcomes = {}
    for charset, cases in by_charset.items():
        origin = serve({path: (CASES / case / "page.html").read_bytes() for case, path in cases.items()}, charset)
        targets = [Target(case.replace("_", "-"), default_site().live_origin + path) for case, path in cases.items()]
        opts = RecordOptions(modes=("normal",), base_url=origin, jobs=2, retries=1)
        outcomes.update(zip(cases, record(targets, tmp_path, opts), strict=True))
    assert set(outcomes) == set(OLDER)
    for case, outcome in outcomes.items():
        assert outcome.status == "ok", outcome.reason
        b = read_bundle(outcome.path)
        article = articles[case]
        assert b.meta.generation == article["generation"]
        assert b.text.strip() and folded(article["title"]) in folded(b.text), b.text
        assert b.meta.text_regions[:1] in (["crumb"], ["title"]) and "body" in b.meta.text_regions, b.meta.text_regions
        assert b.text.count("\n\n") == len(b.meta.text_regions) - 1  # block i of text.txt is region i


# --- renaming a class on the site is one edit -------------------------------------------------------

def renamed_table(old: str, new: str) -> Site:
    """The site table rebuilt from its own file with ONE edit: the single string literal that spells
    class ``old`` now spells ``new``. Fails if no literal, or more than one, names the class (comments
    are not markup)."""
    source = (Path(netease.__file__).parent / "netease.toml").read_text(encoding="utf-8")
    word = re.compile(rf"(?<![\w-]){re.escape(old)}(?![\w-])")
    literals = [(i, m) for i, line in enumerate(source.splitlines(keepends=True))
                if not line.lstrip().startswith("#")
                for m in _TOML_STRING.finditer(line) if word.search(m.group(0))]
    assert len(literals) == 1, f"class {old} is spelt by {len(literals)} literals: {[m.group(0) for _, m in literals]}"
    ((i, m),) = literals
    lines = source.splitlines(keepends=True)
    lines[i] = lines[i][:m.start()] + word.sub(new, m.group(0)) + lines[i][m.end():]
    return table_from_text("".join(lines))


#: A TOML basic or literal string on one line.
_TOML_STRING = re.compile(r""""(?:[^"\\]|\\.)*"|'[^']*'""")


#: The drift self-test's class renames: drift -> (class on the site, its new name).
RENAMES = {"rename-body-class": ("post_body", "post_body_v2"), "rename-title-class": ("post_title", "post_title_new"),
           "rename-info-class": ("post_info", "post_info_v2"), "rename-crumb-class": ("post_crumb", "post_crumb_v2")}


def renamed(lines: list[str], old: str, new: str) -> list[str]:
    word = re.compile(rf"(?<![\w-]){re.escape(old)}(?![\w-])")
    return [word.sub(new, line) for line in lines]


@pytest.mark.parametrize("name", sorted(RENAMES))
def test_the_care_reader_needs_no_edit_when_a_class_is_renamed(name: str) -> None:
    """The 关怀版 is read generically: a renamed class costs its extraction nothing (its skeleton shows it)."""
    base = render(seed_page(), "care")
    drifted = drift.apply(name, "care", base)
    assert drifted != base
    assert extract(drifted, mode="care") == extract(base, mode="care")
    assert skeleton(drifted, "care") != skeleton(base, "care")


@pytest.mark.parametrize("name", sorted(RENAMES))
@pytest.mark.parametrize("mode", ["normal"])
def test_renaming_a_class_on_the_site_is_one_edit(name: str, mode: str) -> None:
    """The drift renames a class in the served page: with today's table the page loses that part; with
    one literal of netease.toml edited, extraction, skeleton, text regions and readiness read it as before."""
    old, new = RENAMES[name]
    assert drift.DRIFTS[name].applies(mode)
    base = render(seed_page(), mode)
    drifted = drift.apply(name, mode, base)
    assert re.search(rf'class="[^"]*\b{new}\b', drifted) and drifted != base
    before = extract(base, mode=mode)
    base_skeleton = skeleton(base, mode)
    try:
        broken = extract(drifted, mode=mode)
    except MissingField:
        broken = None
    assert broken != before, "without the table edit the drift must cost extraction something"
    assert skeleton(drifted, mode) != base_skeleton

    table = renamed_table(old, new)
    assert extract(drifted, mode=mode, site=table) == before
    assert skeleton(drifted, mode, site=table) == {r: renamed(lines, old, new) for r, lines in base_skeleton.items()}
    generation = pagetext.page_generation(drifted, site=table)
    assert generation == before.generation
    regions = pagetext.region_args(mode, generation, site=table)
    assert regions == [[n, renamed([s], old, new)[0]]
                       for n, s in default_site().page_regions(default_site().text_regions, generation, mode)]
    if old == "post_body":  # readiness: the recorder's selectors come from the same table
        assert f".{new}" in table.ready_body_selector.split(", ")
        assert f".{new} p" in table.font_probes[1]


def test_no_site_markup_outside_the_site_table() -> None:
    """Product code spells no post2020 class: ``post_`` appears only in capture/sites/, the replica
    (which serves pages and mutates them) and capture/testing.py (which churns the real samples for
    tests), apart from prose (comments and docstrings)."""
    root = Path(core.__file__).resolve().parents[1]
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith(("sites/", "replica/")) or rel == "testing.py":
            continue
        source = path.read_text(encoding="utf-8")
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.STRING and "post_" in tok.string and not tok.string.startswith(('"""', "'''")):
                found.append(f"{rel}:{tok.start[0]}: {tok.string[:60]}")
    assert found == []


def test_every_date_pattern_is_built_from_the_tables_one_date() -> None:
    """The publish time, list time, masked time and the drift's date reformat are one definition."""
    date = default_site().published_re.pattern.split("(?:")[0]
    assert default_site().list_time_re.pattern.startswith(date)
    assert re.fullmatch(default_site().time_pattern, "2024-05-23 07:20:03")
    assert re.fullmatch(default_site().time_pattern, "2024年5月23日 07:20")  # what LIST_TIME_RE reads, it masks
    assert drift._ISO is default_site().list_time_re
    assert fingerprint._format_of(fingerprint.parse('<p class="t">2019年5月17日 9:16</p>'), ".t", "",
                              default_site()) == "9999年9月99日 9:99"

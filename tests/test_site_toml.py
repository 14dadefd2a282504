"""The site table is a data file (capture/sites/netease.toml), and an overlay layers over it.

The shipped file loads to the tables the code always read; an overlay adds a selector beside the old
one (a renamed-class page extracts, the original page extracts unchanged), a generation, or a text
region; a corrupt overlay is one line naming the file and the key, exit 2 from the CLI; writing an
overlay keeps the user's file and is atomic; ``--site`` works on the CLI and in pytest.
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from typing import Any

import pytest

from capture import pagetext
from capture.cli import main
from capture.errors import BadInput, LayoutNotRecognized, MissingField
from capture.extract import extract
from capture.fingerprint import skeleton
from capture.record.options import RecordOptions
from capture.replica import drift, render, seed_page
from capture.sites import default_site, load_site, merge_overlay_text, netease, write_overlay
from capture.targets import site_overlay_path, site_overlays
from capture.testing import run_pytest


@pytest.fixture(scope="module")
def base() -> str:
    return render(seed_page(), "normal")


@pytest.fixture(scope="module")
def generation(base: str) -> str:
    return extract(base, mode="normal").generation


# --- the shipped table ----------------------------------------------------------------------------

def test_the_shipped_table_loads_to_the_tables_the_code_reads() -> None:
    site = default_site()
    # The module's names are the package table's values, so code reading them reads the file.
    assert default_site().generations is site.generations and default_site().host_rules is site.host_rules
    assert [g.name for g in site.generations] == ["post2020_cms", "post2020_dy", "post_content_main", "dy_v2",
                                                  "endpage1301"]
    dy = site.generation_by_name["post2020_dy"]
    cms = site.generation_by_name["post2020_cms"]
    assert dy.fields == cms.fields and dy.regions == cms.regions  # `extends`: one spelling of both
    assert dy.fingerprint.any == ('link[href*="/post2020_dy/"]', 'script[src*="/post2020_dy/"]',
                                  'body[aria-url*="_pdya11y"]')
    assert dy.fields["published"] == ("html[data-publishtime]@data-publishtime", ".post_info")
    assert dy.fields["recommend.title"] == ("h3 a",)
    assert dy.fields["otitle"] == (".post_body p.otitle",)  # {POST_BODY} interpolated
    assert dy.required == {"title", "published", "body"}
    assert site.generation_by_name["dy_v2"].fields["editor"] == (".content#content ~ .editor, .article_editor",)
    assert site.host_rules[0].pattern == "www.163.com" and site.host_rules[-1].pattern == "*.163.com"
    assert site.unknown_host_decision == "block" and site.ready_quiet_ms == 150
    assert site.user_agent.startswith("Mozilla/5.0 (Windows NT 10.0; Win64; x64)") and "Headless" not in site.user_agent
    assert site.text_regions["dy_v2"] == (("title", ".article_title h2"), ("info", "p.time"), ("body", ".content#content"))
    assert dict(site.skeleton_regions["endpage1301"]) == {"crumb": ("span.ep-crumb",),
                                                          "title-info": ("h1#h1title", ".ep-time-soure"),
                                                          "body": ("#endText",)}
    assert site.format_probes["post2020_dy"] == (("title-info", "html", "data-publishtime"),
                                                 ("title-info", ".post_info", ""))
    assert site.ready_body_selector == ".post_body, .post_text#endText, .content#content, #endText"
    assert site.care.min_paragraph_share == 0.9 and site.care_generation.fields["wza"] == ("#cniil_wza",)
    assert site.volatile_text_regions["top"] == (1, 4) and site.skeleton_optional == frozenset()
    assert netease.iso_time("2019年5月17日 9:16") == "2019-05-17T09:16:00+08:00"


def test_the_table_in_force_is_the_one_passed() -> None:
    """No table is in force globally any more (the refactor removed ``current``/``using``): an overlay is
    a value a run passes (``RecordOptions(site=…)``), and loading one leaves the package table as it was."""
    overlay = load_site(texts=['[readiness]\nquiet_ms = 300\n'])
    assert RecordOptions().site is default_site()
    assert RecordOptions(site=overlay).site.ready_quiet_ms == 300
    assert default_site() is default_site() and default_site().ready_quiet_ms == 150


# --- overlays --------------------------------------------------------------------------------------

#: The drift self-test's class renames and the fields each costs: drift -> (new selector, fields).
RENAMED = {"rename-body-class": (".post_body_v2", ("body",)),
           "rename-title-class": ("h1.post_title_new", ("title",)),
           "rename-crumb-class": (".post_crumb_v2", ("crumb",))}


@pytest.mark.parametrize("name", sorted(RENAMED))
def test_an_overlay_selector_beside_the_old_one_reads_both_layouts(name: str, base: str, generation: str) -> None:
    """The page whose class the drift renamed extracts as before with the overlay; the original page
    extracts exactly as without it (the old selector is still tried, after the overlay's)."""
    new, fields = RENAMED[name]
    drifted = drift.apply(name, "normal", base)
    before = extract(base, mode="normal")
    try:
        broken = extract(drifted, mode="normal")
    except MissingField:
        broken = None
    assert broken != before, "the drift must cost the package table something"
    site = load_site(texts=[f"[generation.{generation}.fields]\n"
                            + "".join(f'{f} = ["{new}"]\n' for f in fields)])
    assert all(site.generation_by_name[generation].fields[f][0] == new for f in fields)
    assert extract(drifted, mode="normal", site=site) == before
    assert extract(base, mode="normal", site=site) == before
    assert extract(drifted, "", "normal", site=site) == before


def test_an_overlay_replace_drops_the_old_selector(base: str, generation: str) -> None:
    site = load_site(texts=[f'[generation.{generation}.fields]\nbody = {{ replace = [".post_body_v2"] }}\n'])
    assert site.generation_by_name[generation].fields["body"] == (".post_body_v2",)
    with pytest.raises(MissingField, match="body"):
        extract(base, mode="normal", site=site)


STORY = """<html><body><div class="story">
<div class="story_crumb"><a href="/">网易首页</a> &gt; <a href="/news/">新闻</a></div>
<h1 class="story_title">一个新版式的标题</h1>
<div class="story_meta">2026-05-23 07:20:03 来源: <a href="https://example.org/">北青网</a></div>
<div class="story_body"><p>第一段正文。</p><p>第二段正文。</p></div>
</div></body></html>"""

STORY_OVERLAY = """
# A layout the package does not know.
[selectors]
STORY = ".story"

[generation.story]
mode = "normal"
fingerprint.all = ["{STORY}"]
required = ["title", "published", "body"]

[generation.story.fields]
crumb = ["{STORY} .story_crumb"]
title = ["h1.story_title"]
published = [".story_meta"]
source = [".story_meta a"]
body = ["{STORY} .story_body"]
"""


def test_an_overlay_adds_a_generation_tried_before_the_packages() -> None:
    with pytest.raises(LayoutNotRecognized):
        extract(STORY, mode="normal")
    site = load_site(texts=[STORY_OVERLAY])
    assert site.generations[0].name == "story" and len(site.generations) == len(default_site().generations) + 1
    article = extract(STORY, mode="normal", site=site)
    assert (article.generation, article.title, article.published) == ("story", "一个新版式的标题",
                                                                      "2026-05-23T07:20:03+08:00")
    assert article.source.name == "北青网" and article.crumb == ["网易首页", "新闻"]
    assert [b.text for b in article.blocks] == ["第一段正文。", "第二段正文。"]
    # Tried first: a page that also carries a package generation's marker is read as the overlay's.
    both = STORY.replace('<div class="story">', '<div class="story post_main">')
    assert extract(both, mode="normal", site=site).generation == "story"
    # Without its own regions it gets its crumb, title and body fields as text and skeleton regions.
    assert pagetext.region_args("normal", "story", site=site) == [["crumb", ".story .story_crumb"],
                                                                  ["title", "h1.story_title"],
                                                                  ["body", ".story .story_body"]]
    sk = skeleton(STORY, "normal", site=site)
    assert list(sk) == ["crumb", "title-info", "body"]
    assert sk["body"][0] == "div.story_body" and sk["title-info"][-1] == "format .story_meta: 9999-99-99 99:99:99"


def test_an_overlay_generation_extends_a_packaged_one_for_a_renamed_marker(base: str, generation: str) -> None:
    """A fingerprint's ``all`` selectors must all match, so a renamed marker is a new generation: with
    ``extends`` it keeps the old one's fields, required fields and text and skeleton regions."""
    renamed = base.replace('<div class="post_main">', '<div class="post_main_v2">')
    with pytest.raises(LayoutNotRecognized):
        extract(renamed, mode="normal")
    site = load_site(texts=[f'[generation.{generation}_v2]\nextends = "{generation}"\n'
                            'fingerprint.all = [".post_main_v2"]\n'])
    article = extract(renamed, mode="normal", site=site)
    before = extract(base, mode="normal")
    assert article.generation == f"{generation}_v2"
    assert article.to_json().replace(f"{generation}_v2", generation) == before.to_json()
    assert extract(base, mode="normal", site=site) == before
    assert site.text_regions[f"{generation}_v2"] == site.text_regions[generation]
    assert site.skeleton_regions[f"{generation}_v2"] == site.skeleton_regions[generation]


def test_a_text_region_overlay_reads_the_renamed_body_in_a_browser(base: str, generation: str,
                                                                   capture_context: Any) -> None:
    """text.txt of the renamed-class page carries its body with the overlay's text region, and the
    original page's text.txt is unchanged by it."""
    drifted = drift.apply("rename-body-class", "normal", base)
    site = load_site(texts=[f'[text_regions.{generation}]\nbody = [".post_body_v2"]\n'])
    body = [p for p in extract(base, mode="normal").blocks if getattr(p, "text", "")][0].text

    def text(html: str, table: Any = None) -> str:
        tab = capture_context.new_page()
        try:
            tab.set_content(html, wait_until="domcontentloaded")
            return pagetext.visible_text(tab, "normal", generation, site=table)
        finally:
            tab.close()

    plain_base, plain_drifted = text(base), text(drifted)
    assert body[:20] in plain_base and body[:20] not in plain_drifted
    assert text(drifted, site) == plain_base.replace("\r", "")  # the renamed body reads where the old one did
    assert text(base, site) == plain_base


def test_a_skeleton_root_an_overlay_adds_is_left_out_where_absent(base: str, generation: str) -> None:
    """An overlay's skeleton root beside the old one: the old layout's skeleton is unchanged; the new
    layout's still shows the old root missing (the layout did change)."""
    drifted = drift.apply("rename-body-class", "normal", base)
    site = load_site(texts=[f'[skeleton_regions.{generation}]\nbody = [".post_body_v2"]\n'])
    assert site.skeleton_optional == {(generation, "body", ".post_body_v2")}
    before = skeleton(base, "normal")
    assert skeleton(base, "normal", site=site) == before
    new = skeleton(drifted, "normal", site=site)["body"]
    assert new[0].startswith("div.post_body_v2") and "(missing .post_body)" in new


def test_selectors_are_one_edit_in_an_overlay(base: str) -> None:
    """``[selectors]`` is read after merging: one line of an overlay renames a class everywhere."""
    drifted = drift.apply("rename-body-class", "normal", base)
    site = load_site(texts=['[selectors]\nPOST_BODY = ".post_body_v2"\n'])
    assert extract(drifted, mode="normal", site=site) == extract(base, mode="normal")
    assert ".post_body_v2" in site.ready_body_selector.split(", ")


# --- corrupt overlays: one line naming the file and the key ---------------------------------------

BAD = {
    "syntax": ('[generation.post2020_dy.fields\ntitle = ["h1"]\n', "generation.post2020_dy.fields"),
    "wrong type": ("[generation.post2020_dy.fields]\ntitle = 3\n",
                   'generation.post2020_dy.fields.title: expected a list of CSS selectors, got 3 '
                   '(write title = ["h1.post_title"])'),
    "string for a list": ('[text_regions.post2020_dy]\nbody = ".post_body_v2"\n',
                          'text_regions.post2020_dy.body: expected a list of CSS selectors, got ".post_body_v2" '
                          '(write body = [".post_body_v2"])'),
    "unknown key": ("[generation.post2020_dy]\nfeilds = {}\n", "generation.post2020_dy.feilds: unknown key (did you mean fields?"),
    "bad css": ('[generation.post2020_dy.fields]\nbody = [".ok", "div[class"]\n',
                'generation.post2020_dy.fields.body[1]: "div[class" is not a CSS selector'),
    "unknown name": ('[generation.post2020_dy.fields]\nbody = ["{POST_BODDY} > div"]\n',
                     "generation.post2020_dy.fields.body[0]: unknown selector name {POST_BODDY}"),
    "unknown generation": ('[text_regions.post2020_dyy]\nbody = [".x"]\n', "text_regions.post2020_dyy: no generation"),
    "bad regex": ('[labels]\neditor = "(["\n', "labels.editor: expected a regex"),
    "incomplete generation": ('[generation.mine]\nmode = "normal"\n', "generation.mine: missing key fingerprint"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_corrupt_overlay_is_one_line_naming_the_file_and_key(case: str, tmp_path: Path) -> None:
    text, want = BAD[case]
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BadInput) as err:
        load_site([path])
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith(f"{path}: ") and want in msg, msg
    assert msg.endswith(")"), "ends with the fix, in parentheses"


@pytest.mark.parametrize("case", ["syntax", "wrong type", "bad css", "unknown name", "unknown key"])
def test_the_cli_exits_2_on_a_corrupt_overlay(case: str, tmp_path: Path, base: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    page, bad = tmp_path / "page.html", tmp_path / "bad.toml"
    page.write_text(base, encoding="utf-8")
    bad.write_text(BAD[case][0], encoding="utf-8")
    assert main(["extract", str(page), "--site", str(bad)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and f"{bad}: " in err and BAD[case][1] in err, err


@pytest.mark.parametrize("command", [["record"], ["check"], ["accept", "some-id"], ["extract", "page.html"]])
def test_every_site_command_refuses_a_corrupt_overlay_before_any_work(command: list[str], tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """``--site`` on record, check, accept and extract: the overlay is read first, so a corrupt one is
    the one line and exit 2, with nothing captured or written."""
    monkeypatch.chdir(tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD["unknown key"][0], encoding="utf-8")
    assert main([*command, "--site", str(bad), "--snapshots", str(tmp_path / "snaps")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{bad}: {BAD['unknown key'][1]}" in err, err
    assert not (tmp_path / "snaps").exists()


def test_a_missing_overlay_file_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match=r"no such site overlay"):
        load_site([tmp_path / "absent.toml"])


# --- writing overlays ----------------------------------------------------------------------------

ADDITION = {"generation": {"post2020_dy": {"fields": {"body": [".post_body_v2"]}}},
            "text_regions": {"post2020_dy": {"body": [".post_body_v2"]}}}

EXISTING = """# My overlay: hand-written, keep my notes.
[generation.post2020_dy.fields]
# the 2026 title
title = ["h1.title_2026"]  # seen on 2026-05-01
body = [".story_body"]
"""


def test_write_overlay_keeps_the_users_file_and_adds_before(tmp_path: Path) -> None:
    path = tmp_path / "netease.toml"
    path.write_text(EXISTING, encoding="utf-8")
    write_overlay(path, ADDITION)
    text = path.read_text(encoding="utf-8")
    for kept in ("# My overlay: hand-written, keep my notes.", "# the 2026 title", "# seen on 2026-05-01",
                 'title = ["h1.title_2026"]'):
        assert kept in text
    fields = load_site([path]).generation_by_name["post2020_dy"].fields
    assert fields["body"] == (".post_body_v2", ".story_body", ".post_body")  # the newest first, the package's last
    assert fields["title"] == ("h1.title_2026", "h1.post_title")
    assert load_site([path]).text_regions["post2020_dy"][3] == ("body", ".post_body_v2, .post_body")
    write_overlay(path, ADDITION)  # again: nothing doubles
    assert path.read_text(encoding="utf-8") == text
    # no temporary file left; the lock file writers take turns on stays (see capture.lock.file_lock)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["netease.toml", "netease.toml.lock"]


def test_merge_overlay_text_into_nothing_is_a_loadable_overlay() -> None:
    text = merge_overlay_text("", ADDITION)
    site = load_site(texts=[text])
    assert site.generation_by_name["post2020_dy"].fields["body"] == (".post_body_v2", ".post_body")
    assert merge_overlay_text(text, ADDITION) == text


def test_write_overlay_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that fails half-way leaves the old file whole (and no temporary file); an addition that
    would not load is refused before anything is written."""
    path = tmp_path / "netease.toml"
    path.write_text(EXISTING, encoding="utf-8")

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_overlay(path, ADDITION)
    monkeypatch.undo()
    assert path.read_text(encoding="utf-8") == EXISTING
    assert sorted(p.name for p in tmp_path.iterdir()) == ["netease.toml", "netease.toml.lock"]
    with pytest.raises(BadInput, match=rf"{path.name}: generation.post2020_dy.fields.body\[0\]: .* is not a CSS"):
        write_overlay(path, {"generation": {"post2020_dy": {"fields": {"body": ["div[class"]}}}})
    assert path.read_text(encoding="utf-8") == EXISTING


# --- --site on the CLI and in pytest --------------------------------------------------------------

def _drifted_page(tmp_path: Path, base: str) -> Path:
    page = tmp_path / "page.html"
    page.write_text(drift.apply("rename-body-class", "normal", base), encoding="utf-8")
    return page


def test_site_on_the_cli_and_beside_the_watchlist(tmp_path: Path, base: str, generation: str,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    page = _drifted_page(tmp_path / "", base)
    overlay = tmp_path / "repairs.toml"
    overlay.write_text(f'[generation.{generation}.fields]\nbody = [".post_body_v2"]\n', encoding="utf-8")
    want = json.loads(extract(base, mode="normal").to_json())
    assert main(["extract", str(page)]) == 2  # the package table alone: the body is missing
    assert "body" in capsys.readouterr().err
    assert main(["extract", str(page), "--site", str(overlay)]) == 0
    assert json.loads(capsys.readouterr().out) == want
    # netease.toml beside pages.toml is found without --site.
    work = tmp_path / "repo"
    work.mkdir()
    (work / "pages.toml").write_text('[[page]]\nid = "a"\nurl = "https://www.163.com/dy/article/J2P6C4GT0530JPVV.html"\n',
                                     encoding="utf-8")
    (work / "netease.toml").write_text(overlay.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(work)
    assert main(["extract", str(page)]) == 0
    assert json.loads(capsys.readouterr().out) == want
    # Where `repair --apply` writes: --site, else beside the watchlist (whether or not it exists yet).
    assert site_overlays(None, work / "pages.toml") == [work / "netease.toml"]
    assert site_overlays(None, tmp_path / "pages.toml") == [] and site_overlays(overlay, None) == [overlay]
    assert site_overlay_path(None, tmp_path / "pages.toml") == tmp_path / "netease.toml"
    assert site_overlay_path(overlay, work / "pages.toml") == overlay


PROBE = textwrap.dedent("""
    def test_the_table_in_force(capture_run):
        assert capture_run.site.generation_by_name["post2020_dy"].fields["body"][0] == ".post_body_v2"
""")


def test_site_in_pytest(tmp_path: Path) -> None:
    """``pytest --site FILE`` (and netease.toml beside pages.toml) sets the table the session reads; a
    corrupt one stops pytest with the one line."""
    (tmp_path / "test_probe.py").write_text(PROBE, encoding="utf-8")
    overlay = tmp_path / "repairs.toml"
    overlay.write_text('[generation.post2020_dy.fields]\nbody = [".post_body_v2"]\n', encoding="utf-8")
    args = ("-p", "no:randomly", "-p", "no:cacheprovider", str(tmp_path / "test_probe.py"))
    assert run_pytest(*args, cwd=tmp_path).returncode == 1  # the package table
    proc = run_pytest(*args, "--site", str(overlay), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (tmp_path / "pages.toml").write_text("", encoding="utf-8")
    (tmp_path / "netease.toml").write_text(overlay.read_text(encoding="utf-8"), encoding="utf-8")
    proc = run_pytest(*args, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD["bad css"][0], encoding="utf-8")
    proc = run_pytest(*args, "--site", str(bad), cwd=tmp_path)
    assert proc.returncode == 4 and f"{bad}: {BAD['bad css'][1]}" in proc.stderr, proc.stderr

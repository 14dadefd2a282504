"""``capture repair`` (issue 15): check fails → repair proposes → ``--apply`` → the check with the overlay
shows no extraction difference (only the fingerprint's), on the replica and on the real samples; content
edits get no repair; a proposal that would change the golden's page is rejected; a broken overlay is one
line naming its key."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from capture.bundle import read_bundle
from capture.cli import main
from capture.compare import views
from capture.recorder import record
from capture.repair import Case, PageRepair, masked, propose
from capture.repair.site import PACKAGE
from capture.replica import DRIFTS, ReplicaServer, handle, pages
from capture.replica import drift as drifts
from capture.replica.drift_families import apply_crumb_list
from capture.report import CheckReport
from capture.run.accept import write_goldens
from capture.run.check import run_check
from capture.sites import load_site
from capture.targets import Target
from capture.testing import SAMPLE_URLS, SampleSite, run_config, snapshots_with_goldens

pytestmark = pytest.mark.usefixtures("replica_only")

#: The self-test's drifts that rename a class a selector names: extraction loses a field, and a
#: selector of the new class gives it back. Every other layout drift changes what the page holds
#: (modules dropped, reordered or renamed, another time format, another template, no care link).
SELECTOR_DRIFTS = ("rename-body-class", "rename-title-class", "rename-info-class", "rename-crumb-class")
OTHER_LAYOUT = sorted(n for n, d in DRIFTS.items() if d.kind == "layout" and d.target == "html"
                      and n not in SELECTOR_DRIFTS)


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def served(path: str, drift: str | None = None) -> bytes:
    resp = handle("GET", path, "", drift)
    assert resp.status == 200, (path, drift)
    return resp.body


def case_of(page: Any, mode: str, new: bytes, golden_page: bytes | None = None) -> Case:
    """A repair case from served HTML: the golden is the undrifted page's extraction."""
    path, url = (page.path, page.live_url) if mode == "normal" else (page.care_path, page.live_care_url)
    old = served(path) if golden_page is None else golden_page
    golden = masked(served(path), url, mode, None, PACKAGE)
    return Case(page.id, mode, url, new, None, golden, [("the golden's page", old, url, None)])


# --- in-process, every replica page: which drifts get a repair ----------------------------------------

def proposals(name: str) -> Iterator[tuple[Any, str, PageRepair]]:
    """(page, mode, the repair proposed) for drift ``name`` on every replica page, in each mode it applies to."""
    for page in pages():
        for mode in ("normal", "care"):
            if DRIFTS[name].applies(mode):
                path = page.path if mode == "normal" else page.care_path
                yield page, mode, propose(case_of(page, mode, served(path, name)), PACKAGE)


@pytest.mark.parametrize("name", SELECTOR_DRIFTS)
def test_selector_drift_is_repaired_on_every_replica_page(name: str) -> None:
    for page, mode, result in proposals(name):
        if mode == "care":  # read generically: a renamed class breaks nothing there
            assert result.status == "nothing-broken", (page.id, result.reasons)
            continue
        assert result.status == "repaired", (page.id, result.broken, result.reasons)
        assert result.verification is not None and result.verification.accepted
        assert result.verification.body_f1 >= 0.99 and result.verification.reference_unchanged
        # The drift's new class, or the stem it shares with the old one ([class^="post_body"]: robust to
        # the next version), is in the proposed selectors.
        assert any("_v2" in r.selector or "_new" in r.selector or '[class^="post_' in r.selector
                   for r in result.repairs), [r.selector for r in result.repairs]


@pytest.mark.parametrize("name", OTHER_LAYOUT)
def test_other_layout_drifts_get_no_selector(name: str) -> None:
    """Dropped, reordered or renamed modules, a new time format, another template, a lost care link:
    the page holds something else now, which no selector brings back; nothing is proposed."""
    for page, mode, result in proposals(name):
        assert not result.repairs, (page.id, mode, result.repairs)
        assert result.status in ("nothing-broken", "content", "unrepaired"), (page.id, mode, result.status)
        if result.status != "nothing-broken":
            assert result.reasons, (page.id, mode)


# --- content is not layout ---------------------------------------------------------------------------

def _seed_html() -> tuple[Any, str]:
    page = next(p for p in pages() if masked(served(p.path), p.live_url, "normal", None, PACKAGE)["blocks"])
    return page, served(page.path).decode("utf-8")


def _paragraph(html: str) -> str:
    data = masked(html.encode(), "", "normal", None, PACKAGE)
    return next(b["text"] for b in data["blocks"] if b.get("type") == "p" and len(b["text"]) > 20)


def test_an_edited_paragraph_gets_no_repair() -> None:
    page, html = _seed_html()
    para = _paragraph(html)
    edited = html.replace(para[:12], "据最新消息，" + para[:6], 1)
    assert edited != html
    result = propose(case_of(page, "normal", edited.encode()), PACKAGE)
    assert result.status == "content" and not result.repairs, result.reasons
    assert any(r.startswith(("content", "volatile")) and "body paragraph" in r for r in result.reasons), result.reasons


def test_text_inserted_into_a_paragraph_is_volatile_not_layout() -> None:
    page, html = _seed_html()
    para = _paragraph(html)
    cut = len(para) // 2
    inserted = html.replace(para, para[:cut] + "【广告】点击领取优惠券" + para[cut:], 1)
    assert inserted != html
    result = propose(case_of(page, "normal", inserted.encode()), PACKAGE)
    assert result.status == "content" and not result.repairs
    assert any(r.startswith("volatile") for r in result.reasons), result.reasons


def test_an_ad_block_inside_the_body_gets_an_exclusion() -> None:
    page, html = _seed_html()
    para = _paragraph(html)
    at = html.index(para)
    at = html.index("</p>", at) + len("</p>")
    ad = '<div class="post_body_ad"><p>推广：下载网易新闻客户端，领取福利</p></div>'
    result = propose(case_of(page, "normal", (html[:at] + ad + html[at:]).encode()), PACKAGE)
    assert result.status == "repaired", result.reasons
    assert [(r.field, r.kind) for r in result.repairs] == [("body_skip", "exclusion")]
    assert "post_body_ad" in result.repairs[0].selector
    assert result.verification.reference_unchanged and result.verification.body_f1 == 1.0


def test_a_proposal_that_would_change_the_golden_page_is_rejected() -> None:
    """On the golden's page the new class already names another element, before the title: every
    selector that reads the new page's title would read that one there."""
    page, html = _seed_html()
    decoy = '<h1 class="post_title_new">小编推荐</h1>'
    start = html.index('class="post_main"')
    start = html.index(">", start) + 1
    golden_page = (html[:start] + decoy + html[start:]).encode()
    new = served(page.path, "rename-title-class")
    result = propose(case_of(page, "normal", new, golden_page), PACKAGE)
    rejected = [r for r in result.reasons if r.startswith("rejected candidate title = ")]
    assert rejected and "小编推荐" in rejected[0], result.reasons
    assert result.status == "rejected" and not result.repairs, (result.status, result.repairs)


# --- a crumb given as a list: read by crumb_item, proposed by evidence -----------------------------------

def _crumb_page() -> tuple[Any, str]:
    """A replica page whose crumb holds the 申请入驻 link (crumb_skip) after its parts."""
    page = next(p for p in pages() if 'class="to_reg"' in served(p.path).decode("utf-8"))
    return page, served(page.path).decode("utf-8")


_CRUMB_SHAPES = [
    {"ul": "breadcrumb", "li": "crumb_li", "keep_sep": False, "whole": False},
    {"ul": "", "li": "", "keep_sep": True, "whole": False},
    {"ul": "", "li": "post_crumb_item", "keep_sep": True, "whole": True},
]


@pytest.mark.parametrize("shape", _CRUMB_SHAPES, ids=["ul-in-div", "separators-kept", "crumb-is-the-list"])
def test_a_crumb_given_as_a_list_is_read_by_crumb_item_and_the_text_crumb_as_before(shape: dict[str, Any]) -> None:
    page, html = _crumb_page()
    golden = masked(html.encode(), page.live_url, "normal", None, PACKAGE)
    listed = apply_crumb_list(html, shape)
    assert "<li" in listed and len(golden["crumb"]) >= 2
    assert masked(listed.encode(), page.live_url, "normal", None, PACKAGE)["crumb"] == []  # the text reader
    gen = golden["generation"]
    site = PACKAGE.plus({"generation": {gen: {"fields": {"crumb_item": ["li"]}}}}).site()
    assert masked(listed.encode(), page.live_url, "normal", None, site)["crumb"] == golden["crumb"]
    # No list in the crumb: the text and links split by '>', exactly as without the field.
    assert masked(html.encode(), page.live_url, "normal", None, site) == golden


def test_a_crumb_item_holding_a_skipped_link_is_left_out() -> None:
    page, html = _crumb_page()
    golden = masked(html.encode(), page.live_url, "normal", None, PACKAGE)
    items = "".join(f"<li>{p}</li>" for p in golden["crumb"]) + '<li><a class="to_reg" href="#">申请入驻</a></li>'
    start = html.index('<div class="post_crumb">')
    end = html.index("</div>", start) + len("</div>")
    listed = html[:start] + f'<ul class="post_crumb">{items}</ul>' + html[end:]
    site = PACKAGE.plus({"generation": {golden["generation"]: {"fields": {"crumb_item": ["li"]}}}}).site()
    assert masked(listed.encode(), page.live_url, "normal", None, site)["crumb"] == golden["crumb"]


@pytest.mark.parametrize("shape", _CRUMB_SHAPES, ids=["ul-in-div", "separators-kept", "crumb-is-the-list"])
def test_a_crumb_turned_into_a_list_is_repaired_by_a_verified_crumb_item(shape: dict[str, Any]) -> None:
    page, html = _crumb_page()
    result = propose(case_of(page, "normal", apply_crumb_list(html, shape).encode()), PACKAGE)
    assert result.status == "repaired", result.reasons
    assert [(r.field, r.selector) for r in result.repairs] == [("crumb_item", "li")]
    assert result.verification.accepted and result.verification.reference_unchanged
    assert "crumb_item" in result.addition()["generation"][page_generation(page)]["fields"]


def test_a_crumb_renamed_and_turned_into_a_list_gets_its_selector_and_crumb_item() -> None:
    page, html = _crumb_page()
    renamed = apply_crumb_list(html, _CRUMB_SHAPES[0]).replace('class="post_crumb"', 'class="ne-path"')
    result = propose(case_of(page, "normal", renamed.encode()), PACKAGE)
    assert result.status == "repaired", result.reasons
    fields = {r.field for r in result.repairs}
    assert "crumb_item" in fields and "crumb" in fields, [(r.field, r.selector) for r in result.repairs]
    assert result.verification.reference_unchanged


def test_a_list_whose_items_are_not_the_crumb_parts_gets_no_crumb_item() -> None:
    """The crumb's text edited and made a list: the items hold other parts, so no crumb_item reads the golden's."""
    page, html = _crumb_page()
    edited = apply_crumb_list(html, _CRUMB_SHAPES[0]).replace(">正文<", ">专题<", 1)
    result = propose(case_of(page, "normal", edited.encode()), PACKAGE)
    assert not any(r.field == "crumb_item" for r in result.repairs), result.repairs
    assert result.status != "repaired"


def page_generation(page: Any) -> str:
    return masked(served(page.path), page.live_url, "normal", None, PACKAGE)["generation"]


# --- the whole loop on the replica, through the CLI ---------------------------------------------------


@pytest.fixture(scope="module", params=SELECTOR_DRIFTS)
def replica_loop(request: pytest.FixtureRequest, seed_target: Target,
                 tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """check (fails) → repair → repair --apply → check with the overlay, once per drift."""
    name = request.param
    tmp = tmp_path_factory.mktemp(f"loop-{name}")
    snaps = snapshots_with_goldens(tmp / "snapshots", [seed_target.id])
    overlay = tmp / "netease.toml"
    out: dict[str, Any] = {"name": name, "snaps": snaps, "overlay": overlay}
    with ReplicaServer(drift=name) as server:
        out["check"] = cli("check", seed_target.id, "--snapshots", str(snaps), "--replica-url", server.base_url,
                           "--modes", "normal", "--retries", "1")
        shutil.copyfile(snaps / "reports" / "last-check.json", tmp / "first-check.json")
        out["first_report"] = tmp / "first-check.json"
        out["propose"] = cli("repair", "--snapshots", str(snaps), "--site", str(overlay))
        out["overlay_after_propose"] = overlay.exists()
        out["apply"] = cli("repair", seed_target.id, "--snapshots", str(snaps), "--site", str(overlay), "--apply")
        out["recheck"] = cli("check", seed_target.id, "--snapshots", str(snaps), "--replica-url", server.base_url,
                             "--modes", "normal", "--retries", "1", "--site", str(overlay), "--json")
    assert out["recheck"][1].lstrip().startswith("{"), out["recheck"]
    (result,) = CheckReport.from_dict(json.loads(out["recheck"][1])).results
    out["after"] = result
    out["after_views"] = views(read_bundle(Path(result.bundle)), site=load_site([overlay]))
    return out


def test_loop_check_fails_then_repair_proposes_a_verified_diff(replica_loop: dict[str, Any]) -> None:
    code, out, _ = replica_loop["check"]
    assert code == 1 and "layout-changed" in out
    code, out, err = replica_loop["propose"]
    assert code == 0, out + err
    assert "repaired: broken" in out and "verified new capture: title = time = source = body F1" in out, out
    assert "+++ b/netease.toml" in out and "reads as before" in out
    assert "--apply" in out.splitlines()[-2], out
    assert not replica_loop["overlay_after_propose"], "proposing alone must not write the overlay"


def test_loop_apply_writes_the_overlay_and_the_check_shows_only_the_fingerprint(
        replica_loop: dict[str, Any], seed_target: Target) -> None:
    code, out, err = replica_loop["apply"]
    assert code == 0 and "applied" in out, out + err
    overlay = tomllib.loads(replica_loop["overlay"].read_text(encoding="utf-8"))
    fields = {f for gen in overlay["generation"].values() for f in gen["fields"]}
    assert fields, overlay
    golden = json.loads(run_config(replica_loop["snaps"]).store.path(seed_target.id, "normal", "extraction")
                        .read_text(encoding="utf-8"))
    assert replica_loop["after_views"].extraction == golden  # (masked) no extraction difference left
    assert replica_loop["recheck"][0] == 1  # `capture check --site overlay`: the layout did change
    failing = [d for d in replica_loop["after"].differences if d.fails and d.region != "a11y"]
    drift = DRIFTS[replica_loop["name"]]
    # the layout did change: the fingerprint still says so, in the drift's region only
    assert failing and {(d.cls, d.region) for d in failing} == {("layout-changed", drift.expect_region)}, failing


def test_review_shows_the_repair_its_figures_and_command(replica_loop: dict[str, Any],
                                                         seed_target: Target) -> None:
    html = replica_loop["snaps"] / "review.html"
    code, _, err = cli("review", "--snapshots", str(replica_loop["snaps"]), "--report",
                       str(replica_loop["first_report"]), "--out", str(html))
    assert code == 0, err
    text = html.read_text(encoding="utf-8")
    assert "Proposed repair: repaired" in text, text[:3000]
    assert "verified: new capture: title = time = source = body F1" in text
    overlay = tomllib.loads(replica_loop["overlay"].read_text(encoding="utf-8"))
    selector = next(s for gen in overlay["generation"].values() for sels in gen["fields"].values() for s in sels)
    assert selector.replace('"', "&#34;") in text or selector in text
    assert re.search(rf"<code class=\"command\">capture repair {seed_target.id} --mode normal[^<]*--apply</code>", text)


def test_apply_keeps_what_the_overlay_held(replica_loop: dict[str, Any], tmp_path: Path) -> None:
    """A second apply into an overlay with other entries keeps them and adds nothing twice."""
    overlay = tmp_path / "mine.toml"
    overlay.write_text('[generation.endpage1301.fields]\ntitle = ["h1.mine"]\n', encoding="utf-8")
    for _ in range(2):
        code, out, err = cli("repair", "--snapshots", str(replica_loop["snaps"]), "--site", str(overlay), "--apply")
    data = tomllib.loads(overlay.read_text(encoding="utf-8"))
    assert data["generation"]["endpage1301"]["fields"]["title"] == ["h1.mine"]
    for gen in data["generation"].values():
        for sels in gen["fields"].values():
            assert len(sels) == len(set(sels))


# --- bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "key"), [
    ("[generation.post2020_dy.fields]\nbody = 3\n", "generation.post2020_dy.fields.body"),
    ("[generation.no_such_gen.fields]\nbody = [\".x\"]\n", "generation.no_such_gen"),
    ("[generation.post2020_dy.fields\nbody = [", "not valid TOML"),
])
def test_a_broken_overlay_is_one_line_naming_the_key(tmp_path: Path, text: str, key: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    code, out, err = cli("repair", "--snapshots", str(tmp_path / "snapshots"), "--site", str(bad))
    assert code == 2, out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and key in lines[0] and str(bad) in lines[0], err
    assert "Traceback" not in err and bad.read_text(encoding="utf-8") == text


def test_no_report_and_unknown_id_are_bad_input(tmp_path: Path) -> None:
    code, _, err = cli("repair", "--snapshots", str(tmp_path))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "capture check" in err
    report = CheckReport(created_at="now", snapshots=str(tmp_path), target="replica", base_url=None)
    report.write(tmp_path / "reports" / "last-check.json")
    code, _, err = cli("repair", "NOSUCHPAGE", "--snapshots", str(tmp_path))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "NOSUCHPAGE" in err


# --- the real samples, with the same drifts -------------------------------------------------------------

@pytest.fixture(scope="module", params=sorted(SAMPLE_URLS), ids=["2024-dy", "2025-news"])
def sample(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The sample served, its goldens and stored bundle made from a first capture (the golden's own page)."""
    site = SampleSite(request.param)
    snaps = tmp_path_factory.mktemp("sample") / "snapshots"
    normal = site.config(snaps, modes=("normal",))
    (outcome,) = record([site.target], snaps, normal.options)
    assert outcome.status == "ok", outcome.reason
    # force: the stand-ins answer no c.m.163.com or news.163.com, which write_goldens calls broken
    write_goldens(read_bundle(outcome.path), normal, force=True)
    yield site, snaps, normal
    site.stop()


@pytest.mark.parametrize("name", SELECTOR_DRIFTS)
def test_loop_on_the_real_samples(sample: Any, name: str, tmp_path: Path) -> None:
    site, snaps, config = sample
    drifted = drifts.apply(name, "normal", site.html)
    assert drifted != site.html, f"{name} changes nothing on {site.target.id}"
    overlay = tmp_path / "netease.toml"
    site.serve(drifted)
    try:
        report = run_check(config, [site.target])
        assert report.fails
        code, out, err = cli("repair", "--snapshots", str(snaps), "--site", str(overlay), "--apply")
        assert code == 0 and "applied" in out, out + err
        assert f"golden page (stored bundle {snaps}" in out  # verified on the golden's own capture
        repaired = site.config(snaps, modes=("normal",), site=overlay)
        (result,) = run_check(repaired, [site.target]).results
        golden = json.loads(Path(result.golden["extraction"]).read_text(encoding="utf-8"))
        assert views(read_bundle(Path(result.bundle)), site=repaired.site).extraction == golden  # masked
    finally:
        site.serve(site.html)


# --- in pytest: the failing extraction golden names the repair -------------------------------------

CONFTEST = '''
import pytest
from capture.replica import ReplicaServer


@pytest.fixture(scope="session")
def replica_server():
    with ReplicaServer(drift="{drift}") as server:
        yield server
'''
GOLDEN_TESTS = '''
def test_extraction(capture_views, golden):
    assert capture_views.extraction == golden.extraction
'''


def test_pytest_failure_names_the_repair_and_its_command(seed_target: Target, tmp_path: Path) -> None:
    """A user's suite on a replica that renamed the crumb class: syrupy's diff, and beside it the
    proposed overlay diff and the command; that command applies it, and the suite with the overlay passes."""
    from capture.testing import run_pytest

    repo = tmp_path / "repo"
    (repo / "tests").mkdir(parents=True)
    (repo / "pages.toml").write_text(f'[[page]]\nid = "{seed_target.id}"\nurl = "{seed_target.url}"\n',
                                     encoding="utf-8")
    (repo / "conftest.py").write_text(CONFTEST.replace("{drift}", "rename-crumb-class"), encoding="utf-8")
    (repo / "tests" / "test_goldens.py").write_text(GOLDEN_TESTS, encoding="utf-8")
    snapshots_with_goldens(repo / "snapshots", [seed_target.id])
    env = {"CAPTURE_GOLDENS_ROOT": ""}
    args = ("-p", "no:randomly", "-p", "no:cacheprovider", "-k", "normal")
    first = run_pytest(*args, cwd=repo, env=env)
    assert first.returncode == 1, first.stdout[-3000:]
    out = first.stdout
    assert "proposed repair (capture repair)" in out and "a verified repair of crumb" in out, out[-4000:]
    # The [selectors] entry rewritten by the stem the old and new class share (beside syrupy's diff).
    assert "+POST_CRUMB = " in out and "post_crumb" in out and "snapshot" in out.lower()
    command = f"capture repair {seed_target.id} --mode normal --apply"
    assert command in out, out[-3000:]
    code, text, err = _in(repo, lambda: cli(*command.split()[1:]))
    assert code == 0 and "applied" in text, text + err
    assert (repo / "netease.toml").is_file()
    again = run_pytest(*args, cwd=repo, env=env)  # netease.toml beside pages.toml is read by default
    assert again.returncode == 0, again.stdout[-3000:]


def _in(folder: Path, fn: Any) -> Any:
    with contextlib.chdir(folder):
        return fn()

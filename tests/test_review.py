"""``capture review``: the HTML page of a real drift check, loaded in Chromium; env mismatch; safety; errors."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from capture.browser import context_args
from capture.cli import main
from capture.goldens import GoldenStore, TargetSet
from capture.replica import ReplicaServer, seed_page
from capture.report import CheckReport, last_check_path
from capture.review import CSP
from capture.run.accept import accept
from capture.run.check import Compare, compare_bundle, run_check
from capture.sites import default_site
from capture.targets import Target
from capture.testing import run_config

DRIFT = "drop-side-module"  # a layout drift the extraction survives: every diff section has content
PAYLOAD = ("<script>document.title='PWNED';window.__pwned=true;"
           "window.parent&&(window.parent.document.title='PWNED')</script>"
           "<img src=x onerror=\"window.__pwned=true;alert('xss')\">")


@pytest.fixture(scope="module")
def drifted(replica_only, tmp_path_factory) -> tuple[Path, str]:
    """A snapshots folder: goldens (screens and env included) accepted from a clean check of the seed page
    in normal mode, then a check of the same page under a layout drift. Returns (folder, page id)."""
    p = seed_page()
    seed = Target(p.id, p.live_url)
    snaps = tmp_path_factory.mktemp("review") / "snapshots"
    opts = dict(modes=("normal",), retries=1)

    def build() -> None:
        with ReplicaServer() as server:
            run_check(run_config(snaps, server.base_url, **opts), [seed])
        accept(run_config(snaps, **opts), [seed.id], ("normal",))
        with ReplicaServer(drift=DRIFT) as server:
            report = run_check(run_config(snaps, server.base_url, **opts), [seed])
        assert report.fails, [r.differences for r in report.results]

    build()
    assert _store(snaps).screen_path(seed.id, "normal").is_file()
    return snaps, seed.id


def _store(snaps: Path) -> GoldenStore:
    return GoldenStore(snaps, TargetSet.REPLICA)


def _copy(drifted: tuple[Path, str], dest: Path) -> Path:
    """A private copy of the drifted snapshots folder, its report pointing into the copy."""
    src, _ = drifted
    shutil.copytree(src, dest)
    report = last_check_path(dest)
    report.write_text(report.read_text(encoding="utf-8").replace(str(src), str(dest)), encoding="utf-8")
    return dest


def _review(snaps: Path, capsys, *extra: str) -> Path:
    code = main(["review", "--snapshots", str(snaps), *extra])
    out, err = capsys.readouterr()
    assert code == 0, err
    path = Path(out.strip().splitlines()[-1])
    assert path.is_file()
    return path


PROBE = """() => ({
  title: document.title,
  pwned: window.__pwned === true,
  scripts: document.querySelectorAll('script').length,
  handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
  iframes: document.querySelectorAll('iframe').length,
  csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content,
  text: document.body.innerText,
  differences: [...document.querySelectorAll('section.failing table.differences tbody tr')].map(r => r.innerText),
  views: Object.fromEntries([...document.querySelectorAll('section.failing .view')].map(v =>
    [v.className.replace('view view-', ''), {lines: v.querySelectorAll('pre.diff span').length, text: v.innerText}])),
  images: [...document.querySelectorAll('.shots img')].map(i => ({src: i.src.slice(0, 22), w: i.naturalWidth})),
  pixelNote: document.querySelector('.pixel-note')?.innerText || null,
  envRows: [...document.querySelectorAll('table.env tbody tr')].map(r => r.innerText),
})"""


def _load(chromium: Any, html: Path) -> dict[str, Any]:
    """Open the review in Chromium (file://) and report what it shows and whether anything ran."""
    context = chromium.new_context(**context_args())
    try:
        page = context.new_page()
        dialogs: list[str] = []
        requests: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("request", lambda r: requests.append(r.url))
        response = page.goto(html.as_uri(), wait_until="load")
        page.wait_for_timeout(300)  # an onerror handler would have fired by now
        data = page.evaluate(PROBE)
        data.update(status=response.status if response else None, dialogs=dialogs, requests=requests)
        return data
    finally:
        context.close()


def test_review_of_a_drift_check_shows_every_section(capture_chromium, drifted, tmp_path, capsys):
    snaps = _copy(drifted, tmp_path / "snapshots")
    html = _review(snaps, capsys)
    assert html == snaps / "reports" / "review.html"
    shown = _load(capture_chromium, html)
    assert shown["status"] == 200
    assert shown["csp"] == CSP and shown["scripts"] == 0
    assert all(u.startswith(("file:", "data:")) for u in shown["requests"]), shown["requests"]
    # the classified differences, as a table
    assert any(row.startswith("layout-changed\tside") for row in shown["differences"]), shown["differences"]
    # the four golden views, each as a diff (or said identical)
    assert set(shown["views"]) == {"extraction", "text", "skeleton", "aria"}
    for kind in ("extraction", "skeleton"):
        assert shown["views"][kind]["lines"] > 3, (kind, shown["views"][kind]["text"][:500])
        assert "--- golden " in shown["views"][kind]["text"]
    for kind in ("text", "aria"):
        assert shown["views"][kind]["lines"] or "identical to the golden" in shown["views"][kind]["text"]
    # golden / new / pixel diff, with the ratio
    assert [i["src"] for i in shown["images"]] == ["data:image/jpeg;base64", "data:image/jpeg;base64",
                                                  "data:image/png;base64,"]
    assert all(i["w"] > 0 for i in shown["images"])
    m = re.search(r"changed pixels: (\d+) of (\d+) = ([\d.]+)%", shown["text"])
    assert m and int(m[1]) > 0 and 0 < float(m[3]) <= 100, shown["text"][:2000]
    assert shown["pixelNote"] is None
    assert html.stat().st_size < 3_000_000


def test_env_mismatch_skips_pixels_and_missing_screenshot_says_how(capture_chromium, drifted, tmp_path, capsys):
    snaps = _copy(drifted, tmp_path / "env")
    _, page_id = drifted
    env_file = _store(snaps).env_path(page_id, "normal")
    env = json.loads(env_file.read_text(encoding="utf-8"))
    env["browser"] = {**env["browser"], "version": "1.0.0.0"}
    env_file.write_text(json.dumps(env), encoding="utf-8")
    shown = _load(capture_chromium, _review(snaps, capsys))
    assert shown["status"] == 200
    assert shown["images"] == []
    assert "pixel comparison skipped" in shown["pixelNote"] and "environment differs (browser)" in shown["pixelNote"]
    assert "Environment mismatch" in shown["text"]
    assert len(shown["envRows"]) == 1 and '"1.0.0.0"' in shown["envRows"][0]
    assert shown["views"]["skeleton"]["lines"] > 3  # the text views are still compared

    snaps = _copy(drifted, tmp_path / "noscreen")
    _store(snaps).screen_path(page_id, "normal").unlink()
    text = _review(snaps, capsys).read_text(encoding="utf-8")
    assert "no golden screenshot at" in text and f"capture accept {page_id} --mode normal" in text
    assert "pytest --snapshot-update" in text and "<img" not in text


def test_page_without_golden_is_reviewed_as_no_golden(capture_chromium, drifted, tmp_path, capsys):
    """No golden is its own status and class, with the command that creates it; never a layout change."""
    snaps = _copy(drifted, tmp_path / "nogolden")
    report = CheckReport.read(last_check_path(snaps))
    (old,) = report.results
    for path in (snaps / "replica").rglob(f"*{old.id}*"):
        path.unlink()
    target = Target(old.id, old.url)
    config = run_config(snaps)
    report.results = [compare_bundle(target, old.mode, Path(old.bundle),
                                     Compare(config.store, config.site, config.hint_options()))]
    report.write(last_check_path(snaps))
    text = _review(snaps, capsys).read_text(encoding="utf-8")
    assert '<span class="status-no-golden">no-golden</span>' in text
    assert '<td class="cls-no-golden cls-fail">no-golden</td>' in text
    assert "1 page/mode result(s) failing (" in text and '<span class="status-no-golden">1 no-golden</span>' in text
    assert f"capture accept {old.id} --mode normal" in text and "pytest --snapshot-update" in text
    assert "layout-changed" not in text
    assert text.count('<span class="add">') > 10, "the new views are shown as all added, like a new snapshot"


def _plant(bundle: Path) -> None:
    """Put the payload where a captured page's content reaches the review: DOM (so the extraction), text, aria."""
    dom = (bundle / "dom.html").read_text(encoding="utf-8")
    m = re.search(r'class="post_body"[^>]*>.*?<p[^>]*>', dom, re.S)
    assert m, "no body paragraph in dom.html"
    escaped = PAYLOAD.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    dom = dom[:m.end()] + escaped + PAYLOAD + dom[m.end():]  # as text, and as live markup
    (bundle / "dom.html").write_text(dom, encoding="utf-8")
    meta = json.loads((bundle / "meta.json").read_text(encoding="utf-8"))
    blocks = (bundle / "text.txt").read_text(encoding="utf-8").split("\n\n")
    i = next(i for i, name in enumerate(meta["text_regions"]) if name not in default_site().volatile_text_regions)
    blocks[i] += "\n" + PAYLOAD
    (bundle / "text.txt").write_text("\n\n".join(blocks), encoding="utf-8")
    aria = (bundle / "aria.yaml").read_text(encoding="utf-8")
    (bundle / "aria.yaml").write_text(aria + f"- paragraph: {PAYLOAD}\n", encoding="utf-8")


def test_script_in_a_captured_page_never_runs_in_the_review(capture_chromium, drifted, tmp_path, capsys):
    snaps = _copy(drifted, tmp_path / "xss")
    report = CheckReport.read(last_check_path(snaps))
    (result,) = report.results
    _plant(Path(result.bundle))
    result.differences[0].reason += " " + PAYLOAD  # reasons quote captured titles and text
    report.write(last_check_path(snaps))
    html = _review(snaps, capsys)
    source = html.read_text(encoding="utf-8")
    assert "<script" not in source.lower() and "<img src=x" not in source
    assert "&lt;script&gt;document.title=" in source
    shown = _load(capture_chromium, html)
    assert shown["status"] == 200
    assert shown["title"].startswith("capture review") and "PWNED" not in shown["title"]
    assert not shown["pwned"] and not shown["dialogs"]
    assert shown["scripts"] == 0 and shown["handlers"] == 0 and shown["iframes"] == 0
    # shown as text, where it was planted
    for kind in ("extraction", "text", "aria"):
        assert "<script>document.title='PWNED'" in shown["views"][kind]["text"], kind
    assert any("<script>document.title='PWNED'" in row for row in shown["differences"])
    assert "<img src=x onerror=" in shown["text"]


def test_extraction_failure_is_explained_and_other_views_still_diffed(drifted, tmp_path, capsys):
    snaps = _copy(drifted, tmp_path / "broken")
    (result,) = CheckReport.read(last_check_path(snaps)).results
    dom = Path(result.bundle) / "dom.html"
    dom.write_text(dom.read_text(encoding="utf-8").replace('class="post_body"', 'class="post_body_v2"'),
                   encoding="utf-8")
    (Path(result.bundle) / "screenshot.png").write_bytes(
        _store(snaps).screen_path(result.id, "normal").read_bytes())
    text = _review(snaps, capsys).read_text(encoding="utf-8")
    assert "the new capture could not be extracted" in text and "required field" in text
    assert "(missing .post_body)" in text  # the skeleton diff
    assert "changed pixels: 0 of " in text and "= 0.00%" in text


def test_the_newer_report_is_reviewed(drifted, tmp_path, capsys):
    snaps = _copy(drifted, tmp_path / "newer")
    report = CheckReport.read(last_check_path(snaps))
    for r in report.results:
        r.status, r.differences = "unchanged", []
    pytest_report = snaps / "reports" / "last-pytest.json"
    report.write(pytest_report)
    later = time.time() + 5
    os.utime(pytest_report, (later, later))
    text = _review(snaps, capsys).read_text(encoding="utf-8")
    assert str(pytest_report) in text and "0 page/mode result(s) failing, 1 unchanged" in text
    out = tmp_path / "elsewhere" / "r.html"
    text = _review(snaps, capsys, "--report", str(last_check_path(snaps)), "--out", str(out)).read_text(
        encoding="utf-8")
    assert str(last_check_path(snaps)) in text and "1 page/mode result(s) failing" in text


@pytest.mark.parametrize("case", ["missing", "corrupt", "not-an-object", "missing --report"])
def test_missing_or_corrupt_report_is_one_line_exit_2(case, tmp_path, capsys):
    snaps = tmp_path / "snapshots"
    args = ["review", "--snapshots", str(snaps)]
    named = last_check_path(snaps)
    if case == "corrupt":
        named.parent.mkdir(parents=True)
        named.write_text('{"created_at": "2026', encoding="utf-8")
    elif case == "not-an-object":
        named.parent.mkdir(parents=True)
        named.write_text("[1, 2]", encoding="utf-8")
    elif case == "missing --report":
        named = tmp_path / "nope.json"
        args += ["--report", str(named)]
    code = main(args)
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("capture review: error:"), err
    assert str(named) in lines[0] and "capture check" in lines[0]
    assert "Traceback" not in err


@pytest.mark.browser
def test_review_lists_pages_and_shows_a_repair_once_for_the_pages_it_fixes(tmp_path: Path) -> None:
    """A table of contents with each failing page's status and anchor; one repair that fixes several
    pages is one entry naming them, with one command for all of them."""
    import re as _re

    from capture.replica import pages as replica_pages
    from capture.review.render import ReviewContext, write_review
    from capture.testing import snapshots_with_goldens

    ids = [p.id for p in replica_pages() if p.kind == "dy"][:2]
    snaps = snapshots_with_goldens(tmp_path / "snaps", ids)
    with ReplicaServer(drift="rename-title-class") as server:
        config = run_config(snaps, server.base_url, modes="normal")
        report = run_check(config, config.resolve(ids))
    assert [r.status for r in report.results] == ["changed", "changed"]
    out, _report, _path = write_review(snaps, ReviewContext(site=config.site, hint_options=config.hint_options()))
    html = out.read_text(encoding="utf-8")
    toc = html[html.index('<nav id="toc">'):html.index("</nav>")]
    assert all(f'href="#r-{i}-normal"' in toc and f'id="r-{i}-normal"' in html for i in ids)
    assert html.count('class="repair repair-') == 1  # one distinct repair, shown once
    group = html[html.index('id="repair-1"'):]
    assert "fixes 2 page/mode result(s)" in group
    assert _re.search(r"capture repair " + " ".join(sorted(ids)) + r" --mode normal --snapshots \S+ --apply", group)

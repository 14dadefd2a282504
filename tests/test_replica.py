"""The replica site: served paths, the seed page's text, the 关怀版 mechanism, and the port errors."""

from __future__ import annotations

import socket
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from capture.errors import BadInput
from capture.pagetext import comparable_lines, visible_text
from capture.recorder import wait_ready_sync
from capture.replica import ReplicaServer, pages, render, seed_page

ROOT = Path(__file__).resolve().parents[1]
SEED_DIR = Path(__file__).resolve().parents[2] / "shared" / "seed"


def fetch(url: str) -> tuple[int, str, str]:
    """(status, content type, body) without raising on 4xx/5xx."""
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.headers["Content-Type"], resp.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.headers["Content-Type"], err.read().decode("utf-8")


@pytest.fixture
def tab(capture_context: Any) -> Iterator[Any]:
    """A page in the plugin's recorder-like context."""
    p = capture_context.new_page()
    yield p
    p.close()


def open_ready(page: Any, url: str) -> None:
    page.goto(url)
    wait_ready_sync(page, 10_000)


# --- catalogue ---------------------------------------------------------------------------------

def test_catalogue_covers_both_generations_and_one_seed() -> None:
    ps = pages()
    assert len(ps) >= 8
    assert [p.id for p in ps] == sorted(p.id for p in ps)
    assert {p.generation for p in ps} == {"post2020_dy", "post2020_cms"}
    assert sum(p.seed for p in ps) == 1
    for p in ps:
        assert len(p.id) == 16
        if p.kind == "dy":
            assert (p.path, p.care_path) == (f"/dy/article/{p.id}.html", f"/dy/article/{p.id}_pdya11y.html")
        else:
            assert (p.path, p.care_path) == (f"/news/article/{p.id}.html", f"/news/article/{p.id}_pa11y.html")


def test_pages_toml_matches_the_replica() -> None:
    watched = tomllib.loads((ROOT / "pages.toml").read_text(encoding="utf-8"))["page"]
    assert [(w["id"], w["url"]) for w in watched] == [(p.id, "https://www.163.com" + p.path) for p in pages()]


def test_content_variety() -> None:
    """Crumbs, images, a long article and a video placeholder are all represented."""
    html = {p.id: render(p, "normal") for p in pages()}
    joined = "\n".join(html.values())
    for crumb in ("网易号</a> &gt; 正文", "新闻</a> &gt; 正文", "网易天津</a> &gt; 正文"):
        assert crumb in joined
    with_img = [i for i, h in html.items() if '<p class="f_center"><img' in h]
    assert with_img and len(with_img) < len(html)
    assert max(h.split('<div class="post_body">')[1].split("</div>")[0].count("<p") for h in html.values()) >= 40
    assert any('class="post_video_box"' in h for h in html.values())
    for p in pages():
        if p.kind == "news":
            assert 'class="otitle"' in html[p.id] and 'class="post_author"' in html[p.id]
        else:
            assert 'class="creative_statement"' in html[p.id] and 'class="post_statement"' in html[p.id]


# --- HTTP ----------------------------------------------------------------------------------------

def test_every_page_and_care_page_is_served(replica_server: ReplicaServer) -> None:
    for p in pages():
        for path in (p.path, p.care_path):
            status, ctype, body = fetch(replica_server.base_url + path)
            assert (status, ctype) == (200, "text/html; charset=utf-8"), path
            assert p.title in body


def test_raw_html_has_unfilled_values_and_hidden_care_link(replica_server: ReplicaServer) -> None:
    p = seed_page()
    _, _, body = fetch(replica_server.base_url + p.path)
    assert '<html id="ne_wrap" data-publishtime="2024-05-24 11:32:10">' in body
    assert 'class="post_top_tie_count js-tielink js-tiejoincount" href="#post_comment_area"' in body
    assert '<div class="post_recommend_news_hot">' in body and "js_post_recommend_hot" not in body
    assert "<base target=\"_blank\">" in body
    assert '<a class="ntes-nav-wzapage" target="_self" href="javascript:void(0)" id="js_gowza">进入关怀版</a>' in body
    assert f'aria-url="https://www.163.com{p.care_path}" aria-basefontsize="16"' in body


@pytest.mark.parametrize("path", ["/no/such/page.html", "/dy/article/ZZZZZZZZZZZZZZZZ.html",
                                  "/news/article/J30TJ1QA0530JPVV.html", "/post2020_dy/static/nothing.css"])
def test_unknown_path_is_404(replica_server: ReplicaServer, path: str) -> None:
    status, ctype, body = fetch(replica_server.base_url + path)
    assert (status, ctype) == (404, "text/html; charset=utf-8")
    assert "页面不存在" in body


def test_api_endpoints(replica_server: ReplicaServer) -> None:
    for p in pages():
        status, ctype, body = fetch(f"{replica_server.base_url}/api/tie/{p.id}.json")
        assert (status, ctype) == (200, "application/json; charset=utf-8")
        assert ('"tcount": 0' in body) == p.seed
    status, _, body = fetch(f"{replica_server.base_url}/api/hot/{seed_page().id}.json")
    assert status == 200 and '"items": [' in body and "https://nimg.ws.126.net/?url=" in body


def test_port_taken_is_bad_input(replica_server: ReplicaServer) -> None:
    with pytest.raises(BadInput, match=rf"port {replica_server.port} is already in use.*--port"):
        ReplicaServer(port=replica_server.port).start()


def test_invalid_port_is_bad_input() -> None:
    with pytest.raises(BadInput, match="port 70000 is not valid"):
        ReplicaServer(port=70000)


def test_stop_frees_the_port() -> None:
    srv = ReplicaServer().start()
    port = srv.port
    assert fetch(srv.base_url + "/")[0] == 200
    srv.stop()
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))  # raises if the port were still held


# --- browser -------------------------------------------------------------------------------------

def test_seed_page_text_matches_seed_file(replica_server: ReplicaServer, tab: Any) -> None:
    seeds = sorted(SEED_DIR.glob("*.txt")) if SEED_DIR.is_dir() else []
    if not seeds:
        pytest.skip(f"seed text not found under {SEED_DIR}")
    open_ready(tab, replica_server.base_url + seed_page().path)
    got = comparable_lines(visible_text(tab, "normal"))
    want = comparable_lines(seeds[0].read_text(encoding="utf-8"))
    assert got == want


def test_scripts_fill_values(replica_server: ReplicaServer, tab: Any) -> None:
    p = next(p for p in pages() if not p.seed)
    open_ready(tab, replica_server.base_url + p.path)
    assert int(tab.inner_text(".post_top_tie_count")) > 0
    assert tab.locator(".post_recommend_news_hot .post_recommend_new").count() > 0
    tab.click(".post_recommends_title >> text=热点推荐")
    assert tab.is_visible(".post_recommend_news_hot")


def test_care_link_is_revealed_and_leads_to_care_page(replica_server: ReplicaServer, tab: Any) -> None:
    p = seed_page()
    open_ready(tab, replica_server.base_url + p.path)
    link = tab.locator("#js_N_nav_left .ntes-nav-wza-links #js_gowza")
    assert link.get_attribute("href") == p.live_care_url  # body@aria-url as it is, as the real wzaInit does
    assert link.get_attribute("class") == "ntes-nav-wza-show"
    assert link.is_visible()
    link.click()  # to www.163.com, which the test context's host map answers from the replica
    tab.wait_for_url(p.live_care_url)
    wait_ready_sync(tab, 10_000)
    assert tab.inner_text("h1") == p.title


def test_wza_toolbar_toggles(replica_server: ReplicaServer, tab: Any) -> None:
    open_ready(tab, replica_server.base_url + seed_page().path)
    body_class = "document.body.classList.contains('ariabodytopfiexed')"
    assert tab.evaluate(body_class) is False
    tab.click("#cniil_wza")
    assert tab.evaluate(body_class) is True
    assert tab.is_visible("#cniil_wza_toolbar")
    tab.click("#cniil_wza")
    assert tab.evaluate(body_class) is False
    assert tab.locator("#cniil_wza_toolbar").count() == 0


#: The computed font size of the page's first body paragraph, found by its text (whatever the markup).
FIRST_PARAGRAPH_PX = """text => { const p = [...document.querySelectorAll('p')].find(e => e.textContent.trim() === text);
    return p ? parseFloat(getComputedStyle(p).fontSize) : 0; }"""


def test_care_pages_are_plain_and_larger(replica_server: ReplicaServer, tab: Any) -> None:
    from capture.replica.content import articles

    markups = set()
    for p in pages():
        first = next(b for b in articles()[p.id]["body"] if isinstance(b, str))
        open_ready(tab, replica_server.base_url + p.path)
        normal_px = tab.evaluate(FIRST_PARAGRAPH_PX, first)
        assert tab.locator(".post_side_mod").count() > 0 and tab.locator(".at_item").count() > 0
        open_ready(tab, replica_server.base_url + p.care_path)
        for sel in (".post_side", ".post_side_mod", ".at_item", ".ad_module", ".post_recommends", '[id^="ssp_"]'):
            assert tab.locator(sel).count() == 0, f"{p.care_path} has {sel}"
        care_px = tab.evaluate(FIRST_PARAGRAPH_PX, first)
        body = tab.evaluate("""() => { const s = getComputedStyle(document.body);
            return [parseFloat(s.fontSize), parseFloat(s.lineHeight) / parseFloat(s.fontSize)]; }""")
        assert care_px > normal_px and care_px >= 20, p.care_path
        assert body[0] >= 20 and body[1] >= 1.5
        back = tab.locator("a", has_text="返回普通版")
        assert back.count() == 1 and back.get_attribute("href") == p.path
        assert tab.locator("h1").inner_text() == p.title
        markups.add(p.care_markup)
    assert markups == {"restyled", "standalone"}  # more than one care markup is served


def test_care_markups_differ_and_carry_no_replica_markers() -> None:
    """Two care markups, told apart by nothing the harness knows: neither carries the old replica-only
    markers, the restyled one shows the 无障碍 toolbar open, the standalone one has classes of its own."""
    by_markup = {p.care_markup: render(p, "care") for p in pages()}
    for html in by_markup.values():
        for marker in ('class="care_main"', 'data-mode="care"', "care_nav", '<body class="care"'):
            assert marker not in html
    assert 'class="ariabodytopfiexed"' in by_markup["restyled"] and 'class="post_body"' in by_markup["restyled"]
    assert 'class="wza-content"' in by_markup["standalone"] and "post_body" not in by_markup["standalone"]

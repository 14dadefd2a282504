"""The host policy (issue 13, items 2, 3 and the hosts of 9): which hosts a page may reach, which are
blocked, and which are answered by another origin (``--map-host``).

The policy is checked against the two real samples in ../shared/samples/netease: every host they
reference has a row, and each sample, served on 127.0.0.1 at its real path with its asset hosts mapped
to a counting stand-in, captures with its stylesheets and images and without its ads. Nothing leaves
127.0.0.1: every host that is not mapped is blocked, and Chromium's resolver answers every name but
127.0.0.1 with NOT_FOUND (no DNS query, even for a prefetch).
"""

from __future__ import annotations

import json
import re
import socket
from collections import Counter
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from capture.browser import BrowserSettings
from capture.bundle import Meta, read_bundle
from capture.cli import main
from capture.errors import BadInput
from capture.hosts import HostOverrides, HostPolicy, parse_map
from capture.recorder import RecordOptions, record
from capture.sites import default_site
from capture.targets import Target, load_host_overrides, load_watchlist
from capture.testing import NO_DNS, ROOT, StandIn

SAMPLES = ROOT.parent / "shared" / "samples" / "netease"
#: Each sample: its file, and the live URL it was saved from (it is served at that path).
SAMPLE_PAGES = {
    "2025-news": ("nanmicoder_2025_news_KC12OUHK000189FH_raw.html",
                  "https://www.163.com/news/article/KC12OUHK000189FH.html"),
    "2024-dy": ("magichtml_2024_dy_J22CN60P0514R9KQ_dom.html",
                "https://www.163.com/dy/article/J22CN60P0514R9KQ.html"),
}
#: Every host, as ``//host`` in an attribute, a style or an inline script (a superset of src/href).
HOST_REF = re.compile(r"(?:https?:)?//([a-z0-9-]+(?:\.[a-z0-9-]+)+)(?=[/:\"'?#\s\\)]|$)", re.IGNORECASE)
#: No name resolves but 127.0.0.1's: what escaped the policy would fail here, not reach the network.
#: Real pages set no readiness flag: each capture waits this long for it (the default is 8 s).
READY_MS = 1_500


def sample(name: str) -> tuple[bytes, str]:
    file, url = SAMPLE_PAGES[name]
    path = SAMPLES / file
    if not path.is_file():
        pytest.skip(f"real sample absent: {path} not found (it lives in ../shared/samples, outside the repo)")
    return path.read_bytes(), url


# --- the policy as data ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(SAMPLE_PAGES))
def test_every_host_a_sample_references_has_a_row(name):
    """An unknown host is a visible decision (a row with its reason), never an accident of the default."""
    data, _url = sample(name)
    hosts = sorted({h.lower() for h in HOST_REF.findall(data.decode("utf-8"))})
    assert len(hosts) > 40, hosts
    missing = [h for h in hosts if not any(r.matches(h) for r in default_site().host_rules)]
    assert not missing, f"add a row to default_site().host_rules for {missing}"


def test_rows_are_well_formed_and_the_table_decides_as_issue_13_says():
    for row in default_site().host_rules:
        assert row.decision in ("allow", "block") and row.reason and row.pattern == row.pattern.lower(), row
    policy = HostPolicy.build({"www.163.com"})
    for host in ("www.163.com", "static.ws.126.net", "nimg.ws.126.net", "comment.tie.163.com", "tie.163.com",
                 "cms-bucket.nosdn.127.net", "webzj.netstatic.net", "news.163.com"):
        assert policy.decide(host) == "allow", host
    for host in ("nex.163.com", "pos.baidu.com", "cpro.baidustatic.com", "dup.baidustatic.com", "hm.baidu.com",
                 "zz.bdstatic.com", "lf1-cdn-tos.bytegoofy.com", "acstatic-dun.126.net", "dl.reg.163.com",
                 "ipservice.ws.126.net", "unknown.example"):
        assert policy.decide(host) == "block", host
    assert default_site().unknown_host_decision == "block"


def test_overrides_come_first_and_a_mapped_host_is_allowed():
    cli = HostOverrides(allow=("pos.baidu.com",), block=("static.ws.126.net",),
                        map=(("nex.163.com", "http://127.0.0.1:9"),))
    policy = HostPolicy.build({"127.0.0.1"}, cli=cli, watchlist=HostOverrides(block=("pos.baidu.com",)))
    assert policy.decide("pos.baidu.com") == "allow"  # the command line beats the watchlist
    assert policy.decide("static.ws.126.net") == "block"
    assert policy.decide("nex.163.com") == "map"
    assert policy.decide("127.0.0.1") == "allow"
    assert policy.mapped_url("https://nex.163.com/a/b.js?x=1#f") == "http://127.0.0.1:9/a/b.js?x=1"
    off = HostPolicy.build({"127.0.0.1"}, cli=HostOverrides(block=("nex.163.com",)), guard=False)
    assert (off.decide("pos.baidu.com"), off.decide("nex.163.com")) == ("allow", "block")


def test_route_pattern_leaves_only_sure_allowed_hosts_in_the_driver():
    """The regex is matched in Playwright's driver: a surely allowed host is never routed to Python;
    blocked, mapped and unknown hosts are (and ``*.163.com`` does not hide nex.163.com)."""
    policy = HostPolicy.build({"127.0.0.1"}, cli=HostOverrides(map=(("static.ws.126.net", "http://127.0.0.1:9"),)))
    rx = policy.route_pattern()
    not_routed = ["http://127.0.0.1:8000/x", "https://nimg.ws.126.net/?url=a", "https://www.163.com/",
                  "https://news.163.com", "HTTPS://TIE.163.COM/x", "data:image/png;base64,AA", "blob:x", "about:blank"]
    routed = ["https://static.ws.126.net/a.css", "https://nex.163.com/q", "https://pos.baidu.com/s",
              "https://x.example/", "https://nimg.ws.126.net.evil.example/", "https://user@evil.example/",
              "https://g.163.com:443/x", "https://ipservice.ws.126.net/locate"]
    assert [u for u in not_routed if rx.search(u)] == []
    assert [u for u in routed if not rx.search(u)] == []


@pytest.mark.parametrize("value", ["x", "static.ws.126.net", "a=ftp://h", "a=http://h/path", "a=http://h:99999",
                                   "=http://127.0.0.1:1", "*.126.net=http://127.0.0.1:1", "a=127.0.0.1:8001",
                                   "a=http://h?q=1"])
def test_bad_map_host_is_one_line(value):
    with pytest.raises(BadInput, match=r"^--map-host '.*': expected HOST=ORIGIN such as "
                                       r"static\.ws\.126\.net=http://127\.0\.0\.1:8001$"):
        parse_map(value)


def test_map_host_keeps_a_port_and_drops_a_trailing_slash():
    assert parse_map("Static.WS.126.net=http://127.0.0.1:8001/") == ("static.ws.126.net", "http://127.0.0.1:8001")


@pytest.mark.parametrize("command", ["record", "check"])
def test_cli_bad_map_host_exits_2_with_one_line(command, tmp_path, capsys):
    code = main([command, "--map-host", "x", "--base-url", "http://127.0.0.1:9", "--snapshots", str(tmp_path),
                 "--watchlist", str(ROOT / "pages.toml")])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (f"capture {command}: error: --map-host 'x': expected HOST=ORIGIN such as "
                   "static.ws.126.net=http://127.0.0.1:8001\n")
    assert not (tmp_path / "captures").exists()


def test_cli_bad_block_host_exits_2(tmp_path, capsys):
    code = main(["record", "--block-host", "a b", "--base-url", "http://127.0.0.1:9", "--snapshots", str(tmp_path),
                 "--watchlist", str(ROOT / "pages.toml")])
    assert code == 2 and capsys.readouterr().err.count("\n") == 1


PAGE = '[[page]]\nid = "J2P6C4GT0530JPVV"\nurl = "https://www.163.com/dy/article/J2P6C4GT0530JPVV.html"\n'


def test_watchlist_hosts_table(tmp_path):
    path = tmp_path / "pages.toml"
    path.write_text('[hosts]\nallow = ["x.example"]\nblock = ["*.126.net"]\n'
                    'map = {"static.ws.126.net" = "http://127.0.0.1:8001"}\n\n' + PAGE, encoding="utf-8")
    assert load_host_overrides(path) == HostOverrides(("x.example",), ("*.126.net",),
                                                      (("static.ws.126.net", "http://127.0.0.1:8001"),))
    assert [t.id for t in load_watchlist(path)] == ["J2P6C4GT0530JPVV"]
    assert load_host_overrides(tmp_path / "absent.toml") == HostOverrides()


@pytest.mark.parametrize(("table", "line", "words"), [
    ('[hosts]\nallow = "x.example"\n', 3, "allow must be a list"),
    ('[hosts]\n\nblock = ["a b"]\n', 4, "expected a host name"),
    ('[hosts]\nmap = {"static.ws.126.net" = "127.0.0.1:8001"}\n', 3, "expected HOST=ORIGIN"),
    ('[hosts]\nmapp = {}\n', 2, "no key 'mapp'"),
    ('hosts = 1\n', "?", "must be a table"),
])
def test_bad_watchlist_hosts_name_the_line(tmp_path, table, line, words):
    path = tmp_path / "pages.toml"
    path.write_text("# watched\n" + table + "\n" + PAGE, encoding="utf-8")
    with pytest.raises(BadInput) as info:
        load_watchlist(path)
    message = str(info.value)
    assert message.startswith(f"watchlist {path}:{line}: ") and words in message and "\n" not in message


def test_pytest_plugin_refuses_a_bad_map_host():
    from capture.testing import run_pytest

    result = run_pytest("--map-host", "static.ws.126.net", "--co", "tests/test_targets.py", timeout=120)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "--map-host 'static.ws.126.net': expected HOST=ORIGIN" in result.stderr


def test_meta_json_of_an_older_bundle_still_reads():
    old = json.loads(Meta(id="A", mode="normal", requested_url="https://www.163.com/").to_json())
    del old["blocked_hosts"], old["failed_hosts"]
    meta = Meta.from_dict(old)
    assert (meta.blocked_hosts, meta.failed_hosts) == ([], [])


# --- the real samples, captured on 127.0.0.1 ------------------------------------------------------

@pytest.fixture
def servers() -> Iterator[list[StandIn]]:
    started: list[StandIn] = []
    yield started
    for server in started:
        server.stop()


#: The asset hosts mapped to stand-ins: every host the site table allows by name.
ASSET_HOSTS = tuple(r.pattern for r in default_site().host_rules
                    if r.decision == "allow" and not r.pattern.startswith("*.") and r.pattern != "www.163.com")
#: With every site host mapped, these block the rest of the site's domains (a mapped host still wins).
BLOCK_REST = ("*.163.com", "*.126.net", "*.127.net", "*.netstatic.net")


@pytest.mark.parametrize(("name", "must_block"), [
    ("2025-news", {"acstatic-dun.126.net"}),
    ("2024-dy", {"acstatic-dun.126.net", "ipservice.ws.126.net", "dl.reg.163.com", "nex.163.com", "pos.baidu.com",
                 "cpro.baidustatic.com", "dup.baidustatic.com", "hm.baidu.com", "zz.bdstatic.com",
                 "lf1-cdn-tos.bytegoofy.com"}),
])
def test_a_real_sample_captures_styled_with_its_ads_blocked(name, must_block, servers, tmp_path):
    data, url = sample(name)
    page = StandIn("www.163.com", {urlsplit(url).path: data})
    servers.append(page)
    stand_ins = {host: StandIn(host) for host in ASSET_HOSTS}
    servers.extend(stand_ins.values())
    host_map = (("www.163.com", page.origin), *((h, s.origin) for h, s in stand_ins.items()))
    settings = BrowserSettings(host_map=host_map, extra_blocked_hosts=BLOCK_REST, extra_args=(NO_DNS,))
    opts = RecordOptions(modes=("normal",), jobs=1, retries=1, ready_timeout_ms=READY_MS, settings=settings)
    target = Target(url.rsplit("/", 1)[-1].removesuffix(".html"), url)
    (outcome,) = record([target], tmp_path, opts)
    assert outcome.status == "ok", outcome.reason
    got = read_bundle(outcome.path)
    meta = got.meta
    assert meta.final_url == url and meta.status == 200 and meta.generation.startswith("post2020")
    hits = {h: sum(s.hits.values()) for h, s in stand_ins.items() if s.hits}
    css = sum(n for p, n in stand_ins["static.ws.126.net"].hits.items() if p.split("?")[0].endswith(".css"))
    images = sum(stand_ins["nimg.ws.126.net"].hits.values())
    entries = json.loads(got.har.read_text(encoding="utf-8"))["log"]["entries"]
    by_host = Counter(urlsplit(e["request"]["url"]).hostname or "" for e in entries)
    print(f"\n{name}: page {sum(page.hits.values())} request(s); stand-ins {hits}; css {css}; HAR entries "
          f"{dict(by_host)}; blocked_hosts {meta.blocked_hosts}; failed_hosts {meta.failed_hosts}; "
          f"timings_ms {meta.timings_ms}")
    assert page.hits[urlsplit(url).path] == 1
    assert css >= 2 and images >= 5, hits  # the stylesheets and images of the allowed, mapped hosts
    assert must_block <= set(meta.blocked_hosts), meta.blocked_hosts
    assert not set(meta.blocked_hosts) & {h for h, _o in host_map}
    # Nothing went past the policy: every host the page asked for was mapped or blocked, and a failure
    # can only be a mapped host's (a stand-in that closed on it), never a name that was looked up.
    asked = set(by_host)
    asked |= set(meta.blocked_hosts) | set(meta.failed_hosts)
    assert asked - {h for h, _o in host_map} <= set(meta.blocked_hosts)
    assert set(meta.failed_hosts) <= {h for h, _o in host_map}, meta.failed_hosts


TINY = ('<!doctype html><html><head><meta charset="utf-8">'
        '<link rel="stylesheet" href="https://static.ws.126.net/a.css"></head>'
        '<body><h1>标题</h1><p>正文</p><img src="https://pos.baidu.com/ad.gif" alt=""></body></html>').encode()


def test_cli_map_host_serves_the_page_and_reports_blocked_and_failed_hosts(servers, tmp_path, capsys):
    """``capture record --map-host``: the page comes from the mapped origin under its own URL; an ad
    host is blocked (``blocked_hosts``); a mapped origin that refuses the connection is ``failed_hosts``."""
    url = "https://www.163.com/dy/article/AAAAAAAAAAAAAAAA.html"
    page = StandIn("www.163.com", {urlsplit(url).path: TINY})
    servers.append(page)
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    code = main(["record", url, "--map-host", f"www.163.com={page.origin}",
                 "--map-host", f"static.ws.126.net=http://127.0.0.1:{closed}", "--modes", "normal",
                 "--retries", "1", "--timeout", "3", "--snapshots", str(tmp_path),
                 "--watchlist", str(ROOT / "pages.toml")])
    assert code == 0, capsys.readouterr()
    meta = read_bundle(tmp_path / "captures" / "AAAAAAAAAAAAAAAA" / "normal").meta
    assert (meta.final_url, meta.status) == (url, 200)
    assert (meta.blocked_hosts, meta.failed_hosts) == (["pos.baidu.com"], ["static.ws.126.net"])

"""The replica answers for every host a real page reaches (issue 13, items 1 and 3): one origin, told
which host a request was for by ``X-Forwarded-Host``; ``--replica`` maps them all, the policy still
blocks ads and trackers; ``--base-url`` maps the page's host only. Everything on 127.0.0.1."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest

from capture.browser import FORWARDED_HOST, NO_DNS_ARG, mapped_request_headers
from capture.cli import main
from capture.hosts import HostOverrides, HostPolicy
from capture.recorder import RecordOptions
from capture.replica import ReplicaServer, handle, seed_page
from capture.replica.hostnames import HOSTS, PAGE_HOST, host_map


def get(server: ReplicaServer, path: str, host: str | None = None) -> tuple[int, str, bytes]:
    req = urllib.request.Request(server.base_url + path, headers={"X-Forwarded-Host": host} if host else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.headers["Content-Type"], resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers["Content-Type"], err.read()


def test_every_asset_the_page_references_is_answered_on_its_host(replica_server: ReplicaServer) -> None:
    page = seed_page()
    html = handle("GET", page.path).body.decode()
    refs = set(re.findall(r'(?:src|href)="(https://(?:static|nimg)\.ws\.126\.net/[^"]+)"', html))
    assert len(refs) > 20
    for url in sorted(refs):
        host, _, rest = url.removeprefix("https://").partition("/")
        status, _ctype, body = get(replica_server, "/" + rest.replace("&amp;", "&"), host)
        assert status == 200 and body, url


def test_hosts_answer_what_the_real_ones_serve(replica_server: ReplicaServer) -> None:
    page = seed_page()
    assert get(replica_server, page.path)[0] == get(replica_server, page.path, PAGE_HOST)[0] == 200  # no header: the page
    status, ctype, body = get(replica_server, f"/api/tie/{page.id}.json", "comment.tie.163.com")
    assert status == 200 and json.loads(body)["docId"] == page.id
    status, ctype, body = get(replica_server, "/locate/api/getLocByIp?callback=cb_1", "ipservice.ws.126.net")
    assert status == 200 and ctype.startswith("text/javascript") and body.startswith(b"cb_1({")
    assert json.loads(body[len(b"cb_1("):-2])["result"]["city"] == "北京"
    assert get(replica_server, "/q?app=1&cb=jsonp_2", "nex.163.com")[2] == b"jsonp_2({});"
    assert get(replica_server, "/hm.js?x", "hm.baidu.com")[0] == 200
    assert get(replica_server, "/?url=https://x/none.svg&thumbnail=1x1", "nimg.ws.126.net")[0] == 404
    assert get(replica_server, page.path, "static.ws.126.net")[0] == 404  # an article is not a static file
    assert get(replica_server, "/", "unknown.example")[0] == 404
    assert get(replica_server, "/locate/api/getLocByIp?callback=alert(1)//", "ipservice.ws.126.net")[2].startswith(
        b"getLocByIpCallback(")  # only a plain identifier is echoed as a callback


def test_churn_moves_the_reader_city() -> None:
    server = ReplicaServer(churn=True, churn_seed=3)
    cities = {json.loads(handle("GET", "/locate/api/getLocByIp", "callback=c", None, server.churn,
                                "ipservice.ws.126.net").body[2:-2])["result"]["city"] for _ in range(12)}
    assert len(cities) > 2


def test_mapped_fetch_names_its_host_with_a_short_header_list() -> None:
    sent = mapped_request_headers({"accept": "*/*", "user-agent": "UA", "cookie": "a=b", "referer": "r"},
                                  "https://static.ws.126.net/163/f2e/x.css?v=1")
    assert sent == {"accept": "*/*", "user-agent": "UA", "referer": "r", FORWARDED_HOST: "static.ws.126.net"}


def test_replica_map_keeps_blocked_hosts_blocked_unless_allowed() -> None:
    origin = "http://127.0.0.1:9"
    policy = HostPolicy.build({PAGE_HOST}, answers=host_map(origin))
    assert {h for h in HOSTS if policy.decide(h) == "map"} == {
        PAGE_HOST, "static.ws.126.net", "nimg.ws.126.net", "comment.tie.163.com"}
    for host in ("nex.163.com", "pos.baidu.com", "hm.baidu.com", "ipservice.ws.126.net", "acstatic-dun.126.net"):
        assert policy.decide(host) == "block", host
    allowed = HostPolicy.build({PAGE_HOST}, cli=HostOverrides(allow=("ipservice.ws.126.net",)), answers=host_map(origin))
    assert allowed.decide("ipservice.ws.126.net") == "map"
    assert allowed.mapped_url("https://ipservice.ws.126.net/locate/api/getLocByIp?callback=c") == \
        f"{origin}/locate/api/getLocByIp?callback=c"
    assert policy.route_pattern().match("https://static.ws.126.net/a.css")  # mapped: seen by the guard


def test_base_url_maps_the_page_host_and_both_modes_resolve_no_name() -> None:
    plain = RecordOptions(base_url="http://127.0.0.1:9")
    assert plain.answers(PAGE_HOST) == ((PAGE_HOST, "http://127.0.0.1:9"),)
    assert RecordOptions(base_url="http://127.0.0.1:9", replica=True).answers(PAGE_HOST) == host_map("http://127.0.0.1:9")
    assert NO_DNS_ARG in plain.launch_settings().extra_args
    assert NO_DNS_ARG not in RecordOptions().launch_settings().extra_args  # the live site needs DNS


@pytest.mark.parametrize("argv", [["--replica-url", "not a url"], ["--replica", "--replica-url", "http://127.0.0.1:9"],
                                  ["--replica", "--base-url", "http://127.0.0.1:9"]])
def test_bad_origin_flags_are_one_line_and_exit_2(argv, tmp_path, capsys) -> None:
    code = main(["record", *argv, "--snapshots", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "error:" in err, err

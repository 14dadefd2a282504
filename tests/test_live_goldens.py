"""Live goldens that can start (issue 13, item 8): ``capture check --live --accept-new`` records the
goldens of pages that have none, ``pytest --live --snapshot-update`` writes the same files (care
included), and every capture sends the site table's desktop Chrome User-Agent.

"Live" here is the replica or a stand-in served on 127.0.0.1 (``--base-url`` / ``--map-host``), and
Chromium resolves no name but 127.0.0.1 (``NO_DNS``): nothing leaves the machine.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from capture import browser
from capture.bundle import read_bundle
from capture.cli import main
from capture.goldens import GoldenStore, TargetSet, View
from capture.replica import ReplicaServer
from capture.replica import hostnames as replica_hosts
from capture.report import CheckReport, last_check_path
from capture.sites import default_site
from capture.targets import Target, load_watchlist
from capture.testing import ROOT, StandIn, run_pytest

pytestmark = pytest.mark.usefixtures("replica_only")

NO_DNS = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
#: A plugin for pytest subprocesses: the same no-DNS flag on every Chromium they launch.
NO_DNS_PLUGIN = f"import capture.browser as b\nb.CHROMIUM_ARGS = (*b.CHROMIUM_ARGS, {NO_DNS!r})\n"
REPO_GOLDENS = ROOT / "snapshots" / "replica"


@pytest.fixture
def no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process captures (``main([...])``) launch Chromium with no name resolution but 127.0.0.1's."""
    monkeypatch.setattr(browser, "CHROMIUM_ARGS", (*browser.CHROMIUM_ARGS, NO_DNS))


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaServer]:
    with ReplicaServer() as server:
        yield server


def _pytest_no_dns(tmp_path: Path, *args: str, env: dict[str, str] | None = None):
    (tmp_path / "capture_no_dns.py").write_text(NO_DNS_PLUGIN, encoding="utf-8")
    return run_pytest("-p", "no:cacheprovider", "-p", "capture_no_dns", *args,
                      env={"PYTHONPATH": str(tmp_path), **(env or {})})


def _watchlist(folder: Path, targets: list[Target], head: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pages.toml"
    path.write_text(head + "".join(f'[[page]]\nid = "{t.id}"\nurl = "{t.url}"\n\n' for t in targets),
                    encoding="utf-8")
    return path


def _check_line(out: str, page_id: str, mode: str, rest: str) -> bool:
    """Whether ``capture check`` printed ``<id> <mode> [status] <rest>`` (the status column optional)."""
    return re.search(rf"^{page_id} {mode} +(?:[a-z-]+ +)?{re.escape(rest)}", out, re.M) is not None


def _asset_maps(replica: ReplicaServer) -> list[str]:
    """``--map-host`` for the replica's asset hosts: a page without its stylesheets and scripts is a
    broken capture, which ``--accept-new`` refuses (as ``accept`` does)."""
    return [a for h, o in replica_hosts.host_map(replica.base_url) if h != replica_hosts.PAGE_HOST
            for a in ("--map-host", f"{h}={o}")]


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --- capture check --live --accept-new ------------------------------------------------------------------

def test_accept_new_records_the_files_pytest_live_snapshot_update_writes(replica, seed_target, tmp_path, no_dns,
                                                                          capsys):
    """Both modes of a page with no live golden become new (exit 0); ``pytest --live --snapshot-update``
    on the same origin writes byte-identical files, care goldens included; a rerun only compares."""
    by_check, by_pytest = tmp_path / "check", tmp_path / "pytest"
    watchlist = _watchlist(tmp_path / "wl", [seed_target])
    # The page from the replica (--base-url), and its assets too: a 关怀版 without its stylesheet would
    # fail the care type rules, and an unstyled page is not what a live golden should hold.
    assets = _asset_maps(replica)
    args = ["check", "--live", "--base-url", replica.base_url, *assets, "--accept-new", "--watchlist", str(watchlist),
            "--snapshots", str(by_check), "--retries", "1"]
    code = main(args)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "0 unchanged, 2 new;" in out, out
    for mode in ("normal", "care"):
        assert _check_line(out, seed_target.id, mode, "new-golden page: no golden yet: recorded 7 golden files"), out
    report = CheckReport.read(last_check_path(by_check))
    assert (report.target, [(r.mode, r.status) for r in report.results]) == \
        ("live", [("normal", "new"), ("care", "new")])
    written = _files(by_check / "live")
    assert len(written) == 14 and f"text/{seed_target.id}-care.txt" in written, sorted(written)
    meta = read_bundle(by_check / "captures" / seed_target.id / "normal").meta  # promoted, as accept does
    assert meta.user_agent == default_site().user_agent and "HeadlessChrome" not in meta.user_agent

    proc = _pytest_no_dns(tmp_path, str(ROOT / "tests/test_goldens.py"), "--live", "--base-url", replica.base_url,
                          *assets, "--watchlist", str(watchlist), "--snapshot-update",
                          env={"CAPTURE_GOLDENS_ROOT": str(by_pytest)})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "10 snapshots generated" in proc.stdout, proc.stdout[-2000:]
    by_update = _files(by_pytest / "live")
    assert sorted(by_update) == sorted(written)
    assert [name for name in written if by_update[name] != written[name]] == []

    again = main(args)
    out = capsys.readouterr().out
    assert again == 0 and "2 unchanged;" in out and "new-golden" not in out and " new;" not in out, out
    assert _files(by_check / "live") == written


def _live_goldens_of(dest: Path, target_id: str) -> None:
    """The repository's replica goldens of one page, as the live goldens of ``dest``."""
    for sub in (*(str(v) for v in View), "env"):
        for f in (REPO_GOLDENS / sub).glob(f"{target_id}-*"):
            (dest / "live" / sub).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, dest / "live" / sub / f.name)


def test_accept_new_never_overwrites_a_golden_and_a_changed_page_still_fails(replica, seed_target, tmp_path,
                                                                             no_dns, capsys):
    other = next(t for t in load_watchlist(ROOT / "pages.toml") if t.id != seed_target.id)
    _live_goldens_of(tmp_path, seed_target.id)
    golden = GoldenStore(tmp_path, TargetSet.LIVE).path(seed_target.id, "normal", View.EXTRACTION)
    data = json.loads(golden.read_text(encoding="utf-8"))
    data["title"] = "一个旧标题"
    golden.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    before = _files(tmp_path / "live")
    watchlist = _watchlist(tmp_path / "wl", [seed_target, other])
    code = main(["check", "--live", "--base-url", replica.base_url, *_asset_maps(replica), "--accept-new",
                 "--modes", "normal", "--watchlist", str(watchlist), "--snapshots", str(tmp_path), "--retries", "1"])
    out = capsys.readouterr().out
    assert code == 1, out
    assert _check_line(out, seed_target.id, "normal", "content-changed title-info"), out
    assert _check_line(out, other.id, "normal", "new-golden page") and "1 changed, 1 new;" in out, out
    after = _files(tmp_path / "live")
    assert {k: v for k, v in after.items() if k in before} == before, "--accept-new overwrote a golden"
    assert sorted(set(after) - set(before)) == sorted(
        f"{sub}/{name}" for sub, name in
        [*((p.parent.name, p.name) for p in GoldenStore(tmp_path, TargetSet.LIVE).paths(other.id, "normal").values()),
         ("env", f"{other.id}-normal.json"), ("screens", f"{other.id}-normal.png")])


def test_check_live_refuses_the_replica_flag_in_one_line(tmp_path, capsys):
    code = main(["check", "--live", "--replica", "--snapshots", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("capture check: error: give --live or --replica/--replica-url, not both") and "--base-url" in err


# --- the User-Agent --------------------------------------------------------------------------------------

def test_the_table_user_agent_is_a_current_desktop_chrome():
    ua = default_site().user_agent
    m = re.fullmatch(r"Mozilla/5\.0 \(Windows NT 10\.0; Win64; x64\) AppleWebKit/537\.36 \(KHTML, like Gecko\) "
                     r"Chrome/(\d+)\.0\.0\.0 Safari/537\.36", ua)
    assert m, ua
    assert int(m.group(1)) >= 140, "bump USER_AGENT's major to the Chromium the harness runs"
    assert browser.context_args()["user_agent"] == ua
    assert browser.context_args(browser.BrowserSettings(user_agent="X/1"))["user_agent"] == "X/1"


PAGE = ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>t</title></head>'
        '<body><h1>标题</h1><p>正文</p></body></html>').encode()
URL = "https://www.163.com/dy/article/AAAAAAAAAAAAAAAA.html"


@pytest.fixture
def ua_server() -> Iterator[tuple[str, list[str]]]:
    """A stand-in for www.163.com on 127.0.0.1 that records the User-Agent header of every request."""
    server = StandIn("www.163.com", {urlsplit(URL).path: PAGE})
    yield server.origin, server.user_agents
    server.stop()


@pytest.mark.parametrize("watchlist_ua, cli_ua, expect", [
    (None, None, default_site().user_agent),
    ("Watchlist/1.0 (X11)", None, "Watchlist/1.0 (X11)"),
    ("Watchlist/1.0 (X11)", "Cli/2.0 (Mac)", "Cli/2.0 (Mac)"),
], ids=["table", "watchlist", "command-line-wins"])
def test_capture_sends_the_user_agent_and_its_overrides(ua_server, tmp_path, no_dns, capsys, watchlist_ua, cli_ua,
                                                        expect):
    """meta.json's user_agent and the header the server got: the table's, the watchlist's, --user-agent's."""
    origin, seen = ua_server
    head = f'user_agent = "{watchlist_ua}"\n' if watchlist_ua else ""
    watchlist = _watchlist(tmp_path / "wl", [], head=head)
    code = main(["record", URL, "--map-host", f"www.163.com={origin}", "--modes", "normal", "--retries", "1",
                 "--timeout", "5", "--snapshots", str(tmp_path), "--watchlist", str(watchlist),
                 *(["--user-agent", cli_ua] if cli_ua else [])])
    assert code == 0, capsys.readouterr()
    meta = read_bundle(tmp_path / "captures" / "AAAAAAAAAAAAAAAA" / "normal").meta
    assert meta.user_agent == expect
    assert seen and set(seen) == {expect}, seen


@pytest.mark.parametrize("args, head, named", [
    (["--user-agent", "two\nlines"], "", "--user-agent 'two\\nlines'"),
    (["--user-agent", ""], "", "--user-agent ''"),
    (["--user-agent", "trailing/1\n"], "", "--user-agent 'trailing/1\\n'"),
    ([], "user_agent = 5\n", "pages.toml:1: user_agent 5"),
])
def test_bad_user_agent_is_one_line_and_exit_2(tmp_path, capsys, args, head, named):
    watchlist = _watchlist(tmp_path / "wl", [], head=head)
    code = main(["record", URL, "--base-url", "http://127.0.0.1:9", "--snapshots", str(tmp_path),
                 "--watchlist", str(watchlist), *args])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    assert named in err and "give a User-Agent string" in err, err


PROBE = '''
from capture.bundle import read_bundle


def test_probe(captured, capture_context, base_url):
    tab = capture_context.new_page()
    tab.goto(base_url + "/")
    print("CONTEXT_UA", tab.evaluate("navigator.userAgent"))
    for (page_id, mode), path in sorted(captured.items()):
        print("CAPTURED_UA", page_id, mode, read_bundle(path).meta.user_agent)
'''


def test_pytest_user_agent_option_reaches_the_session_capture_and_the_context(seed_target, tmp_path):
    probe = tmp_path / "probe" / "test_probe_ua.py"
    probe.parent.mkdir()
    probe.write_text(PROBE, encoding="utf-8")
    watchlist = _watchlist(tmp_path / "wl", [seed_target], head='user_agent = "Watchlist/1.0"\n')
    proc = _pytest_no_dns(tmp_path, str(probe), "-s", "--rootdir", str(ROOT), "--watchlist", str(watchlist),
                          "--user-agent", "Probe/3.0 (Test)")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "CONTEXT_UA Probe/3.0 (Test)\n" in proc.stdout, proc.stdout[-2000:]
    assert [line.split(" ", 3)[3] for line in proc.stdout.splitlines() if line.startswith("CAPTURED_UA")] == \
        ["Probe/3.0 (Test)"] * 2, proc.stdout[-2000:]
    bad = run_pytest("--user-agent", "a\tb", "--co", "-p", "no:cacheprovider", "tests/test_targets.py", timeout=120)
    assert bad.returncode == 4 and "--user-agent 'a\\tb': give a User-Agent string" in bad.stderr, bad.stderr[-1500:]

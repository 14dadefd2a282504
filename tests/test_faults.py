"""Faults and bad input: every failure is classified in bounded time, retried only where it helps,
other pages still captured, and stored bundles never touched by a failed capture.

Everything runs against one replica on 127.0.0.1 (``/_fault/<kind>/…`` paths, see
``capture/replica/faults.py``), with short timeouts.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from capture import bundle
from capture import recorder as recorder_mod
from capture.browser import BrowserSettings
from capture.cli import main
from capture.errors import BadInput, CorruptFile
from capture.record import load as recorder_load
from capture.recorder import RecordOptions, record
from capture.replica import ReplicaServer, seed_page
from capture.targets import Target, load_watchlist
from capture.testing import digest

pytestmark = pytest.mark.usefixtures("replica_only")

ROOT = Path(__file__).resolve().parents[1]
WATCHLIST = ROOT / "pages.toml"
#: Navigation timeout for pages that should load or fail fast (generous: CI machines can be loaded);
#: the hang/drip tests use SLOW_NAV_S so the timeout path itself is exercised quickly.
NAV_S = 20.0
SLOW_NAV_S = 3.0


@pytest.fixture(scope="module")
def seed():
    """The seed page, in front of which the faults are served."""
    return seed_page()


def opts(**kw) -> RecordOptions:
    base = dict(modes=("normal",), retries=3, backoff_s=0.05, ready_timeout_ms=2_000, jobs=3,
                settings=BrowserSettings(navigation_timeout_ms=NAV_S * 1000))
    base.update(kw)
    return RecordOptions(**base)


def faulted(replica_server, seed, spec: str, tid: str | None = None) -> Target:
    """A target whose URL asks the replica for ``spec`` in front of the seed page."""
    return Target(tid or "F-" + spec.replace(":", "_"), f"{replica_server.base_url}/_fault/{spec}{seed.path}")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


# --- the replica's fault mode itself -------------------------------------------------------------------

def _get(server, path: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", path)
    resp = conn.getresponse()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()


def test_fault_prefix_http_answers(replica_server, seed):
    assert _get(replica_server, f"/_fault/500{seed.path}")[0] == 500
    status, headers, _ = _get(replica_server, f"/_fault/503:7{seed.path}")
    assert status == 503 and headers["retry-after"] == "7"
    assert _get(replica_server, f"/_fault/404{seed.path}")[0] == 404
    status, headers, _ = _get(replica_server, f"/_fault/loop{seed.path}")
    assert status == 302 and headers["location"] == f"/_fault/loop{seed.path}"
    status, headers, body = _get(replica_server, f"/_fault/gbk{seed.path}")
    assert headers["content-type"].endswith("charset=gbk") and seed.title.encode("gbk") in body
    assert _get(replica_server, f"/_fault/empty{seed.path}")[2] == b""
    assert "验证码".encode() in _get(replica_server, f"/_fault/captcha{seed.path}")[2]
    status, _, body = _get(replica_server, f"/_fault/huge{seed.path}")
    assert status == 200 and len(body) > 5_000_000
    status, _, body = _get(replica_server, f"/_fault/nonsense{seed.path}")
    assert status == 400 and b"unknown fault" in body


def test_fault_socket_level(replica_server, seed):
    with pytest.raises(ConnectionResetError):
        _get(replica_server, f"/_fault/reset{seed.path}")
    with pytest.raises(http.client.IncompleteRead):
        _get(replica_server, f"/_fault/truncate{seed.path}")
    t0 = time.monotonic()
    with pytest.raises((http.client.RemoteDisconnected, TimeoutError)):
        _get(replica_server, f"/_fault/hang:1{seed.path}")
    assert time.monotonic() - t0 >= 0.9


def test_flaky_fails_n_times_then_answers(replica_server, seed):
    path = f"/_fault/flaky:2{seed.path}?k=unit"
    assert [_get(replica_server, path)[0] for _ in range(4)] == [503, 503, 200, 200]
    replica_server.faults.reset()
    assert _get(replica_server, path)[0] == 503


def test_server_wide_fault_applies_to_article_pages_only(seed):
    with ReplicaServer(fault="500") as srv:
        assert _get(srv, seed.path)[0] == 500
        assert _get(srv, seed.care_path)[0] == 500
        assert _get(srv, "/")[0] == 200  # the index and static files are not faulted
    with pytest.raises(BadInput):
        ReplicaServer(fault="no-such-kind")


# --- one recorder run over many faults (one browser, pages in parallel) ---------------------------------

FAILING = {  # spec -> (reason prefix, attempts with retries=3)
    "500": ("http-500", 3),
    "503:1": ("http-503", 3),
    "404": ("http-404", 1),
    "loop": ("redirect-loop", 1),
    "reset": ("connection", 3),
    "truncate": ("connection", 3),
    "empty": ("blank-page", 1),
    "captcha": ("blocked", 1),
}
SUCCEEDING = ("off", "redirect:3", "script-error", "gbk", "charset-missing", "flaky:2",
              "flaky-reset:2")


@pytest.fixture(scope="module")
def batch(replica_server, seed, tmp_path_factory):
    """Every fault kind at once; returns ({spec: Outcome}, snapshots, wall seconds)."""
    snap = tmp_path_factory.mktemp("faults")
    specs = [*FAILING, *SUCCEEDING]
    targets = [faulted(replica_server, seed, s) for s in specs]
    t0 = time.monotonic()
    out = record(targets, snap, opts())
    return dict(zip(specs, out, strict=True)), snap, time.monotonic() - t0


@pytest.mark.parametrize("spec", list(FAILING))
def test_fault_is_classified(batch, spec):
    outcomes, snap, _ = batch
    o = outcomes[spec]
    reason, attempts = FAILING[spec]
    assert o.status == "failed" and o.reason.startswith(reason + ":"), o.reason
    assert o.attempts == attempts, (o.attempts, o.reason)
    assert len(o.reason.splitlines()) == 1
    assert not bundle.bundle_dir(snap, o.id, "normal").exists() or not any(
        bundle.bundle_dir(snap, o.id, "normal").iterdir())


@pytest.mark.parametrize("spec", SUCCEEDING)
def test_other_pages_still_captured(batch, spec):
    o = batch[0][spec]
    assert o.status == "ok", o.reason
    assert bundle.read_bundle(o.path).meta.status == 200


@pytest.fixture(scope="module")
def slow_batch(replica_server, seed, tmp_path_factory):
    """A server that never answers and one that drips: bounded by --timeout × retries."""
    snap = tmp_path_factory.mktemp("slow")
    o = opts(retries=2, settings=BrowserSettings(navigation_timeout_ms=SLOW_NAV_S * 1000))
    specs = ["hang", "drip:60"]
    t0 = time.monotonic()
    out = record([faulted(replica_server, seed, s) for s in specs], snap, o)
    return dict(zip(specs, out, strict=True)), o, time.monotonic() - t0


@pytest.mark.parametrize("spec", ["hang", "drip:60"])
def test_hung_or_dripping_server_is_a_timeout_in_bounded_time(slow_batch, spec):
    outcomes, o, wall = slow_batch
    out = outcomes[spec]
    assert out.status == "failed" and out.reason.startswith("timeout:"), out.reason
    assert out.attempts == 2
    assert out.seconds <= o.deadline("normal")
    assert out.seconds < 2 * SLOW_NAV_S + 10, out.seconds  # two navigation timeouts, not 60 s of drip


def test_retry_after_is_honoured(batch):
    o = batch[0]["503:1"]
    assert o.seconds >= 2.0, "two Retry-After: 1 waits"


def test_flaky_endpoint_retried_until_it_answers(batch):
    o = batch[0]["flaky:2"]  # two 503s, then the page
    assert o.attempts == 3 and bundle.read_bundle(o.path).meta.attempts == 3
    # Chromium itself retries some resets on a fresh connection, so two resets cost 2 or 3 attempts.
    assert batch[0]["flaky-reset:2"].attempts in (2, 3)


def test_redirect_chain_is_recorded(batch, seed):
    meta = bundle.read_bundle(batch[0]["redirect:3"].path).meta
    assert len(meta.redirect_chain) == 3 and meta.final_url.endswith(f"/_fault/off{seed.path}")


def test_script_error_is_recorded_not_fatal(batch):
    meta = bundle.read_bundle(batch[0]["script-error"].path).meta
    assert any("replica fault: script-error" in e for e in meta.page_errors), meta.page_errors
    assert bundle.read_bundle(batch[0]["off"].path).meta.page_errors == []


def test_gbk_page_reads_as_chinese(batch, seed):
    b = bundle.read_bundle(batch[0]["gbk"].path)
    assert b.meta.charset == "gbk"
    assert seed.title in b.text and seed.title in b.dom


def test_missing_charset_is_recorded(batch):
    assert bundle.read_bundle(batch[0]["charset-missing"].path).meta.charset == ""


def test_huge_page_screenshot_is_capped_not_empty(replica_server, seed, tmp_path):
    """5 MB, 100,000 px tall: a PNG of exactly the capped height (Playwright's full_page would stall)."""
    [o] = record([faulted(replica_server, seed, "huge")], tmp_path,
                 opts(retries=1, settings=BrowserSettings(navigation_timeout_ms=60_000)))
    assert o.status == "ok", o.reason
    b = bundle.read_bundle(o.path)
    width, height = png_size(b.screenshot)
    assert (width, height) == (1280, recorder_mod.SCREENSHOT_MAX_HEIGHT)
    assert b.meta.screenshot["clipped"] and b.meta.screenshot["page_height"] >= 100_000
    assert len(b.raw) > 5_000_000


# --- deadline, retries that make no sense, relaunch -----------------------------------------------------

def test_hung_renderer_stopped_by_the_deadline(replica_server, seed, tmp_path):
    """The page's main thread spins after load: only the per-capture deadline ends the wait."""
    t0 = time.monotonic()
    [o] = record([faulted(replica_server, seed, "freeze")], tmp_path, opts(retries=2, deadline_s=15))
    took = time.monotonic() - t0
    assert o.status == "failed" and o.reason.startswith("timeout:"), o.reason
    assert o.seconds <= 15 + 5 + 3 and took < 60, (o.seconds, took)  # deadline + context close bound


def test_404_is_never_retried_even_with_many_retries(replica_server, seed, tmp_path):
    [o] = record([faulted(replica_server, seed, "404")], tmp_path, opts(retries=5))
    assert o.attempts == 1 and o.reason.startswith("http-404")


def test_retry_after_is_capped(replica_server, seed, tmp_path):
    t0 = time.monotonic()
    [o] = record([faulted(replica_server, seed, "503:3600")], tmp_path, opts(retries=2, max_retry_after_s=0.5))
    assert o.reason.startswith("http-503") and o.attempts == 2
    assert time.monotonic() - t0 < 60  # not an hour


def _descendants(pid: int) -> list[int]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            kids.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in kids.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _browser_pids() -> list[int]:
    """Main Chromium processes under this test process (their parent is not a Chromium)."""
    def name(p: int) -> str:
        try:
            return Path(f"/proc/{p}/comm").read_text().strip()
        except OSError:
            return ""

    def ppid(p: int) -> int:
        try:
            return int(Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            return 0

    return [p for p in _descendants(os.getpid()) if "chrom" in name(p) and "chrom" not in name(ppid(p))]


@pytest.mark.parametrize("how", ["renderer-crash", "browser-killed"])
def test_crash_mid_capture_is_retried_with_a_fresh_browser(how, replica_server, seed, tmp_path, monkeypatch):
    original = recorder_load.check_is_article
    state = {"calls": 0, "browsers": set()}
    before = set(_browser_pids())  # other tests' browsers (the plugin's session Chromium) are not ours to kill

    async def sabotage(pg, url, **kw):
        state["calls"] += 1
        state["browsers"].add(id(pg.context.browser))
        if state["calls"] == 1:
            if how == "renderer-crash":  # CDP Page.crash: the renderer dies as it would on a bug or OOM
                crashed = asyncio.Event()
                pg.on("crash", lambda _p: crashed.set())
                cdp = await pg.context.new_cdp_session(pg)
                task = asyncio.ensure_future(cdp.send("Page.crash"))
                await asyncio.wait_for(crashed.wait(), 10)
                task.cancel()
            else:
                pids = [p for p in _browser_pids() if p not in before]
                assert pids, "no Chromium process of this capture found under the test"
                for pid in pids:
                    os.kill(pid, signal.SIGKILL)
        return await original(pg, url, **kw)

    monkeypatch.setattr(recorder_load, "check_is_article", sabotage)
    target = Target(seed.id, seed.live_url)
    [o] = record([target], tmp_path, opts(base_url=replica_server.base_url))
    assert o.status == "ok", o.reason
    assert o.attempts == 2
    b = bundle.read_bundle(o.path)
    assert b.meta.attempts == 2 and png_size(b.screenshot)[0] == 1280
    if how == "browser-killed":
        assert len(state["browsers"]) == 2, "the second attempt should run in a relaunched browser"


# --- stored data is left alone -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def stored(replica_server, seed, tmp_path_factory):
    """A complete normal-mode bundle of the seed page, to copy."""
    snap = tmp_path_factory.mktemp("stored")
    [o] = record([Target(seed.id, seed.live_url)], snap, opts(base_url=replica_server.base_url))
    assert o.status == "ok", o.reason
    return snap


def _copy(stored: Path, dest: Path) -> Path:
    import shutil

    shutil.copytree(stored, dest / "snap")
    return dest / "snap"


@pytest.mark.parametrize("spec", ["500", "captcha", "hang"])
def test_failed_forced_capture_leaves_the_stored_bundle(spec, stored, replica_server, seed, tmp_path):
    snap = _copy(stored, tmp_path)
    folder = bundle.bundle_dir(snap, seed.id, "normal")
    before = digest(folder)
    [o] = record([faulted(replica_server, seed, spec, tid=seed.id)], snap,
                 opts(force=True, retries=1, settings=BrowserSettings(navigation_timeout_ms=SLOW_NAV_S * 1000)))
    assert o.status == "failed"
    assert digest(folder) == before
    assert [c.name for c in folder.parent.iterdir()] == ["normal"], "no staging folder left behind"


# --- corrupt stored files ------------------------------------------------------------------------------

@pytest.mark.parametrize("damage, names", [
    ("truncate-meta", "meta.json"),
    ("meta-not-object", "meta.json"),
    ("missing-dom", "dom.html"),
    ("bad-png", "screenshot.png"),
])
def test_corrupt_bundle_names_the_file_and_the_fix(damage, names, stored, seed, tmp_path):
    snap = _copy(stored, tmp_path)
    folder = bundle.bundle_dir(snap, seed.id, "normal")
    meta = folder / "meta.json"
    if damage == "truncate-meta":
        meta.write_bytes(meta.read_bytes()[:40])
    elif damage == "meta-not-object":
        meta.write_text("[]")
    elif damage == "missing-dom":
        (folder / "dom.html").unlink()
    else:
        (folder / "screenshot.png").write_bytes(b"not a png")
    with pytest.raises(CorruptFile) as err:
        bundle.read_bundle(folder)
    msg = str(err.value)
    assert names in msg and f"capture record {seed.id}" in msg and "--force" in msg
    assert len(msg.splitlines()) == 1


@pytest.mark.parametrize("damage", ["truncate-meta", "corrupt-har"])
def test_replay_over_a_corrupt_bundle_fails_that_page_only(damage, stored, seed, tmp_path, capsys):
    snap = _copy(stored, tmp_path)
    folder = bundle.bundle_dir(snap, seed.id, "normal")
    if damage == "truncate-meta":
        (folder / "meta.json").write_text('{"id": ')
    else:
        (folder / "page.har").write_text('{"log": {"entries": [')
    before = digest(folder)
    code = main(["record", seed.id, "--replay", "--modes", "normal", "--snapshots", str(snap),
                 "--watchlist", str(WATCHLIST), "--timeout", "3", "--retries", "1"])
    out = capsys.readouterr()
    assert code == 1 and "Traceback" not in out.err + out.out
    assert "0 captured, 0 skipped, 1 failed" in out.out
    assert "corrupt" in " ".join(out.out.split())
    assert digest(folder) == before
    [o] = record([Target(seed.id, seed.live_url)], snap, opts(replay=True, retries=1))
    assert o.status == "failed" and o.reason.startswith("corrupt-file:") and "--force" in o.reason
    assert ("meta.json" in o.reason) if damage == "truncate-meta" else ("page.har" in o.reason)


# --- bad input on the command line ---------------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["http://[::1/dy/article/AAAAAAAAAAAAAAAA.html"],                  # malformed
    ["https://www.163.com:99999/dy/article/AAAAAAAAAAAAAAAA.html"],    # bad port
    ["http://"],                                                       # no host
    ["ftp://www.163.com/dy/article/AAAAAAAAAAAAAAAA.html"],            # other scheme
    ["mailto:someone@163.com"],
    ["https://evil.example/dy/article/AAAAAAAAAAAAAAAA.html"],         # host not allowed
    ["a/b"], [".."], ["x/../y"], ["J2P6C4GT0530JPVV/../../etc"],       # ids with separators or ..
    ["--timeout", "0"], ["--jobs", "0"], ["--modes", "normal,dark"],
])
def test_cli_bad_input_one_line_exit_2(argv, tmp_path, capsys):
    code = main(["record", *argv, "--snapshots", str(tmp_path), "--watchlist", str(WATCHLIST)])
    err = capsys.readouterr().err
    assert code == 2, err
    lines = [line for line in err.strip().splitlines() if not line.startswith("watchlist: ")]  # informational
    assert len(lines) == 1 and "error:" in err and "Traceback" not in err
    assert not (tmp_path / "captures").exists()


# --- the watchlist -------------------------------------------------------------------------------------

GOOD = '[[page]]\nid = "J2P6C4GT0530JPVV"\nurl = "https://www.163.com/dy/article/J2P6C4GT0530JPVV.html"\n\n'


def test_watchlist_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "pages.toml"
    path.write_text(GOOD + '[[page]]\nid = "X"\nurl = https://www.163.com/x\n', encoding="utf-8")
    with pytest.raises(BadInput) as err:
        load_watchlist(path)
    assert "line 7" in str(err.value) and str(path) in str(err.value)


def test_watchlist_bad_url_in_entry_3_names_its_line_and_reason(tmp_path):
    path = tmp_path / "pages.toml"
    bad = '[[page]]\nid = "J2R4FQ8N0514R9KQ"\nurl = "javascript:alert(1)"\n'
    second = GOOD.replace("J2P6C4GT0530JPVV", "J2QK3V7O0001899O")
    path.write_text(GOOD + second + bad, encoding="utf-8")
    with pytest.raises(BadInput) as err:
        load_watchlist(path)
    msg = str(err.value)
    assert f"{path}:9:" in msg and "not an http(s) URL" in msg


@pytest.mark.parametrize("text, words", [
    (GOOD + GOOD, "listed twice"),
    ('[[page]]\nid = "../x"\nurl = "https://www.163.com/dy/article/J2P6C4GT0530JPVV.html"\n', "bad id"),
    ('[[page]]\nid = 3\n', "string id and url"),
    ('page = "x"\n', "array of tables"),
    ('allow_hosts = "example.com"\n' + GOOD, "allow_hosts"),
])
def test_watchlist_semantic_errors(text, words, tmp_path):
    path = tmp_path / "pages.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BadInput, match=words):
        load_watchlist(path)


def test_watchlist_not_utf8_is_bad_input_exit_2(tmp_path, capsys):
    path = tmp_path / "pages.toml"
    path.write_bytes(GOOD.encode() + "# 注释\n".encode("gbk"))
    code = main(["record", "--watchlist", str(path), "--snapshots", str(tmp_path / "s")])
    err = capsys.readouterr().err
    assert code == 2 and "UTF-8" in err and len(err.strip().splitlines()) == 1


# --- two runs on one snapshots folder ------------------------------------------------------------------

def test_second_process_on_same_snapshots_refuses(replica_server, seed, tmp_path):
    """Two real `capture record` processes: the first hangs on a server that never answers."""
    snap = tmp_path / "snap"
    # --replica-url: the pages are the test's replica's (record would otherwise start a built-in one)
    cli = [sys.executable, "-m", "capture.cli", "record", "--snapshots", str(snap), "--timeout", "20",
           "--retries", "1", "--allow-host", "127.0.0.1", "--modes", "normal", "--replica-url", replica_server.base_url]
    first = subprocess.Popen([*cli, f"{replica_server.base_url}/_fault/hang{seed.path}"], cwd=tmp_path,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        lock = snap / ".lock"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (lock.exists() and lock.read_text().strip() == str(first.pid)):
            assert first.poll() is None, "the first run ended early"
            time.sleep(0.05)
        second = subprocess.run([*cli, f"{replica_server.base_url}{seed.path}"], cwd=tmp_path, capture_output=True,
                                text=True, timeout=60)
        assert second.returncode == 4, second.stderr
        assert "in use by another capture run" in second.stderr and f"pid {first.pid}" in second.stderr
        assert len([line for line in second.stderr.strip().splitlines() if not line.startswith("watchlist: ")]) == 1
        assert first.poll() is None, "the first run should still be going"
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()


def test_cli_server_wide_fault_exit_1_with_reason(seed, tmp_path, capsys):
    with ReplicaServer(fault="500") as srv:
        code = main(["record", seed.id, "--replica-url", srv.base_url, "--snapshots", str(tmp_path),
                     "--watchlist", str(WATCHLIST), "--timeout", "3", "--retries", "2"])
    out = " ".join(capsys.readouterr().out.split())
    assert code == 1 and "0 captured, 0 skipped, 2 failed" in out and "http-500" in out


def test_meta_json_roundtrip_has_page_errors(stored, seed):
    data = json.loads((bundle.bundle_dir(stored, seed.id, "normal") / "meta.json").read_text())
    assert data["page_errors"] == []

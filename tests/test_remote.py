"""Remote browsers (``--connect``) give the same bundles as a local one; ``--shard`` and option checks.

Both kinds of endpoint are started on 127.0.0.1 at a free port: ``playwright run-server --unsafe``
(the client sends the launch-options header, ``--remote-executable``) and ``chromium.launchServer``
run by the driver's node (a browser already running, no header).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from capture import bundle
from capture.browser import require_chromium
from capture.cli import main
from capture.recorder import Recorder, RecordOptions, record
from capture.remote import (
    LAUNCH_OPTIONS_HEADER,
    BrowserServer,
    connect_headers,
    node_available,
    worker_endpoints,
)
from capture.replica import targets as replica_targets
from capture.sync import run_sync
from capture.targets import MODES, Target
from capture.testing import DETERMINISTIC, run_pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.usefixtures("replica_only")


@pytest.fixture(scope="module")
def local_files(site_origin, seed_target, tmp_path_factory) -> dict[tuple[str, str], bytes]:
    snap = tmp_path_factory.mktemp("local")
    out = record([seed_target], snap, RecordOptions(replica=True, base_url=site_origin))
    assert all(o.status == "ok" for o in out), [o.reason for o in out]
    return _files(snap, seed_target)


def _files(snapshots: Path, target: Target) -> dict[tuple[str, str], bytes]:
    return {(mode, name): (bundle.bundle_dir(snapshots, target.id, mode) / name).read_bytes()
            for mode in MODES for name in DETERMINISTIC}


def _assert_same(got: dict, want: dict) -> None:
    differ = [f"{mode}/{name}" for (mode, name), data in want.items() if got[(mode, name)] != data]
    assert not differ, f"remote capture differs from the local one in {differ}"


@pytest.fixture(scope="module")
def run_server():
    with BrowserServer("run-server") as srv:
        yield srv


@pytest.fixture(scope="module")
def launch_server():
    if not node_available():
        pytest.skip("Playwright's driver node is not there")
    with BrowserServer("launch-server") as srv:
        yield srv


def test_cli_run_server_with_launch_header_matches_local(run_server, site_origin, seed_target, local_files, tmp_path):
    assert run_server.ws_endpoint.startswith("ws://127.0.0.1:")
    code = main(["record", seed_target.id, "--watchlist", str(ROOT / "pages.toml"), "--replica-url", site_origin,
                 "--snapshots", str(tmp_path), "--connect", run_server.ws_endpoint,
                 "--remote-executable", require_chromium()])
    assert code == 0
    _assert_same(_files(tmp_path, seed_target), local_files)


def test_launch_server_without_header_matches_local(launch_server, site_origin, seed_target, local_files, tmp_path):
    code = main(["record", seed_target.id, "--watchlist", str(ROOT / "pages.toml"), "--replica-url", site_origin,
                 "--snapshots", str(tmp_path), "--connect", launch_server.ws_endpoint])
    assert code == 0
    _assert_same(_files(tmp_path, seed_target), local_files)


@pytest.mark.browser
def test_pages_spread_over_two_endpoints(run_server, launch_server, site_origin, tmp_path):
    targets = replica_targets()[:3]
    opts = RecordOptions(replica=True, base_url=site_origin, modes=("normal",), connect=(
        run_server.ws_endpoint, launch_server.ws_endpoint), remote_executable=require_chromium())
    rec = Recorder(tmp_path, opts)
    out = run_sync(rec.run(targets))
    assert [o.status for o in out] == ["ok"] * 3, [o.reason for o in out]
    assert rec.pool is not None and set(rec.pool.opened) == {run_server.ws_endpoint, launch_server.ws_endpoint}
    assert rec._slots == {t.id: i for i, t in enumerate(targets)}


def test_suite_through_a_remote_browser(run_server, seed_target, tmp_path):
    """The golden suite for the seed page, captured by the remote browser, matches the stored goldens."""
    watchlist = tmp_path / "pages.toml"
    watchlist.write_text(f'[[page]]\nid = "{seed_target.id}"\nurl = "{seed_target.url}"\n', encoding="utf-8")
    proc = run_pytest(str(ROOT / "tests" / "test_goldens.py"), "--watchlist", str(watchlist),
                      "--connect", run_server.ws_endpoint, "--remote-executable", require_chromium())
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout and not re.search(r"\d+ (failed|xfailed|error)", proc.stdout)


def test_unreachable_endpoint_is_exit_3(site_origin, seed_target, tmp_path, capsys):
    from capture.remote import free_port

    code = main(["record", seed_target.id, "--watchlist", str(ROOT / "pages.toml"), "--replica-url", site_origin,
                 "--snapshots", str(tmp_path), "--connect", f"ws://127.0.0.1:{free_port()}/"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 3
    assert "could not connect to the browser at ws://127.0.0.1:" in err[-1]


@pytest.mark.parametrize("args, message", [
    (["--connect", "http://127.0.0.1:3000/"], "bad --connect"),
    (["--remote-executable", "/usr/bin/chromium"], "--remote-executable needs --connect"),
    (["--shard", "0/2"], "bad --shard"),
    (["--shard", "3/2"], "bad --shard"),
    (["--shard", "two"], "bad --shard"),
])
def test_bad_remote_options_are_one_line_exit_2(args, message, tmp_path, capsys):
    code = main(["record", "--watchlist", str(ROOT / "pages.toml"), "--snapshots", str(tmp_path), *args])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and message in err[0], err


def test_header_only_when_asked():
    assert connect_headers(None, None) == {}
    import json

    sent = json.loads(connect_headers(None, "/usr/bin/chromium")[LAUNCH_OPTIONS_HEADER])
    assert sent["executablePath"] == "/usr/bin/chromium" and sent["headless"] is True
    assert "--disable-gpu" in sent["args"]


def test_xdist_worker_takes_its_own_endpoint():
    eps = ("ws://a:1/", "ws://b:2/", "ws://c:3/")
    assert worker_endpoints(eps, "gw0") == ("ws://a:1/",)
    assert worker_endpoints(eps, "gw4") == ("ws://b:2/",)
    assert worker_endpoints(eps, "") == eps
    assert worker_endpoints((), "gw1") == ()


def test_xdist_worker_comes_from_the_config_not_inherited_env(monkeypatch):
    """A pytest started in a subprocess by a test inherits PYTEST_XDIST_WORKER; it is not a worker."""
    from capture.remote import xdist_worker

    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "2")
    assert xdist_worker(None) is None
    assert xdist_worker({"workerid": "gw1", "workercount": 2}) == (1, 2)

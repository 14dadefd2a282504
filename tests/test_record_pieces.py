"""The recorder's pieces on their own, without a browser: the job plan and its order, the staged
replay HAR, HAR merging, and the browser pool's relaunch and round-robin (on stand-in browsers)."""

from __future__ import annotations

import asyncio
import json

import pytest

from capture import bundle
from capture.browser import BrowserSettings
from capture.record import pool as pools
from capture.record.options import Outcome, RecordOptions
from capture.record.schedule import PAIR, in_order, plan
from capture.record.staging import har_problem, merge_hars, replay_copy, replay_source
from capture.sync import run_sync
from capture.targets import Target

A, B = Target("A1", "https://www.163.com/dy/article/A1.html"), Target("B2", "https://www.163.com/dy/article/B2.html")


# --- schedule ------------------------------------------------------------------------------------

def test_a_page_wanted_in_both_modes_is_one_job():
    jobs = plan([A, B], PAIR, lambda t, m: True, replay=False)
    assert [(t.id, m) for t, m in jobs] == [("A1", PAIR), ("B2", PAIR)]


def test_a_page_with_one_mode_kept_gets_one_job_per_mode():
    """B2's care bundle is complete: no pair, so the kept mode is a job of its own (it reports 'skipped')."""
    jobs = plan([A, B], PAIR, lambda t, m: not (t is B and m == "care"), replay=False)
    assert [(t.id, m) for t, m in jobs] == [("A1", PAIR), ("B2", ("normal",)), ("B2", ("care",))]


def test_a_replay_never_pairs_and_one_mode_runs_alone():
    assert [m for _t, m in plan([A], PAIR, lambda t, m: True, replay=True)] == [("normal",), ("care",)]
    assert [m for _t, m in plan([A, B], ("care",), lambda t, m: True, replay=False)] == [("care",), ("care",)]


def test_outcomes_come_back_in_watchlist_order():
    done = [Outcome("B2", "care", "ok"), Outcome("A1", "care", "ok"), Outcome("B2", "normal", "ok"),
            Outcome("A1", "normal", "failed")]
    assert [(o.id, o.mode) for o in in_order(done, [A, B], PAIR)] == [
        ("A1", "normal"), ("A1", "care"), ("B2", "normal"), ("B2", "care")]


# --- staging -------------------------------------------------------------------------------------

def har(*urls: str) -> dict:
    return {"log": {"version": "1.2", "pages": [{"id": u} for u in urls],
                    "entries": [{"request": {"url": u}} for u in urls]}}


def test_merged_har_holds_both_recordings_in_order():
    merged = merge_hars(har("https://n/"), har("https://c/"))
    assert [e["request"]["url"] for e in merged["log"]["entries"]] == ["https://n/", "https://c/"]
    assert [p["id"] for p in merged["log"]["pages"]] == ["https://n/", "https://c/"]
    assert merge_hars({}, har("https://c/"))["log"]["entries"] == har("https://c/")["log"]["entries"]


def test_har_problem_names_what_is_wrong(tmp_path):
    good, bad, empty = tmp_path / "good.har", tmp_path / "bad.har", tmp_path / "empty.har"
    good.write_text(json.dumps(har("https://n/")))
    bad.write_text('{"log": {"entr')
    empty.write_text('{"log": {}}')
    assert har_problem(good) == ""
    assert har_problem(bad) == "is not a readable HAR (JSONDecodeError)"
    assert har_problem(empty) == "has no log.entries"
    assert har_problem(tmp_path / "none.har").startswith("is not a readable HAR")


def test_replay_source_says_how_to_fix_a_missing_bundle(tmp_path):
    source = bundle.bundle_dir(tmp_path, "A1", "normal")
    path, problem = replay_source(source, "A1", "normal")
    assert path == source / "page.har"
    assert problem == (f"corrupt-file: the bundle to replay at {source} does not exist: re-record it with "
                       "`capture record A1 --modes normal --force`")


def test_replay_copy_becomes_the_new_har_and_never_stays(tmp_path):
    src = tmp_path / "stored.har"
    src.write_text(json.dumps(har("https://n/")))
    stage = tmp_path / "stage"
    stage.mkdir()
    with replay_copy(src, stage, "normal") as copy:
        assert copy is not None and copy.read_bytes() == src.read_bytes() and copy.parent == tmp_path
    assert (stage / "page.har").read_bytes() == src.read_bytes() and not copy.exists()
    (stage / "page.har").unlink()
    with pytest.raises(RuntimeError), replay_copy(src, stage, "normal") as copy:
        raise RuntimeError("attempt failed")
    assert not copy.exists() and not (stage / "page.har").exists()
    with replay_copy(None, stage, "normal") as nothing:
        assert nothing is None


# --- pool ----------------------------------------------------------------------------------------

class FakeBrowser:
    def __init__(self, where: str) -> None:
        self.where, self.connected, self.closed = where, True, False

    def is_connected(self) -> bool:
        return self.connected

    async def close(self) -> None:
        self.closed = True


class FakeBrowserType:
    def __init__(self) -> None:
        self.calls: list[str] = []

    async def launch(self, **kwargs: object) -> FakeBrowser:
        self.calls.append("launch")
        return FakeBrowser("local")

    async def connect(self, endpoint: str, **kwargs: object) -> FakeBrowser:
        self.calls.append(endpoint)
        return FakeBrowser(endpoint)


class FakePlaywright:
    def __init__(self) -> None:
        self.chromium = FakeBrowserType()


SETTINGS = BrowserSettings(executable_path="/bin/true")


def test_the_pool_relaunches_a_dead_browser_once():
    pw = FakePlaywright()
    pool = pools.BrowserPool(pw, RecordOptions(settings=SETTINGS))

    async def go() -> None:
        first = await pool.get(0)
        assert await pool.get(5) is first, "one local browser serves every page"
        first.connected = False
        again = await asyncio.gather(pool.get(0), pool.get(1), pool.get(2))
        assert again[0] is not first and all(b is again[0] for b in again), "many pages notice, one relaunch"
        await pool.close()
        assert again[0].closed

    run_sync(go())
    assert pw.chromium.calls == ["launch", "launch"] and pool.opened == ["", ""]


def test_the_pool_spreads_pages_over_endpoints_round_robin():
    pw = FakePlaywright()
    opts = RecordOptions(settings=SETTINGS, connect=("ws://127.0.0.1:1/", "ws://127.0.0.1:2/"))
    pool = pools.BrowserPool(pw, opts)

    async def go() -> list[str]:
        await pool.get()  # every endpoint at once, so a bad one fails before any page
        return [(await pool.get(i)).where for i in range(4)]

    assert run_sync(go()) == ["ws://127.0.0.1:1/", "ws://127.0.0.1:2/"] * 2
    assert pw.chromium.calls == pool.opened == ["ws://127.0.0.1:1/", "ws://127.0.0.1:2/"]

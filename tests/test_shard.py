"""``--shard i/N``: contiguous slices of the watchlist sorted by id, covering it exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest

from capture.errors import BadInput
from capture.remote import parse_shard, record_shared, shard
from capture.targets import Target
from capture.testing import run_pytest

ROOT = Path(__file__).resolve().parents[1]


def _targets(n: int) -> list[Target]:
    # deliberately not in id order: shards sort by id
    return [Target(f"P{(i * 7) % n:03d}", f"https://www.163.com/dy/article/{i:016d}.html") for i in range(n)]


@pytest.mark.parametrize("value, want", [("1/1", (1, 1)), ("2/4", (2, 4)), (" 3 / 3 ", (3, 3)), (None, None), ("", None)])
def test_parse_shard(value, want):
    assert parse_shard(value) == want


@pytest.mark.parametrize("value", ["0/3", "4/3", "1/0", "1", "a/b", "-1/2", "1/2/3"])
def test_bad_shard(value):
    with pytest.raises(BadInput, match="bad --shard"):
        parse_shard(value)


@pytest.mark.parametrize("n, total", [(8, 1), (8, 3), (8, 8), (3, 5), (32, 4), (0, 2)])
def test_shards_cover_the_watchlist_once_contiguously(n, total):
    items = _targets(n)
    parts = [shard(items, (i, total)) for i in range(1, total + 1)]
    flat = [t.id for part in parts for t in part]
    assert flat == sorted(t.id for t in items)  # contiguous, in id order, nothing twice or missing
    sizes = [len(p) for p in parts]
    assert max(sizes) - min(sizes) <= 1


def test_shard_is_independent_of_input_order():
    items = _targets(10)
    assert shard(items, "2/3") == shard(list(reversed(items)), "2/3")


def test_no_shard_keeps_order():
    items = _targets(5)
    assert shard(items, None) == items


def test_pytest_shard_limits_parametrized_pages():
    """``pytest --shard 2/3`` collects the golden tests of pages 3-5 of the 8 (sorted by id) only."""
    from capture.targets import load_watchlist

    ids = sorted(t.id for t in load_watchlist(ROOT / "pages.toml"))
    proc = run_pytest("--collect-only", "--shard", "2/3", str(ROOT / "tests" / "test_goldens.py"), timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    collected = {line.split("[", 1)[1].rsplit("-", 1)[0] for line in proc.stdout.splitlines() if "[" in line}
    assert collected == set(ids[2:5])


def test_record_shared_records_each_shard_once(tmp_path):
    """A worker records its own shard, then the shards nobody took; a later worker only reads them."""
    from capture.recorder import Outcome

    targets = _targets(7)
    calls: list[tuple[str, ...]] = []

    def fake_record(part, snapshots):
        calls.append(tuple(t.id for t in part))
        assert snapshots.parent.name.startswith("shard-")
        return [Outcome(t.id, "normal", "ok", "", snapshots / t.id) for t in part]

    rows = record_shared(targets, tmp_path, (1, 3), fake_record)  # gw1 of 3, alone: it takes all three
    assert [c for c in calls] == [tuple(t.id for t in shard(targets, (k, 3))) for k in (2, 3, 1)]
    assert sorted(r["id"] for r in rows) == sorted(t.id for t in targets) and {r["by"] for r in rows} == {"gw1"}
    again = record_shared(targets, tmp_path, (0, 3), fake_record)  # gw0 comes later: nothing left to record
    assert len(calls) == 3 and sorted(map(str, again)) == sorted(map(str, rows))


def test_xdist_workers_share_one_session_capture(tmp_path):
    """Under ``pytest -n 2`` each page is captured once in all, not once per worker."""
    import json

    base = tmp_path / "base"
    proc = run_pytest("-n", "2", "--shard", "1/4", "--basetemp", str(base), str(ROOT / "tests" / "test_goldens.py"))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    shards = sorted((base / "shared-capture").glob("shard-*-of-2/outcomes.json"))
    assert len(shards) == 2, list((base / "shared-capture").iterdir())
    rows = [r for f in shards for r in json.loads(f.read_text())]
    keys = [(r["id"], r["mode"]) for r in rows]
    assert len(keys) == len(set(keys)) == 4 and all(r["status"] == "ok" for r in rows), rows
    assert not list(base.glob("popen-gw*/session-snapshots*/captures")), "a worker captured on its own"


def test_selecting_one_page_captures_only_that_page(tmp_path):
    """``pytest -k <id>`` captures the selected page (both modes), not the whole watchlist."""
    base = tmp_path / "base"
    proc = run_pytest("-k", "J2P6C4GT0530JPVV", "--basetemp", str(base), str(ROOT / "tests" / "test_goldens.py"))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    pages = {p.name for p in base.glob("session-snapshots*/captures/*")}
    assert pages == {"J2P6C4GT0530JPVV"}


def test_selected_pages_falls_back_to_the_watchlist():
    """A selected test that uses ``captured`` without a page (the care consistency test) needs them all."""
    from types import SimpleNamespace

    from capture.pytest_plugin.fixtures import selected_pages

    wl = _targets(3)
    one = SimpleNamespace(fixturenames=["captured", "page_mode"], callspec=SimpleNamespace(params={"page_mode": (wl[1], "care")}))
    other = SimpleNamespace(fixturenames=["tmp_path"])
    whole = SimpleNamespace(fixturenames=["captured", "watchlist"])
    assert selected_pages([one, other], wl) == [wl[1]]
    assert selected_pages([one, whole], wl) == wl


def test_pytest_bad_shard_is_a_usage_error():
    proc = run_pytest("--collect-only", "--shard", "5/4", str(ROOT / "tests" / "test_goldens.py"), timeout=300)
    assert proc.returncode == 4
    assert "bad --shard '5/4'" in proc.stderr


def test_generated_replica_articles_are_deterministic(monkeypatch):
    from capture.replica import content, generated

    stored = {k: v for k, v in content.articles().items() if not v.get("generated")}
    monkeypatch.setenv(generated.ENV, "20")
    a, b = generated.generate(stored, generated.wanted()), generated.generate(stored, 20)
    assert a == b and len(a) == 20 - len(stored)
    assert all(content.ID_RE.match(k) for k in a)
    assert len({d["title"] for d in a.values()}) == len(a)
    assert generated.generate(stored, len(stored)) == {}

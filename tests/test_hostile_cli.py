"""Hostile input and plain environment problems, as the ``capture`` command meets them: page text never
reaches the terminal raw, nothing half-written, one line and the README's exit code for each case."""

from __future__ import annotations

import io
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console

from capture.cli import main, print_check
from capture.report import CheckReport, Difference, PageResult, last_check_path

CASES = Path(__file__).resolve().parent / "cases"
HOSTILE = ["\x1b]0;pwned\x07", "\x1b[2J", "\x1b]52;c;ZXZpbA==\x07", "[/]", "[link=file:///etc/passwd]CLICK[/link]",
           "[bold red]x", "\x9b31m", "\u202eevil"]


def _raw_escapes(text: str) -> list[str]:
    """Control characters that came from the page (rich's own colour codes are ``ESC [ … m``)."""
    import re

    stripped = re.sub(r"\x1b\[[0-9;]*m", "", text)
    return [c for c in stripped if ord(c) < 32 and c not in "\n" or 0x7f <= ord(c) <= 0x9f or c == "\u202e"]


@pytest.mark.parametrize("title", HOSTILE)
def test_check_lines_show_page_text_as_text(title: str) -> None:
    """A title quoted in a difference reason is printed escaped, never obeyed, never parsed as markup
    (a ``[/]`` crashed the whole check's output before)."""
    report = CheckReport("2026-01-01T00:00:00+00:00", "snapshots", "replica", None, [
        PageResult("J2P6C4GT0530JPVV", "normal", "https://www.163.com/dy/article/J2P6C4GT0530JPVV.html", "changed",
                   [Difference("content-changed", "title-info", f"title 旧标题 → {title}")])])
    buf = io.StringIO()
    print_check(report, Console(file=buf, force_terminal=True, width=200), tail="done")
    out = buf.getvalue()
    assert _raw_escapes(out) == []
    assert "\x1b]8;" not in out  # no terminal hyperlink
    visible = title.replace("\x1b", "\\x1b").replace("\x07", "\\x07").replace("\x9b", "\\x9b")
    assert visible.replace("\u202e", "\\u202e") in out


def test_extract_text_of_a_hostile_page_is_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = (CASES / "post2020_dy_raw" / "page.html").read_text(encoding="utf-8")
    evil = "".join(HOSTILE)
    import re

    hostile = re.sub(r'(<h1 class="post_title"[^>]*>)(.*?)(</h1>)', lambda m: m.group(1) + evil + m.group(3), page,
                     count=1, flags=re.S)
    assert evil in hostile
    f = tmp_path / "evil.html"
    f.write_text(hostile, encoding="utf-8")
    assert main(["extract", str(f), "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert "\\x1b]0;pwned" in out and _raw_escapes(out) == []


def _report(snapshots: Path, *, complete: bool) -> None:
    r = CheckReport("2026-01-01T00:00:00+00:00", str(snapshots), "replica", None, [
        PageResult("J2P6C4GT0530JPVV", "normal", "https://www.163.com/dy/article/J2P6C4GT0530JPVV.html", "changed",
                   bundle=str(snapshots / "nowhere"))], complete=complete)
    r.write(last_check_path(snapshots))


def test_accept_refuses_the_report_of_a_killed_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A check killed mid-run leaves a report marked unfinished: accept says so and writes nothing
    (it used to take an older stored bundle quietly)."""
    _report(tmp_path, complete=False)
    assert main(["accept", "J2P6C4GT0530JPVV", "--snapshots", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "did not finish" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "replica").exists()


def test_accept_refuses_a_capture_the_report_names_but_that_is_gone(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    _report(tmp_path, complete=True)
    assert main(["accept", "J2P6C4GT0530JPVV", "--mode", "normal", "--snapshots", str(tmp_path)]) == 2
    assert "gone or incomplete" in capsys.readouterr().err
    assert not (tmp_path / "replica").exists()


@pytest.mark.parametrize("args, expect", [
    (["--timeout", "nan"], "bad --timeout"), (["--timeout", "inf"], "bad --timeout"),
    (["--base-url", "file:///etc"], "bad --base-url 'file:///etc'"), (["--jobs", "0"], "bad --jobs"),
    (["--retries", "0"], "bad --retries"),
])
def test_bad_options_are_one_line(args: list[str], expect: str, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["record", "J2P6C4GT0530JPVV", "--snapshots", str(tmp_path), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert expect in err and len(err.splitlines()) == 1 and "internal error" not in err
    assert "AAAAAAAAAAAAAAAA" not in err


def test_a_deeply_nested_watchlist_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    nested = tmp_path / "pages.toml"
    nested.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    assert main(["record", "--watchlist", str(nested), "--snapshots", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err.strip()
    assert str(nested) in err and "internal error" not in err and len(err.splitlines()) == 1


def test_an_empty_watchlist_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "pages.toml"
    empty.write_text("", encoding="utf-8")
    assert main(["record", "--watchlist", str(empty), "--snapshots", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert "lists no pages" in err and "no pages.toml here" not in err


def test_a_read_only_snapshots_folder_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder that cannot be written: the path and the fix, exit 2, never "internal error … report it"
    (simulated with EACCES: the tests run as root, which chmod does not stop)."""
    import errno

    from capture import lock

    def denied(*_a, **_kw):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "ro" / ".lock"))

    _report(tmp_path / "ro", complete=True)
    monkeypatch.setattr(lock.os, "open", denied)
    code = main(["accept", "J2P6C4GT0530JPVV", "--snapshots", str(tmp_path / "ro")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "internal error" not in err and len(err.splitlines()) == 1
    assert str(tmp_path / "ro") in err


# --- kill -9 during accept: a page's golden set is all old or all new ------------------------------------

KILL_TRIALS = 8


@pytest.fixture(scope="module")
def two_captures(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two stored captures of the seed page that give different goldens: the replica, and the replica
    with a drift (captured once for the module)."""
    from capture.replica import ReplicaServer
    from capture.run import RunRequest, build
    from capture.run.commands import run_record

    out = []
    for drift in (None, "rename-side-module"):
        snaps = tmp_path_factory.mktemp(f"cap-{drift or 'clean'}")
        with ReplicaServer(drift=drift) as srv:
            config = build(RunRequest(pages=("J2P6C4GT0530JPVV",), snapshots=snaps, replica=True,
                                      modes="normal", root=snaps)).with_base_url(srv.base_url)
            (o,) = run_record(config, config.resolve(["J2P6C4GT0530JPVV"]))
            assert o.status == "ok", o.reason
        out.append(snaps / "captures")
    return out[0], out[1]


def _accept_into(snapshots: Path, captures: Path) -> subprocess.Popen:
    shutil.rmtree(snapshots / "captures", ignore_errors=True)
    shutil.copytree(captures, snapshots / "captures")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAPTURE_")}
    return subprocess.Popen([sys.executable, "-m", "capture.cli", "accept", "J2P6C4GT0530JPVV", "--mode", "normal",
                             "--snapshots", str(snapshots), "--watchlist", str(snapshots / "pages.toml")],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _golden_set(snapshots: Path) -> dict[str, bytes]:
    gold = snapshots / "replica"
    return {p.relative_to(gold).as_posix(): p.read_bytes() for p in sorted(gold.rglob("*")) if p.is_file()}


def test_kill_9_during_accept_leaves_the_old_goldens_or_the_new(tmp_path: Path, two_captures) -> None:
    from capture import fs

    clean, drifted = two_captures
    snaps = tmp_path / "s"
    snaps.mkdir()
    (snaps / "pages.toml").write_text('[[page]]\nid = "J2P6C4GT0530JPVV"\n'
                                      'url = "https://www.163.com/dy/article/J2P6C4GT0530JPVV.html"\n')
    sets = []
    for captures in (clean, drifted):
        assert _accept_into(snaps, captures).wait(120) == 0
        sets.append(_golden_set(snaps))
    assert sets[0] != sets[1] and set(sets[0]) == set(sets[1])
    rng = random.Random(20261203)
    for trial in range(KILL_TRIALS):
        before = _golden_set(snaps)
        p = _accept_into(snaps, (clean, drifted)[trial % 2])
        time.sleep(rng.uniform(0.2, 1.6))
        p.send_signal(signal.SIGKILL)
        p.wait(30)
        fs.recover(snaps)
        after = _golden_set(snaps)
        assert after in (before, sets[trial % 2]), f"trial {trial}: a golden set half switched"
        assert not [p for p in (snaps / "replica").rglob("*") if ".tmp" in p.name or p.name.startswith(".")]


def test_accept_refuses_an_emptied_text_in_the_capture(tmp_path: Path, two_captures,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    clean, _ = two_captures
    snaps = tmp_path / "s"
    shutil.copytree(clean, snaps / "captures")
    (snaps / "captures" / "J2P6C4GT0530JPVV" / "normal" / "text.txt").write_text("")
    (snaps / "pages.toml").write_text('[[page]]\nid = "J2P6C4GT0530JPVV"\n'
                                      'url = "https://www.163.com/dy/article/J2P6C4GT0530JPVV.html"\n')
    code = main(["accept", "J2P6C4GT0530JPVV", "--mode", "normal", "--snapshots", str(snaps),
                 "--watchlist", str(snaps / "pages.toml")])
    assert code == 2 and "text.txt" in capsys.readouterr().err
    assert not (snaps / "replica").exists()

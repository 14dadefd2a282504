"""One page vocabulary: every ``capture`` subcommand that takes pages takes ids and URLs alike.

In process (``capture.cli.main``) against the replica on 127.0.0.1; an unknown id or a bad URL is one
line, exit 2, naming the input and what to do next, before anything is loaded or written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from capture.cli import main
from capture.goldens import GoldenStore, View
from capture.replica import ReplicaServer, seed_page
from capture.report import CheckReport, last_check_path

ROOT = Path(__file__).resolve().parents[1]
PAGES = str(ROOT / "pages.toml")
pytestmark = pytest.mark.usefixtures("replica_only")


def test_record_by_url_and_by_id_is_the_same_bundle(seed_target, tmp_path, capsys):
    snaps = tmp_path / "snapshots"
    common = ["--replica", "--snapshots", str(snaps), "--modes", "normal", "--watchlist", PAGES, "--retries", "1"]
    assert main(["record", seed_target.url, *common]) == 0
    assert "1 captured, 0 skipped, 0 failed" in capsys.readouterr().out
    assert (snaps / "captures" / seed_target.id / "normal" / "meta.json").is_file()
    # the id, and the id with its URL again, resolve to that one bundle: skipped, not recorded twice
    assert main(["record", seed_target.id, seed_target.url, *common]) == 0
    assert "0 captured, 1 skipped, 0 failed" in capsys.readouterr().out


def test_check_and_accept_take_urls_and_ids(seed_target, tmp_path, capsys):
    """The issue's example: `capture accept <URL>` after `capture check <URL>`; then the same by id."""
    snaps = tmp_path / "snapshots"
    other = tmp_path / "other.toml"  # a watchlist without the seed page: its id is known from the last check
    other.write_text('[[page]]\nid = "J2P6C4GT0530JPVV"\nurl = "https://www.163.com/dy/article/J2P6C4GT0530JPVV.html"\n',
                     encoding="utf-8")
    check = ["--snapshots", str(snaps), "--modes", "normal", "--retries", "1"]
    golden = GoldenStore(snaps).path(seed_target.id, "normal", View.EXTRACTION)

    assert main(["check", seed_target.url, *check, "--watchlist", str(other), "--json"]) == 1
    (result,) = json.loads(capsys.readouterr().out)["results"]
    assert (result["id"], result["status"]) == (seed_target.id, "no-golden")
    assert [d["cls"] for d in result["differences"]] == ["no-golden"]

    assert main(["accept", seed_target.url, "--snapshots", str(snaps), "--mode", "normal"]) == 0
    assert "accepted 1 page(s), 1 capture(s): 7 golden files written" in capsys.readouterr().out
    assert golden.is_file()

    assert main(["check", seed_target.id, *check, "--watchlist", PAGES]) == 0
    assert f"{seed_target.id} normal unchanged" in capsys.readouterr().out
    golden.unlink()
    assert main(["accept", seed_target.id, "--snapshots", str(snaps), "--mode", "normal",
                 "--watchlist", str(other)]) == 0, capsys.readouterr().err
    assert golden.is_file()
    assert [r.id for r in CheckReport.read(last_check_path(snaps)).results] == [seed_target.id]


@pytest.mark.browser
@pytest.mark.parametrize("mode", ["normal", "care"])
def test_extract_takes_an_id_like_its_url(seed_target, capsys, mode):
    page = seed_page()
    with ReplicaServer() as server:
        # a replica already serving is --replica-url (--base-url is a mirror answering www.163.com alone:
        # the replica's script hosts would go unanswered, and extract now loads the page in the browser)
        by_id = ["extract", seed_target.id, "--replica-url", server.base_url, "--watchlist", PAGES]
        outputs = []
        if mode == "normal":
            runs = (by_id, ["extract", server.base_url + page.path],
                    ["extract", seed_target.url, "--replica-url", server.base_url])
        else:
            runs = ([*by_id, "--mode", "care"], ["extract", server.base_url + page.care_path, "--mode", "care"])
        for argv in runs:
            assert main(argv) == 0, capsys.readouterr().err
            outputs.append(capsys.readouterr().out)
    got = json.loads(outputs[0])
    assert all(out == outputs[0] for out in outputs)
    assert got["title"] and got["mode"] == mode


UNKNOWN = "AAAAAAAAAAAAAAAA"
BAD_INPUTS = {
    "unknown id": (UNKNOWN, [f"unknown id '{UNKNOWN}'", "pages.toml", "article URL"]),
    "foreign host": ("https://example.com/dy/article/AAAAAAAAAAAAAAAA.html",
                     ["'https://example.com/dy/article/AAAAAAAAAAAAAAAA.html'", "--allow-host example.com"]),
    "not http": ("ftp://www.163.com/dy/article/AAAAAAAAAAAAAAAA.html", ["ftp://www.163.com", "http(s)"]),
    "not an article": ("https://www.163.com/news/", ["'https://www.163.com/news/'", "/<channel>/article/<ID>.html"]),
    "path in id": ("a..b", ["'a..b'", "no path separators or '..'"]),
}


@pytest.mark.parametrize("command", ["record", "check", "accept", "extract"])
@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_page_is_one_line_exit_2_naming_it(command, case, tmp_path, capsys):
    arg, expected = BAD_INPUTS[case]
    snaps = tmp_path / "snapshots"
    code = main([command, arg, "--snapshots", str(snaps), "--watchlist", PAGES])
    out, err = capsys.readouterr()
    # informational lines (which watchlist, which replica) are not errors
    errors = [line for line in err.splitlines() if not line.startswith(("replica serving on", "watchlist: "))]
    assert code == 2 and out == "", (out, err)
    assert len(errors) == 1 and errors[0].startswith(f"capture {command}: error: "), err
    assert all(e in errors[0] for e in expected), errors[0]
    assert not snaps.exists(), "a refused page must not write anything"

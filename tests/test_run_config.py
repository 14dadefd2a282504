"""One run configuration for both front ends: the same options mean the same run from ``capture`` and
from pytest, with defaults that agree."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from capture.cli import build_parser, main
from capture.errors import BadInput
from capture.goldens import TargetSet
from capture.run import OriginKind, RunRequest, build

PAGE = "J2P6C4GT0530JPVV"
TOML = f'[[page]]\nid = "{PAGE}"\nurl = "https://www.163.com/dy/article/{PAGE}.html"\n'
OTHER = 'id = "J2QK3V7O0001899O"\nurl = "https://www.163.com/news/article/J2QK3V7O0001899O.html"\n'


def _request(argv: list[str], root: Path) -> RunRequest:
    args = build_parser().parse_args(argv)
    return RunRequest.of(vars(args), root=root)


@pytest.mark.parametrize("command", [["record"], ["check"], ["extract", PAGE]])
def test_record_check_and_extract_default_to_the_same_origin(command: list[str], tmp_path: Path) -> None:
    (tmp_path / "pages.toml").write_text(TOML)
    config = build(_request(command, tmp_path))
    assert config.origin.kind is OriginKind.REPLICA and config.store.target is TargetSet.REPLICA
    assert Path(config.watchlist.source) == tmp_path / "pages.toml" and [t.id for t in config.targets] == [PAGE]


def test_the_watchlist_is_resolved_one_way(tmp_path: Path) -> None:
    """--watchlist; else pages.live.toml with --live; else pages.toml; else pyproject.toml; else, on a
    replica, the replica's articles, said so (never silently)."""
    assert "the replica's articles" in build(RunRequest(root=tmp_path)).watchlist.source
    assert build(RunRequest(root=tmp_path, live=True)).watchlist.targets == ()
    (tmp_path / "pyproject.toml").write_text(f'[tool.capture]\npages = [{{id = "{PAGE}", url = '
                                             f'"https://www.163.com/dy/article/{PAGE}.html"}}]\n')
    assert build(RunRequest(root=tmp_path)).watchlist.source.startswith("pyproject.toml")
    (tmp_path / "pages.toml").write_text(TOML)
    assert build(RunRequest(root=tmp_path)).watchlist.path == tmp_path / "pages.toml"
    (tmp_path / "pages.live.toml").write_text("[[page]]\n" + OTHER)
    live = build(RunRequest(root=tmp_path, live=True))
    assert live.watchlist.path == tmp_path / "pages.live.toml" and live.origin.kind is OriginKind.LIVE
    assert build(RunRequest(root=tmp_path)).watchlist.path == tmp_path / "pages.toml"  # --live only
    chosen = build(RunRequest(root=tmp_path, live=True, watchlist=tmp_path / "pages.toml"))
    assert [t.id for t in chosen.targets] == [PAGE]


def test_pytest_and_cli_build_the_same_run(tmp_path: Path, pytester: pytest.Pytester) -> None:
    """The plugin's options (pytester: in process, no browser) give the RunConfig the CLI's give."""
    (pytester.path / "pages.toml").write_text(TOML)
    pytester.makeconftest("")
    pytester.makepyfile(test_probe='''
import json
from capture.pytest_plugin import run_of

def test_probe(pytestconfig):
    run = run_of(pytestconfig)
    print("RUN=" + json.dumps({"origin": str(run.origin.kind), "url": run.origin.url, "target": str(run.store.target),
                               "watch": run.watchlist.source, "ua": run.options.settings.user_agent,
                               "map": [list(m) for m in run.options.settings.host_map], "jobs": run.options.jobs}))
''')
    flags = ["--replica-url", "http://127.0.0.1:8123", "--map-host", "static.ws.126.net=http://127.0.0.1:9",
             "--user-agent", "Mozilla/5.0 test"]
    result = pytester.runpytest_inprocess("-s", "-p", "no:cacheprovider", "-p", "no:playwright", *flags,
                                          "--capture-jobs", "3")
    result.assert_outcomes(passed=1)
    line = next(x[x.index("RUN="):] for x in result.outlines if "RUN=" in x)
    from_pytest = json.loads(line[4:])
    cli = build(_request(["check", *flags, "--jobs", "3"], pytester.path))
    assert from_pytest == {"origin": str(cli.origin.kind), "url": cli.origin.url, "target": str(cli.store.target),
                           "watch": cli.watchlist.source, "ua": cli.options.settings.user_agent,
                           "map": [list(m) for m in cli.options.settings.host_map], "jobs": cli.options.jobs}
    assert from_pytest["origin"] == "replica-url"


def test_a_bad_option_fails_the_same_way_in_both(pytester: pytest.Pytester, tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="bad --replica-url"):
        build(RunRequest(root=tmp_path, replica_url="ftp://x"))
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:playwright", "--replica-url", "ftp://x")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert any("bad --replica-url" in line for line in result.errlines)


def test_hints_carry_the_options_the_user_gave(tmp_path: Path) -> None:
    (tmp_path / "o.toml").write_text("")
    config = build(RunRequest(root=tmp_path, snapshots=tmp_path / "s", site=tmp_path / "o.toml",
                              watchlist=None))
    assert config.command("accept", [PAGE], mode="care") == \
        f"capture accept {PAGE} --mode care --snapshots {tmp_path / 's'} --site {tmp_path / 'o.toml'}"


def test_extract_loads_the_page_in_the_browser(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """``extract ID`` reads what the browser shows (the 跟贴 count set by script), not the raw HTML."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pages.toml").write_text(TOML)
    assert main(["extract", PAGE]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["title"] and isinstance(data["tie_count"], int) and data["tie_count"] > 0


def test_argparse_namespace_maps_to_the_request() -> None:
    ns = argparse.Namespace(pages=["a"], live=True, jobs=3, unknown="x", map_host=["h=o"], site=None)
    req = RunRequest.of(vars(ns))
    assert req.pages == ("a",) and req.live and req.jobs == 3 and req.map_host == ("h=o",) and req.site is None

"""The README and docs/ say only what is true of the commands.

1. Every ``capture <command>`` and every ``--flag`` shown in README.md and docs/*.md, in code blocks and in
   inline code, exists: a flag after ``capture <command>`` in that command's parser
   (:func:`capture.cli.build_parser`, in process), a flag after ``pytest`` in ``pytest --help`` (run once,
   in a subprocess), a flag of another program in :data:`FOREIGN`, and a bare flag in any of them.
2. The README's shell blocks run: those in :data:`RUN_BLOCKS` (fast, offline) are executed in a temporary
   folder; those in :data:`SYNTAX_ONLY_BLOCKS` (they start long captures or a server) are checked with
   ``bash -n``. Every shell block of the README is in exactly one of the two lists.
3. README.md is at most 10 KB.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from capture.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
BIN = Path(sys.executable).parent
README_LIMIT = 10_240

#: README shell blocks executed, in a temporary folder (keyed by their first command line).
RUN_BLOCKS = {
    "capture --help",
}
#: README shell blocks only checked for syntax (``bash -n``): they capture pages, start a server or
#: install things, which takes minutes.
SYNTAX_ONLY_BLOCKS = {
    "python3 -m capture.bootstrap capture record --replica",  # the main job: bootstrap, then a capture
    "capture serve --drift rename-title-class --port 8123 &",  # the CLI tour: a server and five captures
    "pytest --snapshot-update",  # the user's golden suite: a session capture
}
#: The two commands CI and new users run, which the README must show exactly.
TWO_COMMANDS = ("python3 -m capture.bootstrap capture record --replica", "python3 -m capture.bootstrap pytest")

#: Flags of programs other than ``capture`` and ``pytest`` that the docs show, by program.
FOREIGN = {
    "playwright": {"--host", "--port", "--unsafe"},  # python -m playwright run-server
    "chromium": {"--host-resolver-rules"},
    "pip": {"-e"},
}

FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```", re.M | re.S)
INLINE = re.compile(r"`([^`\n]+)`")
FLAG = re.compile(r"(?<![\w\-/.])(--?[A-Za-z][\w-]*)")
CAPTURE_CMD = re.compile(r"(?:^|(?<=[\s`(/$]))capture[ \t]+([a-z][a-z-]*)")
SEGMENT_SPLIT = re.compile(r"&&|\|\||[|;&`]|\$\(|\)")
ENV_ASSIGN = re.compile(r"^[A-Z_][A-Z0-9_]*=\S*$")


# --- what the programs accept ------------------------------------------------------------------------

def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


SUBCOMMANDS = _subparsers()
CAPTURE_TOP_FLAGS = {o for a in build_parser()._actions for o in a.option_strings}
CAPTURE_FLAGS = {name: {o for a in p._actions for o in a.option_strings} for name, p in SUBCOMMANDS.items()}


@pytest.fixture(scope="module")
def pytest_flags() -> set[str]:
    """Every option ``pytest --help`` names here (this repository's plugins, the installed ones)."""
    out = subprocess.run([sys.executable, "-m", "pytest", "--help", "-p", "no:cacheprovider"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return set(FLAG.findall(out.stdout))


# --- what the docs show ------------------------------------------------------------------------------

def _docs() -> list[Path]:
    return [README, *DOCS]


def _code(path: Path) -> list[tuple[str, str]]:
    """``(where, text)`` of every code block and inline code span of a Markdown file."""
    text = path.read_text(encoding="utf-8")
    out = [(f"{path.name} ```{m.group(1)}``` block", m.group(2)) for m in FENCE.finditer(text)]
    prose = FENCE.sub("", text)
    out += [(f"{path.name} `{m.group(1)}`", m.group(1)) for m in INLINE.finditer(prose)]
    return out


def _lines(code: str) -> list[str]:
    """Command lines: comments dropped (``#`` at a line start or after a space), continuations joined."""
    code = re.sub(r"\\\n", " ", code)
    return [re.sub(r"(^|\s)#.*$", "", line) for line in code.splitlines()]


def _segments(code: str) -> list[list[str]]:
    """The simple commands of a piece of code, as tokens (split at pipes, ``&&``, ``;``, ``&``)."""
    segs = []
    for line in _lines(code):
        for part in SEGMENT_SPLIT.split(line):
            tokens = part.split()
            if tokens:
                segs.append(tokens)
    return segs


def _program(tokens: list[str]) -> tuple[str, str | None, list[str]]:
    """``(program, subcommand, the tokens after them)``: env assignments, ``python -m`` and the bootstrap
    are skipped; ``program`` is 'capture', 'pytest', a :data:`FOREIGN` name or '' (no program: bare flags,
    prose)."""
    toks = list(tokens)
    while toks and ENV_ASSIGN.match(toks[0]):
        toks = toks[1:]
    if len(toks) >= 3 and Path(toks[0]).name.startswith("python") and toks[1] == "-m":
        toks = toks[2:]
        if toks and toks[0] == "capture.bootstrap":
            toks = toks[1:]
    if not toks:
        return "", None, []
    head = Path(toks[0].strip("[(")).name
    if head == "capture":
        sub = toks[1] if len(toks) > 1 and re.fullmatch(r"[a-z][a-z-]*", toks[1]) else None
        return "capture", sub, toks[2:] if sub else toks[1:]
    if head in SUBCOMMANDS:  # `check --accept-new --force`: a subcommand named without the program
        return "capture", head, toks[1:]
    if head == "pytest":
        return "pytest", None, toks[1:]
    if head in FOREIGN:
        return head, None, toks[1:]
    for i, tok in enumerate(toks):  # `- run: .venv/bin/pytest …`, `apply them: capture repair … --apply`
        if Path(tok).name in ("capture", "pytest") and "/" in tok or tok in ("capture", "pytest"):
            return _program(toks[i:])
    return "", None, toks


def _flags(tokens: list[str]) -> list[str]:
    return FLAG.findall(" ".join(tokens))


def _problems(pytest_flags: set[str]) -> list[str]:
    everything = set(CAPTURE_TOP_FLAGS) | pytest_flags | set().union(*CAPTURE_FLAGS.values(), *FOREIGN.values())
    problems = []
    for path in _docs():
        for where, code in _code(path):
            for cmd in CAPTURE_CMD.findall("\n".join(_lines(code))):
                if cmd not in SUBCOMMANDS:
                    problems.append(f"{where}: `capture {cmd}` is not a command")
            for tokens in _segments(code):
                program, sub, rest = _program(tokens)
                if program == "capture":
                    known = CAPTURE_FLAGS[sub] if sub in CAPTURE_FLAGS else CAPTURE_TOP_FLAGS
                    what = f"capture {sub}" if sub in CAPTURE_FLAGS else "capture"
                elif program == "pytest":
                    known, what = pytest_flags, "pytest"
                elif program:
                    known, what = FOREIGN[program], program
                else:
                    known, what = everything, "capture, pytest or FOREIGN"
                for flag in _flags(rest):
                    if flag not in known:
                        problems.append(f"{where}: {flag} is not an option of {what} ({' '.join(tokens)})")
    return problems


# --- 1. commands and flags ----------------------------------------------------------------------------

def test_docs_exist() -> None:
    names = {p.name for p in DOCS}
    for name in ("architecture.md", "cli.md", "pytest-plugin.md", "site-table.md", "care-checks.md",
                 "scaling-out.md", "repair.md", "troubleshooting.md"):
        assert name in names, f"docs/{name} is missing"
    for link in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README.read_text(encoding="utf-8")):
        if "://" not in link:
            assert (ROOT / link).exists(), f"README links to {link}, which does not exist"


def test_every_command_and_flag_shown_exists(pytest_flags: set[str]) -> None:
    assert not _problems(pytest_flags), "\n".join(_problems(pytest_flags))


def test_the_checker_catches_a_wrong_flag(pytest_flags: set[str], tmp_path: Path, monkeypatch) -> None:
    """The check itself: a made-up command and made-up flags are reported, real ones are not."""
    fake = tmp_path / "fake.md"
    fake.write_text("```sh\ncapture check --replica-url X --no-such-flag\npytest --live --nope\n"
                    "capture frobnicate\n```\n`capture accept ID --apply` and `--live`\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "_docs", lambda: [fake])
    found = "\n".join(_problems(pytest_flags))
    assert "--no-such-flag is not an option of capture check" in found
    assert "--nope is not an option of pytest" in found
    assert "`capture frobnicate` is not a command" in found
    assert "--apply is not an option of capture accept" in found
    assert "--replica-url is not" not in found and "--live is not" not in found


# --- 2. the README's shell blocks ---------------------------------------------------------------------

def _shell_blocks() -> list[tuple[str, str]]:
    """``(first command line, block)`` of every sh/bash block of the README."""
    text = README.read_text(encoding="utf-8")
    out = []
    for m in FENCE.finditer(text):
        if m.group(1) in ("sh", "bash", "shell", "console"):
            first = next(line.strip() for line in _lines(m.group(2)) if line.strip())
            out.append((first, m.group(2)))
    return out


def test_every_shell_block_is_classified() -> None:
    firsts = [first for first, _block in _shell_blocks()]
    assert len(firsts) == len(set(firsts)), "two README shell blocks start alike: tell them apart"
    assert RUN_BLOCKS.isdisjoint(SYNTAX_ONLY_BLOCKS)
    unlisted = [f for f in firsts if f not in RUN_BLOCKS | SYNTAX_ONLY_BLOCKS]
    assert not unlisted, f"classify these README blocks in RUN_BLOCKS or SYNTAX_ONLY_BLOCKS: {unlisted}"
    stale = (RUN_BLOCKS | SYNTAX_ONLY_BLOCKS) - set(firsts)
    assert not stale, f"no README block starts with {sorted(stale)} any more"


def test_the_two_commands_are_shown_exactly() -> None:
    lines = {line.strip() for _first, block in _shell_blocks() for line in block.splitlines()}
    for command in TWO_COMMANDS:
        assert command in lines, f"the README must show `{command}` as a command line"


@pytest.mark.parametrize("first", sorted(SYNTAX_ONLY_BLOCKS))
def test_long_blocks_parse(first: str) -> None:
    block = dict(_shell_blocks())[first]
    out = subprocess.run(["bash", "-n"], input=block, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr


@pytest.mark.skipif(shutil.which("capture", path=str(BIN)) is None,
                    reason=f"the capture command is not installed beside {sys.executable}")
@pytest.mark.parametrize("first", sorted(RUN_BLOCKS))
def test_fast_blocks_run(first: str, tmp_path: Path) -> None:
    """Run as a user would, from an empty folder that has the repository's test cases (for
    ``capture extract tests/cases/…``), with the venv's commands first on PATH."""
    block = dict(_shell_blocks())[first]
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "cases").symlink_to(ROOT / "tests" / "cases")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAPTURE_", "PYTEST_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    out = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert out.stdout.strip() and "Traceback" not in out.stderr
    assert not (tmp_path / "snapshots").exists(), "a fast README block wrote snapshots: it is not read-only"


# --- 3. size ------------------------------------------------------------------------------------------

def test_readme_is_short() -> None:
    size = len(README.read_bytes())
    assert size <= README_LIMIT, f"README.md is {size} bytes; keep it at most {README_LIMIT} (move detail to docs/)"

"""Unit tests of :mod:`capture.terminal`: page text reaches a terminal escaped, never as control
sequences, markup, hyperlinks or emoji."""

from __future__ import annotations

import io
import random
import re

import pytest
from rich.console import Console
from rich.errors import MarkupError
from rich.text import Text

from capture.terminal import console, markup, safe, styled

ESC, BEL = "\x1b", "\x07"
HOSTILE = (f"T{ESC}]0;pwned{BEL}"          # set the window title
           f"{ESC}[2J"                      # clear the screen
           f"{ESC}]52;c;ZXZpbA=={BEL}"      # write the clipboard
           "[/] [link=file:///etc/passwd]CLICK[/link] [bold red]x "
           "\x9b31m"                        # C1 CSI
           "\u202egnp.exe"                  # right-to-left override
           " :warning: end\\")
#: What rich itself writes: SGR colour sequences (and nothing else in these tests).
RICH_SGR = re.compile(r"\x1b\[[0-9;]*m")
#: Characters no page may put on the terminal (what :func:`safe` escapes, newline aside).
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def render(thing: object, con: Console | None = None) -> str:
    """What a colour terminal would receive."""
    buf = io.StringIO()
    con = con or console(file=buf, force_terminal=True, color_system="truecolor", width=400, soft_wrap=True)
    con.file = buf
    con.print(thing)
    return buf.getvalue()


def page_chars(output: str) -> str:
    """The output without rich's own SGR sequences and its final newline."""
    return RICH_SGR.sub("", output).removesuffix("\n")


def test_the_hostile_title_is_obeyed_when_printed_raw() -> None:
    """The hazard the module exists for: rich passes ESC through, turns [link=…] into OSC 8, and a
    stray closing tag in a title crashes the print."""
    raw = render(f"[green]ok[/] {HOSTILE.replace('[/] ', '')}", Console(force_terminal=True, width=400, highlight=False))
    assert f"{ESC}]0;pwned" in raw and f"{ESC}]8;" in raw and "[link=" not in raw
    with pytest.raises(MarkupError):
        render(f"[green]ok[/] {HOSTILE}", Console(force_terminal=True, width=400))


@pytest.mark.parametrize("how", ["markup", "styled"])
def test_a_hostile_title_prints_as_text(how: str) -> None:
    line = f"[green]ok[/] [u]{markup(HOSTILE)}[/u]" if how == "markup" else styled(("ok", "green"), " ", HOSTILE)
    out = render(line)
    assert "\x1b[32m" in out  # rich's own colour still works
    visible = page_chars(out)
    assert ESC not in visible and BEL not in visible and "\x9b" not in visible and "\u202e" not in visible
    assert f"{ESC}]8;" not in out  # no hyperlink
    for literal in ("[/]", "[link=file:///etc/passwd]CLICK[/link]", "[bold red]x", ":warning:",
                    "\\x1b]0;pwned\\x07", "\\x1b[2J", "\\x1b]52;c;", "\\x9b31m", "\\u202egnp.exe", "end\\"):
        assert literal in visible, literal
    assert visible == "ok " + safe(HOSTILE)  # nothing dropped, nothing added


def test_safe_escapes_newlines_in_a_field_and_keeps_them_in_a_block() -> None:
    assert safe("a\nb\tc\rd") == "a\\x0ab\\x09c\\x0dd"
    assert safe("a\nb\tc\rd", multiline=True) == "a\nb\tc\\x0dd"
    assert safe("标题 — ok") == "标题 — ok"  # ordinary text untouched
    assert safe("\u2066x\u2069\u200f\u2028") == "\\u2066x\\u2069\\u200f\\u2028"
    assert safe(b"\xff".decode("utf-8", "surrogateescape")) == "\\udcff"
    assert safe(42) == "42"


ALPHABET = ([chr(c) for c in range(0x00, 0x20)] + ["\x7f"] + [chr(c) for c in range(0x80, 0xA0)]
            + [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)]
            + list("[]/\\=:;#@ab1 标题") + ["[link=", "[/]", "[bold]", ":smile:", "\x1b]8;;", "\n"])


@pytest.mark.parametrize("multiline", [False, True])
def test_random_page_text_never_reaches_the_terminal_raw(multiline: bool) -> None:
    """500 random strings heavy in controls and markup, both ways of printing: the terminal gets only
    rich's own sequences, and exactly :func:`safe`'s text."""
    rng = random.Random(21)
    for _ in range(500):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40)))
        expected = safe(text, multiline=multiline)
        for line in (f"[blue]>[/][u]{markup(text, multiline=multiline)}[/u]",
                     styled((">", "blue"), (text, "u"), multiline=multiline)):
            visible = page_chars(render(line))
            assert not UNSAFE.search(visible), repr((text, visible))
            if multiline:  # rich expands a tab to spaces
                assert visible.replace("\t", " ").split() == (">" + expected).replace("\t", " ").split()
            else:
                assert visible == ">" + expected, repr((text, visible))


def test_styled_text_is_a_rich_text_and_the_console_has_no_emoji() -> None:
    assert isinstance(styled("x"), Text)
    assert page_chars(render(":warning: [b]x[/b]")) == ":warning: x"  # console(): markup yes, emoji no

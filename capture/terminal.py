"""Page text on a terminal: shown, never obeyed.

A page's title, text, selectors or an error quoting them is untrusted: an ESC in it could set the window
title, clear the screen or write the clipboard (OSC 52), a bidi override could reorder what a reviewer
reads, and ``[link=file:///…]`` would be a rich markup tag. Everything from a page goes through
:func:`safe` before a terminal; to embed it in a rich line use :func:`styled` (a ``Text``: no markup,
no emoji codes) or :func:`markup` (escaped for a markup string printed by :func:`console`).

What :func:`safe` escapes, as ``\\xNN`` (below U+0100) or ``\\uNNNN``: C0 controls (ESC, BEL, CR …),
DEL, C1 controls (U+0080–U+009F: U+009B is a one-byte CSI), the bidi embeddings, overrides and isolates
(U+202A–U+202E, U+2066–U+2069) and marks (U+200E, U+200F, U+061C), the line and paragraph separators
(U+2028, U+2029) and lone surrogates (undecodable bytes). A single-line field (the default) escapes
newline and tab too: one record stays one line, columns stay aligned. ``multiline=True`` (a page's
text, a diff shown as a block) keeps newline and tab, which a terminal only moves the cursor for.
A backslash is left as it is, so the page text ``\\x1b`` and an escaped ESC look alike: the display
is safe, not reversible.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

_ALWAYS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_ONE_LINE = re.compile(f"[\t\n{_ALWAYS}]")
_BLOCK = re.compile(f"[{_ALWAYS}]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: object, *, multiline: bool = False) -> str:
    """``text`` with every character a terminal would obey shown escaped (see the module's doc)."""
    return (_BLOCK if multiline else _ONE_LINE).sub(_escaped, str(text))


#: A ``[`` with the backslashes before it, and whether rich would read it as a tag (its own RE_TAGS).
_BRACKET = re.compile(r"(\\*)\[(?=([a-z#/@][^[]*?\])?)")


def _bracket(match: re.Match[str]) -> str:
    slashes, tag = match.group(1), match.group(2)
    # rich un-escapes "\\[" in plain text, and halves backslashes before a tag: write what renders back.
    return (slashes * 2 if tag else slashes) + "\\["


def markup(text: object, *, multiline: bool = False) -> str:
    """:func:`safe`, then escaped for a rich markup string: the page's brackets and backslashes print
    as they are. Put it inside a tag, ``f"[yellow]{markup(title)}[/]"`` (a trailing backslash is
    doubled so it cannot escape that closing tag), and print with :func:`console` (emoji codes off).
    (``rich.markup.escape`` alone loses the backslash of a page's ``\\[1]``.)"""
    out = _BRACKET.sub(_bracket, safe(text, multiline=multiline))
    return out + "\\" * (len(out) - len(out.rstrip("\\")))


def styled(*parts: object | tuple[object, str], multiline: bool = False) -> Text:
    """One rich ``Text`` from parts, each plain (``"id "``) or styled (``(status, "green")``), every
    part through :func:`safe`: nothing in it is parsed as markup or emoji, whatever console prints it."""
    from rich.text import Text

    line = Text()
    for part in parts:
        content, style = part if isinstance(part, tuple) else (part, "")
        line.append(safe(content, multiline=multiline), style=style)
    return line


def console(**kwargs: Any) -> Console:
    """The CLI's rich console: no emoji codes (a page's ``:warning:`` stays text) and no automatic
    highlighting; other options as for ``rich.console.Console``."""
    from rich.console import Console

    kwargs.setdefault("emoji", False)
    kwargs.setdefault("highlight", False)
    return Console(**kwargs)

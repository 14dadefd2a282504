"""Untrusted page text on a terminal: one function every such string goes through.

Control characters (C0 and C1, DEL, the bidi overrides) are shown escaped, so a title cannot set the
window title, clear the screen, write the clipboard or reorder what is shown; the result is plain text,
never console markup (callers print it as ``rich.text.Text`` or with markup off).
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NEWLINES = re.compile(r"[\n\t]")


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every control character shown as ``\\xNN`` / ``\\uNNNN`` (newlines and tabs too,
    unless ``keep_newlines``: a multi-line text such as ``extract --format text``)."""
    text = _CONTROL.sub(_escape, str(text))
    return text if keep_newlines else _NEWLINES.sub(_escape, text)

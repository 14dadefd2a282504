"""Visible text of a page, region by region, as a browser renders it (``text.txt``)."""

from __future__ import annotations

import unicodedata
from typing import Any

from .sites.netease import TEXT_REGIONS

REGION_TEXT_JS = """
(regions) => regions.map(([name, sel]) => [name,
    Array.from(document.querySelectorAll(sel)).map(el => el.innerText || '').join('\\n')])
"""


def region_args(mode: str) -> list[list[str]]:
    """The argument :data:`REGION_TEXT_JS` takes for ``mode`` (works with the sync and async APIs)."""
    return [list(r) for r in TEXT_REGIONS[mode]]


def region_texts(page: Any, mode: str = "normal") -> list[tuple[str, str]]:
    """``(region, innerText)`` for each text region of ``mode``; a missing region gives ``""``."""
    return [tuple(x) for x in page.evaluate(REGION_TEXT_JS, region_args(mode))]


def format_text(regions: list[tuple[str, str]]) -> str:
    """One block a line: stripped non-empty lines, a blank line between regions, trailing newline."""
    blocks = []
    for _name, text in regions:
        lines = [line.strip() for line in text.replace("\r", "\n").split("\n")]
        lines = [line for line in lines if line]
        if lines:
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def nonempty_regions(regions: list[tuple[str, str]]) -> list[str]:
    """Names of the regions that gave text: ``text.txt``'s blocks, in order (for masking by region)."""
    return [name for name, text in regions if text.strip()]


def visible_text(page: Any, mode: str = "normal") -> str:
    return format_text(region_texts(page, mode))


def comparable_lines(text: str) -> list[str]:
    """Lines for comparing with the seed file: NFKC-folded, all whitespace removed, empty lines dropped."""
    out = []
    for line in unicodedata.normalize("NFKC", text).splitlines():
        squeezed = "".join(line.split())
        if squeezed:
            out.append(squeezed)
    return out

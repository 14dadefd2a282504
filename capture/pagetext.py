"""Visible text of a page, region by region, as a browser renders it (``text.txt``)."""

from __future__ import annotations

import unicodedata
from typing import Any

from .errors import LayoutNotRecognized
from .extract import detect_generation
from .sites import Site, default_site

REGION_TEXT_JS = """
(regions) => regions.map(([name, sel]) => [name,
    Array.from(document.querySelectorAll(sel)).map(el => el.innerText || '').join('\\n')])
"""


def region_args(mode: str = "normal", generation: str | None = None, *, site: Site | None = None) -> list[list[str]]:
    """The argument :data:`REGION_TEXT_JS` takes for a ``generation`` page captured in ``mode`` (None or
    "unknown": the mode's fallback, see ``Site.page_regions``) in ``site`` (default: the package table); a region's
    selectors are one CSS list (every match of any, in document order); lists work with the sync and
    async APIs."""
    site = site or default_site()
    return [list(r) for r in site.page_regions(site.text_regions, generation, mode)]


def page_generation(dom: str, *, site: Site | None = None) -> str:
    """The generation whose regions a page's text is read with: text is read in the page, so the
    caller learns it from the page's DOM first; "unknown" for a page no table recognises."""
    try:
        return detect_generation(dom, site=site)
    except LayoutNotRecognized:
        return "unknown"


def region_texts(page: Any, mode: str = "normal", generation: str | None = None, *,
                 site: Site | None = None) -> list[tuple[str, str]]:
    """``(region, innerText)`` for each text region of the page's generation (learnt from its DOM
    when not given) in ``site`` (default: the package table); a missing region gives ``""``."""
    if generation is None:
        generation = page_generation(page.content(), site=site)
    return [tuple(x) for x in page.evaluate(REGION_TEXT_JS, region_args(mode, generation, site=site))]


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


def visible_text(page: Any, mode: str = "normal", generation: str | None = None, *,
                 site: Site | None = None) -> str:
    """``text.txt`` of a loaded (sync API) page, read by ``site``'s text regions."""
    return format_text(region_texts(page, mode, generation, site=site))


def comparable_lines(text: str) -> list[str]:
    """Lines for comparing with the seed file: NFKC-folded, all whitespace removed, empty lines dropped."""
    out = []
    for line in unicodedata.normalize("NFKC", text).splitlines():
        squeezed = "".join(line.split())
        if squeezed:
            out.append(squeezed)
    return out

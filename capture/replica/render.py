"""HTML rendering: ``render(page, mode) -> html``, the one seam the replica's hooks wrap.

The ``?drift=<name>`` mutations (:mod:`.drift`) post-process what :func:`render` returns, and the
fault layer (:mod:`.faults`) sits in front of the router; neither knows how the templates work.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from . import content
from .content import ReplicaPage

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
MODES = ("normal", "care")


@cache
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _context(page: ReplicaPage) -> dict[str, Any]:
    data = content.articles()[page.id]
    return {
        "page": page,
        "a": data,
        "side": content.side_modules(page.id),
        "recommends": content.recommends(page.id),
    }


def render(page: ReplicaPage, mode: str = "normal") -> str:
    """The article page as the server sends it (scripts not run). ``mode`` is normal or care."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    template = "article.html" if mode == "normal" else "care.html"
    return environment().get_template(template).render(**_context(page))


def render_index() -> str:
    """``/``: a plain list of the replica's articles, for people browsing ``capture serve``."""
    return environment().get_template("index.html").render(pages=content.pages())


def render_not_found(path: str) -> str:
    return environment().get_template("404.html").render(path=path)

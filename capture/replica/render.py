"""HTML rendering: ``render(page, mode) -> html``, the one seam the replica's hooks wrap.

The ``?drift=<name>`` mutations (:mod:`.drift`) post-process what :func:`render` returns, and the
fault layer (:mod:`.faults`) sits in front of the router; neither knows how the templates work.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..sites import default_site
from . import content
from .content import ReplicaPage

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
MODES = ("normal", "care")


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=False,  # block tags keep their indentation, as the real server's templates leave it
        keep_trailing_newline=True,
    )
    # Globals, so the imported macros (which get no context) can use them too.
    env.globals.update(nimg=content.nimg, pid_of=content.paragraph_id, site=content.site(),
                       location_modules=default_site().location_modules)
    return env


def _context(page: ReplicaPage) -> dict[str, Any]:
    data = content.articles()[page.id]
    return {
        "page": page,
        "a": data,
        "side": content.side_modules(page.id),
        "recommends": content.recommends(page.id),
        "hot": content.hot_items(page.id),
        "ad_positions": AD_POSITIONS,
    }


#: The ad positions the page declares (its inline ad configuration): NetEase's own banners and
#: 300×250 side slots, Baidu's slots inside the lists. Data about the template, the same on every page.
AD_POSITIONS = tuple(
    {"id": f"ssp_{7365620 + k}", "type": kind, "size": size, "location": k + 1, "host": host, "lazy": k > 2}
    for k, (kind, size, host) in enumerate(
        [("column1200x125", "1200x125", "nex.163.com")] * 2
        + [("logo300x250", "300x250", "nex.163.com")] * 10
        + [("stream", "640x120", "pos.baidu.com")] * 12
        + [("couplet", "120x600", "nex.163.com")] * 2)
)


def render(page: ReplicaPage, mode: str = "normal") -> str:
    """The article page as the server sends it (scripts not run). ``mode`` is normal or care; a
    care page comes in the article's own care markup (``page.care_markup``, see :data:`.content.CARE_MARKUPS`)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    care = mode == "care"
    template = "care_standalone.html" if care and page.care_markup == "standalone" else "article.html"
    return environment().get_template(template).render(**_context(page), care=care)


def render_index() -> str:
    """``/``: a plain list of the replica's articles, for people browsing ``capture serve``."""
    return environment().get_template("index.html").render(pages=content.pages())


def render_not_found(path: str) -> str:
    return environment().get_template("404.html").render(path=path)

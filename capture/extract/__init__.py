"""Structured extraction of NetEase article pages: ``extract(html) -> Article``.

Selectors live in the site table (``capture/sites/netease.toml``, a ``Site`` passed in); this package only reads them.
"""

from __future__ import annotations

from .core import detect_generation, extract, parse
from .model import (
    Accessibility,
    Article,
    Block,
    Image,
    Link,
    Paragraph,
    Recommendation,
    SideModule,
    Source,
    Video,
)

__all__ = [
    "Accessibility",
    "Article",
    "Block",
    "Image",
    "Link",
    "Paragraph",
    "Recommendation",
    "SideModule",
    "Source",
    "Video",
    "detect_generation",
    "extract",
    "parse",
]

"""Bytes to text by the page's own declared charset (old NetEase pages are GBK, newer ones UTF-8)."""

from __future__ import annotations

import re

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""",
    re.IGNORECASE,
)

#: gb2312 and gbk pages routinely use characters outside their nominal set; gb18030 is a superset.
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030"}


def sniff_charset(data: bytes) -> str:
    """The charset a page declares in its first 4 KB (``<meta charset>`` or http-equiv), else utf-8."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return "utf-8"
    name = m.group(1).decode("ascii", "replace").lower()
    return _ALIASES.get(name, name)


def to_text(html: str | bytes) -> str:
    """``html`` as ``str``; bytes are decoded by their declared charset (unknown names fall back to utf-8)."""
    if isinstance(html, str):
        return html
    charset = sniff_charset(html)
    try:
        return html.decode(charset, errors="replace")
    except LookupError:
        return html.decode("utf-8", errors="replace")

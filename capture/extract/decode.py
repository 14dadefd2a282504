"""Bytes to text: a byte order mark first, then UTF-8 when the bytes are valid UTF-8, then the page's
own declared charset (old NetEase pages are GBK, newer ones UTF-8).

UTF-8 is tried before the declaration because a browser's serialised DOM of an old GBK page (and a
bundle's ``dom.html``) is saved as UTF-8 but keeps the page's ``<meta charset="gb2312">``. Real GBK
text with Chinese in it is practically never valid UTF-8 (a GBK lead byte 0x81–0xFE followed by an
ASCII or 0x40–0x7E trail byte breaks UTF-8 at once), so a true GBK page still decodes by its meta.
"""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""",
    re.IGNORECASE,
)

#: gb2312 and gbk pages routinely use characters outside their nominal set; gb18030 is a superset.
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030"}

#: Byte order marks, longest first (a UTF-32 LE mark starts with the UTF-16 LE one; NetEase serves neither,
#: but a saved file may carry one). The codec named here reads and drops the mark itself.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def sniff_charset(data: bytes) -> str:
    """The charset a page declares in its first 4 KB (``<meta charset>`` or http-equiv), else utf-8
    (a UTF-8 byte order mark wins over the declaration)."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8"
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return "utf-8"
    name = m.group(1).decode("ascii", "replace").lower()
    return _ALIASES.get(name, name)


def bom_codec(data: bytes) -> str | None:
    """The codec a byte order mark at the start of ``data`` names (None: no mark)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec
    return None


def is_utf8(data: bytes) -> bool:
    """Whether ``data`` decodes as UTF-8 without a single error."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_charset(data: bytes) -> str:
    """The codec :func:`to_text` reads ``data`` with: a byte order mark's, else utf-8 when the bytes are
    valid UTF-8 (whatever the meta says), else the declared charset (gb2312/gbk read as gb18030)."""
    if (codec := bom_codec(data)) is not None:
        return codec
    if is_utf8(data):
        return "utf-8"
    return sniff_charset(data)


def to_text(html: str | bytes) -> str:
    """``html`` as ``str``; bytes by :func:`decode_charset` (an unknown declared name falls back to utf-8,
    undecodable bytes become U+FFFD)."""
    if isinstance(html, str):
        return html
    charset = decode_charset(html)
    try:
        return html.decode(charset, errors="replace")
    except LookupError:
        return html.decode("utf-8", errors="replace")

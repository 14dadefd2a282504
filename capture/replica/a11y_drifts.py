"""关怀版 mutations that break one a11y rule each: (name, rule id, description, fn(html) -> html).

Registered in :data:`capture.replica.drift.DRIFTS` (applies_to "care", expect_class "care-regression",
expect_region = the rule id), and usable on their own on any HTML string (tests do both).
Deterministic: same input, same output; a page the mutation cannot find its anchor in comes back unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable


def _style(css: str) -> Callable[[str], str]:
    """Add a stylesheet at the end of <head> (after care.css, so it wins)."""
    def fn(html: str) -> str:
        return html.replace("</head>", f'<style class="drift_a11y">{css}</style>\n</head>', 1)
    return fn


def _after_body(piece: str) -> Callable[[str], str]:
    """Insert ``piece`` just before </main> (the care page's main column); else before </body>."""
    def fn(html: str) -> str:
        anchor = "</main>" if "</main>" in html else "</body>"
        return html.replace(anchor, piece + anchor, 1)
    return fn


AD_BLOCK = ('<div class="ad_module"><div class="at_item common_ad_item">'
            '<img src="/img/ad_300x250.svg" alt="广告" width="300" height="250"></div></div>\n')
POPUP = ('<div class="care_popup" style="position:fixed;right:24px;bottom:24px;width:360px;height:220px;'
         'z-index:999;background:#fff;border:3px solid #b8000f;font-size:24px;padding:16px">'
         '限时福利，点击领取</div>\n')
_IMG_ALT = re.compile(r'(<img\b[^>]*?)\s+alt="[^"]*"')
#: The article starts at its title (whatever the care markup: the care page's layout is not known).
_TITLE = re.compile(r"<h1\b[^>]*>.*?</h1>", re.S)


def _drop_alt(html: str) -> str:
    """Images of the article text (from its first paragraph after the title on) lose their alt
    attribute; an article without images gains one without alt after its first paragraph."""
    m = _TITLE.search(html)
    start = html.find("<p", m.end()) if m else -1
    if start < 0:
        return html
    rest = html[start:]
    if "<img" in rest:
        return html[:start] + _IMG_ALT.sub(r"\1", rest)
    end = rest.find("</p>")
    if end < 0:
        return html
    img = '\n  <p class="f_center"><img src="https://nimg.ws.126.net/?url=rain_1.svg" width="600" height="360"></p>'
    at = start + end + len("</p>")
    return html[:at] + img + html[at:]


#: (drift name, rule id it breaks, description, mutation of the served care HTML)
CARE_DRIFTS: tuple[tuple[str, str, str, Callable[[str], str]], ...] = (
    ("care-type-shrinks", "type-size", "关怀版 body text shrinks to 14px",
     _style("body p { font-size: 14px !important; }")),
    ("care-line-height-drops", "line-spacing", "关怀版 body line-height drops to 1.1",
     _style("body p { line-height: 1.1 !important; }")),
    ("care-ad-block", "no-ads", "an ad block (div.ad_module > .at_item) appears in the 关怀版 main column",
     _after_body(AD_BLOCK)),
    ("care-popup", "no-popups", "a fixed 360×220 pop-up appears on the 关怀版 page",
     lambda html: html.replace("</body>", POPUP + "</body>", 1)),
    ("care-focus-outline-removed", "focus-visible", "关怀版 links lose their focus outline (outline: none)",
     _style("a:focus, a:focus-visible { outline: none !important; box-shadow: none !important; }")),
    ("care-image-alt-lost", "image-alt",
     "关怀版 body images lose their alt text (a body without images gains one without alt)", _drop_alt),
)

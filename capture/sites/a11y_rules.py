"""What the 关怀版 (and, for information, the normal page) must offer an elder reader: ONE rules table.

Each rule reads one figure of ``a11y.json`` (``metric``, a dotted path), compares it with a threshold,
and says which way is worse when a new capture is compared with its golden (``regression``).
To change a threshold, edit the rule's ``threshold`` here; nothing else needs to change.

Sources: MIIT 《互联网网站适老化通用设计规范》 (2021, "网站规范"), MIIT 《移动互联网应用（App）适老化通用
设计规范》 (2021, "App 规范") and WCAG 2.1. Where a source gives no number (网站规范 asks for "特大字体"
and "背景色高对比" without pixels), the threshold is ours and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .model import Site

BOTH = ("care", "normal")
CARE = ("care",)
NORMAL = ("normal",)


@dataclass(frozen=True)
class A11yRule:
    id: str  # the report's region: Difference(cls="care-regression", region=<id>)
    title: str  # short, human: "extra-large type"
    source: str  # the text the rule comes from
    metric: str  # dotted path into a11y.json, e.g. "text.font_px"
    figure: str  # how a message names the figure: "body font"
    op: str  # ">=", "<=", "==", "nonempty", "no-new-ids"
    threshold: Any
    modes: tuple[str, ...]  # ("care",), ("normal",) or both
    regression: str  # "higher-better", "lower-better", "keep-passing" or "no-new-ids"
    unit: str = ""
    tolerance: float = 0.0  # changes within this are not a regression (live pages jitter a little)


RULES: tuple[A11yRule, ...] = (
    A11yRule("type-size", "extra-large type", "MIIT 网站规范: 提供特大字体 (threshold ours: 20px, 1.25× the 16px base)",
             "text.font_px", "body font", ">=", 20, CARE, "higher-better", "px", 0.5),
    A11yRule("line-spacing", "line spacing ≥ 1.3", "MIIT App 规范: 段落内文字的行距至少为1.3倍; WCAG 2.1 SC 1.4.8",
             "text.line_height_ratio_min", "line height", ">=", 1.3, CARE, "higher-better", "×", 0.05),
    A11yRule("paragraph-spacing", "paragraph spacing ≥ 1.3 × line spacing",
             "MIIT App 规范: 段落间距至少比行距大1.3倍 (baseline to baseline across a paragraph break)",
             "text.paragraph_spacing_ratio", "paragraph spacing", ">=", 1.3, CARE, "higher-better", "×", 0.05),
    A11yRule("contrast-high", "high contrast", "MIIT 网站规范: 背景色高对比; WCAG 2.1 SC 1.4.6 (AAA, 7:1)",
             "text.contrast_min", "body text contrast", ">=", 7.0, CARE, "higher-better", ":1", 0.1),
    A11yRule("contrast", "text contrast", "WCAG 2.1 SC 1.4.3 (AA, 4.5:1)",
             "text.contrast_min", "body text contrast", ">=", 4.5, NORMAL, "higher-better", ":1", 0.1),
    A11yRule("no-ads", "no ad content", "MIIT 网站规范: 网页中严禁出现广告内容及插件",
             "ads.elements", "ad elements", "==", 0, CARE, "lower-better"),
    A11yRule("no-ad-iframes", "no ad plug-ins", "MIIT 网站规范: 严禁出现广告内容及插件",
             "ads.iframes", "ad iframes", "==", 0, CARE, "lower-better"),
    A11yRule("no-ad-requests", "no third-party ad requests", "MIIT 网站规范: 严禁出现广告内容及插件",
             "ads.hosts_requested", "ad hosts requested", "==", 0, CARE, "lower-better"),
    A11yRule("no-popups", "no pop-ups or fixed overlays", "MIIT 网站规范: 不能随机出现广告或临时性的广告弹窗",
             "overlays.count", "fixed/sticky overlays", "==", 0, CARE, "lower-better"),
    A11yRule("no-inducement", "no inducement buttons", "MIIT 网站规范: 无诱导下载、诱导付款等诱导式按键",
             "inducements.count", "inducement buttons", "==", 0, CARE, "lower-better"),
    A11yRule("focus-visible", "keyboard focus is visible", "WCAG 2.1 SC 2.4.7; MIIT 网站规范: 全程键盘操作",
             "keyboard.no_indicator", "focus stops without an indicator", "==", 0, BOTH, "lower-better"),
    A11yRule("keyboard-reach", "main content is keyboard operable", "WCAG 2.1 SC 2.1.1; MIIT 网站规范: 全程键盘操作",
             "keyboard.reached", "focus stops in the main content", ">=", 1, BOTH, "higher-better"),
    A11yRule("image-alt", "body images have alt text", "WCAG 2.1 SC 1.1.1",
             "images.missing_alt", "body images without alt", "==", 0, BOTH, "lower-better"),
    A11yRule("one-h1", "exactly one h1", "WCAG 2.1 SC 1.3.1 / 2.4.6 (one page title heading)",
             "structure.h1", "h1 headings", "==", 1, BOTH, "keep-passing"),
    A11yRule("html-lang", "page language declared", "WCAG 2.1 SC 3.1.1",
             "structure.lang", "html lang", "nonempty", None, BOTH, "keep-passing"),
    A11yRule("axe", "no new axe-core violations", "axe-core (WCAG 2.x A/AA rules)",
             "axe.violations", "axe violations", "no-new-ids", None, BOTH, "no-new-ids"),
)

RULES_BY_ID = {r.id: r for r in RULES}

def measure_config(site: Site) -> dict[str, Any]:
    """What the measurement looks for (passed to capture/a11y/measure.js as ``cfg``): where the article
    body and main content are come from ``site`` (overlays included), the rest from :data:`MEASURE`.
    The article body: a generation's body element, else (a 关怀版 of unknown markup) the element of
    body_containers whose own <p> children hold the most text, as capture.extract.care reads it."""
    return {"body_selectors": [site.selectors["POST_BODY"], "#content"],
            "body_containers": site.care.body_containers,
            "main_selectors": ["main", site.selectors["POST_MAIN"], "[role=main]", "article"], **MEASURE}


#: The measurement's settings that are not site markup.
MEASURE: dict[str, Any] = {
    "ad_selectors": [".ad_module", ".at_item", ".common_ad_item", "[id^='ad_']", "[id^='ad-']",
                     "[data-adid]", "ins.adsbygoogle", ".ntes-ad", ".gg300"],
    "ad_hosts": ["g.163.com", "nex.163.com", "adx.163.com", "ad.163.com", "doubleclick.net",
                 "googlesyndication.com", "googleadservices.com", "adservice.google.com",
                 "pos.baidu.com", "cpro.baidu.com", "tanx.com", "mediav.com", "gdt.qq.com", "adsame.com"],
    "overlay_min_area": 5000,  # px²: a fixed box smaller than ~100×50 is a back-to-top button, not a pop-up
    "inducement_pattern": r"(下载|打开|安装)\s*(网易新闻)?\s*(app|客户端)|立即(下载|购买|支付|领取)|马上领取|扫码下载",
    "max_tabs": 60,
}

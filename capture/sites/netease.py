"""Everything the harness knows about NetEase pages, as tables.

When NetEase changes its layout, the fix is an edit here, not in the code that reads these tables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

#: Regions whose visible text makes ``text.txt``, in the order the seed file reads them.
#: (name, CSS selector). Every match of a selector is read, in document order.
TEXT_REGIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "normal": (
        ("crumb", ".post_crumb"),
        ("title", "h1.post_title"),
        ("top", ".post_top"),
        ("body", ".post_body"),
        ("recommends", ".post_recommends"),
        ("side", ".post_side"),
        ("a11y", ".ntes-nav-wza-links"),
    ),
    "care": (
        ("crumb", ".post_crumb"),
        ("title", "h1.post_title"),
        ("info", ".post_info"),
        ("body", ".post_body"),
        ("a11y", ".care_nav"),
    ),
}

#: Host of the real site; watched URLs are written against it.
LIVE_ORIGIN = "https://www.163.com"

# --- URLs: which paths are articles, and how an article's 关怀版 URL is formed --------------------
#: Hosts that serve NetEase articles (the harness refuses others unless ``--allow-host`` admits them).
ARTICLE_HOSTS = ("www.163.com", "163.com", "news.163.com", "dy.163.com")
#: The URL rule for 关怀版 pages, by channel; any other channel uses ``"*"``. (Every pattern below
#: that knows the care suffixes is built from this table.)
CARE_SUFFIX = {"dy": "_pdya11y", "*": "_pa11y"}
#: The care suffixes as a regex alternation: ``_pdya11y|_pa11y``.
CARE_SUFFIX_RE = "|".join(re.escape(s) for s in dict.fromkeys(CARE_SUFFIX.values()))
#: An article path: /<channel>/article/<16-char id>[care suffix].html
ARTICLE_PATH = rf"^/(?P<channel>[a-z0-9]+)/article/(?P<id>[0-9A-Z]{{16}})(?P<care>{CARE_SUFFIX_RE})?\.html$"
#: How the recorder reaches the care page, in order (recorded in meta.json as ``care_via``).
CARE_LINK_SELECTOR = "#js_gowza"
CARE_ARIA_URL_ATTR = "aria-url"
#: Text that marks a block (captcha) page rather than an article.
BLOCK_PAGE_MARKERS = ("验证码", "访问过于频繁", "安全验证")


# --- hosts: which hosts a captured page may reach (read by ``capture.hosts``) ----------------------


@dataclass(frozen=True)
class HostRule:
    """One row of the host policy: ``pattern`` is a host (``static.ws.126.net``) or, with a leading
    ``*.``, a domain and every host under it (``*.163.com``); ``decision`` is ``allow`` or ``block``."""

    pattern: str
    decision: str
    reason: str

    def matches(self, host: str) -> bool:
        host = host.lower()
        if self.pattern.startswith("*."):
            domain = self.pattern[2:]
            return host == domain or host.endswith("." + domain)
        return host == self.pattern


_ADS = "ads (NetEase's own ad exchange)"
_BAIDU_ADS = "Baidu ads: ad slots inside the recommendation lists"
_IMAGES = "images, covers and login assets (NetEase CDN)"

#: The host policy, first matching row wins (so the few blocked 163.com hosts come before ``*.163.com``).
#: Derived from every host the two real samples reference (tests/test_hosts.py keeps it complete).
HOST_RULES: tuple[HostRule, ...] = (
    HostRule("www.163.com", "allow", "the article pages themselves"),
    HostRule("static.ws.126.net", "allow", "every stylesheet, main.js, jQuery, commonnav, aria.js: "
             "without it the page is an unstyled column"),
    HostRule("nimg.ws.126.net", "allow", "every image, as ?url=…&thumbnail=… (the screenshot needs it)"),
    HostRule("cms-bucket.ws.126.net", "allow", _IMAGES),
    HostRule("dingyue.ws.126.net", "allow", _IMAGES),
    HostRule("videoimg.ws.126.net", "allow", _IMAGES),
    HostRule("mobilepics.ws.126.net", "allow", _IMAGES),
    HostRule("bjnewsrec-cv.ws.126.net", "allow", "recommendation thumbnails (seen inside nimg ?url=; NetEase CDN)"),
    HostRule("cms-bucket.nosdn.127.net", "allow", _IMAGES),
    HostRule("urswebzj.nosdn.127.net", "allow", _IMAGES),
    HostRule("webzj.netstatic.net", "allow", _IMAGES),
    HostRule("comment.tie.163.com", "allow", "the 跟贴 (comments) SDK and counts; the count is volatile (masked)"),
    HostRule("tie.163.com", "allow", "the 跟贴 (comments) pages and counts; volatile (masked)"),
    HostRule("ipservice.ws.126.net", "block", "judgement call: the reader's location (for 本地新闻) makes the "
             "capture depend on where the harness runs; blocked, the module keeps its default"),
    HostRule("acstatic-dun.126.net", "block", "judgement call: Yidun anti-bot script (watchman.min.js); it "
             "fingerprints the headless browser and can turn the page into a captcha; the article needs none of it"),
    HostRule("dl.reg.163.com", "block", "judgement call: the login widget; a capture never logs in and it "
             "only adds a login pop-up's scripts, iframes and cookies"),
    HostRule("nex.163.com", "block", _ADS),
    HostRule("g.163.com", "block", _ADS),
    HostRule("adx.163.com", "block", _ADS),
    HostRule("ad.163.com", "block", _ADS),
    HostRule("yt-adp.ws.126.net", "block", "ads (NetEase ad platform assets)"),
    HostRule("pos.baidu.com", "block", _BAIDU_ADS),
    HostRule("cpro.baidustatic.com", "block", _BAIDU_ADS),
    HostRule("dup.baidustatic.com", "block", _BAIDU_ADS),
    HostRule("hm.baidu.com", "block", "tracker: Baidu analytics (hm.js)"),
    HostRule("zz.bdstatic.com", "block", "tracker: Baidu webmaster link push (push.js)"),
    HostRule("push.zhanzhang.baidu.com", "block", "tracker: Baidu webmaster link push (push.js, http)"),
    HostRule("lf1-cdn-tos.bytegoofy.com", "block", "tracker: ByteDance analytics"),
    HostRule("content-static.cctvnews.cctv.com", "block", "the 来源 link of the 2025 sample (an <a>, never "
             "loaded): a third party like any other"),
    HostRule("*.163.com", "allow", "NetEase's own channel sites (nav, footer and crumb links; first party)"),
)
#: What a host no row matches gets. Block: an unknown third party on an article page is far more often
#: an ad or tracker than content, and blocking it is visible (meta.json ``blocked_hosts``) and repeatable,
#: where allowing it would make the capture depend on a host nobody has looked at.
UNKNOWN_HOST_DECISION = "block"


# --------------------------------------------------------------------------------------------------
# Extraction: one table of template generations (read by ``capture.extract``).
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fingerprint:
    """How a generation is recognised: every ``all`` selector matches and, if given, one ``any`` does."""

    all: tuple[str, ...]
    any: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line for error messages, e.g. ``.post_main + h1.post_title + (link[…] | script[…])``."""
        parts = list(self.all)
        if self.any:
            parts.append("(" + " | ".join(self.any) + ")")
        return " + ".join(parts)


@dataclass(frozen=True)
class Generation:
    """Selectors of one template generation.

    ``fields`` maps a field name to the selectors tried in order; ``sel@attr`` reads an attribute
    instead of text. Names with a dot (``recommend.title``) are read inside their parent's match.
    A field missing from ``fields`` does not exist in that generation.

    ``regions`` maps a region selector to the fields that live inside it: such a field is looked up
    only inside the region's first match (a small subtree, so much faster than the whole page); if
    the region is absent the whole page is searched. A selector on ``html``/``body`` itself (e.g.
    ``html[data-publishtime]``) is always checked on that element. Unlisted fields: whole page.
    """

    name: str
    mode: str  # "normal" | "care"
    fingerprint: Fingerprint
    fields: Mapping[str, tuple[str, ...]]
    required: frozenset[str]
    regions: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))


def _fields(**kw: str | tuple[str, ...]) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({k.replace("__", "."): (v,) if isinstance(v, str) else v for k, v in kw.items()})


#: The article part of post2020 pages; the care page reuses these children (see ``care_post2020``).
_POST2020_ARTICLE = dict(
    crumb=".post_crumb",
    crumb_skip=".to_reg",
    title="h1.post_title",
    published=("html[data-publishtime]@data-publishtime", ".post_info"),
    source=(".post_info a:not(.post_jubao)", ".post_info"),
    place='.post_info img[src*="ipLocation"]',
    body=".post_body",
    otitle=".post_body p.otitle",
    video="video, iframe, .video-wrapper, .post_video, [data-video]",
    editor=(".post_author", ".creative_statement"),
    author_text=".post_author",
)

_POST2020 = dict(
    _POST2020_ARTICLE,
    author=".post_wemedia_name",
    tie_count=".post_top_tie_count",
    share="ul.post_share li",
    recommend_tab=".post_recommends .post_recommends_title",
    recommend_panel=".post_recommends .post_recommends_ulist",
    recommend_item=".post_recommend:not(.post_recommend_ad), .post_recommend_new:not(.post_recommend_ad)",
    recommend__title="h3 a",
    recommend__source=".post_recommend_source",
    recommend__time=".post_recommend_time",
    side_title=".post_side .post_side_mod > h2.post_side_mod_title",
    side_item=".post_side_mod_imgnews a, .post_side_mod_item a",
    side_skip="#js-yuanchuang-content",
    yuanchuang="#js-yuanchuang-content li a",
    wza="#cniil_wza",
    care_link="#js_gowza@href",
    care_url="body@aria-url",
)

#: Where post2020 fields live: the article column and the side column (speed only; see ``Generation``).
_POST2020_REGIONS = MappingProxyType({
    ".post_main": ("crumb", "title", "published", "source", "place", "body", "editor", "author_text",
                   "tie_count", "share", "recommend_tab", "recommend_panel"),
    ".post_side": ("author", "side_title", "yuanchuang"),
})

#: Every template generation, tried in this order. Care first: it is recognised by care-only markers.
#: Fingerprints use structural markers, never a required field, so a page that lost its title is
#: still recognised and reported as ``MissingField``. ``recommend_item`` is a comma list of simple
#: selectors (no commas inside ``:not()``): the reader scopes each part itself.
GENERATIONS: tuple[Generation, ...] = (
    Generation(
        name="care_post2020",
        mode="care",
        # Real care markup is unknown: rely only on article parts plus a care-only marker.
        fingerprint=Fingerprint(all=(), any=("main.care_main", 'html[data-mode="care"]', ".care_nav")),
        fields=_fields(**_POST2020_ARTICLE, normal_link=".care_nav a@href", wza="#cniil_wza"),
        required=frozenset({"title", "published", "body"}),
    ),
    Generation(
        name="post2020_cms",
        mode="normal",
        fingerprint=Fingerprint(
            all=(".post_main",),
            any=('link[href*="/post2020_cms/"]', 'script[src*="/post2020_cms/"]', 'body[aria-url*="_pa11y"]'),
        ),
        fields=_fields(**_POST2020),
        required=frozenset({"title", "published", "body"}),
        regions=_POST2020_REGIONS,
    ),
    Generation(
        name="post2020_dy",
        mode="normal",
        fingerprint=Fingerprint(
            all=(".post_main",),
            any=('link[href*="/post2020_dy/"]', 'script[src*="/post2020_dy/"]', 'body[aria-url*="_pdya11y"]'),
        ),
        fields=_fields(**_POST2020),
        required=frozenset({"title", "published", "body"}),
        regions=_POST2020_REGIONS,
    ),
    Generation(
        name="post_content_main",
        mode="normal",
        fingerprint=Fingerprint(all=(".post_content_main#epContentLeft", ".post_time_source", ".post_text#endText")),
        fields=_fields(
            crumb=".post_crumb",
            title=".post_content_main#epContentLeft > h1",
            published=".post_time_source",
            source=".post_time_source a",
            body=".post_text#endText",
            otitle=".post_text#endText p.otitle",
            body_skip=".ep-source",
            editor=".ep-editor",
            author_text=".ep-source",
            tie_count=".post_cnum_tie, .js-tiejoincount",
        ),
        required=frozenset({"title", "published", "body"}),
    ),
    Generation(
        name="dy_v2",
        mode="normal",
        fingerprint=Fingerprint(all=(".article_title", "p.time span", ".content#content")),
        fields=_fields(
            title=".article_title h2",
            published="p.time span",
            source=("p.time a", "p.time"),
            body=".content#content",
            editor=".content#content ~ .editor, .article_editor",
        ),
        required=frozenset({"title", "published", "body"}),
    ),
    Generation(
        name="endpage1301",
        mode="normal",
        fingerprint=Fingerprint(all=("span.ep-crumb", ".ep-time-soure", "#endText")),
        fields=_fields(
            crumb="span.ep-crumb",
            title="h1#h1title",
            published=".ep-time-soure",
            source=".ep-time-soure a",
            body="#endText",
            otitle="#endText p.otitle",
            body_skip=".ep-source",
            editor=".ep-editor",
            author_text=".ep-source",
            tie_count=".js-tiejoincount",
        ),
        required=frozenset({"title", "published", "body"}),
    ),
)

# --- Readiness: when a loaded page is ready to capture (read by ``capture.recorder``) ---------------
# No real page says "I am done": a page is ready when its article body is present (any generation's
# body selector, since the generation is only known after load) and nothing has happened for a
# quiet window: no new resource finished and no DOM mutation. The bound (RecordOptions.ready_timeout_ms)
# is only the ceiling, for pages that never stop polling or mutating.

#: Per generation, the selectors whose presence means the article body is there (from GENERATIONS).
READY_BODY: Mapping[str, tuple[str, ...]] = MappingProxyType({g.name: g.fields["body"] for g in GENERATIONS})
#: Union of READY_BODY, deduplicated, as one CSS selector list (the page is matched before it is recognised).
READY_BODY_SELECTOR = ", ".join(dict.fromkeys(s for sels in READY_BODY.values() for s in sels))
#: Milliseconds with no new resource and no DOM mutation that count as "the load has settled".
READY_QUIET_MS = 150


# --- Dates: how pages write a time, and how the extraction stores it -----------------------------
#: A calendar date as pages write it: 2019-05-17, 2019/5/17, 2019年5月17日.
_DATE = r"(?P<year>\d{4})[-/年](?P<month>\d{1,2})[-/月](?P<day>\d{1,2})日?"
#: The clock time that may follow it: 09:16 or 09:16:04.
_CLOCK = r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
#: A publish time: a date, with its clock time when the page gives one (2019 dy_v2 pages give none).
PUBLISHED_RE = re.compile(rf"{_DATE}(?:\s*{_CLOCK})?")
#: A list item's time (相关推荐 rows "来源 2024-05-23 07:20:03"): always date and clock; what comes
#: before it is the item's source.
LIST_TIME_RE = re.compile(rf"{_DATE}\s*{_CLOCK}")
#: What a publish time should look like, said when one does not parse.
PUBLISHED_FORMAT = "a date like 2019-05-17 or 2019-05-17 09:16:04"
#: Pages are Beijing time.
PAGE_UTC_OFFSET = "+08:00"


def iso_time(text: str | None) -> str | None:
    """The first publish time in ``text`` in ISO 8601, Beijing time, at the precision the page gives:
    ``2019-05-17T09:16:04+08:00``, or ``2019-05-17`` for a date alone (no time is made up; a time
    to the minute gets ``:00`` seconds). None if there is none, or it is no real date (2019-13-40)."""
    m = PUBLISHED_RE.search(text or "")
    if m is None:
        return None
    y, mo, d, h, mi, s = (int(v) if v else 0 for v in m.group("year", "month", "day", "hour", "minute", "second"))
    try:
        datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None
    day = f"{y:04d}-{mo:02d}-{d:02d}"
    return day if m["hour"] is None else f"{day}T{h:02d}:{mi:02d}:{s:02d}{PAGE_UTC_OFFSET}"


#: Labels read from credit lines ("责任编辑：…", "作者：…") and the source line ("来源: …").
EDITOR_LABEL = r"责任编辑\s*[:：]\s*(\S+)"
AUTHOR_LABEL = r"作者\s*[:：]\s*(\S+)"
SOURCE_LABEL = r"来源\s*[:：]\s*(\S+)"
#: What a required field's text must look like, said when an element is found but its text does not do.
FIELD_FORMATS = {
    "title": "some text",
    "published": PUBLISHED_FORMAT,
    "source": "a link, or text like 来源: 北青网",
}

#: URL endings of the 关怀版 page (``/dy/article/<ID>_pdya11y.html``, ``/news/article/<ID>_pa11y.html``).
CARE_URL_SUFFIXES = tuple(f"{s}.html" for s in dict.fromkeys(CARE_SUFFIX.values()))

# --- Volatile values: what churns hour to hour and is masked in goldens and checks ------------------
#: (path in the extraction JSON, kind, allowed item count for lists, why). ``*`` matches any key/index.
#: kind "count": an int that churns; "list": items churn, the count must stay in range and items keep
#: their fields; "time": a timestamp in a list whose value churns but whose format must not change.
VOLATILE_FIELDS: tuple[tuple[str, str, tuple[int, int] | None, str], ...] = (
    ("tie_count", "count", None, "跟贴 counts change by the minute"),
    ("recommendations.相关推荐", "list", (0, 60), "相关推荐 is recomputed on every request"),
    ("recommendations.热点推荐", "list", (0, 60), "热点推荐 is refreshed all day"),
    ("recommendations.*.*.time", "time", None, "list times follow the items"),
    ("side_modules.*.items", "list", (0, 30), "side-module items follow the news (and a LOCATION_MODULES "
     "module's the reader's city)"),
    ("yuanchuang", "list", (0, 60), "态度原创 is shuffled on every load"),
)
#: Side modules whose items depend on where the reader is (ipservice.ws.126.net picks the city): their
#: items are masked like every side module's (above), their title is kept (it names the module, not a city).
LOCATION_MODULES = ("本地新闻",)
#: Text regions (see TEXT_REGIONS) whose lines churn: masked in text goldens, line count kept in range.
VOLATILE_TEXT_REGIONS: dict[str, tuple[int, int]] = {"top": (1, 4), "recommends": (0, 400), "side": (0, 400)}
#: Patterns masked in text and aria goldens wherever they appear in a volatile region or a list.
TIME_PATTERN = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"

# --- Layout fingerprint: the regions whose DOM skeleton is kept with the goldens ------------------------
#: region -> selectors per mode; the first selector that matches is the region's root.
SKELETON_REGIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "crumb": {"normal": (".post_crumb",), "care": (".post_crumb",)},
    "title-info": {"normal": ("h1.post_title", ".post_info", ".post_top"), "care": ("h1.post_title", ".post_info")},
    "body": {"normal": (".post_body",), "care": (".post_body",)},
    "recommendations": {"normal": (".post_recommends",), "care": ()},
    "side": {"normal": (".post_side",), "care": ()},
    "nav-a11y": {"normal": ("#js_N_nav_left",), "care": (".care_nav",)},
}
#: Classes that scripts toggle (tab state, toolbar state): not layout.
SKELETON_VOLATILE_CLASSES = ("active", "current", "on", "hover", "ariabodytopfiexed")
#: Classes that look generated (scripts and ad code pick a new one on every load, ``div._621p8eyo11k``):
#: dropped from the skeleton like the volatile classes above.
SKELETON_RANDOM_CLASS = r"_[0-9a-z]{8,}"
#: Ids that look generated: 2024 网易号 pages give every body paragraph one (``<p id="2NOJUF63">``), and
#: ad slots are ``div#ssp_7365634``. Dropped from the skeleton; a hand-written id (``#js_N_nav_left``) stays.
SKELETON_GENERATED_IDS = (r"[0-9A-Z]{8}", r"ssp_\w+")
#: Subtrees left out of the skeleton: (selector, why). Ads come and go inside the lists, and an item's
#: video icon is optional: with it in the skeleton a load whose items happen to carry no video would
#: lose a shape (a false alarm), so an item reads the same with and without it.
SKELETON_SKIP: tuple[tuple[str, str], ...] = (
    (".post_recommend_ad", "ad slots in the recommendation lists (script-inserted, random classes)"),
    ('[id^="ssp_"]', "Baidu ad containers"),
    ("i.post_recommend_video", "the video icon an item gains or loses from load to load"),
)
#: Containers whose children are compared as the sorted set of the shapes they take (no order, no
#: counts): recommendation and side lists are recomputed per request (items reorder, come and go, ads
#: and 付费专栏 items are inserted), while a new item shape or a renamed class still shows.
SKELETON_ITEM_SETS = ("ul.post_recommends_list", ".post_recommend_news_hot",
                      "ul.post_side_mod_list")
#: Regions whose root's children are such a set too (content adds, drops and moves paragraphs and images).
SKELETON_UNORDERED = ("body",)
#: Formats kept in the skeleton: (region, selector, attribute or "" for text). The value is reduced to
#: its shape (digits → 9), so a new date format is a layout change while a new date is not.
FORMAT_PROBES: tuple[tuple[str, str, str], ...] = (
    ("title-info", "html", "data-publishtime"),
    ("title-info", ".post_info", ""),
)

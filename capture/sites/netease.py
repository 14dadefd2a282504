"""Everything the harness knows about NetEase pages, as tables.

When NetEase changes its layout, the fix is an edit here, not in the code that reads these tables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

# --------------------------------------------------------------------------------------------------
# Site markup: every class and id that more than one table below names, written once. Renaming a
# class on the site is an edit of one of these lines (tests/test_site_table.py proves it).
# --------------------------------------------------------------------------------------------------
#: post2020 (2020–2025): the article column and its parts, and the side column.
POST_MAIN = ".post_main"
POST_CRUMB = ".post_crumb"
POST_TITLE = "h1.post_title"
POST_INFO = ".post_info"
POST_TOP = ".post_top"
POST_BODY = ".post_body"
POST_AUTHOR = ".post_author"
POST_RECOMMENDS = ".post_recommends"
POST_RECOMMEND_AD = ".post_recommend_ad"
POST_SIDE = ".post_side"
POST_SIDE_MOD = ".post_side_mod"
YUANCHUANG = "#js-yuanchuang-content"
#: The top nav's left part (wzaInit moves 进入关怀版 there) and its two accessibility links.
NAV_LEFT = "#js_N_nav_left"
NAV_A11Y_LINKS = ".ntes-nav-wza-links"
#: The 无障碍浏览 toolbar link.
WZA_LINK = "#cniil_wza"
#: post_content_main (2017–2020): the article column, its time/source line and its body.
PCM_MAIN = ".post_content_main#epContentLeft"
PCM_TIME_SOURCE = ".post_time_source"
PCM_TEXT = ".post_text#endText"
#: endpage1301 (≤2016), whose credit line post_content_main kept.
EP_CRUMB = "span.ep-crumb"
EP_TITLE = "h1#h1title"
EP_TIME_SOURCE = ".ep-time-soure"
EP_TEXT = "#endText"
EP_SOURCE = ".ep-source"
EP_EDITOR = ".ep-editor"
TIE_JOIN_COUNT = ".js-tiejoincount"
#: dy_v2 (~2019, dy.163.com/v2): title box, time line, body.
DY2_TITLE = ".article_title"
DY2_TIME = "p.time"
DY2_CONTENT = ".content#content"

#: Host of the real site; watched URLs are written against it.
LIVE_ORIGIN = "https://www.163.com"

# --- User agent: what every capture says it is (read by ``capture.browser``) ------------------------
#: A current desktop Chrome on Windows, in Chrome's reduced form (minor versions are always 0.0.0):
#: the headless default ("HeadlessChrome/…") is what anti-bot scripts look for first. Used by every
#: capture, replica and offline ones too, so goldens do not depend on where a page was captured.
#: Overridden by ``user_agent = "…"`` in pages.toml and ``--user-agent`` (capture and pytest).
#: Bump the major with the Chromium the harness runs (156 when written).
USER_AGENT = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/156.0.0.0 Safari/537.36")

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


def article_path(channel: str, article_id: str, care: bool = False) -> str:
    """An article's path by the URL rule (``/dy/article/<ID>.html``); with ``care``, its 关怀版's."""
    suffix = CARE_SUFFIX.get(channel, CARE_SUFFIX["*"]) if care else ""
    return f"/{channel}/article/{article_id}{suffix}.html"


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


def _assets(generation: str) -> tuple[str, ...]:
    """Fingerprint markers of a page that loads a generation's own stylesheets or scripts."""
    return (f'link[href*="/{generation}/"]', f'script[src*="/{generation}/"]')


def _care_url_marker(channel: str) -> str:
    """``body[aria-url*="_pa11y"]``: a normal page whose 关怀版 URL follows ``channel``'s care rule."""
    return f'body[{CARE_ARIA_URL_ATTR}*="{CARE_SUFFIX[channel]}"]'


def _endpage_fields(crumb: str, title: str, time_source: str, text: str, tie_count: str) -> Mapping[str, tuple[str, ...]]:
    """Fields of the end-page family (endpage1301 and post_content_main, which kept its parts): a
    time/source line holding the source link, and a body holding its 原标题 and its credit line."""
    return _fields(crumb=crumb, title=title, published=time_source, source=f"{time_source} a", body=text,
                   otitle=f"{text} p.otitle", body_skip=EP_SOURCE, editor=EP_EDITOR, author_text=EP_SOURCE,
                   tie_count=tie_count)


#: The article part of post2020 pages.
_POST2020_ARTICLE = dict(
    crumb=POST_CRUMB,
    crumb_skip=".to_reg",
    title=POST_TITLE,
    published=("html[data-publishtime]@data-publishtime", POST_INFO),
    source=(f"{POST_INFO} a:not(.post_jubao)", POST_INFO),
    place=f'{POST_INFO} img[src*="ipLocation"]',
    body=POST_BODY,
    otitle=f"{POST_BODY} p.otitle",
    video="video, iframe, .video-wrapper, .post_video, [data-video]",
    editor=(POST_AUTHOR, ".creative_statement"),
    author_text=POST_AUTHOR,
)

_POST2020 = dict(
    _POST2020_ARTICLE,
    author=".post_wemedia_name",
    tie_count=".post_top_tie_count",
    share="ul.post_share li",
    recommend_tab=f"{POST_RECOMMENDS} .post_recommends_title",
    recommend_panel=f"{POST_RECOMMENDS} .post_recommends_ulist",
    recommend_item=f".post_recommend:not({POST_RECOMMEND_AD}), .post_recommend_new:not({POST_RECOMMEND_AD})",
    recommend__title="h3 a",
    recommend__source=".post_recommend_source",
    recommend__time=".post_recommend_time",
    side_title=f"{POST_SIDE} {POST_SIDE_MOD} > h2.post_side_mod_title",
    side_item=".post_side_mod_imgnews a, .post_side_mod_item a",
    side_skip=YUANCHUANG,
    yuanchuang=f"{YUANCHUANG} li a",
    wza=WZA_LINK,
    care_link=f"{CARE_LINK_SELECTOR}@href",
    care_url=f"body@{CARE_ARIA_URL_ATTR}",
)

#: Where post2020 fields live: the article column and the side column (speed only; see ``Generation``).
_POST2020_REGIONS = MappingProxyType({
    POST_MAIN: ("crumb", "title", "published", "source", "place", "body", "editor", "author_text",
                "tie_count", "share", "recommend_tab", "recommend_panel"),
    POST_SIDE: ("author", "side_title", "yuanchuang"),
})

#: Every template generation of normal pages, tried in this order (the 关怀版 has no generation: see CARE).
#: Fingerprints use structural markers, never a required field, so a page that lost its title is
#: still recognised and reported as ``MissingField``. ``recommend_item`` is a comma list of simple
#: selectors (no commas inside ``:not()``): the reader scopes each part itself.
GENERATIONS: tuple[Generation, ...] = (
    Generation(
        name="post2020_cms",
        mode="normal",
        fingerprint=Fingerprint(all=(POST_MAIN,), any=(*_assets("post2020_cms"), _care_url_marker("*"))),
        fields=_fields(**_POST2020),
        required=frozenset({"title", "published", "body"}),
        regions=_POST2020_REGIONS,
    ),
    Generation(
        name="post2020_dy",
        mode="normal",
        fingerprint=Fingerprint(all=(POST_MAIN,), any=(*_assets("post2020_dy"), _care_url_marker("dy"))),
        fields=_fields(**_POST2020),
        required=frozenset({"title", "published", "body"}),
        regions=_POST2020_REGIONS,
    ),
    Generation(
        name="post_content_main",
        mode="normal",
        fingerprint=Fingerprint(all=(PCM_MAIN, PCM_TIME_SOURCE, PCM_TEXT)),
        fields=_endpage_fields(crumb=POST_CRUMB, title=f"{PCM_MAIN} > h1", time_source=PCM_TIME_SOURCE,
                               text=PCM_TEXT, tie_count=f".post_cnum_tie, {TIE_JOIN_COUNT}"),
        required=frozenset({"title", "published", "body"}),
    ),
    Generation(
        name="dy_v2",
        mode="normal",
        fingerprint=Fingerprint(all=(DY2_TITLE, f"{DY2_TIME} span", DY2_CONTENT)),
        fields=_fields(
            title=f"{DY2_TITLE} h2",
            published=f"{DY2_TIME} span",
            source=(f"{DY2_TIME} a", DY2_TIME),
            body=DY2_CONTENT,
            editor=f"{DY2_CONTENT} ~ .editor, .article_editor",
        ),
        required=frozenset({"title", "published", "body"}),
    ),
    Generation(
        name="endpage1301",
        mode="normal",
        fingerprint=Fingerprint(all=(EP_CRUMB, EP_TIME_SOURCE, EP_TEXT)),
        fields=_endpage_fields(crumb=EP_CRUMB, title=EP_TITLE, time_source=EP_TIME_SOURCE, text=EP_TEXT,
                               tie_count=TIE_JOIN_COUNT),
        required=frozenset({"title", "published", "body"}),
    ),
)
#: The generations by name.
GENERATION_BY_NAME: Mapping[str, Generation] = MappingProxyType({g.name: g for g in GENERATIONS})

# --- The 关怀版: a page of unknown markup, read by what it carries (read by ``capture.extract.care``) ---
# Nobody has seen a real _pdya11y/_pa11y page (NETEASE.md), so nothing here names its classes. A care
# page is one the recorder reached from the normal page (link, aria-url, or the URL rule: meta.json
# ``care_via``), read generically, and judged by whether it carries the normal page's article.


@dataclass(frozen=True)
class CareRules:
    """How a page of unknown markup is read as an article: generic HTML, no site classes."""

    #: The title: the first of these that has text (``sel@attr`` reads an attribute).
    title: tuple[str, ...]
    #: The body is the element of these whose own paragraph children hold the most text.
    body_containers: str
    paragraph: str
    #: The time/source line: the smallest element of these, outside the body and at most
    #: ``info_max_chars`` long, whose text has a publish time (PUBLISHED_RE).
    info_containers: str
    info_max_chars: int
    #: The crumb: the shortest such element before the body, with a link, in parts split by this.
    crumb_separator: str
    #: A first body paragraph that is the original title, ``（原标题：…）``: the otitle, not body text.
    otitle: str
    #: Share of the normal page's body paragraphs the care page must carry (found by their text).
    min_paragraph_share: float
    #: Fields compared with the normal page's to say whether the care page carries the article.
    same_fields: tuple[str, ...]


CARE = CareRules(
    title=("h1", 'meta[property="og:title"]@content'),
    body_containers="article, main, section, div, td",
    paragraph="p",
    info_containers="div, p, span, time, section, header, li, td",
    info_max_chars=200,
    crumb_separator=">",
    otitle=r"^[（(]\s*原标题\s*[:：]\s*(.+?)\s*[）)]$",
    min_paragraph_share=0.9,
    same_fields=("title",),
)
#: The care page's fields that the generic reader takes from the table like any generation's.
CARE_FIELDS: Mapping[str, tuple[str, ...]] = _fields(
    published="html[data-publishtime]@data-publishtime",
    video="video, iframe, [data-video]",
    wza="#cniil_wza",
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
#: The 关怀版's body is of unknown markup: a paragraph present is all it can promise before it is read.
READY_CARE_SELECTOR = CARE.paragraph
#: Milliseconds with no new resource and no DOM mutation that count as "the load has settled".
READY_QUIET_MS = 150
#: Elements whose rendering fonts meta.json records: the title, a body paragraph (of any generation's
#: body, as readiness matches it) and the page itself.
FONT_PROBES = ("h1", ", ".join(f"{s} p" for s in READY_BODY_SELECTOR.split(", ")), "body")


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
#: Patterns masked in text and aria goldens wherever they appear in a volatile region or a list: a
#: list item's date and time (LIST_TIME_RE), without its groups so it can be embedded.
TIME_PATTERN = re.sub(r"\(\?P<\w+>", "(?:", LIST_TIME_RE.pattern)

# --- text.txt and the layout fingerprint: the regions of each generation ----------------------------
#: The regions a page no generation recognises is read with, by mode: the newest layout's, so a page
#: that drifted from it still shows what it kept (and the skeleton says what it lost).
FALLBACK_GENERATION = {"normal": "post2020_dy", "care": "care"}


def _first(gen: str, name: str) -> str:
    """A generation's first selector for field ``name`` (its own spelling, so nothing is restated)."""
    return GENERATION_BY_NAME[gen].fields[name][0]


def _article_text(gen: str, info: str) -> tuple[tuple[str, str], ...]:
    """An older generation's text regions: its crumb (if it has one), title, time/source line, body."""
    crumb = GENERATION_BY_NAME[gen].fields.get("crumb", ())
    return ((("crumb", crumb[0]),) if crumb else ()) + (
        ("title", _first(gen, "title")), ("info", info), ("body", _first(gen, "body")))


_POST2020_TEXT = (("crumb", POST_CRUMB), ("title", POST_TITLE), ("top", POST_TOP), ("body", POST_BODY),
                  ("recommends", POST_RECOMMENDS), ("side", POST_SIDE), ("a11y", NAV_A11Y_LINKS))
#: Regions whose visible text makes ``text.txt``, per generation, in the order the seed file reads
#: them: (name, CSS selector), every match of a selector read in document order.
TEXT_REGIONS: Mapping[str, tuple[tuple[str, str], ...]] = MappingProxyType({
    # The 关怀版's markup is unknown (see CARE): its text is the whole page as a reader sees it.
    "care": (("page", "body"),),
    "post2020_cms": _POST2020_TEXT,
    "post2020_dy": _POST2020_TEXT,
    "post_content_main": _article_text("post_content_main", PCM_TIME_SOURCE),
    "dy_v2": _article_text("dy_v2", DY2_TIME),
    "endpage1301": _article_text("endpage1301", EP_TIME_SOURCE),
})


def _article_skeleton(gen: str) -> Mapping[str, tuple[str, ...]]:
    """An older generation's skeleton regions: the roots of its text regions, as post2020 groups them."""
    text = dict(TEXT_REGIONS[gen])
    regions = {"crumb": (text["crumb"],) if "crumb" in text else (), "title-info": (text["title"], text["info"]),
               "body": (text["body"],)}
    return MappingProxyType({region: sels for region, sels in regions.items() if sels})


_POST2020_SKELETON = MappingProxyType({
    "crumb": (POST_CRUMB,), "title-info": (POST_TITLE, POST_INFO, POST_TOP), "body": (POST_BODY,),
    "recommendations": (POST_RECOMMENDS,), "side": (POST_SIDE,), "nav-a11y": (NAV_LEFT,),
})
#: The regions whose DOM skeleton is kept with the goldens, per generation: region -> selectors,
#: each selector's first match a root. Older generations have their article regions only.
SKELETON_REGIONS: Mapping[str, Mapping[str, tuple[str, ...]]] = MappingProxyType({
    # The 关怀版's regions are the parts the generic care reader found (capture.fingerprint).
    "care": MappingProxyType({}),
    "post2020_cms": _POST2020_SKELETON,
    "post2020_dy": _POST2020_SKELETON,
    **{gen: _article_skeleton(gen) for gen in ("post_content_main", "dy_v2", "endpage1301")},
})
#: Every skeleton region name, in table order (compare's FIELD_REGION names these).
SKELETON_REGION_NAMES = tuple(dict.fromkeys(r for regions in SKELETON_REGIONS.values() for r in regions))


def page_regions(table: Mapping[str, Any], generation: str | None, mode: str) -> Any:
    """``table``'s entry (TEXT_REGIONS, SKELETON_REGIONS, FORMAT_PROBES) for a page of ``generation``
    captured in ``mode``; a generation of another mode or none recognised reads as FALLBACK_GENERATION."""
    gen = GENERATION_BY_NAME.get(generation or "")
    if gen is None or gen.mode != mode:
        return table[FALLBACK_GENERATION[mode]]
    return table[gen.name]


# --- Layout fingerprint: how a region's DOM skeleton is read -----------------------------------------
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
    (POST_RECOMMEND_AD, "ad slots in the recommendation lists (script-inserted, random classes)"),
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
#: Formats kept in the skeleton, per generation: (region, selector, attribute or "" for text), one per
#: selector of the generation's ``published`` field. The value is reduced to its shape (digits → 9), so
#: a new date format is a layout change while a new date is not. ``html[data-publishtime]@data-publishtime``
#: probes ``html``, so a page that lost the attribute reads "(none)", not "(missing)".
FORMAT_PROBES: Mapping[str, tuple[tuple[str, str, str], ...]] = MappingProxyType({
    g.name: tuple(("title-info", css.removesuffix(f"[{attr}]") if attr else css, attr)
                  for css, _, attr in (sel.partition("@") for sel in g.fields["published"]))
    for g in GENERATIONS
})

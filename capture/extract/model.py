"""What an article page says, as dataclasses. JSON is made here and nowhere else.

Field order is the JSON key order, so goldens stay byte-stable: add new fields at the end of a class.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Link:
    """A titled link (side-module item, 态度原创 item)."""

    title: str
    url: str | None


@dataclass(frozen=True)
class Source:
    """Where the article came from (the 来源 link of the info line)."""

    name: str
    url: str | None


@dataclass(frozen=True)
class Paragraph:
    type: str = field(default="p", init=False)
    text: str = ""


@dataclass(frozen=True)
class Image:
    type: str = field(default="img", init=False)
    src: str = ""
    caption: str = ""


@dataclass(frozen=True)
class Video:
    """A video placeholder in the body; its player is script-driven, so only the marker is kept."""

    type: str = field(default="video", init=False)
    src: str | None = None
    poster: str | None = None


Block = Paragraph | Image | Video


@dataclass(frozen=True)
class Recommendation:
    """One item of a 相关推荐 / 热点推荐 tab."""

    title: str
    url: str | None
    source: str | None
    time: str | None


@dataclass(frozen=True)
class SideModule:
    """A right-column module (头条要闻, 体育要闻, 专题推荐 …)."""

    title: str
    url: str | None
    items: list[Link]


@dataclass(frozen=True)
class Accessibility:
    """The two accessibility entries: the in-page toolbar and the separate 关怀版 page."""

    wza_toolbar: bool
    care_url: str | None
    normal_url: str | None = None  # care pages: the 返回普通版 link


@dataclass
class Article:
    """Everything extracted from one article page, normal or care."""

    url: str
    mode: str
    generation: str
    crumb: list[str]
    title: str
    #: ISO 8601, Beijing time, at the page's precision: "2024-05-13T09:16:04+08:00", or "2019-05-17"
    #: when the page gives a date alone (no time is made up). See ``capture.sites.netease.iso_time``.
    published: str | None
    source: Source | None
    place: str | None
    otitle: str | None
    blocks: list[Block]
    author: str | None
    editor: str | None
    tie_count: int | None
    share: list[str]
    recommendations: dict[str, list[Recommendation]]
    side_modules: list[SideModule]
    yuanchuang: list[Link]
    accessibility: Accessibility

    def body_text(self) -> str:
        """Paragraph text, one paragraph a line: what accuracy is measured on."""
        return "\n".join(b.text for b in self.blocks if isinstance(b, Paragraph))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; keys follow dataclass field order."""
        return asdict(self)

    def to_json(self) -> str:
        """Stable JSON text: same input, same bytes."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    def to_text(self) -> str:
        """A short human-readable summary for the terminal."""
        src = self.source.name if self.source else "-"
        lines = [
            f"{self.title}",
            f"  {self.mode} page, generation {self.generation}; {' > '.join(self.crumb) or '-'}",
            f"  published {self.published or '-'}  source {src}  place {self.place or '-'}",
            f"  author {self.author or '-'}  editor {self.editor or '-'}  跟贴 {self.tie_count}",
        ]
        n_img = sum(isinstance(b, Image) for b in self.blocks)
        n_vid = sum(isinstance(b, Video) for b in self.blocks)
        n_par = len(self.blocks) - n_img - n_vid
        lines.append(f"  body: {n_par} paragraphs, {n_img} images, {n_vid} videos, {len(self.body_text())} chars")
        if self.otitle:
            lines.append(f"  otitle: {self.otitle}")
        for b in self.blocks[:3]:
            if isinstance(b, Paragraph):
                lines.append(f"    | {b.text[:60]}")
        for tab, items in self.recommendations.items():
            lines.append(f"  {tab}: {len(items)} items")
        if self.side_modules:
            lines.append("  side: " + ", ".join(f"{m.title}({len(m.items)})" for m in self.side_modules))
        if self.yuanchuang:
            lines.append(f"  态度原创: {len(self.yuanchuang)} items")
        a = self.accessibility
        lines.append(f"  无障碍浏览 {'yes' if a.wza_toolbar else 'no'}  关怀版 {a.care_url or '-'}")
        if a.normal_url:
            lines.append(f"  普通版 {a.normal_url}")
        return "\n".join(lines) + "\n"

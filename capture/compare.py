"""Golden vs new: the views of a bundle that goldens store, and (later) their classified differences."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .bundle import Bundle
from .fingerprint import skeleton
from .volatile import canonical_origin, mask_aria, mask_text


@dataclass(frozen=True)
class GoldenViews:
    """What a golden records of one capture: extraction JSON, masked text and masked aria snapshot.

    URLs are written against the live origin, so a replica on any port gives the same views.
    """

    extraction: dict[str, Any]
    skeleton: dict[str, list[str]]
    text: str
    aria: str


def extraction_of(bundle: Bundle) -> Any:
    from .extract import extract

    return extract(bundle.dom, bundle.meta.final_url, mode=bundle.meta.mode)


def views(bundle: Bundle) -> GoldenViews:
    base = bundle.meta.base_url
    article = extraction_of(bundle)
    data = json.loads(canonical_origin(article.to_json(), base))
    text = mask_text(canonical_origin(bundle.text, base), bundle.meta.text_regions)
    aria = mask_aria(canonical_origin(bundle.aria, base))
    return GoldenViews(extraction=data, skeleton=skeleton(bundle.dom, bundle.meta.mode), text=text, aria=aria)

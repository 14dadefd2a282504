"""Pages that offer no 关怀版: the recorder's ``no-care`` outcome, and what it means against a golden.

Older real articles (a 2020 news page, an early-2021 网易号 page) have no 进入关怀版 link and no
``body@aria-url``; the URL rule's address (``…_pdya11y.html`` / ``…_pa11y.html``) answers 404 for them.
That is what the page is, not a failed capture: the recorder gives the care capture the status
:data:`NO_CARE` (no bundle), and the run layer says so once in its summary. It becomes a
``care-regression`` only when the golden had a 关怀版 and the page no longer offers one
(:func:`care_gone`). A page that does offer a 关怀版 whose page then answers 404 is still a failure.

Everything here is pure (no browser, no files).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .errors import CareNotOffered
from .report import Difference

#: The recorder outcome status of a 关怀版 capture of a page that offers none (capture/record/options.py).
NO_CARE = "no-care"
#: The HTTP answers of the URL rule's address that mean "there is no 关怀版" (FetchFailed reasons).
NO_CARE_REASONS = ("http-404", "http-410")
#: What the recorder looked for on the normal page, in the order a reader would find it.
LOOKED_FOR = "no 进入关怀版 link with a real href, no body@aria-url"


def no_care_offered(url: str, status: int) -> CareNotOffered:
    """The error the recorder raises when the page offers no 关怀版 and the URL rule's ``url`` answered ``status``."""
    return CareNotOffered(f"the page offers no 关怀版 ({LOOKED_FOR}; the URL rule's {url} answers HTTP {status})",
                          url=url, status=status)


def offers_care(extraction: Mapping[str, Any] | None) -> bool:
    """Whether a normal page's extraction (a golden's ``extraction`` data, or ``Article.to_dict()``)
    names a 关怀版: the 进入关怀版 link's real href or ``body@aria-url`` (``accessibility.care_url``)."""
    if not extraction:
        return False
    return bool((extraction.get("accessibility") or {}).get("care_url"))


def care_gone(golden_has_care: bool, outcome_status: str, reason: str = "") -> Difference | None:
    """A ``care-regression`` when the golden had a 关怀版 and the page no longer offers one (the care
    capture's outcome is :data:`NO_CARE`): the link, body@aria-url and the URL rule's page are all gone.
    None otherwise: a page that never offered one is what it was; any other outcome is judged elsewhere
    (``ok`` by the care comparison, ``failed`` as a fetch failure). ``reason``: the outcome's own, for
    the URL and status it saw."""
    if not golden_has_care or outcome_status != NO_CARE:
        return None
    seen = f" ({reason})" if reason else ""
    return Difference("care-regression", "nav-a11y",
                      "关怀版 gone: the golden had one; the page now has no 进入关怀版 link, no body@aria-url, "
                      f"and the URL rule's care page answers 404{seen}")


def no_care_summary(outcomes: Iterable[Any]) -> str | None:
    """The one summary line for a run's ``no-care`` outcomes (objects with ``id`` and ``status``), or
    None when there are none: "2 pages offer no 关怀版 (…): A, B"."""
    ids = list(dict.fromkeys(o.id for o in outcomes if o.status == NO_CARE))  # in the run's order
    if not ids:
        return None
    pages = "1 page offers" if len(ids) == 1 else f"{len(ids)} pages offer"
    return f"{pages} no 关怀版 ({LOOKED_FOR}, the URL rule's page answers 404): {', '.join(ids)}"

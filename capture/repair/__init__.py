"""``capture repair``: from "the layout changed" to "here is the fix", proposed and verified.

For each page and mode of the last check whose extraction no longer matches its golden:

- **search** the new capture's ``dom.html`` for the elements holding the golden's values;
- **propose** the smallest robust selector for each broken field, as an overlay addition tried before
  the package's selectors (so pages of the old layout keep reading as before);
- **verify** it: the new capture re-extracted with it gives the golden's title, time and source and
  its body (character F1 >= 0.99), and the golden's own page re-extracted with it reads as before;
- **report** it as a unified diff of the overlay with those figures.

The golden's own page is the stored bundle (``<snapshots>/captures/<id>/<mode>``, which ``capture
check`` leaves alone) when its extraction is the golden's; on the replica, else, the replica's page
served without drift. Without either, a proposal cannot be verified and is rejected.

Content is not layout: an edited paragraph, a value no element holds any more, or text inserted into a
body paragraph gets no selector; a block inserted into the body (an ad) gets a ``body_skip`` exclusion.

One small module per job; this package is the facade that re-exports the names callers import:

* :mod:`.model` — what a repair is (:class:`FieldRepair`, :class:`Verification`, :class:`PageRepair`),
  its overlay addition and diff;
* :mod:`.read` — a page read as a golden keeps it, and where the golden's values are in a new capture;
* :mod:`.search` — the elements holding a value, and the selectors built for them;
* :mod:`.propose` — one page and mode: propose a selector per broken field and verify it;
* :mod:`.run` — the last check's failing results repaired, and the report;
* :mod:`.site` — the tables a repair reads and proposes against.
"""

from __future__ import annotations

from .model import MIN_BODY_F1, FieldRepair, PageRepair, Verification, addition_of, overlay_diff
from .propose import FIELD_KEY, KEY_FIELDS, MAX_CANDIDATES, Case, propose, verify
from .read import differing, find_value, masked
from .run import (
    RepairRun,
    failure_note,
    read_extraction_golden,
    references,
    render_text,
    repair_bundle,
    repair_result,
    run_repair,
)

__all__ = ["FIELD_KEY", "KEY_FIELDS", "MAX_CANDIDATES", "MIN_BODY_F1", "Case", "FieldRepair", "PageRepair",
           "RepairRun", "Verification", "addition_of", "differing", "failure_note", "find_value", "masked",
           "overlay_diff", "propose", "read_extraction_golden", "references", "render_text", "repair_bundle",
           "repair_result", "run_repair", "verify"]

"""Accessibility figures of a capture (``a11y.json``) and the 关怀版 rules they are judged by.

* :func:`measure` / :func:`measure_sync` — run on a loaded page (async / sync Playwright page);
  axe-core runs on the 关怀版 always, on normal pages only when asked (``--a11y full``);
* :func:`golden_figures` — what a golden keeps of them (a normal page's axe result never);
* :func:`evaluate` — threshold checks; :func:`compare` — regressions against a golden;
* :func:`to_differences` — findings as ``capture.report.Difference`` rows.

The rules are one table: :data:`capture.sites.a11y_rules.RULES`.
"""

from __future__ import annotations

from .measure import A11Y_VERSION, AXE_SKIPPED, golden_figures, measure, measure_sync, to_json
from .rules import Finding, compare, evaluate, rules_for, to_differences

__all__ = ["A11Y_VERSION", "AXE_SKIPPED", "Finding", "compare", "evaluate", "golden_figures", "measure",
           "measure_sync", "rules_for", "to_differences", "to_json"]

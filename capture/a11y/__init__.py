"""Accessibility figures of a capture (``a11y.json``) and the 关怀版 rules they are judged by.

* :func:`measure` / :func:`measure_sync` — run on a loaded page (async / sync Playwright page);
* :func:`evaluate` — threshold checks; :func:`compare` — regressions against a golden;
* :func:`to_differences` — findings as ``capture.report.Difference`` rows.

The rules are one table: :data:`capture.sites.a11y_rules.RULES`.
"""

from __future__ import annotations

from .measure import A11Y_VERSION, measure, measure_sync, to_json
from .rules import Finding, compare, evaluate, rules_for, to_differences

__all__ = ["A11Y_VERSION", "Finding", "compare", "evaluate", "measure", "measure_sync", "rules_for",
           "to_differences", "to_json"]

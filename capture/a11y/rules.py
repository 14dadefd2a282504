"""Judge ``a11y.json`` figures against the rules table (:mod:`capture.sites.a11y_rules`).

* :func:`evaluate` — threshold checks on one capture;
* :func:`compare` — regressions of a new capture against its golden;
* :func:`to_differences` — findings as :class:`capture.report.Difference` rows for ``capture check``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..sites.a11y_rules import RULES, A11yRule

CARE_CLASS = "care-regression"
_MISSING = object()


@dataclass(frozen=True)
class Finding:
    rule: str  # rule id (the report's region)
    title: str
    mode: str
    kind: str  # "threshold" (evaluate) or "regression" (compare)
    metric: str
    golden: Any
    new: Any
    message: str  # "body font 20px → 14px (rule: extra-large type)"


def rules_for(mode: str) -> list[A11yRule]:
    return [r for r in RULES if mode in r.modes]


def value(result: dict[str, Any], metric: str) -> Any:
    """The figure at a dotted path; ``None`` when the page gave none (e.g. no body paragraphs)."""
    node: Any = result
    for part in metric.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _fmt(v: Any, unit: str = "") -> str:
    if v is None:
        return "not measured"
    if isinstance(v, float):
        return f"{v:g}{unit}"
    if isinstance(v, str):
        return f'"{v}"' if v else "none"
    return f"{v}{unit}"


def passes(rule: A11yRule, v: Any) -> bool:
    if rule.op == "nonempty":
        return bool(v)
    if rule.op == "no-new-ids":
        return True  # axe is judged against the golden only (see compare)
    if v is None:
        return False
    if rule.op == ">=":
        return v >= rule.threshold
    if rule.op == "<=":
        return v <= rule.threshold
    if rule.op == "==":
        return v == rule.threshold
    raise ValueError(f"a11y rule {rule.id}: unknown op {rule.op!r}")


def _detail(rule: A11yRule, result: dict[str, Any]) -> str:
    """A short pointer to what failed, where the measurement names it."""
    if rule.id in ("no-ads",):
        items = result.get("ads", {}).get("element_list", [])
    elif rule.id == "no-ad-requests":
        items = result.get("ads", {}).get("hosts", [])
    elif rule.id == "no-popups":
        items = [f"{o['element']} {o['position']} {o['width']}×{o['height']}" for o in result.get("overlays", {}).get("list", [])]
    elif rule.id == "no-inducement":
        items = result.get("inducements", {}).get("list", [])
    elif rule.id == "focus-visible":
        items = [s["element"] for s in result.get("keyboard", {}).get("stops", []) if s["indicator"] == "none"]
    elif rule.id == "image-alt":
        items = result.get("images", {}).get("missing_alt_list", [])
    else:
        items = []
    if not items:
        return ""
    more = f" +{len(items) - 3}" if len(items) > 3 else ""
    return f": {', '.join(map(str, items[:3]))}{more}"


def evaluate(result: dict[str, Any], mode: str) -> list[Finding]:
    """Threshold checks of one capture's figures; one finding per failing rule, in table order."""
    out = []
    for rule in rules_for(mode):
        v = value(result, rule.metric)
        if passes(rule, v):
            continue
        want = "set" if rule.op == "nonempty" else f"{rule.op} {_fmt(rule.threshold, rule.unit)}"
        out.append(Finding(rule.id, rule.title, mode, "threshold", rule.metric, None, v,
                           f"{rule.figure} {_fmt(v, rule.unit)}, want {want}{_detail(rule, result)} "
                           f"(rule: {rule.title})"))
    return out


def _axe_regressions(rule: A11yRule, golden: dict[str, Any], new: dict[str, Any], mode: str) -> list[Finding]:
    from .measure import AXE_SKIPPED

    if AXE_SKIPPED in (golden.get("axe"), new.get("axe")):
        return []  # a normal page measured without axe on one side: nothing to compare
    g = value(golden, rule.metric) or {}
    n = value(new, rule.metric) or {}
    out = []
    for rid in sorted(n):
        before = g.get(rid, {}).get("nodes", 0)
        after = n[rid].get("nodes", 0)
        if after > before:
            what = "new violation" if rid not in g else "more nodes"
            out.append(Finding(rule.id, rule.title, mode, "regression", f"{rule.metric}.{rid}", before, after,
                               f"axe {rid} ({n[rid].get('impact') or '?'}): {before} → {after} nodes, {what} "
                               f"— {n[rid].get('help', '')} (rule: {rule.title})"))
    return out


def compare(golden: dict[str, Any], new: dict[str, Any], mode: str) -> list[Finding]:
    """Regressions of ``new`` against ``golden``: type shrinks, an ad or pop-up appears, focus is lost,
    axe finds a new violation. A figure that moves the good way, or within the rule's tolerance, is fine."""
    out: list[Finding] = []
    for rule in rules_for(mode):
        if rule.regression == "no-new-ids":
            out.extend(_axe_regressions(rule, golden, new, mode))
            continue
        g, n = value(golden, rule.metric), value(new, rule.metric)
        if rule.regression == "keep-passing" or g is None or n is None:
            worse = passes(rule, g) and not passes(rule, n)
        elif rule.regression == "higher-better":
            worse = n < g - rule.tolerance
        elif rule.regression == "lower-better":
            worse = n > g + rule.tolerance
        else:
            raise ValueError(f"a11y rule {rule.id}: unknown regression {rule.regression!r}")
        if worse:
            out.append(Finding(rule.id, rule.title, mode, "regression", rule.metric, g, n,
                               f"{rule.figure} {_fmt(g, rule.unit)} → {_fmt(n, rule.unit)}{_detail(rule, new)} "
                               f"(rule: {rule.title})"))
    return out


def to_differences(findings: list[Finding], mode: str | None = None) -> list[Any]:
    """Findings as report rows: ``Difference("care-regression", <rule id>, <message>, fails)``.

    Care-mode findings fail the check. Normal-mode findings are informational: same class and region,
    ``fails=False`` and the reason prefixed "normal page (informational)".
    """
    from ..report import Difference

    rows = []
    for f in findings:
        care = (mode or f.mode) == "care"
        reason = f.message if care else f"normal page (informational): {f.message}"
        rows.append(Difference(cls=CARE_CLASS, region=f.rule, reason=reason, fails=care))
    return rows

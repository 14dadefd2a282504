"""The drift benchmark's floor (like trafilatura's eval gate): the quick run of
``benchmarks/drift_bench.py`` in process, its figures held at what the repair reaches.

Targets (issue 22): layout-break recall >= 0.99 at precision >= 0.99, 0 false alarms on churned
reloads, >= 95 % of extraction-breaking drifts repaired and verified, 0 wrong repairs. The repair
reaches all of them on every family, crumb→list included (a ``crumb_item`` field proposed by evidence:
the golden's crumb parts found as list items' texts), so the floor asserts every extraction-breaking
drift verified and the 95 % target. Seeds are fixed: the run is deterministic. Without the real samples
the pool is the replica's pages alone (the figures hold there too).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import drift_bench  # noqa: E402

pytestmark = pytest.mark.slow  # the drift benchmark's quick run: a quality floor, kept out of the unit tier


@pytest.fixture(scope="module")
def quick() -> tuple[list[drift_bench.Outcome], dict]:
    return drift_bench.run(per_family=6, reloads=20)


def test_layout_detection_floor(quick: tuple[list[drift_bench.Outcome], dict]) -> None:
    _outcomes, fig = quick
    precision, recall, _pred, actual = fig["classes"]["layout"]
    assert actual >= 30
    assert precision >= 0.99 and recall >= 0.99, fig["classes"]
    c_precision, c_recall, _p, _a = fig["classes"]["content"]
    assert c_precision >= 0.99 and c_recall >= 0.99, fig["classes"]


def test_no_false_alarm_on_churn(quick: tuple[list[drift_bench.Outcome], dict]) -> None:
    _outcomes, fig = quick
    assert fig["reloads"] == 20 and fig["false_alarms"] == 0


def test_no_wrong_repair_and_content_is_not_repaired(quick: tuple[list[drift_bench.Outcome], dict]) -> None:
    _outcomes, fig = quick
    assert fig["wrong"] == 0 and fig["content_repaired"] == 0


def test_repairs_verified_floor(quick: tuple[list[drift_bench.Outcome], dict]) -> None:
    outcomes, fig = quick
    breaking = [o for o in outcomes if o.truth == "layout" and o.breaking]
    # Every family is repaired and verified on every extraction-breaking drift, crumb→list included.
    assert {o.family for o in breaking} >= {"class-hash", "single-rename", "container-split", "crumb-list",
                                             "date-format"}, {o.family for o in breaking}
    assert breaking and all(o.verified for o in breaking), [(o.family, o.page, o.why) for o in breaking
                                                            if not o.verified]
    assert fig["verified"] / fig["breaking"] >= 0.95, fig

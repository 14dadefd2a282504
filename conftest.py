"""What the suite needs that is about this repository only.

Everything a user's own repository gets (options, the session capture, golden fixtures) is the
plugin in :mod:`capture.pytest_plugin`, registered with the ``pytest11`` entry point.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from capture.targets import Target
from capture.testing import care_unrecognised

SHARED = Path(__file__).resolve().parent.parent / "shared"


@pytest.fixture(scope="session")
def seed_target() -> Target:
    """The replica's seed page (the one that reproduces ../shared/seed) as a watched target."""
    from capture.replica import seed_page

    page = seed_page()
    return Target(page.id, page.live_url)


@pytest.fixture(scope="session")
def seed_text() -> str:
    seed = sorted((SHARED / "seed").glob("*.txt")) if (SHARED / "seed").is_dir() else []
    if not seed:
        pytest.skip(f"seed file absent: {SHARED / 'seed'} not found")
    return seed[0].read_text(encoding="utf-8")


#: Golden tests whose care cases cannot pass yet (branch-local, removed at merge): the replica's 关怀版
#: pages come in markups the extraction does not recognise until the lead's item 5 lands, so their views
#: cannot be made (the error is in the fixture, hence marked at collection, not in the test).
CARE_GOLDEN_TESTS = ("tests/test_goldens.py::",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if not item.nodeid.startswith(CARE_GOLDEN_TESTS):
            continue
        params = getattr(getattr(item, "callspec", None), "params", {})
        if params.get("page_mode", (None, ""))[1] == "care" or item.name == "test_care_page_carries_the_same_article":
            item.add_marker(care_unrecognised())

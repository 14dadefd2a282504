"""What the suite needs that is about this repository only.

Everything a user's own repository gets (options, the session capture, golden fixtures) is the
plugin in :mod:`capture.pytest_plugin`, registered with the ``pytest11`` entry point.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from capture.targets import Target

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

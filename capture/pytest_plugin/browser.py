"""The layer of the pytest plugin over pytest-playwright's and pytest-base-url's fixtures.

:mod:`capture.pytest_plugin` registers this module from ``pytest_configure``, i.e. after every
entry-point plugin, so these fixtures override those plugins' fixtures of the same names whatever order
the entry points load in (a fixture name resolves to the one registered last, which can ask for the
one before it). ``--headed``, ``--browser-channel``, ``--tracing`` and ``--output`` keep working.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .. import browser as capture_browser


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any], pytestconfig: pytest.Config) -> dict[str, Any]:
    """Our launch options under pytest-playwright's (``--headed``, ``--browser-channel`` still win)."""
    headed = browser_type_launch_args.get("headless") is False  # --headed needs the full browser
    ours = capture_browser.launch_args(capture_browser.BrowserSettings(headless=not headed))
    if not pytestconfig.getoption("--live"):  # offline: no name resolves but 127.0.0.1 (no DNS query)
        ours["args"] = [*ours["args"], capture_browser.NO_DNS_ARG]
    if browser_type_launch_args.get("channel"):
        ours.pop("executable_path", None)
    return {**ours, **browser_type_launch_args}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], pytestconfig: pytest.Config) -> dict[str, Any]:
    """The recorder's context options, the User-Agent included (``--user-agent`` and the watchlist's too)."""
    from .options import run_of

    run = run_of(pytestconfig)
    settings = capture_browser.BrowserSettings(user_agent=run.options.settings.user_agent)
    return {**browser_context_args, **capture_browser.context_args(settings, site=run.site)}


@pytest.fixture(scope="session")
def capture_chromium(playwright: Any, browser_type_launch_args: dict[str, Any]) -> Iterator[Any]:
    """One Chromium for the session, launched by pytest-playwright's ``playwright`` with our options.

    Not pytest-playwright's ``browser``: that one is parametrized by ``--browser``, which would put
    ``[chromium]`` into every test id (and golden name), and the harness captures with Chromium only.
    """
    chromium = playwright.chromium.launch(**browser_type_launch_args)
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def capture_context(capture_chromium: Any, browser_context_args: dict[str, Any],
                    request: pytest.FixtureRequest) -> Iterator[Any]:
    """A context on pytest-playwright's browser, configured exactly like the recorder's (fixed
    clock, seeded randomness, the host policy): one per test module, for tests that drive pages
    themselves. Offline, the session replica answers every host it knows (as ``--replica`` does), so a
    page loaded from it, or at its www.163.com URL, gets its stylesheets, scripts and images."""
    from ..hosts import HostPolicy

    ctx = capture_chromium.new_context(**browser_context_args)
    answers: tuple[tuple[str, str], ...] = ()
    if not request.config.getoption("--live"):
        from ..replica.hostnames import host_map

        answers = host_map(request.getfixturevalue("replica_server").base_url)
    capture_browser.prepare_context(ctx, policy=HostPolicy.build({"127.0.0.1"}, answers=answers))
    yield ctx
    ctx.close()


@pytest.fixture(scope="session")
def base_url(site_origin: str) -> str:
    """pytest-base-url's fixture, so ``page.goto('/dy/article/…')`` reaches the site under test."""
    return site_origin

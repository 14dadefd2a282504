"""Run by tests/test_browser.py in its own pytest process (pytest-playwright's session-wide sync
Playwright cannot share a process with the recorder's asyncio loop). Not collected by default."""

from capture import browser


def test_page_fixture_gets_our_options(page, base_url):
    resp = page.goto("/")
    assert resp is not None and resp.status == 200 and base_url.startswith("http://127.0.0.1:")
    assert page.evaluate("navigator.language") == "zh-CN"
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "Asia/Shanghai"
    assert page.viewport_size == browser.VIEWPORT

"""Readability-style cases: one folder per case under tests/cases/, ``page.html`` + ``expected.json``.

``expected.json`` holds the input (url, mode) and either the whole expected ``Article.to_dict()`` or the
expected error type and the words its one-line message must contain.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from capture import errors
from capture.extract import extract

CASES = Path(__file__).resolve().parent / "cases"
CASE_DIRS = sorted(p for p in CASES.iterdir() if (p / "page.html").is_file())


def test_every_generation_has_a_case() -> None:
    from capture.extract.care import CARE_GENERATION
    from capture.sites import default_site

    GENERATIONS = default_site().generations

    covered = set()
    for d in CASE_DIRS:
        article = json.loads((d / "expected.json").read_text(encoding="utf-8")).get("article")
        if article:
            covered.add(article["generation"])
    assert covered == {g.name for g in GENERATIONS} | {CARE_GENERATION.name}  # and the generic 关怀版


@pytest.mark.parametrize("case", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_case(case: Path) -> None:
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    page = (case / "page.html").read_bytes()
    inp = expected["input"]
    if "error" in expected:
        err_type = getattr(errors, expected["error"]["type"])
        with pytest.raises(err_type) as info:
            extract(page, url=inp["url"], mode=inp["mode"])
        message = str(info.value)
        assert "\n" not in message
        for word in expected["error"]["contains"]:
            assert word in message
    else:
        got = extract(page, url=inp["url"], mode=inp["mode"]).to_dict()
        assert got == expected["article"]
        assert list(got) == list(expected["article"])  # key order is part of the contract

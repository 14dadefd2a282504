"""Publish times at the precision the page gives, and what a missing required field says.

A 2019 dy.163.com/v2 page writes its date without a time; such a page must extract (with the date
alone, no invented time), and a required field that is really missing must say whether no element
matched or the element's text did not parse, and show that text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from capture.cli import main
from capture.errors import MissingField
from capture.extract import extract
from capture.fingerprint import skeleton
from capture.sites.netease import iso_time
from capture.volatile import mask_article

CASES = Path(__file__).resolve().parent / "cases"
DATE_ONLY = CASES / "dy_v2_date_only" / "page.html"


def page(name: str) -> str:
    return (CASES / name / "page.html").read_text(encoding="utf-8")


def unparsable() -> str:
    """The date-only case page with a date that has no day (a month is not a publish time)."""
    html = DATE_ONLY.read_text(encoding="utf-8")
    assert "<span>2019-05-17</span>" in html
    return html.replace("<span>2019-05-17</span>", "<span>2019年5月</span>")


def missing(html: str, url: str = "") -> MissingField:
    """The ``MissingField`` extracting ``html`` raises (the test fails if it extracts)."""
    with pytest.raises(MissingField) as info:
        extract(html, url=url)
    assert "\n" not in str(info.value)
    return info.value


@pytest.mark.parametrize(("text", "iso"), [
    ("2024-05-13 09:16:04　来源: 北青网", "2024-05-13T09:16:04+08:00"),
    ("2019-05-17", "2019-05-17"),
    ("2019/5/7", "2019-05-07"),
    ("2019年5月17日", "2019-05-17"),
    ("2019年5月17日 9:16", "2019-05-17T09:16:00+08:00"),
    ("2019年5月", None),
    ("2019-13-40", None),
    ("2019-05-17 25:61", None),
    ("来源: 北青网", None),
    ("", None),
])
def test_iso_time_keeps_the_precision_the_page_gives(text: str, iso: str | None) -> None:
    assert iso_time(text) == iso


def test_date_only_dy_v2_page_extracts_the_date_alone() -> None:
    a = extract(DATE_ONLY.read_bytes())
    assert (a.generation, a.published) == ("dy_v2", "2019-05-17")
    assert "published 2019-05-17 " in a.to_text()


def test_a_clock_time_from_a_later_selector_beats_a_date_alone() -> None:
    """post2020 reads html@data-publishtime first and .post_info second: a day-only attribute must
    not hide the time the info line gives."""
    html = page("post2020_dy_raw").replace('data-publishtime="2024-05-24 11:32:10"', 'data-publishtime="2024-05-24"')
    assert extract(html).published == "2024-05-24T11:32:10+08:00"
    both = html.replace("2024-05-24 11:32:10", "2024-05-24")
    assert "11:32" not in both
    assert extract(both).published == "2024-05-24"


def test_unparsable_time_shows_the_text_found() -> None:
    exc = missing(unparsable(), url="https://dy.163.com/v2/article/detail/X.html")
    msg = str(exc)
    assert exc.field == "published"
    assert msg.startswith("https://dy.163.com/v2/article/detail/X.html: dy_v2 page: required field 'published' ")
    assert "did not parse: selector p.time span found '2019年5月' (expected a date like 2019-05-17 or " \
           "2019-05-17 09:16:04)" in msg
    assert "absent" not in msg and "capture/sites/netease.toml" in msg


def test_unparsable_time_with_two_selectors_names_both() -> None:
    """Attribute present but empty, info line without a time: both were found, neither parsed."""
    html = page("post2020_dy_raw").replace("2024-05-24 11:32:10", "")
    msg = str(missing(html))
    assert "post2020_dy page: required field 'published' did not parse: " in msg
    assert "selector html[data-publishtime]@data-publishtime found ''" in msg
    assert "selector .post_info found '来源:" in msg


def test_long_found_text_is_shortened() -> None:
    long = "没有日期" * 30
    msg = str(missing(unparsable().replace("2019年5月", long)))
    assert long not in msg and f"found '{long[:39]}…'" in msg


def test_absent_time_says_no_element_matched() -> None:
    html = (page("post2020_dy_raw").replace(' data-publishtime="2024-05-24 11:32:10"', "")
            .replace('class="post_info"', 'class="post_meta_v9"'))
    exc = missing(html)
    msg = str(exc)
    assert exc.field == "published"
    assert ("post2020_dy page: required field 'published' is absent: no element matched "
            "html[data-publishtime]@data-publishtime | .post_info") in msg
    assert "did not parse" not in msg and "found" not in msg


def test_absent_and_empty_title_are_told_apart() -> None:
    html = DATE_ONLY.read_text(encoding="utf-8")
    absent = str(missing(html.replace("<h2>河边新开的早市，只写了日期的一篇旧文</h2>", "")))
    empty = str(missing(html.replace("河边新开的早市，只写了日期的一篇旧文", "")))
    assert "required field 'title' is absent: no element matched .article_title h2" in absent
    assert "required field 'title' did not parse: selector .article_title h2 found '' (expected some text)" in empty


def test_cli_extract_prints_the_date_of_a_date_only_page(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(DATE_ONLY)]) == 0
    out = capsys.readouterr().out
    assert '"published": "2019-05-17",' in out and '"generation": "dy_v2"' in out
    assert main(["extract", str(DATE_ONLY), "--format", "text"]) == 0
    assert "published 2019-05-17 " in capsys.readouterr().out


def test_cli_extract_names_the_file_when_a_field_does_not_parse(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "page.html"
    path.write_text(unparsable(), encoding="utf-8")
    assert main(["extract", str(path)]) == MissingField.exit_code
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"capture extract: error: {path}: dy_v2 page: required field 'published' did not parse")


def test_date_only_values_keep_their_shape_in_fingerprint_and_masking() -> None:
    """The skeleton's format probe reduces a date alone to its own shape (a change from a full time
    is a layout change), and masking leaves a date-only publish time alone (it is not volatile)."""
    html = page("post2020_dy_raw").replace('data-publishtime="2024-05-24 11:32:10"', 'data-publishtime="2024-05-24"')
    assert "format html@data-publishtime: 9999-99-99" in skeleton(html)["title-info"]
    data = extract(DATE_ONLY.read_bytes()).to_dict()
    assert mask_article(data)["published"] == "2019-05-17"

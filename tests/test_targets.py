"""Targets: URLs and ids from the command line become canonical watched articles."""

from __future__ import annotations

import pytest

from capture.errors import BadInput
from capture.targets import Target, parse_modes, resolve, target_for_url

DY = "https://www.163.com/dy/article/J22CN60P0514R9KQ.html"


@pytest.mark.parametrize("url", [DY, "https://www.163.com/dy/article/J22CN60P0514R9KQ_pdya11y.html"])
def test_article_and_care_urls_name_the_same_article(url):
    assert target_for_url(url) == Target("J22CN60P0514R9KQ", DY)


def test_a_replica_url_stands_for_the_live_article():
    t = target_for_url("http://127.0.0.1:8123/news/article/KC12OUHK000189FH_pa11y.html", base_url="http://127.0.0.1:8123")
    assert t.url == "https://www.163.com/news/article/KC12OUHK000189FH.html"
    assert t.at("http://127.0.0.1:9") == "http://127.0.0.1:9/news/article/KC12OUHK000189FH.html"
    assert t.care_url("http://127.0.0.1:9") == "http://127.0.0.1:9/news/article/KC12OUHK000189FH_pa11y.html"
    assert target_for_url(DY).care_url() == "https://www.163.com/dy/article/J22CN60P0514R9KQ_pdya11y.html"


def test_resolve_ids_urls_and_unknown_ids():
    watch = [Target("J22CN60P0514R9KQ", DY)]
    assert resolve([], watch) == watch
    assert resolve(["J22CN60P0514R9KQ"], watch) == watch
    with pytest.raises(BadInput, match=r"^unknown id 'AAAAAAAAAAAAAAAA': not in my.toml; pass its article URL"):
        resolve(["AAAAAAAAAAAAAAAA"], watch, known_as="my.toml")


def test_one_page_named_by_id_and_by_urls_is_one_target():
    """``capture record ID URL`` must not capture the same bundle twice at once."""
    care = DY.replace(".html", "_pdya11y.html")
    assert resolve(["J22CN60P0514R9KQ", DY, care], [Target("J22CN60P0514R9KQ", DY)]) == [Target("J22CN60P0514R9KQ", DY)]
    assert resolve([DY], []) == [Target("J22CN60P0514R9KQ", DY)], "a URL needs no watchlist"


@pytest.mark.parametrize("value", ["", "normal,desktop", "care;normal"])
def test_bad_modes(value):
    with pytest.raises(BadInput, match="--modes"):
        parse_modes(value)

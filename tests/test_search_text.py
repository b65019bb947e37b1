"""Search within an article: the server's fold (app/services/arabic.py fold_for_search / search_hits), with the
very cases the page's static/way/search-text.js is tested with in Node (tests/js/search-text.test.mjs)."""
import json
from pathlib import Path

import pytest

from app.services.arabic import fold_for_search, search_hits

CASES = json.loads((Path(__file__).parent / "support" / "search_cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("raw, folded", CASES["folds"])
def test_a_reviewers_search_folds_arabic_and_english_like_the_page(raw, folded):
    assert fold_for_search(raw)[0] == folded


@pytest.mark.parametrize("case", CASES["hits"], ids=lambda c: c["query"] or "blank")
def test_a_reviewers_search_finds_the_same_hits_as_the_page(case):
    assert [list(hit) for hit in search_hits(case["text"], case["query"])] == case["hits"]


def test_every_folded_character_maps_back_into_the_original():
    text = "الْقُرْآنِ  الكريم"
    folded, where = fold_for_search(text)
    assert len(where) == len(folded)
    assert all(0 <= i < len(text) for i in where)

"""User stories for the agreement figures of a double-annotated article (app.services.agreement).

A team cites these figures on a corpus card, so each is checked against the tool an NER or MT engineer
would use, run here in the test on data built here: seqeval (span F1, precision, recall over IOB2 tags
the test writes itself), sklearn's cohen_kappa_score (κ over the test's own token labels) and sacrebleu
(corpus_chrf, corpus_ter, sentence_chrf). Where seqeval cannot express a case (overlapping or duplicate
spans, a span inside a word, two different English texts) the expected figures are worked out by hand.
"""
from __future__ import annotations

import math
import warnings

import pytest
import sacrebleu
from hypothesis import given, settings
from hypothesis import strategies as st
from seqeval.metrics import f1_score, precision_score, recall_score
from seqeval.metrics.v1 import precision_recall_fscore_support, unique_labels
from seqeval.scheme import IOB2
from sklearn.metrics import cohen_kappa_score

from app.services import agreement
from app.services.agreement import Annotation, ParagraphPair, article_agreement, article_counts, project_agreement
from app.services.export.conll import word_spans, tokens
from tests.support.properties import DETERMINISTIC

PROPERTY = settings(DETERMINISTIC, max_examples=150, deadline=None)
LABELS = ["PER", "LOC", "ORG", "DATE"]
# Each word is one token of Mizan's tokeniser: Arabic words (proclitics kept), Arabic-Indic numbers.
ARABIC_WORDS = ["روسيا", "وتركمانستان", "فلاديمير", "بوتين", "موسكو", "الاتحاد", "الاقتصادي", "الأوراسي",
                "قال", "في", "١٠", "يونيو", "٢٠٢٢", "٢٨٫٢", "مليار", "والقاهرة", "بيردي", "محمدوف"]
ENGLISH_WORDS = ["Russia", "Turkmenistan", "Vladimir", "Putin", "Moscow", "Eurasian", "Economic", "Union",
                 "said", "in", "10", "June", "2022", "٢٠٢٢", "28.2", "billion", "al-Sisi", "Egypt's"]


def kappa_of(labels_a: list[str], labels_b: list[str]) -> float | None:
    """sklearn's κ, None where it is undefined (its nan, with the warning it gives then)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a single label: sklearn warns and answers nan
        value = cohen_kappa_score(labels_a, labels_b)
    return None if math.isnan(value) else float(value)


def seqeval_figures(tags_a: list[list[str]], tags_b: list[list[str]]) -> dict:
    """F1, precision, recall and per label F1 of b's tags against a's (a the truth), seqeval strict IOB2."""
    kwargs = {"mode": "strict", "scheme": IOB2, "zero_division": 0}
    _, _, f1s, _ = precision_recall_fscore_support(tags_a, tags_b, average=None, scheme=IOB2, zero_division=0)
    return {"f1": f1_score(tags_a, tags_b, **kwargs), "precision": precision_score(tags_a, tags_b, **kwargs),
            "recall": recall_score(tags_a, tags_b, **kwargs),
            "by_label": dict(zip(unique_labels(tags_a, tags_b, IOB2, False), f1s))}


def spans_of(words: list[str], tags: list[str]) -> list[tuple[int, int, str]]:
    """The test's own reading of IOB2 tags over words joined by single spaces: character spans."""
    starts, position = [], 0
    for word in words:
        starts.append(position)
        position += len(word) + 1
    spans: list[list] = []
    for index, tag in enumerate(tags):
        if tag.startswith("B-"):
            spans.append([starts[index], starts[index] + len(words[index]), tag[2:]])
        elif tag.startswith("I-"):
            spans[-1][1] = starts[index] + len(words[index])
    return [tuple(span) for span in spans]  # type: ignore[misc]


@st.composite
def iob2_tags(draw, length: int, like: list[str] | None = None) -> list[str]:
    """Valid IOB2 tags for `length` words; with `like`, mostly a copy of it (shifted, relabelled, missing)."""
    tags: list[str] = []
    for index in range(length):
        if like is not None and draw(st.integers(0, 9)) < 8:
            tag = like[index]
        else:
            tag = draw(st.sampled_from(["O", "O", "B", "I"]))
            label = draw(st.sampled_from(LABELS))
            tag = "O" if tag == "O" else f"{tag}-{label}"
        if tag.startswith("I-") and not (tags and tags[-1] != "O" and tags[-1][2:] == tag[2:]):
            tag = "B-" + tag[2:]  # an I- must continue an entity of its label
        tags.append(tag)
    return tags


@st.composite
def clean_articles(draw):
    """Paragraphs of whole words, each word one Mizan token, tagged by a and (similarly) by b on both sides;
    both English texts equal, so every span maps cleanly to tokens and seqeval can say the same thing."""
    paragraphs = []
    for number in range(draw(st.integers(1, 4))):
        ar_words = draw(st.lists(st.sampled_from(ARABIC_WORDS), max_size=12))
        en_words = draw(st.lists(st.sampled_from(ENGLISH_WORDS), max_size=12))
        layers = []
        tags = {}
        for who in "ab":
            ar_tags = draw(iob2_tags(len(ar_words), tags.get(("a", "ar"))))
            en_tags = draw(iob2_tags(len(en_words), tags.get(("a", "en"))))
            tags[who, "ar"], tags[who, "en"] = ar_tags, en_tags
            entities = [("ar", *span) for span in spans_of(ar_words, ar_tags)]
            entities += [("en", *span) for span in spans_of(en_words, en_tags)]
            layers.append(Annotation(" ".join(en_words), entities))
        paragraphs.append((ParagraphPair(number, " ".join(ar_words), *layers), ar_words, en_words, tags))
    return paragraphs


def token_label(tag: str) -> str:
    return "O" if tag == "O" else tag[2:]


@PROPERTY
@given(clean_articles())
def test_entity_figures_on_whole_word_spans_are_what_seqeval_and_sklearn_say(article):
    result = article_agreement(["amina", "rami"], [paragraph for paragraph, *_ in article])
    for side in ("ar", "en"):
        tags_a = [tags["a", side] for *_, tags in article]
        tags_b = [tags["b", side] for *_, tags in article]
        expected = seqeval_figures(tags_a, tags_b)
        figures = result["entities"][side]
        any_a, any_b = any(t != "O" for s in tags_a for t in s), any(t != "O" for s in tags_b for t in s)
        assert figures["f1"] == (pytest.approx(expected["f1"]) if any_a or any_b else None)
        assert figures["precision"] == (pytest.approx(expected["precision"]) if any_b else None)
        assert figures["recall"] == (pytest.approx(expected["recall"]) if any_a else None)
        assert {label: row["f1"] for label, row in figures["by_label"].items()} == pytest.approx(expected["by_label"])
        flat_a = [token_label(t) for s in tags_a for t in s]
        flat_b = [token_label(t) for s in tags_b for t in s]
        expected_kappa = kappa_of(flat_a, flat_b) if flat_a else None
        assert figures["kappa"] == (None if expected_kappa is None else pytest.approx(expected_kappa))


@PROPERTY
@given(clean_articles())
def test_agreement_is_the_same_whichever_annotator_is_the_reference(article):
    paragraphs = [paragraph for paragraph, *_ in article]
    swapped = [ParagraphPair(p.id, p.arabic, p.b, p.a) for p in paragraphs]
    forward, backward = article_agreement(["a", "b"], paragraphs), article_agreement(["b", "a"], swapped)
    for side in ("ar", "en"):
        one, other = forward["entities"][side], backward["entities"][side]
        assert one["f1"] == other["f1"] and one["kappa"] == pytest.approx(other["kappa"])
        assert (one["precision"], one["recall"]) == (other["recall"], other["precision"])
    assert [row["entities_f1"] for row in forward["paragraphs"]] == \
        [row["entities_f1"] for row in backward["paragraphs"]]


@PROPERTY
@given(clean_articles())
def test_two_identical_layers_agree_perfectly(article):
    paragraphs = [ParagraphPair(p.id, p.arabic, p.a, p.a) for p, *_ in article]
    result = article_agreement(["a", "a"], paragraphs)
    for side in ("ar", "en"):
        figures = result["entities"][side]
        if figures["by_label"]:
            assert figures["f1"] == figures["precision"] == figures["recall"] == 1.0
            assert all(row["f1"] == 1.0 and row["a"] == row["b"] == row["both"] for row in figures["by_label"].values())
        else:
            assert figures["f1"] is None and figures["kappa"] is None
        assert figures["kappa"] in (None, pytest.approx(1.0))
    translated = [p for p in paragraphs if p.a.english]
    assert result["translation"] == ({"chrf": 100.0, "ter": 0.0} if translated else {"chrf": None, "ter": None})


# --- cases seqeval cannot express, worked out by hand ---------------------------------------------------------

TURKMEN = "روسيا وتركمانستان تعملان"  # the entity تركمانستان sits inside the token وتركمانستان (offsets 7..17)


def test_an_entity_inside_a_word_counts_exactly_for_f1_and_covers_its_token_for_kappa():
    assert TURKMEN[7:17] == "تركمانستان" and TURKMEN[6:17] == "وتركمانستان"
    a = Annotation("", [("ar", 0, 5, "LOC"), ("ar", 7, 17, "LOC")])
    b = Annotation("", [("ar", 0, 5, "LOC"), ("ar", 6, 17, "LOC")])  # took the proclitic و in
    result = article_agreement(["a", "b"], [ParagraphPair(1, TURKMEN, a, b)])["entities"]["ar"]
    assert (result["f1"], result["precision"], result["recall"]) == (0.5, 0.5, 0.5)
    assert result["by_label"] == {"LOC": {"f1": 0.5, "a": 2, "b": 2, "both": 1}}
    # tokens روسيا وتركمانستان تعملان: both annotators label the first two LOC (partly covered counts)
    assert result["kappa"] == pytest.approx(kappa_of(["LOC", "LOC", "O"], ["LOC", "LOC", "O"]))


def test_overlapping_and_duplicate_spans_are_compared_exactly_and_kappa_takes_the_first_starting_one():
    text = "قال فلاديمير بوتين في موسكو"  # tokens at 0-3, 4-12, 13-18, 19-21, 22-27
    a = Annotation("", [("ar", 4, 18, "PER"), ("ar", 13, 27, "MISC"), ("ar", 4, 18, "PER"), ("ar", 22, 27, "LOC")])
    b = Annotation("", [("ar", 4, 18, "PER"), ("ar", 13, 18, "PER"), ("ar", 22, 27, "ORG")])
    result = article_agreement(["a", "b"], [ParagraphPair(1, text, a, b)])["entities"]["ar"]
    # a: PER 4-18 (its duplicate counts once), MISC 13-27, LOC 22-27; b: PER 4-18, PER 13-18, ORG 22-27
    assert result["precision"] == pytest.approx(1 / 3) and result["recall"] == pytest.approx(1 / 3)
    assert result["by_label"]["PER"] == {"f1": pytest.approx(2 / 3), "a": 1, "b": 2, "both": 1}
    assert result["by_label"]["MISC"]["f1"] == 0.0 and result["by_label"]["ORG"]["b"] == 1
    # κ's token labels: the entity starting first wins, so a's بوتين is PER (4-18 starts before 13-27) and
    # its موسكو MISC (13-27 starts before 22-27); b's بوتين is PER either way
    assert result["kappa"] == pytest.approx(kappa_of(["O", "PER", "PER", "MISC", "MISC"],
                                                     ["O", "PER", "PER", "O", "ORG"]))


def test_two_different_english_texts_compare_entities_by_their_words_and_label():
    a = Annotation("Putin met Berdimuhamedov in Moscow; Putin said",
                   [("en", 0, 5, "PER"), ("en", 10, 24, "PER"), ("en", 28, 34, "LOC"), ("en", 36, 41, "PER")])
    b = Annotation("In Moscow, Putin met Serdar Berdimuhamedov",
                   [("en", 3, 9, "LOC"), ("en", 11, 16, "PER"), ("en", 21, 42, "PER")])
    result = article_agreement(["a", "b"], [ParagraphPair(1, "", a, b)])["entities"]["en"]
    # Moscow/LOC and one Putin/PER agree; a's second Putin and the two renderings of the name do not
    assert result["by_label"] == {"LOC": {"f1": 1.0, "a": 1, "b": 1, "both": 1},
                                  "PER": {"f1": pytest.approx(0.4), "a": 3, "b": 2, "both": 1}}
    assert result["f1"] == pytest.approx(2 * 2 / 7)
    assert result["kappa"] is None  # no paragraph whose two English texts are the same


def test_links_agree_on_both_spans_or_on_the_arabic_span_and_the_english_words():
    text = "قال بوتين في موسكو"
    same = "Putin said in Moscow"
    a = Annotation(same, [], [((4, 9), (0, 5)), ((13, 18), (14, 20))])
    b = Annotation(same, [], [((4, 9), (0, 5)), ((13, 18), (0, 5))])
    assert article_agreement(["a", "b"], [ParagraphPair(1, text, a, b)])["links"]["f1"] == 0.5
    other = Annotation("In Moscow, Putin said", [], [((4, 9), (11, 16)), ((13, 18), (3, 9))])
    assert article_agreement(["a", "b"], [ParagraphPair(1, text, a, other)])["links"]["f1"] == 1.0


def test_empty_layers_give_null_figures_never_nan_or_an_error():
    empty = Annotation("")
    result = article_agreement(["a", "b"], [ParagraphPair(1, "قال بوتين", empty, empty)])
    for side in ("ar", "en"):
        assert result["entities"][side] == {"f1": None, "precision": None, "recall": None, "kappa": None,
                                            "by_label": {}}
    assert result["links"] == {"f1": None}
    assert result["translation"] == {"chrf": None, "ter": None}
    assert result["paragraphs"] == [{"id": 1, "entities_f1": None, "translation_chrf": None}]
    assert article_agreement(["a", "b"], [])["entities"]["ar"]["kappa"] is None
    only_a = Annotation("", [("ar", 4, 9, "PER")])
    figures = article_agreement(["a", "b"], [ParagraphPair(1, "قال بوتين", only_a, empty)])["entities"]["ar"]
    assert (figures["f1"], figures["precision"], figures["recall"], figures["kappa"]) == (0.0, None, 0.0, 0.0)


def test_an_entity_on_neither_side_is_refused_with_a_message():
    wrong = Annotation("", [("fr", 0, 3, "PER")])
    with pytest.raises(ValueError, match="'ar' or 'en', not 'fr'"):
        article_agreement(["a", "b"], [ParagraphPair(1, "قال", wrong, Annotation(""))])


def test_kappa_tokens_follow_mizans_tokeniser_with_punctuation_and_digits():
    text = "قال بوتين، إن ٢٨٫٢ مليار (روسيا)"
    assert tokens(text) == ["قال", "بوتين", "،", "إن", "٢٨٫٢", "مليار", "(", "روسيا", ")"]
    a = Annotation("", [("ar", 4, 9, "PER"), ("ar", 14, 24, "MONEY"), ("ar", 26, 31, "LOC")])
    b = Annotation("", [("ar", 4, 10, "PER"), ("ar", 14, 18, "MONEY"), ("ar", 25, 32, "LOC")])
    result = article_agreement(["a", "b"], [ParagraphPair(1, text, a, b)])["entities"]["ar"]
    assert result["f1"] == 0.0  # no span is exactly the same
    assert result["kappa"] == pytest.approx(kappa_of(
        ["O", "PER", "O", "O", "MONEY", "MONEY", "O", "LOC", "O"],
        ["O", "PER", "PER", "O", "MONEY", "O", "LOC", "LOC", "LOC"]))


def covering_label(spans: list[tuple[int, int]], index: int, entities: list[tuple[int, int, str]]) -> str:
    """The test's own reading of the documented rule: the entity starting first, longer, first label."""
    start, end = spans[index]
    covering = sorted((s, -e, label) for s, e, label in set(entities) if s < end and e > start)
    return covering[0][2] if covering else "O"


@st.composite
def tagged_text(draw):
    text = draw(st.text(st.sampled_from("وتركمانستان بوتين،.(٢٨٫٢) al-Sisi 28th \n\t\u00a0"), max_size=50))
    entities = []
    for _ in range(2):
        layer = []
        for _ in range(draw(st.integers(0, 4))):
            start = draw(st.integers(0, len(text)))
            end = draw(st.integers(start, len(text)))
            if end > start:
                layer.append((start, end, draw(st.sampled_from(LABELS[:3]))))
        entities.append(layer)
    return text, entities


@PROPERTY
@given(tagged_text())
def test_kappa_on_any_text_and_spans_is_sklearns_over_the_tokens_each_covers(case):
    text, (entities_a, entities_b) = case
    a = Annotation("", [("ar", *e) for e in entities_a])
    b = Annotation("", [("ar", *e) for e in entities_b])
    agreement.clear_caches()
    result = article_agreement(["a", "b"], [ParagraphPair(1, text, a, b)])["entities"]["ar"]
    spans = word_spans(text)
    expected = kappa_of([covering_label(spans, i, entities_a) for i in range(len(spans))],
                        [covering_label(spans, i, entities_b) for i in range(len(spans))]) if spans else None
    assert result["kappa"] == (None if expected is None else pytest.approx(expected))


# --- translation: sacrebleu ---------------------------------------------------------------------------------

ENGLISH_PAIRS = [
    ("Russia and Turkmenistan develop cooperation", "Russia and Turkmenistan are developing cooperation"),
    ("Putin met Berdimuhamedov on 10 June 2022 in Moscow.", "Putin met Berdimuhamedov in Moscow on ١٠ June ٢٠٢٢."),
    ("", "An English text only b wrote."),
    ("Only a translated this one.", ""),
    ("", "   "),  # both blank: left out of chrF and TER
    ("The same text.", "The same text."),
    ("Trade grew by 28.2 billion", "trade   grew by 28.2 Billion"),
]


def test_translation_figures_are_sacrebleus_chrf_and_ter_with_a_as_reference():
    paragraphs = [ParagraphPair(n, "نص", Annotation(a), Annotation(b)) for n, (a, b) in enumerate(ENGLISH_PAIRS)]
    result = article_agreement(["a", "b"], paragraphs)
    kept = [(a, b) for a, b in ENGLISH_PAIRS if a.split() or b.split()]
    references, hypotheses = [a for a, _ in kept], [b for _, b in kept]
    assert result["translation"]["chrf"] == pytest.approx(sacrebleu.corpus_chrf(hypotheses, [references]).score)
    assert result["translation"]["ter"] == pytest.approx(sacrebleu.corpus_ter(hypotheses, [references]).score)
    for row, (a, b) in zip(result["paragraphs"], ENGLISH_PAIRS):
        expected = sacrebleu.sentence_chrf(b, [a]).score if a.split() or b.split() else None
        assert row["translation_chrf"] == (None if expected is None else pytest.approx(expected))


def test_translation_statistics_stored_as_json_when_both_submitted_give_the_same_figures():
    import json

    paragraphs = [ParagraphPair(n, "نص", Annotation(a), Annotation(b)) for n, (a, b) in enumerate(ENGLISH_PAIRS)]
    stored = [ParagraphPair(p.id, p.arabic, p.a, p.b, json.loads(json.dumps(
        agreement.translation_statistics(p.a.english, p.b.english)))) for p in paragraphs]
    assert article_agreement(["a", "b"], stored) == article_agreement(["a", "b"], paragraphs)


TEXT = st.text(st.sampled_from("abc ABC-.,٠١٢ روسيا\u00a0"), max_size=60)


@PROPERTY
@given(st.lists(st.tuples(TEXT, TEXT).filter(lambda pair: pair[0].split() or pair[1].split()), min_size=1,
                max_size=4))
def test_chrf_and_ter_equal_sacrebleus_on_any_texts(pairs):
    paragraphs = [ParagraphPair(n, "", Annotation(a), Annotation(b)) for n, (a, b) in enumerate(pairs)]
    result = article_agreement(["a", "b"], paragraphs)
    references, hypotheses = [a for a, _ in pairs], [b for _, b in pairs]
    assert result["translation"]["chrf"] == pytest.approx(sacrebleu.corpus_chrf(hypotheses, [references]).score)
    assert result["translation"]["ter"] == pytest.approx(sacrebleu.corpus_ter(hypotheses, [references]).score)
    assert [row["translation_chrf"] for row in result["paragraphs"]] == \
        pytest.approx([sacrebleu.sentence_chrf(b, [a]).score for a, b in pairs])


# --- the project level ------------------------------------------------------------------------------------

def test_project_agreement_sums_the_counts_of_each_pair_over_its_articles():
    first = [ParagraphPair(1, TURKMEN, Annotation("Russia and Turkmenistan", [("ar", 0, 5, "LOC"), ("en", 0, 6, "LOC")]),
                           Annotation("Russia and Turkmenistan work", [("ar", 0, 5, "LOC"), ("ar", 7, 17, "LOC")]))]
    second = [ParagraphPair(2, "قال بوتين في موسكو",
                            Annotation("Putin said", [("ar", 4, 9, "PER"), ("ar", 13, 18, "LOC"), ("en", 0, 5, "PER")]),
                            Annotation("Putin said", [("ar", 4, 9, "PER"), ("en", 0, 5, "PER")]))]
    third = [ParagraphPair(3, "روسيا", Annotation("Russia", [("ar", 0, 5, "LOC")]), Annotation("Russia", []))]
    counts = [article_counts(article)[0] for article in (first, second, third)]
    result = project_agreement([(["amina", "rami"], counts[0]), (["amina", "rami"], counts[1]),
                                (["sara", "rami"], counts[2])])
    pair, other = result["pairs"]
    assert pair["annotators"] == ["amina", "rami"] and pair["articles"] == 2
    assert pair["entities"]["ar"]["by_label"] == {"LOC": {"f1": 0.5, "a": 2, "b": 2, "both": 1},
                                                  "PER": {"f1": 1.0, "a": 1, "b": 1, "both": 1}}
    # κ over the pooled tokens of both articles, micro-averaged
    assert pair["entities"]["ar"]["kappa"] == pytest.approx(kappa_of(
        ["LOC", "O", "O", "O", "PER", "O", "LOC"], ["LOC", "LOC", "O", "O", "PER", "O", "O"]))
    assert pair["entities"]["en"]["kappa"] == pytest.approx(kappa_of(["PER", "O"], ["PER", "O"]))
    hypotheses = ["Russia and Turkmenistan work", "Putin said"]
    references = ["Russia and Turkmenistan", "Putin said"]
    assert pair["translation"]["chrf"] == pytest.approx(sacrebleu.corpus_chrf(hypotheses, [references]).score)
    assert pair["translation"]["ter"] == pytest.approx(sacrebleu.corpus_ter(hypotheses, [references]).score)
    assert other["annotators"] == ["sara", "rami"] and other["entities"]["ar"]["recall"] == 0.0
    assert result["all"]["articles"] == 3
    assert result["all"]["entities"]["ar"]["by_label"]["LOC"] == {"f1": 0.4, "a": 3, "b": 2, "both": 1}


@PROPERTY
@given(clean_articles(), st.integers(0, 4))
def test_a_pair_over_several_articles_has_the_figures_of_all_their_paragraphs_together(article, cut):
    paragraphs = [paragraph for paragraph, *_ in article]
    parts = [article_counts(paragraphs[:cut])[0], article_counts(paragraphs[cut:])[0]]
    pair = project_agreement([(["amina", "rami"], counts) for counts in parts])["pairs"][0]
    whole = article_agreement(["amina", "rami"], paragraphs)
    assert pair["articles"] == 2
    assert {key: pair[key] for key in ("entities", "links", "translation")} == \
        {key: whole[key] for key in ("entities", "links", "translation")}


# --- the tokeniser's offsets ----------------------------------------------------------------------------------

@settings(DETERMINISTIC, max_examples=300)
@given(st.text(st.sampled_from("وفبلكال تركمانستانقاهرة٠١٢٫،.,-'a Z9%\u064e"), max_size=40), st.booleans())
def test_token_offsets_give_exactly_the_exports_tokens(text, split_clitics):
    assert [text[start:end] for start, end in word_spans(text, split_clitics)] == tokens(text, split_clitics)


def test_chrf_statistics_equal_sacrebleus_segment_statistics():
    chrf = sacrebleu.metrics.CHRF()
    for reference, hypothesis in ENGLISH_PAIRS:
        expected = chrf._extract_corpus_statistics([hypothesis], [[reference]])[0]
        assert list(agreement.chrf_statistics(hypothesis, reference)) == list(expected)

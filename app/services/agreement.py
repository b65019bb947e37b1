"""Inter-annotator agreement between two independent annotations of an article: pure, no Flask, no database.

The caller (the agreement API, the dashboard, the CLI) reads both layers and hands them here as plain
tuples; the definitions, which docs/architecture.md ("Agreement") states for a corpus card to cite, are:

Entities, per side (`ar`, `en`)
    An entity is (start, end, label), `str` offsets over the NFC text, end exclusive. Two entities agree
    when all three are equal (exact match; a shifted boundary or another label is a disagreement, a
    partial overlap earns nothing). a's entities are the reference: precision = both / b, recall =
    both / a, F1 = 2·both / (a + b), which is the same whichever annotator is the reference. Counts are
    summed over the paragraphs (micro-average) and per label (`by_label`: a, b, both, f1). An identical
    duplicate (Mizan refuses them) counts once. A figure whose denominator is 0 is null: F1 when neither
    annotated anything, precision when b annotated nothing, recall when a did not.
English spans
    Each annotator's English entities index THEIR OWN English text. Where the two texts of a paragraph
    are identical the spans are compared by offsets, as on the Arabic side; where they differ, offsets
    mean nothing across the texts, so an entity is its (surface text, label) and the two paragraph's
    entities are compared as multisets: the k-th "Putin"/PER of a matches the k-th of b, wherever each
    stands in its own text. That is what an NER engineer comparing two translations expects: the same
    name, tagged the same way, counts as agreement; a name only one of them tagged or labelled
    differently does not.
Cohen's κ, per side
    Over word tokens of Mizan's tokeniser (`export.conll.tokens`, the CoNLL export's tokens, clitics not
    split): every token of every paragraph gets one category per annotator, the label of the entity
    covering it or `O`. A token partly covered by an entity counts as covered (an entity on تركمانستان
    inside the token وتركمانستان labels that token). Under overlapping entities a token takes the label
    of the one starting first, the longer on a tie (the CoNLL export's choice), then the first label in
    alphabetical order. κ = (p_o − p_e) / (1 − p_e) over the pooled token pairs, p_e from each
    annotator's own category frequencies (sklearn's `cohen_kappa_score`). English κ is computed over the
    paragraphs whose two English texts are identical (elsewhere the tokens differ); null when there are
    none. κ is null with no token, or when p_e = 1 (a single category for both: nobody tagged anything).
Links
    A link is (Arabic span, English span). On identical English texts links agree on both spans' offsets;
    otherwise on the Arabic span and the English span's surface text (multisets, as for English
    entities). F1 = 2·both / (a + b), null without any link.
Translation
    sacrebleu 2.x with its defaults: chrF (CHRF(): character 6-grams, β = 2, white space ignored) and TER
    (TER(): case-insensitive, with shifts), b's English the hypothesis and a's the reference, on
    sacrebleu's 0–100 scale. `translation.chrf`/`ter` are corpus-level over the paragraphs where either
    English is not blank (sacrebleu's corpus_chrf / corpus_ter over them); `paragraphs[].translation_chrf`
    is sentence_chrf of that paragraph (null when both are blank). chrF's statistics are computed here from
    the two texts' common blocks (rapidfuzz), equal to sacrebleu's n-gram counts and fed to sacrebleu's own
    formula; TER is sacrebleu's, skipped for texts whose lower-cased words are equal (0 edits). Both are
    remembered per text pair in the process (`translation_statistics`): sacrebleu's TER with its shift search
    costs 2–10 ms for a paragraph of 50–100 words that differ, seconds for a long article. So a caller
    computes `translation_statistics` of each paragraph once, when both annotators have submitted, stores
    them and hands them back in `ParagraphPair.translation`; the rest takes milliseconds.
Per paragraph
    `entities_f1` pools both sides' entities of the paragraph.

`article_counts` gives the counts (mergeable with `+`), `figures` the figures of any sum of counts; the
project level (`project_agreement`) sums the counts of the articles of each annotator pair (micro-average:
κ over all their pooled tokens, chrF/TER over all their paragraphs).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Sequence

from .export.conll import TOKEN

SIDES = ("ar", "en")
OUTSIDE = "O"
CHRF_ORDER = 6  # sacrebleu's CHRF.CHAR_ORDER (word order 0)

Entity = tuple[str, int, int, str]  # (lang, start, end, label)
Span = tuple[int, int]
Link = tuple[Span, Span]  # ((ar_start, ar_end), (en_start, en_end))


@dataclass(frozen=True)
class Annotation:
    """One annotator's layer of one paragraph: their English and their entities and links."""

    english: str
    entities: Sequence[Entity] = ()
    links: Sequence[Link] = ()


TranslationStatistics = tuple[tuple[int, ...], tuple[float, float]]  # chrF's and TER's of one paragraph


@dataclass(frozen=True)
class ParagraphPair:
    """A paragraph's Arabic text (NFC) and the layers of annotators a and b.

    `translation`, when given, is `translation_statistics(a.english, b.english)` as the caller stored it
    for these two texts (computed once, when both submitted): TER is the costly part of the figures.
    """

    id: Any
    arabic: str
    a: Annotation
    b: Annotation
    translation: TranslationStatistics | None = None


@dataclass
class SideCounts:
    """Entity counts of one side: per label for a, b and both, and κ's token pairs."""

    a: Counter = field(default_factory=Counter)
    b: Counter = field(default_factory=Counter)
    both: Counter = field(default_factory=Counter)
    tokens: int = 0  # tokens counted for κ
    pairs: Counter = field(default_factory=Counter)  # (label of a, label of b) -> tokens, O/O left out

    def __add__(self, other: SideCounts) -> SideCounts:
        return SideCounts(self.a + other.a, self.b + other.b, self.both + other.both,
                          self.tokens + other.tokens, self.pairs + other.pairs)


@dataclass
class AgreementCounts:
    """Everything the figures are computed from; counts of several articles add up (micro-average)."""

    sides: dict[str, SideCounts] = field(default_factory=lambda: {side: SideCounts() for side in SIDES})
    links: tuple[int, int, int] = (0, 0, 0)  # a, b, both
    chrf: tuple[int, ...] = (0,) * (3 * CHRF_ORDER)  # sacrebleu's chrF statistics, summed over paragraphs
    ter: tuple[float, float] = (0.0, 0.0)  # edits, reference words
    translated: int = 0  # paragraphs in chrf/ter
    articles: int = 0

    def __add__(self, other: AgreementCounts) -> AgreementCounts:
        return AgreementCounts(
            {side: self.sides[side] + other.sides[side] for side in SIDES},
            _add(self.links, other.links), _add(self.chrf, other.chrf), _add(self.ter, other.ter),
            self.translated + other.translated, self.articles + other.articles)


def _add(x: tuple, y: tuple) -> tuple:
    return tuple(p + q for p, q in zip(x, y))


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _f1(a: int, b: int, both: int) -> float | None:
    return _ratio(2 * both, a + b)


# --- entities ---------------------------------------------------------------------------------------------

class _Tally:
    """One side's counts while an article is read: plain lists, counted once at the end (`counts`)."""

    __slots__ = ("a", "b", "both", "pairs", "tokens")

    def __init__(self) -> None:
        self.a: list[str] = []  # the label of each of a's entities
        self.b: list[str] = []
        self.both: list[str] = []
        self.pairs: list[tuple[str, str]] = []  # κ's token pairs where either is not O
        self.tokens = 0

    def counts(self) -> SideCounts:
        return SideCounts(Counter(self.a), Counter(self.b), Counter(self.both), self.tokens, Counter(self.pairs))


def _compare(tally: _Tally, spans_a: list, spans_b: list, text_a: str, text_b: str,
             by_offsets: bool) -> tuple[int, int, int]:
    """Count one paragraph's entities of one side; (a, b, both)."""
    set_a, set_b = set(spans_a), set(spans_b)  # an identical duplicate counts once
    tally.a += [label for _, _, label in set_a]
    tally.b += [label for _, _, label in set_b]
    if by_offsets:
        both = [label for _, _, label in set_a & set_b]
    else:  # (surface, label) multisets: the k-th "Putin"/PER of a matches the k-th of b
        keys_a = Counter((text_a[start:end], label) for start, end, label in set_a)
        keys_b = Counter((text_b[start:end], label) for start, end, label in set_b)
        both = [label for _, label in (keys_a & keys_b).elements()]
    tally.both += both
    return len(set_a), len(set_b), len(both)


@lru_cache(maxsize=8192)
def _token_count(text: str) -> int:
    """How many tokens `text` has (export.conll.tokens), remembered per text."""
    return TOKEN.subn("", text)[1]


def _token_labels(text: str, entities: Iterable[tuple[int, int, str]]) -> dict[int, str]:
    """Token (by its start offset) -> label of the entity covering it (partly is enough); the others are O.

    A token never holds white space and the tokeniser starts afresh after any, so the tokens an entity
    covers are those of the stretch between the spaces around it, tokenised on their own.
    """
    labels: dict[int, str] = {}
    length = len(text)
    # Lowest priority first, so that the entity starting first (longer, then first label) is written last.
    for start, end, label in sorted(set(entities), key=lambda e: (e[0], -e[1], e[2]), reverse=True):
        left = text.rfind(" ", 0, max(start, 0)) + 1  # just after a space (or 0): a token starts there
        right = text.find(" ", max(end, 0))  # a space (or the end): a token ends there
        for match in TOKEN.finditer(text, left, length if right < 0 else right):
            if match.end() > start and match.start() < end:
                labels[match.start()] = label
    return labels


def _kappa_pairs(tally: _Tally, text: str, entities_a: list, entities_b: list) -> None:
    tally.tokens += _token_count(text)
    if not entities_a and not entities_b:
        return
    labels_a = _token_labels(text, entities_a)
    labels_b = _token_labels(text, entities_b)
    if labels_a == labels_b:
        tally.pairs += [(label, label) for label in labels_a.values()]
    else:
        tally.pairs += [(labels_a.get(token, OUTSIDE), labels_b.get(token, OUTSIDE))
                        for token in labels_a.keys() | labels_b.keys()]


def kappa(side: SideCounts) -> float | None:
    """Cohen's κ of the pooled token pairs; None without tokens or with one category only (p_e = 1)."""
    n = side.tokens
    if not n:
        return None
    rows: Counter = Counter()
    columns: Counter = Counter()
    agreed = n - sum(side.pairs.values())  # the O/O tokens
    rows[OUTSIDE] = columns[OUTSIDE] = agreed
    for (label_a, label_b), count in side.pairs.items():
        rows[label_a] += count
        columns[label_b] += count
        if label_a == label_b:
            agreed += count
    observed = agreed / n
    expected = sum(rows[label] * columns[label] for label in rows) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


# --- translation ------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _metrics():
    from sacrebleu.metrics import CHRF, TER  # imported on first use, as effort.py does

    return CHRF(), TER()


def _outside(text: str, blocks: list[tuple[int, int]], n: int) -> Counter:
    """The n-grams of `text` not inside one of the (start, size) blocks."""
    positions: list[int] = []
    position = 0
    for start, size in blocks:
        if size >= n:
            positions.extend(range(position, start))
            position = start + size - n + 1
    positions.extend(range(position, len(text) - n + 1))
    return Counter([text[i:i + n] for i in positions])


def chrf_statistics(hypothesis: str, reference: str) -> tuple[int, ...]:
    """sacrebleu CHRF()'s segment statistics ([hyp, ref, match] per character order), computed faster.

    The n-grams inside a block the two texts share (rapidfuzz's LCS blocks, white space removed) match each
    other, so only those crossing a block's edge or outside the blocks are counted one by one:
    min(c + x, c + y) = c + min(x, y) for the shared count c. An identical pair costs one comparison.
    """
    from rapidfuzz.distance import Indel

    hyp, ref = "".join(hypothesis.split()), "".join(reference.split())
    if hyp == ref:
        blocks = [(0, 0, len(hyp))]
    else:
        blocks = [(m.a, m.b, m.size) for m in Indel.opcodes(hyp, ref).as_matching_blocks() if m.size]
    stats: list[int] = []
    for n in range(1, CHRF_ORDER + 1):
        n_hyp, n_ref = max(0, len(hyp) - n + 1), max(0, len(ref) - n + 1)
        shared = sum(size - n + 1 for _, _, size in blocks if size >= n)
        extra = 0
        if shared < n_hyp and shared < n_ref:  # both have n-grams outside the blocks
            outside_hyp = _outside(hyp, [(start, size) for start, _, size in blocks], n)
            outside_ref = _outside(ref, [(start, size) for _, start, size in blocks], n)
            extra = sum((outside_hyp & outside_ref).values())
        # sacrebleu counts no hypothesis n-gram of an order the reference has none of
        stats += [n_hyp if n_ref else 0, n_ref, shared + extra]
    return tuple(stats)


@lru_cache(maxsize=20_000)
def _ter_statistics(hypothesis: str, reference: str) -> tuple[float, float]:
    """sacrebleu TER()'s segment statistics (edits, reference words); no search for equal word sequences."""
    words = reference.lower().split()
    if hypothesis.lower().split() == words:
        return 0.0, float(len(words))
    _, ter = _metrics()
    edits, length = ter._compute_segment_statistics(ter._preprocess_segment(hypothesis),
                                                    ter._extract_reference_info([reference]))
    return float(edits), float(length)


@lru_cache(maxsize=20_000)
def translation_statistics(reference: str, hypothesis: str) -> TranslationStatistics:
    """chrF's and TER's statistics of one paragraph: b's English (hypothesis) against a's (reference);
    remembered per text pair in the process."""
    return chrf_statistics(hypothesis, reference), _ter_statistics(hypothesis, reference)


def clear_caches() -> None:
    """Forget the remembered translation statistics and token counts (a benchmark's cold start)."""
    translation_statistics.cache_clear()
    _ter_statistics.cache_clear()
    _token_count.cache_clear()


def chrf_score(stats: Sequence[int]) -> float:
    """sacrebleu's chrF (0–100) of summed statistics."""
    chrf, _ = _metrics()
    return float(chrf._compute_f_score(list(stats)))


def ter_score(stats: Sequence[float]) -> float:
    """sacrebleu's TER (0–100) of summed (edits, reference words)."""
    _, ter = _metrics()
    return float(ter._compute_score_from_stats(list(stats)).score)


# --- articles and projects --------------------------------------------------------------------------------

def _split(layer: Annotation) -> tuple[list[tuple[int, int, str]], list[tuple[int, int, str]]]:
    ar: list[tuple[int, int, str]] = []
    en: list[tuple[int, int, str]] = []
    for lang, start, end, label in layer.entities:
        if lang == "ar":
            ar.append((start, end, label))
        elif lang == "en":
            en.append((start, end, label))
        else:
            raise ValueError(f"An entity is on the side 'ar' or 'en', not {lang!r}.")
    return ar, en


def _link_keys(links: Sequence[Link], english: str, by_offsets: bool) -> Counter:
    spans = {((ar[0], ar[1]), (en[0], en[1])) for ar, en in links}  # lists (JSON) as well as tuples
    if by_offsets:
        return Counter(spans)
    return Counter((ar, english[en[0]:en[1]]) for ar, en in spans)


def _blank(text: str) -> bool:
    return not text or text.isspace()


def _paragraph(paragraph: ParagraphPair, tallies: dict[str, _Tally], counts: AgreementCounts) -> dict:
    """Tally one paragraph; return its row of `paragraphs`."""
    a, b = paragraph.a, paragraph.b
    ar_a, en_a = _split(a)
    ar_b, en_b = _split(b)
    same_english = a.english == b.english
    found_ar = _compare(tallies["ar"], ar_a, ar_b, paragraph.arabic, paragraph.arabic, True)
    _kappa_pairs(tallies["ar"], paragraph.arabic, ar_a, ar_b)
    found_en = _compare(tallies["en"], en_a, en_b, a.english, b.english, same_english)
    if same_english:
        _kappa_pairs(tallies["en"], a.english, en_a, en_b)
    if a.links or b.links:
        links_a = _link_keys(a.links, a.english, same_english)
        links_b = _link_keys(b.links, b.english, same_english)
        counts.links = _add(counts.links, (sum(links_a.values()), sum(links_b.values()),
                                           sum((links_a & links_b).values())))
    chrf = None
    if not (_blank(a.english) and _blank(b.english)):
        stats, ter = paragraph.translation or translation_statistics(a.english, b.english)
        counts.chrf = _add(counts.chrf, stats)
        counts.ter = _add(counts.ter, ter)
        counts.translated += 1
        chrf = chrf_score(stats)
    entities_f1 = _f1(found_ar[0] + found_en[0], found_ar[1] + found_en[1], found_ar[2] + found_en[2])
    return {"id": paragraph.id, "entities_f1": entities_f1, "translation_chrf": chrf}


def article_counts(paragraphs: Iterable[ParagraphPair]) -> tuple[AgreementCounts, list[dict]]:
    """The counts of one article, and its `paragraphs` rows."""
    counts = AgreementCounts(articles=1)
    tallies = {side: _Tally() for side in SIDES}
    rows = [_paragraph(paragraph, tallies, counts) for paragraph in paragraphs]
    counts.sides = {side: tally.counts() for side, tally in tallies.items()}
    return counts, rows


def _side_figures(side: SideCounts) -> dict:
    a, b, both = sum(side.a.values()), sum(side.b.values()), sum(side.both.values())
    return {
        "f1": _f1(a, b, both),
        "precision": _ratio(both, b),
        "recall": _ratio(both, a),
        "kappa": kappa(side),
        "by_label": {label: {"f1": _f1(side.a[label], side.b[label], side.both[label]),
                             "a": side.a[label], "b": side.b[label], "both": side.both[label]}
                     for label in sorted(side.a.keys() | side.b.keys())},
    }


def figures(counts: AgreementCounts) -> dict:
    """The figures of `counts` (one article's or a sum): entities, links and translation."""
    return {
        "entities": {side: _side_figures(counts.sides[side]) for side in SIDES},
        "links": {"f1": _f1(*counts.links)},
        "translation": {"chrf": chrf_score(counts.chrf) if counts.translated else None,
                        "ter": ter_score(counts.ter) if counts.translated else None},
    }


def article_agreement(annotators: Sequence[str], paragraphs: Iterable[ParagraphPair]) -> dict:
    """`GET /api/v1/articles/<id>/agreement`'s answer for the layers of annotators (a, b)."""
    counts, rows = article_counts(paragraphs)
    return {"annotators": list(annotators), **figures(counts), "paragraphs": rows}


def project_agreement(articles: Iterable[tuple[Sequence[str], AgreementCounts]]) -> dict:
    """Agreement per annotator pair and over all, from each double-annotated article's (annotators, counts).

    A pair is ordered as given (a is the reference of precision, recall, chrF and TER); its counts are the
    sums over its articles (micro-average), and `by_label` under each side gives the figures per label.
    """
    by_pair: dict[tuple[str, ...], AgreementCounts] = {}
    total = AgreementCounts()
    for annotators, counts in articles:
        key = tuple(annotators)
        by_pair[key] = by_pair.get(key, AgreementCounts()) + counts
        total = total + counts
    return {
        "pairs": [{"annotators": list(key), "articles": counts.articles, **figures(counts)}
                  for key, counts in sorted(by_pair.items())],
        "all": {"articles": total.articles, **figures(total)},
    }

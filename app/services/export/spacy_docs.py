"""spaCy documents of the corpus: a DocBin per language, from the JSONL records (docs/exports.md, spaCy DocBin).

Each paragraph is one `Doc` built from the tokens of `conll.token_spans`, the
CoNLL export's tokenisation: every entity boundary is a token boundary, and a
word form is cut the same way wherever it occurs (`conll.WordCuts`, collected
from every record given before the first Doc is built). White space is kept:
a single space after a token is its `whitespace_`, any other run of white space
(two spaces, a line break, a no-break space) is a token of its own, as spaCy's
own tokenizer makes it, so `doc.text` is the record's text exactly and entity
offsets are the JSONL offsets.

Entities: `doc.ents` holds the entities IOB2 can show (of overlapping ones the
earliest, the longer on a tie: `conll.non_overlapping`, as in CoNLL); the span
group `doc.spans["mizan"]` holds every entity, overlapping or not, each with its
Mizan entity id as `span.id_`. `doc.user_data` holds the paragraph id, article
id, position and kind. No spaCy model is needed: `spacy.blank(lang)`'s vocab.
"""
from __future__ import annotations

import functools
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterable, Iterator

from .. import ServiceError
from .conll import WordCuts, non_overlapping, token_spans

SPAN_GROUP = "mizan"  # doc.spans[SPAN_GROUP]: every entity, overlapping ones included
LANGS = ("ar", "en")


@dataclass
class DocCounts:
    """What `docbin_bytes` wrote, for a release's manifest."""

    docs: int = 0
    tokens: int = 0
    entities: int = 0  # every entity, all in doc.spans["mizan"]
    ents: int = 0  # in doc.ents
    overlapping: int = 0  # only in doc.spans["mizan"]: they overlap an entity of doc.ents

    def add(self, other: DocCounts) -> None:
        self.docs += other.docs
        self.tokens += other.tokens
        self.entities += other.entities
        self.ents += other.ents
        self.overlapping += other.overlapping


class SpacyNotInstalled(ServiceError):
    """This Python has no spaCy: a web-tier install (requirements/web.txt; spaCy comes with requirements/app.txt)."""


@functools.lru_cache(maxsize=2)
def _blank(lang: str):
    try:
        import spacy  # a second to import: only exports that write spaCy documents pay it
    except ImportError:
        raise SpacyNotInstalled("spaCy documents need spaCy, which this install lacks: install "
                                "requirements/app.txt (or spacy itself).") from None
    return spacy.blank(lang)


def words_and_spaces(text: str, spans: list[tuple[int, int]]) -> tuple[list[str], list[bool]]:
    """spaCy's `words` and `spaces` for `text` cut into `spans`: the text between two tokens is a single space
    (the first token's `spaces` True), nothing, or white space of other kinds, which becomes a token itself."""
    words: list[str] = []
    spaces: list[bool] = []
    done = 0
    for start, end in [*spans, (len(text), len(text))]:
        gap = text[done:start]
        if gap:
            if words and gap[0] == " " and not spaces[-1]:
                spaces[-1] = True
                gap = gap[1:]
            if gap:
                words.append(gap)
                spaces.append(False)
        if end > start:
            words.append(text[start:end])
            spaces.append(False)
        done = end
    return words, spaces


def make_doc(vocab, record: dict, lang: str, cuts: WordCuts | None = None, counts: DocCounts | None = None):
    """The `Doc` of one record's `lang` side (see the module's docstring)."""
    from spacy.tokens import Doc

    text, entities = record[lang], record["entities"][lang]
    words, spaces = words_and_spaces(text, token_spans(text, entities, cuts))
    doc = Doc(vocab, words=words, spaces=spaces)
    if doc.text != text:  # cannot happen: the words are the text cut in pieces
        raise RuntimeError(f"paragraph {record['paragraph_id']}: the tokens do not rebuild its text")
    spans = []
    for entity in entities:
        span = doc.char_span(entity["start"], entity["end"], label=entity["label"], span_id=str(entity["id"]))
        if span is None:  # cannot happen: token_spans cut at every entity boundary, none is white space
            raise RuntimeError(f"paragraph {record['paragraph_id']}: entity {entity['id']} is not on tokens")
        spans.append(span)
    kept, _ = non_overlapping([{"start": s.start, "end": s.end, "span": s} for s in spans])
    doc.ents = [entity["span"] for entity in kept]
    doc.spans[SPAN_GROUP] = spans
    doc.user_data.update({
        "paragraph_id": record["paragraph_id"], "article_id": record["article_id"],
        "position": record["position"], "kind": record["kind"],
    })
    if counts is not None:
        counts.docs += 1
        counts.tokens += len(doc)
        counts.entities += len(spans)
        counts.ents += len(kept)
        counts.overlapping += len(spans) - len(kept)
    return doc


@contextmanager
def _msgpack_encoders_read_once() -> Iterator[None]:
    """srsly, spaCy's serialiser, looks its msgpack encoders up anew for every object it packs (three per Doc in
    `DocBin.add`: the user data and the span groups), scanning the installed packages' entry points and spaCy's
    whole registry each time: about 2.5 ms a Doc, nearly all of a DocBin's time. They cannot change while one
    DocBin is built, so they are read once and handed out (the same encoders, so the same bytes). Another thread
    meanwhile gets the same encoders; a nested or concurrent build just ends the shortcut early."""
    from srsly.msgpack import msgpack_encoders

    encoders = msgpack_encoders.get_all()
    msgpack_encoders.get_all = lambda: encoders  # an instance attribute, in front of the method
    try:
        yield
    finally:
        vars(msgpack_encoders).pop("get_all", None)


def docbin_bytes(records: Iterable[dict], lang: str, *, cuts: WordCuts | None = None,
                 counts: DocCounts | None = None) -> bytes:
    """A spaCy DocBin (`DocBin(store_user_data=True).to_bytes()`) of the `lang` side ("ar" or "en") of the JSONL
    records, one Doc per record in their order. The word cuts are collected from these records unless `cuts`
    is given (a release collects them once over all its splits, so a form is cut alike in train, dev and
    test). The same records give the same bytes. Load with
    `DocBin().from_bytes(data).get_docs(spacy.blank(lang).vocab)`."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}.")
    vocab = _blank(lang).vocab  # SpacyNotInstalled before anything is read
    from spacy.tokens import DocBin

    records = list(records)  # read twice: the cuts of every record first
    if cuts is None:
        cuts = WordCuts().learn_records(records, lang)
    docbin = DocBin(store_user_data=True)
    with _msgpack_encoders_read_once():
        for record in records:
            docbin.add(make_doc(vocab, record, lang, cuts, counts))
    return docbin.to_bytes()

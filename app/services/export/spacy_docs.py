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

How the bytes are written (`DocBinWriter`): no spaCy `Doc` is built. A DocBin
is a zlib-deflated msgpack map (spaCy's `spacy/tokens/_serialize.py`,
`DocBin.to_bytes`) holding a uint64 array with a row per token and a column per
attribute of `ATTRS` (ORTH, ENT_IOB, ENT_TYPE, ENT_ID: strings as spaCy's string
hashes, `spacy.strings.get_string_id`), the tokens' spaces, the documents'
lengths, the sorted strings the hashes stand for (with the words' norms, as
spaCy keeps them), and per document its cats, flags, span groups
(`SpanGroups.to_bytes`) and user data. These are written from the cut tokens
directly, a chunk of records at a time (`add`), each distinct string hashed
once; until `close` a token takes 5 bytes (the index of its string, its space),
and the rows are made a block at a time as the map is deflated. The msgpack is
byte for byte what spaCy's own `DocBin(attrs=ATTRS, store_user_data=True)`
writes for the Docs `make_doc` builds (tests/test_spacy_docs.py); the deflate
level is `LEVEL`, faster than `DocBin.to_bytes`'s default (`DocBin.from_bytes`
reads any). spaCy's other token attributes (tag, lemma, head, ...) are unset
in these documents: a DocBin without them loads them unset, and a token's norm
is its lexeme's, as in spaCy's own.
"""
from __future__ import annotations

import functools
import struct
import zlib
from bisect import bisect_left
from dataclasses import dataclass
from itertools import islice
from typing import Callable, Iterable, Iterator

from .. import ServiceError
from .conll import WordCuts, cuts_at, non_overlapping, token_spans, words_gaps_starts

SPAN_GROUP = "mizan"  # doc.spans[SPAN_GROUP]: every entity, overlapping ones included
LANGS = ("ar", "en")
# The token attributes a DocBin holds, spaCy's attribute ids (spacy.attrs): ORTH first, as DocBin keeps it.
ORTH, ENT_IOB, ENT_TYPE, ENT_ID = 65, 77, 78, 454
ATTRS = (ORTH, ENT_IOB, ENT_TYPE, ENT_ID)
_IOB_I, _IOB_O, _IOB_B = 1, 2, 3  # spaCy's ENT_IOB values (Token.iob_strings: "", "I", "O", "B")
LEVEL = 1  # zlib level of the DocBin's bytes: half the time of level 6 (the default), a tenth larger
VERSION = "0.1"  # DocBin's format version
_SPAN = struct.Struct(">QQQllll")  # a span of a SpanGroup: id, kb_id, label, start, end, start_char, end_char
_BLOCK = 1 << 16  # tokens whose rows are made and deflated at a time
CHUNK = 1000  # records a DocBinWriter takes at a time in docbin_bytes


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


def _pieces(text: str, spans: list[tuple[int, int]]) -> tuple[list[str], list[bool], list[int]]:
    """`words_and_spaces`, and where each word starts in `text`."""
    words: list[str] = []
    spaces: list[bool] = []
    starts: list[int] = []
    done = 0
    for start, end in [*spans, (len(text), len(text))]:
        if done < start:
            gap_start = done
            if words and text[done] == " " and not spaces[-1]:
                spaces[-1] = True
                gap_start += 1
            if gap_start < start:
                words.append(text[gap_start:start])
                spaces.append(False)
                starts.append(gap_start)
        if end > start:
            words.append(text[start:end])
            spaces.append(False)
            starts.append(start)
        done = end
    return words, spaces, starts


_PLAIN_GAPS = frozenset(("", " "))


def _doc_tokens(text: str, entities: list[dict], cuts: WordCuts | None) -> tuple[list[str], list[bool], list[int]]:
    """`_pieces(text, token_spans(text, entities, cuts))`, found without a Python loop over the tokens when the
    text has no white space but single spaces between words (most paragraphs): the words cut where
    `token_spans` cuts them, the pieces of a word without spaces between them."""
    words, gaps, starts = words_gaps_starts(text)
    if not words or gaps[0] or not _PLAIN_GAPS.issuperset(gaps):
        return _pieces(text, token_spans(text, entities, cuts))  # white space tokens: token by token
    spaces = list(map(" ".__eq__, gaps[1:]))
    at = cuts_at(words, starts, entities, cuts)
    if not at:
        return words, spaces, starts
    cut_words: list[str] = []
    cut_spaces: list[bool] = []
    cut_starts: list[int] = []
    done = 0  # words copied
    for index in sorted(at):
        cut_words += words[done:index]
        cut_spaces += spaces[done:index]
        cut_starts += starts[done:index]
        word, start, offset = words[index], starts[index], 0
        for cut in sorted(at[index]):
            if 0 < cut < len(word):
                cut_words.append(word[offset:cut])
                cut_spaces.append(False)
                cut_starts.append(start + offset)
                offset = cut
        cut_words.append(word[offset:])
        cut_spaces.append(spaces[index])
        cut_starts.append(start + offset)
        done = index + 1
    cut_words += words[done:]
    cut_spaces += spaces[done:]
    cut_starts += starts[done:]
    return cut_words, cut_spaces, cut_starts


def words_and_spaces(text: str, spans: list[tuple[int, int]]) -> tuple[list[str], list[bool]]:
    """spaCy's `words` and `spaces` for `text` cut into `spans`: the text between two tokens is a single space
    (the first token's `spaces` True), nothing, or white space of other kinds, which becomes a token itself."""
    words, spaces, _ = _pieces(text, spans)
    return words, spaces


def make_doc(vocab, record: dict, lang: str, cuts: WordCuts | None = None, counts: DocCounts | None = None):
    """The `Doc` of one record's `lang` side (see the module's docstring), built the ordinary spaCy way: what the
    DocBin's documents are (tests/test_spacy_docs.py compares them)."""
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


def _bin_header(size: int) -> bytes:
    """msgpack's header of a bin of `size` bytes (the smallest format, as msgpack packs bytes)."""
    if size < 1 << 8:
        return b"\xc4" + size.to_bytes(1, "big")
    if size < 1 << 16:
        return b"\xc5" + size.to_bytes(2, "big")
    return b"\xc6" + size.to_bytes(4, "big")


class DocBinWriter:
    """A DocBin of the `lang` side of records given a chunk at a time (`add`), written to `write` deflated by
    `close` (see the module's docstring). The word cuts must be known before the first record (`cuts`: a release
    collects them over all its splits). Holds, until `close`, 4 bytes a token (the index of its word among the
    distinct strings) and 1 for its space, 17 per token of doc.ents, and per document its length, span group
    and user data; the token rows (32 bytes a token) are made a block at a time as they are written."""

    def __init__(self, lang: str, write: Callable[[bytes], object], *, cuts: WordCuts | None = None,
                 counts: DocCounts | None = None):
        if lang not in LANGS:
            raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}.")
        self.vocab = _blank(lang).vocab  # SpacyNotInstalled before anything is read
        import numpy
        from spacy.strings import get_string_id
        from srsly.msgpack import Packer

        self.numpy, self.string_id = numpy, get_string_id
        self.lang, self.write, self.cuts = lang, write, cuts
        self.counts = counts if counts is not None else DocCounts()
        self.packer = Packer(use_bin_type=True)  # as srsly.msgpack_dumps packs plain data
        self.index: dict[str, int] = {}  # every string of the DocBin → its place in `hashes`
        self.hashes: list[int] = []  # spaCy's hash of each string
        self.words: set[str] = set()  # the distinct words so far
        self.norms: set[str] = set()  # their norms: in spaCy's strings too
        self.tokens = 0
        self.orths: list = []  # per chunk, the index of each token's word (uint32 arrays)
        self.ents: list[tuple] = []  # per chunk, for the tokens of doc.ents: row, IOB, type index, id index
        self.spaces = bytearray()
        self.lengths: list[int] = []
        self.span_groups: list[bytes] = []
        self.user_data: list[bytes] = []
        self._empty_group = self._span_groups([])

    def _span_groups(self, spans: list[bytes]) -> bytes:
        """`doc.spans.to_bytes()` of a Doc whose only group is SPAN_GROUP with these packed spans."""
        group = self.packer.pack({"name": SPAN_GROUP, "attrs": {}, "spans": spans})
        return self.packer.pack({group: [SPAN_GROUP]})

    def _hash(self, strings: Iterable[str]) -> None:
        """Hash the strings not seen yet, each once."""
        index, hashes, string_id = self.index, self.hashes, self.string_id
        for string in set(strings).difference(index):
            index[string] = len(hashes)
            hashes.append(string_id(string))

    def _hash_words(self, words: list[str]) -> None:
        """Hash the words, and keep the norm of each new one (its lexeme's), as spaCy's DocBin keeps it."""
        new = set(words).difference(self.words)
        if new:
            self.words |= new
            self._hash(new)
            lexeme = self.vocab.__getitem__
            self.norms.update(lexeme(word).norm_ for word in new)

    def add(self, records: Iterable[dict]) -> None:
        """One Doc per record, in their order."""
        numpy, lang, cuts, index, hashes = self.numpy, self.lang, self.cuts, self.index, self.hashes
        words: list[str] = []
        spaces: list[bool] = []
        ent_rows: list[int] = []  # for the tokens of doc.ents: row, IOB, type, entity id
        ent_iob: list[int] = []
        ent_type: list[int] = []
        ent_id: list[int] = []
        counts, pack, span = self.counts, self.packer.pack, _SPAN.pack
        for record in records:
            text, entities = record[lang], record["entities"][lang]
            record_words, record_spaces, starts = _doc_tokens(text, entities, cuts)
            base = self.tokens + len(words)
            words += record_words
            spaces += record_spaces
            self.lengths.append(len(record_words))
            if entities:
                located = []
                for entity in entities:
                    first, end = bisect_left(starts, entity["start"]), bisect_left(starts, entity["end"])
                    if (first >= end or starts[first] != entity["start"]
                            or starts[end - 1] + len(record_words[end - 1]) != entity["end"]):
                        # cannot happen: token_spans cut at every entity boundary, none is white space
                        raise RuntimeError(f"paragraph {record['paragraph_id']}: entity {entity['id']} is not on "
                                           f"tokens")
                    label, entity_id = entity["label"], str(entity["id"])
                    if label not in index or entity_id not in index:
                        self._hash((label, entity_id))
                    located.append({"start": first, "end": end, "label": index[label], "id": index[entity_id],
                                    "from": entity["start"], "to": entity["end"]})
                self.span_groups.append(self._span_groups([
                    span(hashes[e["id"]], 0, hashes[e["label"]], e["start"], e["end"], e["from"], e["to"])
                    for e in located]))
                kept, _ = non_overlapping(located)
                for e in kept:
                    size = e["end"] - e["start"]
                    ent_rows.extend(range(base + e["start"], base + e["end"]))
                    ent_iob.append(_IOB_B)
                    ent_iob.extend([_IOB_I] * (size - 1))
                    ent_type.extend([e["label"]] * size)
                    ent_id.extend([e["id"]] * size)
                counts.entities += len(entities)
                counts.ents += len(kept)
                counts.overlapping += len(entities) - len(kept)
            else:
                self.span_groups.append(self._empty_group)
            self.user_data.append(pack({"paragraph_id": record["paragraph_id"], "article_id": record["article_id"],
                                        "position": record["position"], "kind": record["kind"]}))
            counts.docs += 1
        counts.tokens += len(words)
        if not words:
            return
        self._hash_words(words)
        self.tokens += len(words)
        self.orths.append(numpy.fromiter(map(index.__getitem__, words), dtype=numpy.uint32, count=len(words)))
        if ent_rows:
            self.ents.append((numpy.array(ent_rows, dtype=numpy.int64), numpy.array(ent_iob, dtype=numpy.uint8),
                              numpy.array(ent_type, dtype=numpy.uint32), numpy.array(ent_id, dtype=numpy.uint32)))
        self.spaces += numpy.array(spaces, dtype=bool).tobytes()

    def _rows(self) -> Iterator[bytes]:
        """The token rows (`DocBin`'s "tokens": uint64, ATTRS columns, C order), a block of tokens at a time."""
        numpy = self.numpy
        if not self.tokens:
            return
        hashes = numpy.array(self.hashes, dtype=numpy.uint64)
        orths = numpy.concatenate(self.orths)
        self.orths = []
        empty = (numpy.zeros(0, dtype=numpy.int64), numpy.zeros(0, dtype=numpy.uint8),
                 numpy.zeros(0, dtype=numpy.uint32), numpy.zeros(0, dtype=numpy.uint32))
        rows, iob, types, ids = (numpy.concatenate(column) for column in zip(*self.ents, empty))
        self.ents = []
        for first in range(0, self.tokens, _BLOCK):
            last = min(first + _BLOCK, self.tokens)
            block = numpy.zeros((last - first, len(ATTRS)), dtype=numpy.uint64)
            block[:, 0] = hashes[orths[first:last]]
            block[:, 1] = _IOB_O
            begin, end = numpy.searchsorted(rows, [first, last])
            if end > begin:
                at = rows[begin:end] - first
                block[at, 1] = iob[begin:end]
                block[at, 2] = hashes[types[begin:end]]
                block[at, 3] = hashes[ids[begin:end]]
            yield block.tobytes("C")

    def close(self) -> None:
        """Write the DocBin: `DocBin.to_bytes`'s msgpack map, deflated as it goes."""
        numpy, pack, deflate = self.numpy, self.packer.pack, zlib.compressobj(LEVEL)
        docs = len(self.lengths)
        strings = set(self.index) | self.norms
        if self.tokens:
            strings.add("")  # a token's unset tag, lemma, dep... (spaCy's DocBin keeps them)

        def out(data: bytes) -> None:
            if data:
                self.write(deflate.compress(data))

        out(self.packer.pack_map_header(10))
        out(pack("version") + pack(VERSION) + pack("attrs") + pack(list(ATTRS)))
        out(pack("tokens") + _bin_header(self.tokens * len(ATTRS) * 8))
        for block in self._rows():
            out(block)
        out(pack("spaces") + pack(bytes(self.spaces)))
        out(pack("lengths") + pack(numpy.asarray(self.lengths, dtype="int32").tobytes("C")))
        out(pack("strings") + pack(sorted(strings)))
        out(pack("cats") + self.packer.pack_array_header(docs) + pack({}) * docs)
        out(pack("flags") + self.packer.pack_array_header(docs) + pack({"has_unknown_spaces": False}) * docs)
        out(pack("span_groups") + pack(self.span_groups))
        out(pack("user_data") + pack(self.user_data))
        self.write(deflate.flush())


def docbin_bytes(records: Iterable[dict], lang: str, *, cuts: WordCuts | None = None,
                 counts: DocCounts | None = None) -> bytes:
    """A spaCy DocBin (what `DocBin(attrs=ATTRS, store_user_data=True).to_bytes()` holds) of the `lang` side ("ar"
    or "en") of the JSONL records, one Doc per record in their order. The word cuts are collected from these
    records unless `cuts` is given (a release collects them once over all its splits, so a form is cut alike in
    train, dev and test). The same records give the same bytes. Load with
    `DocBin().from_bytes(data).get_docs(spacy.blank(lang).vocab)`."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}.")
    _blank(lang)  # SpacyNotInstalled before anything is read
    if cuts is None:
        records = list(records)  # read twice: the cuts of every record first
        cuts = WordCuts().learn_records(records, lang)
    parts: list[bytes] = []
    writer = DocBinWriter(lang, parts.append, cuts=cuts, counts=counts)
    records = iter(records)
    while chunk := list(islice(records, CHUNK)):
        writer.add(chunk)
    writer.close()
    return b"".join(parts)

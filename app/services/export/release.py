"""A corpus release: one folder (and one zip) that MT and NER engineers load in one line.

`write_release` reads the selection once, from one snapshot, a chunk at a time, and
writes every file of every split as the records go by: the JSONL records with their
split, TMX, Moses and CoNLL through the export's own writers (formats.py) and the
spaCy DocBins (spacy_docs.DocBinWriter, filled chunk by chunk, written when the split
ends); then the dataset card (README.md) and manifest.json with the counts and the
SHA-256 of every other file. From PARALLEL_MIN_PARAGRAPHS (the CLI) a second process
writes the CoNLL files and the DocBins, which tokenise, while this one writes the rest.
Each file is deflated for the zip as it is written (zipping.py), and the zip's bytes depend only on the files.

The split is by article: the articles are shuffled with `random.Random(seed)` and each
is given, in that order, to the split furthest below its share of paragraphs (the
lowest paragraphs given / paragraphs wanted; ties go to train, then dev, then test).
Layout, card, manifest and what each tool does with them: docs/exports.md, "Releases".
"""
from __future__ import annotations

import importlib.util
import os
import random
import re
import shutil
import signal
import tempfile
from contextlib import ExitStack, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

import orjson

from ... import __version__
from .. import gc_paused
from ...database import adopt_snapshot, export_snapshot
from .corpus import (PARTS, Counts, Selection, SelectionError, checked, count_paragraphs, iter_record_chunks,
                     paragraphs_per_article)
from .conll import WordCuts
from .formats import ConllWriter, ExportReport, MosesWriter, TmxWriter
from . import parallel
from .zipping import Entry, Packer

SPLITS = ("train", "dev", "test")
DEFAULT_SPLIT = (80, 10, 10)
LANGUAGES = ("ar", "en")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+_-]{0,39}$")
MAX_SEED = 2**63 - 1
MANIFEST = "manifest.json"
CARD = "README.md"


class ReleaseError(SelectionError):
    """A release option that cannot work (a split, a seed, a name, a folder): refused before anything is written."""


@dataclass(frozen=True)
class ReleaseOptions:
    split: tuple[int, int, int] = DEFAULT_SPLIT  # percentages of paragraphs for train, dev, test
    seed: int = 0
    name: str = "mizan-corpus"
    version: str = "1.0.0"
    split_clitics: bool = False  # CoNLL: the proclitics before ال as tokens of their own
    license: str = "other"  # the card's licence (a Hugging Face licence id); instance config RELEASE_LICENSE

    @property
    def folder(self) -> str:
        """The folder the zip holds everything in: `NAME-VERSION`."""
        return f"{self.name}-{self.version}"


def parse_split(text: str | tuple | list | None) -> tuple[int, int, int]:
    """`80/10/10` (train/dev/test percentages of the paragraphs) as a tuple; ReleaseError when it cannot be one."""
    if text is None or text == "":
        return DEFAULT_SPLIT
    parts = list(text) if isinstance(text, (tuple, list)) else str(text).split("/")
    try:
        shares = [int(str(part).strip()) for part in parts]
    except ValueError:
        shares = []
    if len(shares) != 3 or any(share < 0 for share in shares) or sum(shares) != 100:
        raise ReleaseError(f"The split {str(text)[:40]!r} must be three whole percentages for train/dev/test "
                           "adding up to 100, e.g. 80/10/10.")
    return shares[0], shares[1], shares[2]


def release_options(*, split=None, seed=None, name=None, version=None, split_clitics=False,
                    license: str = "other") -> ReleaseOptions:
    """Options checked, with a message naming what is wrong (ReleaseError)."""
    seed = 0 if seed is None or seed == "" else seed
    try:
        seed = int(seed)
    except (TypeError, ValueError):
        raise ReleaseError(f"The seed {str(seed)[:40]!r} must be a whole number from 0 to {MAX_SEED}.") from None
    if not 0 <= seed <= MAX_SEED:
        raise ReleaseError(f"The seed {seed} must be a whole number from 0 to {MAX_SEED}.")
    name = name or ReleaseOptions.name
    version = version or ReleaseOptions.version
    if not NAME.fullmatch(name):
        raise ReleaseError(f"The name {name[:70]!r} must be 1-64 letters, digits, dots, hyphens or underscores, "
                           "starting with a letter or digit.")
    if not VERSION.fullmatch(version):
        raise ReleaseError(f"The version {version[:50]!r} must be 1-40 letters, digits, dots, plus signs, hyphens "
                           "or underscores, starting with a letter or digit (e.g. 1.0.0).")
    return ReleaseOptions(split=parse_split(split), seed=seed, name=name, version=version,
                          split_clitics=bool(split_clitics), license=license or "other")


def assign_splits(per_article: Iterable[tuple[int, int]], shares: tuple[int, int, int], seed: int) -> dict[int, str]:
    """Each article's split: articles shuffled by `seed`, each given to the split furthest below its share of
    paragraphs (paragraphs given / share, lowest first; ties in the order train, dev, test). Splits with a
    share of 0 get nothing. The same articles and seed always give the same splits."""
    articles = sorted(per_article)
    # A reproducible shuffle, not a secret.
    random.Random(seed).shuffle(articles)  # noqa: S311  # nosec B311
    given = dict.fromkeys(SPLITS, 0)
    wanted = dict(zip(SPLITS, shares))
    open_splits = [split for split in SPLITS if wanted[split] > 0]
    split_of = {}
    for article_id, paragraphs in articles:
        split = min(open_splits, key=lambda s: given[s] / wanted[s])  # min keeps the first of equals
        split_of[article_id] = split
        given[split] += paragraphs
    return split_of


def check_folder(directory: Path) -> None:
    """A release folder must not exist yet or be empty; its zip must not exist (nothing is overwritten)."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise ReleaseError(f"{directory} already exists and is not an empty folder: choose a new one.")
    zipped = zip_path_of(directory)
    if zipped.exists():
        raise ReleaseError(f"{zipped} already exists: choose another folder or remove it.")
    if not directory.parent.is_dir():
        raise ReleaseError(f"{directory.parent} is not a folder.")


def zip_path_of(directory: Path) -> Path:
    return directory.with_name(directory.name + ".zip")


def zip_download_name(options: ReleaseOptions) -> str:
    return f"{options.folder}.zip"


# --- writing ---------------------------------------------------------------------------------------------


class _Hashed:
    """A file of the release being written: to disk, and to the zip's packer, whose thread deflates it and works
    out its SHA-256 and size for the manifest (no second read of anything, no hashing on this thread)."""

    def __init__(self, root: Path, path: str, packer: Packer):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        self.file: BinaryIO = open(root / path, "wb")
        self.packer = packer
        self.entry = packer.add(path)

    def write(self, data: bytes) -> None:
        if data:
            self.file.write(data)
            self.packer.feed(self.entry, data)

    def close(self) -> None:
        self.file.close()
        self.packer.finish(self.entry)

    def described(self) -> dict:
        """{"sha256", "bytes"} once the packer has taken the whole file."""
        entry = self.packer.wait(self.entry)
        return {"sha256": entry.sha256_hex, "bytes": entry.size}


class _ReleaseTmx(TmxWriter):
    """TMX as the export writes it, without the header's creation date (a release is the same bytes tomorrow)."""

    @staticmethod
    def created() -> str:
        return ""


def _new_counts() -> dict:
    return {"articles": 0, "paragraphs": 0, "links": 0,
            "entities": {lang: {} for lang in LANGUAGES}, "tokens": dict.fromkeys(LANGUAGES, 0)}


class _ConllFiles:
    """The CoNLL files of one split, per language, through the export's CoNLL writer (a -DOCSTART- line before
    each article; words cut by the `cuts` of the whole release, so a form is cut alike in every split); their
    tokens counted. `files` are what the bytes go to (per language)."""

    def __init__(self, split: str, report: ExportReport, options: ReleaseOptions, files: dict,
                 cuts: dict[str, WordCuts]):
        self.split, self.files = split, files
        self.conll = ConllWriter(report, split_clitics=options.split_clitics)
        self.conll.cuts = cuts
        self.tokens = dict.fromkeys(LANGUAGES, 0)

    @staticmethod
    def paths(split: str) -> dict[str, str]:
        return {lang: f"conll/{split}.{lang}.conll" for lang in LANGUAGES}

    def write(self, records: list[dict]) -> None:
        for lang, data in self.conll.write(records).items():
            self.tokens[lang] += data.count(b"\t")  # one tab a token line: `token<TAB>tag`
            self.files[lang].write(data)


class _DocBins:
    """The spaCy DocBins of one split, per language (spacy_docs.DocBinWriter), filled as the split's records
    arrive (no JSONL read back) and written at `close`. `files` are what the bytes go to (per language)."""

    def __init__(self, files: dict, cuts: dict[str, WordCuts]):
        from .spacy_docs import DocBinWriter

        self.files = files
        self.writers = {lang: DocBinWriter(lang, file.write, cuts=cuts[lang]) for lang, file in files.items()}

    @staticmethod
    def paths(split: str, langs: Iterable[str] = LANGUAGES) -> dict[str, str]:
        return {lang: f"spacy/{split}.{lang}.spacy" for lang in langs}

    def write(self, records: list[dict]) -> None:
        for writer in self.writers.values():
            writer.add(records)

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()


class _Split:
    """The files of one split, written as its records arrive (in article and position order). With
    `with_conll` False, its CoNLL files are another process's (`_ConllProcess`)."""

    def __init__(self, root: Path, split: str, report: ExportReport, options: ReleaseOptions, stack: ExitStack,
                 packer: Packer, cuts: dict[str, WordCuts], with_conll: bool = True,
                 spacy_langs: Iterable[str] = LANGUAGES):
        self.split = split
        self.files: dict[str, _Hashed] = {}
        conll_paths = _ConllFiles.paths(split)
        spacy_paths = _DocBins.paths(split, spacy_langs)
        for path in (self.paths(split) + (list(conll_paths.values()) if with_conll else [])
                     + list(spacy_paths.values())):
            self.files[path] = _Hashed(root, path, packer)
            stack.callback(self.files[path].file.close)
        self.tmx = _ReleaseTmx(report)
        self.moses = MosesWriter(report)
        self.conll = (_ConllFiles(split, report, options, {lang: self.files[path] for lang, path in conll_paths.items()},
                                  cuts)
                      if with_conll else None)
        self.docbins = (_DocBins({lang: self.files[path] for lang, path in spacy_paths.items()}, cuts)
                        if spacy_paths else None)
        self.article_id: int | None = None
        self.counts = _new_counts()
        self.models: set[str] = set()
        self.put(self.tmx.begin(), {"": f"tmx/{split}.tmx"})

    @staticmethod
    def paths(split: str) -> list[str]:
        return [f"data/{split}.jsonl", f"tmx/{split}.tmx"] + [f"moses/{split}.{side}" for side in MosesWriter.sides]

    def put(self, parts: dict[str, bytes], where: dict[str, str]) -> None:
        for side, data in parts.items():
            if side in where:
                self.files[where[side]].write(data)

    def write(self, records: list[dict]) -> None:
        split, counts = self.split, self.counts
        entities, models = counts["entities"], self.models
        for record in records:
            record["split"] = split
            if record["article_id"] != self.article_id:
                self.article_id = record["article_id"]
                counts["articles"] += 1
            for lang in LANGUAGES:
                by_label = entities[lang]
                for entity in record["entities"][lang]:
                    by_label[entity["label"]] = by_label.get(entity["label"], 0) + 1
            counts["links"] += len(record["links"])
            if record["mt"] is not None and record["mt"]["model_id"]:
                models.add(record["mt"]["model_id"])
        counts["paragraphs"] += len(records)
        dumps, option = orjson.dumps, orjson.OPT_APPEND_NEWLINE
        self.files[f"data/{split}.jsonl"].write(b"".join([dumps(record, option=option) for record in records]))
        self.put(self.tmx.write(records), {"": f"tmx/{split}.tmx"})
        self.put(self.moses.write(records), {side: f"moses/{split}.{side}" for side in MosesWriter.sides})
        if self.conll is not None:
            self.conll.write(records)
        if self.docbins is not None:
            self.docbins.write(records)

    def close(self) -> None:
        self.put(self.tmx.end(), {"": f"tmx/{self.split}.tmx"})
        if self.docbins is not None:
            self.docbins.close()
        for file in self.files.values():
            file.close()
        if self.conll is not None:
            self.counts["tokens"] = dict(self.conll.tokens)

    def described(self) -> dict[str, dict]:
        return {path: file.described() for path, file in self.files.items()}


class _Inline:
    """A file written by the CoNLL process: to disk, deflated and hashed on the spot (a process of its own)."""

    def __init__(self, root: Path, path: str, scratch: Path):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        self.file = open(root / path, "wb")
        self.entry = Entry(path, scratch)

    def write(self, data: bytes) -> None:
        if data:
            self.file.write(data)
            self.entry.take(data)

    def close(self) -> dict:
        self.file.close()
        self.entry.finish()
        return self.entry.described()


class _ConllProcess:
    """The CoNLL files of every split, and the DocBins of the `spacy_langs`, written by a second process from the
    same snapshot while this one writes the others (the CLI, on two cores or more, from PARALLEL_MIN_PARAGRAPHS;
    the snapshot shared as parallel.py shares it). The bytes are those one process writes."""

    def __init__(self, engine, snapshot, selection: Selection, options: ReleaseOptions, split_of: dict[int, str],
                 cuts: dict[str, WordCuts], directory: Path, packer: Packer, connection, lock,
                 spacy_langs: tuple[str, ...]):
        postgres = engine.dialect.name == "postgresql"
        shared = export_snapshot(connection) if postgres else None
        from_child, to_parent = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover (ends with os._exit; its files are checked by the parent)
            os.close(from_child)
            self._child(engine, snapshot, selection, options, split_of, cuts, directory, packer, shared, to_parent,
                        spacy_langs)
        os.close(to_parent)
        self.messages = os.fdopen(from_child, "rb")
        if self.messages.read(1) != parallel.READY:
            self.finish()  # raises with the child's reason
        if lock is not None:
            lock.rollback()  # both snapshots are taken: writers may go on

    @staticmethod
    def _child(engine, snapshot, selection, options, split_of, cuts, directory, packer, shared, to_parent,
               spacy_langs) -> None:
        parents_pool = engine.pool  # noqa: F841 — the parent's connections stay the parent's (parallel.py)
        outcome: dict
        try:
            engine.dispose(close=False)
            with snapshot() as connection:
                if shared is None:
                    connection.exec_driver_sql("SELECT 1 FROM paragraphs LIMIT 1")  # the snapshot begins here
                else:
                    adopt_snapshot(connection, shared)
                os.write(to_parent, parallel.READY)
                report = ExportReport("release")
                writers: dict[str, list] = {}
                for split in SPLITS:
                    files = {lang: _Inline(directory, path, packer.scratch_path(path))
                             for lang, path in _ConllFiles.paths(split).items()}
                    writers[split] = [_ConllFiles(split, report, options, files, cuts)]
                    if spacy_langs:
                        files = {lang: _Inline(directory, path, packer.scratch_path(path))
                                 for lang, path in _DocBins.paths(split, spacy_langs).items()}
                        writers[split].append(_DocBins(files, cuts))
                for chunk in iter_record_chunks(connection, selection, Counts(), frozenset({"entities"})):
                    groups: dict[str, list[dict]] = {}
                    for record in chunk:
                        groups.setdefault(split_of[record["article_id"]], []).append(record)
                    for split, records in groups.items():
                        for writer in writers[split]:
                            writer.write(records)
                for split in SPLITS:
                    if spacy_langs:
                        writers[split][1].close()
                files_described = {file.entry.name: file.close() for w in writers.values() for part in w
                                   for file in part.files.values()}
                outcome = {"files": files_described, "tokens": {split: w[0].tokens for split, w in writers.items()},
                           "dropped": report.overlapping_entities_dropped}
        except BaseException as error:  # noqa: BLE001 — reported to the parent, which raises it
            outcome = {"error": f"{type(error).__name__}: {error}"}
        try:
            os.write(to_parent, orjson.dumps(outcome))
        finally:
            os._exit(0 if "error" not in outcome else 1)

    def finish(self) -> dict:
        """The child's files and counts, once it is done; RuntimeError when it failed."""
        try:
            outcome = orjson.loads(self.messages.read() or b'{"error": "the CoNLL and DocBin process died"}')
        finally:
            self.messages.close()
            _, status = os.waitpid(self.pid, 0)
            self.pid = 0
        if "error" in outcome or status != 0:
            raise RuntimeError(f"writing the CoNLL files and DocBins failed: {outcome.get('error', status)}")
        return outcome

    def stop(self) -> None:
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = 0
            self.messages.close()


@dataclass
class ReleaseReport:
    """What a release wrote: its manifest (as written), the folder, the export's warnings, and the packer holding
    the zip's deflated files until `zip_chunks` hands the zip over."""

    manifest: dict
    directory: Path
    export: ExportReport
    packer: Packer
    zip_path: Path | None = None

    @property
    def paragraphs(self) -> int:
        return self.manifest["counts"]["total"]["paragraphs"]

    def warnings(self) -> list[str]:
        return self.export.warnings()

    def zip_chunks(self) -> Iterator[bytes]:
        """The release's zip, every file under NAME-VERSION/; the deflated parts are removed as it ends."""
        folder = f"{self.manifest['name']}-{self.manifest['version']}/"
        return self.packer.chunks(folder)


def word_cuts(connection, selection: Selection, options: ReleaseOptions) -> dict[str, WordCuts]:
    """The word cuts of the whole release, per language (conll.WordCuts): read once, shared by the CoNLL files
    and the DocBins of every split, so a word form is cut alike in train, dev and test."""
    writer = ConllWriter(ExportReport("release"), split_clitics=options.split_clitics)
    writer.prepare(connection, selection)
    return writer.cuts


def _with_spacy() -> bool:
    """Whether the release has spaCy DocBins: not on an install without spaCy (requirements/web.txt alone: a
    release from such a web server has no spacy/ folder, and its manifest and card say so)."""
    return importlib.util.find_spec("spacy") is not None


def _filters(selection: Selection) -> dict:
    return {
        "article": list(selection.article_ids), "status": selection.status, "kind": selection.kind,
        "published_from": _day(selection.published_from), "published_to": _day(selection.published_to),
        "approved_from": _day(selection.approved_from), "approved_to": _day(selection.approved_to),
        "reviewer": selection.reviewer, "labels": list(selection.labels),
    }


def _day(value) -> str | None:
    return value.isoformat() if value else None


PARALLEL_MIN_PARAGRAPHS = parallel.PARALLEL_MIN_PARAGRAPHS
# The DocBins the CoNLL process writes (the others: this one), so that both have about as much to do.
CONLL_PROCESS_DOCBINS: tuple[str, ...] = ("ar",)


def write_release(snapshot, selection: Selection, options: ReleaseOptions, directory: Path,
                  progress: Callable[[int], None] | None = None, engine=None) -> ReleaseReport:
    """Write the release of `selection` into `directory` (absent or empty), from one snapshot (`snapshot()`
    opens a read transaction), its zip's files deflated on the way (`ReleaseReport.zip_chunks` puts the zip
    together). With `engine`, in a process that may fork (parallel.may_fork: the CLI) and from
    PARALLEL_MIN_PARAGRAPHS, a second process writes the CoNLL files from the same snapshot. Bad filters or
    options raise before anything is written; a failure part-way removes what was written."""
    check_folder(directory)
    with snapshot() as connection:
        total = count_paragraphs(connection, checked(connection, selection))
    if not total:
        raise ReleaseError("No paragraph matches these filters: a release needs at least one.")
    two = engine is not None and total >= PARALLEL_MIN_PARAGRAPHS and parallel.may_fork()
    postgres = engine is not None and engine.dialect.name == "postgresql"
    # SQLite: no commit until both processes' snapshots are taken (parallel.py). PostgreSQL: shared by id.
    with (parallel.write_lock(engine) if two and not postgres else nullcontext()) as lock, \
            snapshot() as connection:
        selection = checked(connection, selection)
        existed = directory.exists()
        directory.mkdir(exist_ok=True)
        packer = Packer(directory.parent, start=False)  # no thread before a fork
        conll: _ConllProcess | None = None
        try:
            per_article = paragraphs_per_article(connection, selection)  # this read begins the snapshot
            split_of = assign_splits(per_article, options.split, options.seed)
            cuts = word_cuts(connection, selection, options)
            with_spacy = _with_spacy()
            if two:
                conll = _ConllProcess(engine, snapshot, selection, options, split_of, cuts, directory, packer, connection,
                                      lock, CONLL_PROCESS_DOCBINS if with_spacy else ())
            packer.start()
            return _write(connection, selection, options, directory, packer, split_of, cuts, conll, progress,
                          with_spacy)
        except BaseException:
            if conll is not None:
                conll.stop()
            packer.discard()
            if existed:
                for child in directory.iterdir():
                    shutil.rmtree(child) if child.is_dir() else child.unlink()
            else:
                shutil.rmtree(directory, ignore_errors=True)
            raise


def _write(connection, selection: Selection, options: ReleaseOptions, directory: Path, packer: Packer,
           split_of: dict[int, str], cuts: dict[str, WordCuts], conll: _ConllProcess | None,
           progress: Callable[[int], None] | None, with_spacy: bool) -> ReleaseReport:
    report = ExportReport("release")
    files: dict[str, dict] = {}
    with ExitStack() as stack:
        splits = {split: _Split(directory, split, report, options, stack, packer, cuts, with_conll=conll is None,
                                spacy_langs=[] if not with_spacy else LANGUAGES if conll is None else
                                [lang for lang in LANGUAGES if lang not in CONLL_PROCESS_DOCBINS])
                  for split in SPLITS}
        for chunk in iter_record_chunks(connection, selection, Counts(), PARTS):
            with gc_paused():
                groups: dict[str, list[dict]] = {}
                for record in chunk:
                    groups.setdefault(split_of[record["article_id"]], []).append(record)
                for split, records in groups.items():
                    splits[split].write(records)
                exported = len(chunk)
                del chunk, groups
            if progress:
                progress(exported)
        for files_of_split in splits.values():
            files_of_split.close()
    if conll is not None:
        outcome = conll.finish()
        for name, described in outcome["files"].items():
            packer.add_finished(name, described)
            files[name] = {"sha256": described["sha256"], "bytes": described["size"]}
        for split, tokens in outcome["tokens"].items():
            splits[split].counts["tokens"] = tokens
        report.overlapping_entities_dropped += outcome["dropped"]
    for files_of_split in splits.values():
        files.update(files_of_split.described())
    manifest = _manifest(selection, options, splits, split_of, report, files, with_spacy,
                         release_agreement(connection, split_of))
    out = _Hashed(directory, CARD, packer)
    out.write(dataset_card(manifest).encode())
    out.close()
    manifest["files"][CARD] = out.described()
    manifest["files"] = dict(sorted(manifest["files"].items()))
    out = _Hashed(directory, MANIFEST, packer)
    out.write(manifest_bytes(manifest))
    out.close()
    packer.close()
    return ReleaseReport(manifest, directory, report, packer)


def manifest_bytes(manifest: dict) -> bytes:
    return orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def release_agreement(connection, split_of: dict[int, str]) -> dict | None:
    """The inter-annotator agreement of the released articles that were annotated twice, independently
    (`article_agreement.project_agreement`: per annotator pair and over all, micro-averaged; docs/architecture.md,
    "Agreement"), or None when none was. Their gold is what the release carries; these figures say how far the
    two annotations it was adjudicated from agreed."""
    from sqlalchemy import select

    from ...models import Assignment
    from ..article_agreement import project_agreement

    assignments = Assignment.__table__
    double = sorted(article_id for article_id in connection.execute(
        select(assignments.c.article_id).where(assignments.c.role == "independent")).scalars()
        if article_id in split_of)
    return project_agreement(double) if double else None


def _manifest(selection: Selection, options: ReleaseOptions, splits: dict[str, _Split], split_of: dict[int, str],
              report: ExportReport, files: dict[str, dict], with_spacy: bool, agreement: dict | None) -> dict:
    per_split = {name: split.counts for name, split in splits.items()}
    for counts in per_split.values():
        counts["entities"] = {lang: dict(sorted(labels.items())) for lang, labels in counts["entities"].items()}
    total = _new_counts()
    for counts in per_split.values():
        for key in ("articles", "paragraphs", "links"):
            total[key] += counts[key]
        for lang in LANGUAGES:
            total["tokens"][lang] += counts["tokens"][lang]
            for label, number in counts["entities"][lang].items():
                total["entities"][lang][label] = total["entities"][lang].get(label, 0) + number
    total["entities"] = {lang: dict(sorted(labels.items())) for lang, labels in total["entities"].items()}
    models = sorted(set().union(*(split.models for split in splits.values())))
    return {
        "name": options.name,
        "version": options.version,
        "mizan_version": __version__,
        "license": options.license,
        "seed": options.seed,
        "split": dict(zip(SPLITS, options.split)),
        "split_method": "by article: articles shuffled with Python's random.Random(seed), each given to the split "
                        "furthest below its share of paragraphs",
        "filters": _filters(selection),
        "split_clitics": options.split_clitics,
        "counts": {"total": total, **per_split},
        "conll_overlapping_entities_dropped": report.overlapping_entities_dropped,
        "mt_models": models,
        "agreement": agreement,  # of the double-annotated articles released, or None
        "articles": {str(article_id): split for article_id, split in sorted(split_of.items())},
        "spacy": with_spacy,
        "files": files,
    }


# --- the zip ---------------------------------------------------------------------------------------------


def write_release_with_zip(snapshot, selection: Selection, options: ReleaseOptions, directory: Path,
                           progress: Callable[[int], None] | None = None, engine=None) -> ReleaseReport:
    """The CLI's release: DIR and DIR.zip, the zip under its final name only when complete."""
    check_folder(directory)
    report = write_release(snapshot, selection, options, directory, progress, engine)
    zipped = zip_path_of(directory)
    partial = zipped.with_name(zipped.name + ".part")
    try:
        with open(partial, "wb") as out:
            for chunk in report.zip_chunks():
                out.write(chunk)
        partial.replace(zipped)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    report.zip_path = zipped
    return report


class _ZipStream:
    """A release's zip as a response body: its chunks, and `close` (called by the server when the response ends,
    is dropped, or was never started) removes the temporary folder and the deflated parts."""

    def __init__(self, report: ReleaseReport, work: Path):
        self.report, self.work = report, work

    def __iter__(self) -> Iterator[bytes]:
        return self.report.zip_chunks()

    def close(self) -> None:
        self.report.packer.discard()
        shutil.rmtree(self.work, ignore_errors=True)


def stream_release_zip(snapshot, selection: Selection, options: ReleaseOptions) -> tuple[Iterable[bytes], ReleaseReport]:
    """For a download: the release built in a temporary folder, then its zip as a response body that removes the
    folder when closed. Errors in the filters raise here, before any byte is sent."""
    work = Path(tempfile.mkdtemp(prefix="mizan-release-"))
    try:
        report = write_release(snapshot, selection, options, work / "release")
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return _ZipStream(report, work), report


# --- the dataset card ------------------------------------------------------------------------------------

_STRING = "string"
_INT = "int64"
# Times and dates as Arrow's types: pyarrow's JSON reader takes ISO 8601 text for a time whatever the card says,
# and a time cast back to a string would lose its `T` and `Z`. `datasets` gives them as datetime and date.
_TIME = "timestamp[s, tz=UTC]"
_DATE = "date32"
_ENTITY = [("id", _INT), ("start", _INT), ("end", _INT), ("label", _STRING), ("text", _STRING), ("flagged", "bool")]
# Every field of a JSONL record (docs/jsonl-record.schema.json) and its type, so `datasets` never infers one.
FEATURES: list = [
    ("paragraph_id", _INT), ("article_id", _INT), ("position", _INT), ("kind", _STRING), ("status", _STRING),
    ("article", {"struct": [("title", _STRING), ("source", _STRING), ("published", _DATE), ("filename", _STRING),
                            ("status", _STRING)]}),
    ("ar", _STRING), ("en", _STRING), ("en_revision_id", _INT), ("en_origin", _STRING), ("en_author", _STRING),
    ("en_created_at", _TIME),
    ("mt", {"struct": [("revision_id", _INT), ("text", _STRING), ("model_id", _STRING), ("engine", _STRING),
                       ("engine_version", _STRING), ("created_at", _TIME)]}),
    ("reviewers", {"list": [("username", _STRING), ("role", _STRING)]}),
    ("approved_by", _STRING), ("approved_at", _TIME),
    ("entities", {"struct": [("ar", {"list": _ENTITY}), ("en", {"list": _ENTITY})]}),
    ("links", {"list": [("ar", _INT), ("en", _INT)]}),
    ("qa", {"list": [("check", _STRING), ("severity", _STRING), ("message", _STRING)]}),
    ("effort", {"struct": [("seconds", _INT), ("char_edit_distance", _INT), ("hter", "float64"),
                           ("override_reason", _STRING)]}),
    ("adjudicated_by", _STRING),
    ("agreement", {"struct": [("entities_f1", "float64"), ("translation_chrf", "float64")]}),
    ("split", _STRING),
]


def _yaml_scalar(value) -> str:
    """A YAML scalar: numbers and booleans as they are, strings double-quoted (JSON's escapes are YAML's)."""
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return orjson.dumps(value).decode()
    return orjson.dumps(str(value)).decode()


def _yaml_features(fields: list, indent: str) -> list[str]:
    lines = []
    for name, kind in fields:
        lines.append(f"{indent}- name: {name}")
        if isinstance(kind, str):
            lines.append(f"{indent}  dtype: {kind}")
        else:
            (shape, inner), = kind.items()
            lines.append(f"{indent}  {shape}:")
            lines.extend(_yaml_features(inner, indent + "  "))
    return lines


def _size_category(paragraphs: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
                        (10_000_000, "1M<n<10M")):
        if paragraphs < limit:
            return name
    return "10M<n<100M"


def loadable_splits(manifest: dict) -> list[str]:
    """The splits the card lists: those with paragraphs (`datasets` refuses a split whose file is empty, so the
    dev and test of a release of one or two articles are left out of the card; their files are there, empty)."""
    return [split for split in SPLITS if manifest["counts"][split]["paragraphs"]]


def card_metadata(manifest: dict) -> str:
    """The card's YAML front matter: what the Hugging Face Hub and `datasets.load_dataset(DIR)` read."""
    counts = manifest["counts"]
    lines = [
        "---",
        f"pretty_name: {_yaml_scalar(manifest['name'] + ' ' + manifest['version'])}",
        f"license: {_yaml_scalar(manifest['license'])}",
        "language:", "- ar", "- en",
        "task_categories:", "- translation", "- token-classification",
        "task_ids:", "- named-entity-recognition",
        "size_categories:", f"- {_yaml_scalar(_size_category(counts['total']['paragraphs']))}",
        "configs:", "- config_name: default", "  data_files:",
    ]
    for split in loadable_splits(manifest):
        lines += [f"  - split: {split}", f"    path: {_yaml_scalar(f'data/{split}.jsonl')}"]
    lines += ["dataset_info:", "  config_name: default", "  features:"]
    lines += _yaml_features(FEATURES, "  ")
    lines += ["  splits:"]
    for split in loadable_splits(manifest):
        # num_bytes: the JSONL file's size (`datasets` ignores the splits without it, and checks num_examples).
        lines += [f"  - name: {split}", f"    num_bytes: {manifest['files'][f'data/{split}.jsonl']['bytes']}",
                  f"    num_examples: {counts[split]['paragraphs']}"]
    lines.append("---")
    return "\n".join(lines) + "\n"


def _labels_table(counts: dict) -> list[str]:
    labels = sorted(set(counts["entities"]["ar"]) | set(counts["entities"]["en"]))
    if not labels:
        return ["No entities are annotated in this selection."]
    rows = ["| label | Arabic | English |", "|---|---:|---:|"]
    rows += [f"| {label} | {counts['entities']['ar'].get(label, 0):,} | {counts['entities']['en'].get(label, 0):,} |"
             for label in labels]
    return rows


def _figure(value, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _agreement(manifest: dict) -> list[str]:
    """The card's Agreement section, from the manifest's `agreement` (project_agreement's shape)."""
    agreement = manifest.get("agreement")
    if not agreement:
        return ["None: no article of this release was annotated by two people independently, so there is no "
                "inter-annotator agreement to report."]
    every = agreement["all"]
    entities = every["entities"]
    released = manifest["counts"]["total"]["articles"]
    lines = [
        f"{every['articles']:,} of the {released:,} articles were annotated by two people independently, and a "
        "curator adjudicated every disagreement: the released text and entities of those articles are the "
        "adjudicated gold. How far the two annotations agreed, micro-averaged over those articles (exact match "
        "of span and label; the first annotator is the reference, which F1 does not depend on):",
        "",
        "| measure | Arabic | English |",
        "|---|---:|---:|",
    ]
    for name, key in (("entity F1", "f1"), ("precision", "precision"), ("recall", "recall"),
                      ("Cohen's κ over tokens", "kappa")):
        lines.append(f"| {name} | {_figure(entities['ar'][key])} | {_figure(entities['en'][key])} |")
    translation = every["translation"]
    lines += ["", f"Links (an Arabic entity and its English rendering) F1: {_figure(every['links']['f1'])}. "
              f"Post-edited English, one annotator's against the other's (sacrebleu): chrF "
              f"{_figure(translation['chrf'], 1)}, TER {_figure(translation['ter'], 1)}."]
    labels = sorted(set(entities["ar"]["by_label"]) | set(entities["en"]["by_label"]))
    if labels:
        lines += ["", "| label | F1 Arabic | F1 English |", "|---|---:|---:|"]
        for label in labels:
            ar, en = entities["ar"]["by_label"].get(label, {}), entities["en"]["by_label"].get(label, {})
            lines.append(f"| {label} | {_figure(ar.get('f1'))} | {_figure(en.get('f1'))} |")
    if len(agreement["pairs"]) > 1:
        lines += ["", "| annotators | articles | entity F1 Arabic | entity F1 English |", "|---|---:|---:|---:|"]
        lines += [f"| {' & '.join(pair['annotators'])} | {pair['articles']:,} | "
                  f"{_figure(pair['entities']['ar']['f1'])} | {_figure(pair['entities']['en']['f1'])} |"
                  for pair in agreement["pairs"]]
    lines += ["", "The figures per annotator pair and label are in `manifest.json` (`agreement`)."]
    return lines


def _overlaps(manifest: dict) -> str:
    dropped = manifest["conll_overlapping_entities_dropped"]
    if not dropped:
        return "No entity overlaps another."
    kept_in = "the JSONL and DocBin files" if manifest.get("spacy") else "the JSONL files"
    return (f"{dropped} overlapping {'entity' if dropped == 1 else 'entities'} could not be written as IOB2 "
            f"(one entity a token) and {'is' if dropped == 1 else 'are'} only in {kept_in}.")


def dataset_card(manifest: dict) -> str:
    """README.md: the YAML metadata, then what the corpus is, how it was made, its counts and how to load it."""
    counts = manifest["counts"]
    total = counts["total"]
    name, version = manifest["name"], manifest["version"]
    models = manifest["mt_models"]
    filters = manifest["filters"]
    status = ("approved paragraphs, each with the English a reviewer approved" if filters["status"] == "approved"
              else "every translated paragraph with its current English, approved or not (see `status`)")
    drafts = (", ".join(f"`{model}`" for model in models) if models
              else "no machine translation model (no paragraph has a machine draft)")
    entity_total = sum(sum(labels.values()) for labels in total["entities"].values())
    split_rows = ["| split | articles | paragraphs | Arabic tokens | English tokens | entities | links |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
    for split in (*SPLITS, "total"):
        c = counts[split]
        entities = sum(sum(labels.values()) for labels in c["entities"].values())
        split_rows.append(f"| {split} | {c['articles']:,} | {c['paragraphs']:,} | {c['tokens']['ar']:,} | "
                          f"{c['tokens']['en']:,} | {entities:,} | {c['links']:,} |")
    share = "/".join(str(manifest["split"][split]) for split in SPLITS)
    licence = ("The licence is `other`: the Arabic articles belong to their publishers (each record names the "
               "article's source). Ask the corpus owner before you share it further."
               if manifest["license"] in ("other", "unknown") else
               f"Released under the `{manifest['license']}` licence.")
    spacy_note = ("`spacy/{split}.{ar,en}.spacy`: spaCy DocBins per language, tokenised so that every entity "
                  "boundary is a token boundary, white space kept." if manifest.get("spacy") else
                  "(No spaCy DocBins in this release.)")
    body = [
        f"# {name} {version}",
        "",
        "A parallel corpus of Arabic news paragraphs and their English translations, with named entities "
        "annotated on both sides and linked across languages. It was made with Mizan, a review tool for "
        "Arabic-to-English news translation.",
        "",
        "## How it was made",
        "",
        f"- Arabic news articles were imported and split into paragraphs (titles and body text"
        f"{'' if filters['kind'] == 'text' else ', captions and photo credits'}).",
        f"- A machine translation model drafted the English: {drafts}.",
        "- Reviewers post-edited each draft; the effort is recorded per paragraph (`effort`: seconds, character "
        "edit distance and HTER against the draft).",
        "- Automatic QA checks (numbers, names, glossary, unlinked entities…) ran on the English; their findings "
        "are in `qa`, and `effort.override_reason` says why a reviewer approved despite a blocking finding.",
        f"- Reviewers tagged named entities in both languages and linked each Arabic entity to its English one. "
        f"This release holds {status}.",
        f"- Made by Mizan {manifest['mizan_version']}; every file's SHA-256 is in `manifest.json`.",
        "",
        "## Counts",
        "",
        f"Split {share} (train/dev/test) by article, so no article is in two splits; seed {manifest['seed']}. "
        "The split of each article is in `manifest.json` (`articles`).",
        "",
        *split_rows,
        "",
        "Tokens are the CoNLL files' tokens."
        + ("" if len(loadable_splits(manifest)) == len(SPLITS) else
           f" The empty split(s) ({', '.join(s for s in SPLITS if s not in loadable_splits(manifest))}) are left out "
           "of the card's `configs`, since `datasets` cannot load an empty split; their files are there, empty."),
        "",
        "## Entity labels",
        "",
        *_labels_table(total),
        "",
        f"{entity_total:,} entities in all; {total['links']:,} Arabic-English links. "
        + _overlaps(manifest),
        "",
        "## Agreement",
        "",
        *_agreement(manifest),
        "",
        "## Files",
        "",
        "- `data/{train,dev,test}.jsonl`: one paragraph a line: both texts, the machine draft, entities with "
        "character offsets (Python `str` indices over NFC text, end exclusive), links, QA findings, effort, "
        "and the record's `split`.",
        "- `tmx/{split}.tmx`: TMX 1.4 translation memories.",
        "- `moses/{split}.ar`, `.en`, `.mt`: line-aligned plain text (Arabic, approved English, machine draft).",
        "- `conll/{split}.ar.conll`, `.en.conll`: IOB2 `token<TAB>tag`, a `-DOCSTART- -X- O O` line before "
        "each article, a blank line after each paragraph.",
        f"- {spacy_note}",
        "- `manifest.json`: counts, filters, seed, split of each article, MT models, checksums.",
        "",
        "## How to load it",
        "",
        "```python",
        "from datasets import load_dataset",
        "corpus = load_dataset(\"path/to/this/folder\")  # train, dev, test; every field typed by this card",
        "```",
        "",
        "```sh",
        "sacrebleu moses/test.en -i moses/test.mt -m bleu chrf ter   # the machine drafts against the approved English",
        "python -m spacy convert conll/train.en.conll . --converter ner"
        + ("  # or use spacy/train.en.spacy as it is" if manifest.get("spacy") else ""),
        "```",
        "",
        "## Licence",
        "",
        licence,
        "",
        "## Citation",
        "",
        "```bibtex",
        f"@misc{{{re.sub(r'[^A-Za-z0-9]', '_', name)}_{re.sub(r'[^A-Za-z0-9]', '_', version)},",
        f"  title = {{{name} {version}: an Arabic-English news corpus with linked named entities}},",
        "  author = {TODO: the corpus owner},",
        "  year = {TODO},",
        "  note = {Made with Mizan},",
        "}",
        "```",
        "",
    ]
    return card_metadata(manifest) + "\n" + "\n".join(body)


__all__ = [
    "DEFAULT_SPLIT", "FEATURES", "ReleaseError", "ReleaseOptions", "ReleaseReport", "SPLITS", "assign_splits",
    "check_folder", "dataset_card", "parse_split", "release_options", "stream_release_zip", "write_release",
    "write_release_with_zip", "zip_download_name", "zip_path_of",
]

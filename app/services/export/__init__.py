"""Exports of the reviewed corpus: TMX 1.4, XLIFF 2.0 and 1.2, JSONL, CoNLL (IOB2) and Moses.

The CLI (`flask --app wsgi export`), the export page and `GET /api/v1/export/<format>`
all call `stream_export` or `write_export`: the same bytes, streamed chunk by
chunk from one read snapshot of the database. Formats and fields: docs/exports.md.
"""
from __future__ import annotations

import io
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator, Mapping

from ...extensions import db
from .. import gc_paused
from .corpus import KINDS, STATUSES, Selection, SelectionError, checked, count_paragraphs, read_snapshot
from . import parallel
from .helper import export_helper
from .formats import WRITERS, ExportReport, File, Writer, render
from . import release as _release
from .release import ReleaseError, ReleaseOptions, ReleaseReport, release_options

FORMATS = tuple(WRITERS)

__all__ = [
    "FORMATS", "KINDS", "STATUSES", "ExportReport", "Selection", "SelectionError", "count", "download_name",
    "label_names", "media_type", "output_paths", "selection_from", "sides_of", "start_helper", "stream_both_sides",
    "stream_export", "write_export", "zip_download_name", "BOTH_SIDES", "ZIP_MEDIA_TYPE",
    "ReleaseError", "ReleaseOptions", "release_options", "write_release", "stream_release",
]


def label_names(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """`PER,LOC`, or several such values (repeated options), as a tuple of names."""
    if not text:
        return ()
    values = [text] if isinstance(text, str) else list(text)
    return tuple(name.strip() for value in values for name in value.split(",") if name.strip())


def selection_from(filters: Mapping) -> Selection:
    """A Selection from parsed filters named as in the API query and the export page."""
    return Selection(
        article_ids=tuple(filters.get("article") or ()),
        status=filters.get("status") or "approved",
        kind=filters.get("kind") or "text",
        published_from=filters.get("published_from"),
        published_to=filters.get("published_to"),
        approved_from=filters.get("approved_from"),
        approved_to=filters.get("approved_to"),
        reviewer=filters.get("reviewer") or None,
        labels=label_names(filters.get("labels")),
    )


def sides_of(fmt: str) -> tuple[str, ...]:
    """The files a format writes: ("",) for one file; ("ar", "en", "mt") for Moses; ("ar", "en") for CoNLL."""
    return _writer_class(fmt).sides


def media_type(fmt: str) -> str:
    return _writer_class(fmt).media_type


def download_name(fmt: str, side: str = "") -> str:
    return "mizan-corpus" + _writer_class(fmt).suffixes[side]


def output_paths(fmt: str, path: str) -> dict[str, Path]:
    """Where each side goes: PATH itself for one-file formats, PATH + suffix (`.ar`, `.en.conll`…) otherwise."""
    writer = _writer_class(fmt)
    if writer.sides == ("",):
        return {"": Path(path)}
    return {side: Path(path + writer.suffixes[side]) for side in writer.sides}


def _writer_class(fmt: str) -> type[Writer]:
    try:
        return WRITERS[fmt]
    except KeyError:
        raise SelectionError(f"Unknown format {fmt!r}: choose one of {', '.join(FORMATS)}.") from None


def _check_side(fmt: str, side: str | None) -> str:
    sides = sides_of(fmt)
    if sides == ("",):
        if side:
            raise SelectionError(f"{fmt} is a single file: there is no side to choose.")
        return ""
    if side not in sides:
        raise SelectionError(f"{fmt} writes one file per side: choose side {' or '.join(sides)}.")
    return side


def _snapshot():
    """One read transaction for the whole export, on a connection of its own (never the request's session)."""
    return read_snapshot(db.engine)


def start_helper() -> None:
    """Start this server process's export helper in the background (on its first request)."""
    export_helper.start_in_background()


def count(selection: Selection) -> int:
    """How many paragraphs a selection exports (raises SelectionError for a bad filter)."""
    with _snapshot() as connection:
        return count_paragraphs(connection, checked(connection, selection))


def stream_export(fmt: str, selection: Selection, *, side: str | None = None, split_clitics: bool = False,
                  report: ExportReport | None = None, helper_min_paragraphs: int | None = None) -> Iterator[bytes]:
    """One file of an export as a stream of byte chunks (for HTTP).

    Filters are checked before this returns (a bad filter raises SelectionError
    while an error response can still be sent); the snapshot opens at the first chunk.
    With `helper_min_paragraphs`, an export of at least that many paragraphs in a format
    whose halves concatenate is written with the server's export helper process when it
    is free (helper.py).
    """
    side = _check_side(fmt, side)
    with _snapshot() as connection:
        checked(connection, selection)
    report = report or ExportReport(fmt)
    file = File(fmt, side, split_clitics)
    if WRITERS[fmt].halves_concatenate and helper_min_paragraphs is not None:
        return export_helper.stream(db.engine, file, selection, report, helper_min_paragraphs)

    def chunks() -> Iterator[bytes]:
        with _snapshot() as connection:
            yield from file.chunks(checked(connection, selection), report, connection)

    return chunks()


# A two-file format downloaded without a side: both languages in one zip (the machine drafts of Moses stay
# a download of their own, side=mt).
BOTH_SIDES = ("ar", "en")
ZIP_MEDIA_TYPE = "application/zip"


def zip_download_name(fmt: str) -> str:
    """`mizan-corpus.moses.zip`: the zip of both sides of a two-file format."""
    return f"mizan-corpus.{fmt}.zip"


def stream_both_sides(fmt: str, selection: Selection, *, split_clitics: bool = False,
                      report: ExportReport | None = None) -> Iterator[bytes]:
    """The Arabic and English files of a two-file format (Moses, CoNLL) in one zip, streamed: each file
    inside is byte for byte the download of its side (`stream_export(..., side=...)`), named as that
    download is, from one read snapshot. The export is read once: the Arabic file is compressed into the zip
    as it is written, the English one is held in a temporary file (in memory while small) until the Arabic
    file is complete, since a zip holds its files one after the other.

    Filters are checked before this returns, as in `stream_export`.
    """
    if sides_of(fmt) == ("",):
        raise SelectionError(f"{fmt} is a single file: there are no sides to bundle.")
    with _snapshot() as connection:
        checked(connection, selection)
    report = report or ExportReport(fmt)
    first, second = BOTH_SIDES

    def chunks() -> Iterator[bytes]:
        out = _ChunkSink()
        with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as held, \
                zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            with _snapshot() as connection:
                with archive.open(download_name(fmt, first), "w", force_zip64=True) as entry:
                    for parts in render(fmt, checked(connection, selection), report, connection, split_clitics,
                                        sides=BOTH_SIDES):
                        if parts.get(first):
                            entry.write(parts[first])
                            yield out.take()
                        if parts.get(second):
                            held.write(parts[second])
            held.seek(0)
            with archive.open(download_name(fmt, second), "w", force_zip64=True) as entry:
                while block := held.read(1024 * 1024):
                    entry.write(block)
                    yield out.take()
        yield out.take()  # the zip's central directory

    return chunks()


class _ChunkSink(io.RawIOBase):
    """A write-only, unseekable file the zip is written into; `take` hands over what was written since."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


def _write_jsonl_in_parallel(selection: Selection, files: tuple[Path, Path], report: ExportReport,
                             progress: Callable[[int], None] | None) -> bool:
    """A large JSONL export by two processes (parallel.py); False when it is too small to split."""
    partial, final = files
    with _snapshot() as connection:
        selection = checked(connection, selection)
    try:
        with gc_paused():
            if not parallel.write_jsonl_in_two_processes(_snapshot, selection, partial, report, progress):
                return False
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(final)
    report.files.append(str(final))
    return True


def write_export(fmt: str, selection: Selection, path: str, *, split_clitics: bool = False,
                 side: str | None = None, stdout: BinaryIO | None = None,
                 progress: Callable[[int], None] | None = None) -> ExportReport:
    """Write an export to PATH (a prefix for the two-file formats) or, with path "-", one side to `stdout`.

    Files are written under a temporary name and renamed when complete, so a
    failed export never leaves a truncated corpus behind.
    """
    report = ExportReport(fmt)
    if path == "-":
        side = _check_side(fmt, side)
        outputs = {side: stdout if stdout is not None else sys.stdout.buffer}
        finals: dict[str, tuple[Path, Path]] = {}
    else:
        finals = {s: (p.with_name(p.name + ".part"), p) for s, p in output_paths(fmt, path).items()}
        outputs = {}
        if fmt == "jsonl" and parallel.may_fork() and _write_jsonl_in_parallel(selection, finals[""], report, progress):
            return report
    with _snapshot() as connection:
        selection = checked(connection, selection)
        try:
            for s, (partial, _) in finals.items():
                outputs[s] = open(partial, "wb")
            # No garbage collection for the whole run (records are freed as they are written, and hold
            # no cycles): otherwise each chunk's records are walked once more when it ends. A stream
            # (stream_export) pauses chunk by chunk only, since its consumer may be slow.
            with gc_paused():
                for parts in render(fmt, selection, report, connection, split_clitics, progress):
                    for s, data in parts.items():
                        if data and s in outputs:
                            outputs[s].write(data)
        except BaseException:
            for s, (partial, _) in finals.items():
                if s in outputs:
                    outputs[s].close()
                partial.unlink(missing_ok=True)
            raise
    if path == "-":
        for output in outputs.values():  # the one side asked for
            output.flush()
        report.files.append("-")
    for s, (partial, final) in finals.items():
        outputs[s].close()
        partial.replace(final)
        report.files.append(str(final))
    return report


# Releases (release.py): a folder and its zip, split by article, with a dataset card and a manifest.

def write_release(selection: Selection, options: ReleaseOptions, directory: str | Path,
                  progress: Callable[[int], None] | None = None) -> ReleaseReport:
    """The CLI's release: DIR and DIR.zip (docs/exports.md, "Releases"). Bad filters, options or a folder that
    is not new raise before anything is written."""
    _release.check_folder(Path(directory))
    count(selection)  # a bad filter is refused before any folder is made
    with gc_paused():
        return _release.write_release_with_zip(_snapshot, selection, options, Path(directory), progress, db.engine)


def stream_release(selection: Selection, options: ReleaseOptions) -> tuple[Iterable[bytes], str]:
    """A release as a zip download: its bytes (the CLI's DIR.zip) and the file name. Built before this returns,
    so a bad filter is refused while an error response can still be sent."""
    chunks, _ = _release.stream_release_zip(_snapshot, selection, options)
    return chunks, _release.zip_download_name(options)

"""A zip whose files are deflated while they are written, on a thread of its own, and whose bytes depend only
on the files' names and contents.

A release writes some 600 MB of text per 100,000 paragraphs; deflating it after the fact would take as long as
writing it. Here each file's bytes go, as they are written, to a thread that deflates them (zlib and crc32 let
go of the GIL, and so does SHA-256, worked out there too) into a scratch file per entry. When
every file is complete the zip is put together from those parts: local headers, the deflated data, the central
directory. No time, owner or order of writing goes into it: entries in name order, dated 1980-01-01 (the
earliest a zip holds), mode 0644, Zip64 fields only for a size or offset past ZIP64_LIMIT.
"""
from __future__ import annotations

import hashlib
import queue
import shutil
import struct
import tempfile
import threading
import zlib
from pathlib import Path
from typing import BinaryIO, Iterator

LEVEL = 1  # deflate level: text compresses about tenfold even so, at several times level 6's speed
ZIP64_LIMIT = (1 << 31) - 1  # as Python's zipfile: sizes and offsets past this get Zip64 fields
_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01
_DOS_TIME = 0
_MODE = 0o100644 << 16  # a regular file, rw-r--r--
_MADE_BY = (3 << 8) | 45  # Unix, spec 4.5 (Zip64)
_MAX16, _MAX32 = 0xFFFF, 0xFFFFFFFF
_FINISH = object()  # fed after a file's last bytes


class Entry:
    """One file of the zip: its deflated bytes in a scratch file, its CRC-32, SHA-256 (for a manifest) and sizes,
    all worked out on the packer's thread; `done` is set when the file is complete."""

    def __init__(self, name: str, scratch: Path, finished: dict | None = None):
        if not name.isascii():
            raise ValueError("zip entry names are ASCII here (no UTF-8 flag is written)")
        self.name = name
        self.path = scratch
        self.done = threading.Event()
        self.sha256 = hashlib.sha256()
        self.out: BinaryIO | None = None
        if finished is not None:  # deflated by another process (`described` there)
            self.crc, self.size, self.compressed = finished["crc"], finished["size"], finished["compressed"]
            self.sha256_hex: str | None = finished["sha256"]
            self.done.set()
            return
        self.out = open(scratch, "wb")
        self.deflate = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
        self.sha256_hex = None
        self.crc = 0
        self.size = 0
        self.compressed = 0

    def finish(self) -> None:
        """After the last bytes: the rest of the deflated data, the final SHA-256."""
        assert self.out is not None
        packed = self.deflate.flush()
        self.out.write(packed)
        self.compressed += len(packed)
        self.out.close()
        self.sha256_hex = self.sha256.hexdigest()

    def described(self) -> dict:
        """What another process needs to put this entry, deflated here, into its zip."""
        return {"crc": self.crc, "size": self.size, "compressed": self.compressed, "sha256": self.sha256_hex,
                "path": str(self.path)}

    def take(self, data: bytes) -> None:
        """Runs on the packer's thread (or inline, in a process of its own)."""
        assert self.out is not None
        if data is _FINISH:
            self.finish()
            return
        self.sha256.update(data)
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        packed = self.deflate.compress(data)
        if packed:
            self.out.write(packed)
            self.compressed += len(packed)


class Packer:
    """Files deflated as they are written (`add`, `feed`, `finish`), then one zip of them (`chunks`)."""

    def __init__(self, scratch_parent: Path | None = None, start: bool = True):
        self.scratch = Path(tempfile.mkdtemp(prefix="mizan-zip-", dir=scratch_parent))
        self.entries: dict[str, Entry] = {}
        self.queue: queue.Queue = queue.Queue(maxsize=32)  # bounded: memory stays flat if deflating lags
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="mizan-zip", daemon=True)
        if start:
            self.thread.start()

    def start(self) -> None:
        """Start the thread (a packer made with start=False: the process forks first, with no thread running)."""
        self.thread.start()

    def scratch_path(self, name: str) -> Path:
        """Where an entry deflated elsewhere (another process) puts its data, for `add_finished`."""
        return self.scratch / ("x" + name.replace("/", "_"))

    def add_finished(self, name: str, described: dict) -> Entry:
        entry = Entry(name, Path(described["path"]), finished=described)
        self.entries[name] = entry
        return entry

    def _run(self) -> None:
        while (item := self.queue.get()) is not None:
            entry, data = item
            if self.error is None:
                try:
                    entry.take(data)
                except BaseException as error:  # noqa: BLE001 — raised again by close() and wait()
                    self.error = error
            if data is _FINISH:
                entry.done.set()

    def add(self, name: str) -> Entry:
        entry = Entry(name, self.scratch / str(len(self.entries)))
        self.entries[name] = entry
        return entry

    def feed(self, entry: Entry, data: bytes) -> None:
        if data:
            self.queue.put((entry, data))

    def finish(self, entry: Entry) -> None:
        self.queue.put((entry, _FINISH))

    def wait(self, entry: Entry) -> Entry:
        """The entry once the thread has taken all of it (its SHA-256 and size final)."""
        entry.done.wait()
        if self.error is not None:
            raise self.error
        return entry

    def close(self) -> None:
        """Wait for the thread to deflate everything fed; raise what went wrong there."""
        if self.thread.ident is not None and self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()
        if self.error is not None:
            raise self.error

    def discard(self) -> None:
        if self.thread.ident is not None and self.thread.is_alive():
            self.error = self.error or RuntimeError("discarded")
            self.queue.put(None)
            self.thread.join()
        for entry in self.entries.values():
            if entry.out is not None:
                entry.out.close()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def chunks(self, prefix: str = "") -> Iterator[bytes]:
        """The zip of every entry (names sorted, each under `prefix`), as chunks; the scratch files are removed
        at the end (or when the stream is closed)."""
        try:
            self.close()
            central = []
            offset = 0
            for name in sorted(self.entries):
                entry = self.entries[name]
                encoded = (prefix + name).encode("ascii")
                zip64 = max(entry.size, entry.compressed, offset) > ZIP64_LIMIT
                if zip64:
                    local_extra = struct.pack("<HHQQ", 1, 16, entry.size, entry.compressed)
                    sizes = (_MAX32, _MAX32)
                else:
                    local_extra, sizes = b"", (entry.compressed, entry.size)
                needed = 45 if zip64 else 20
                header = struct.pack("<4s5H3L2H", b"PK\x03\x04", needed, 0, zlib.DEFLATED, _DOS_TIME, _DOS_DATE,
                                     entry.crc, *sizes, len(encoded), len(local_extra)) + encoded + local_extra
                yield header
                with open(entry.path, "rb") as data:
                    while block := data.read(1 << 20):
                        yield block
                if zip64:
                    extra = struct.pack("<HHQQQ", 1, 24, entry.size, entry.compressed, offset)
                    fields = (_MAX32, _MAX32, _MAX32)
                else:
                    extra, fields = b"", (entry.compressed, entry.size, offset)
                central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", _MADE_BY, needed, 0, zlib.DEFLATED,
                                           _DOS_TIME, _DOS_DATE, entry.crc, fields[0], fields[1], len(encoded),
                                           len(extra), 0, 0, 0, _MODE, fields[2]) + encoded + extra)
                offset += len(header) + entry.compressed
            directory = b"".join(central)
            count, size = len(central), len(directory)
            tail = b""
            if count >= _MAX16 or size > ZIP64_LIMIT or offset > ZIP64_LIMIT:
                tail = (struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, _MADE_BY, 45, 0, 0, count, count, size, offset)
                        + struct.pack("<4sLQL", b"PK\x06\x07", 0, offset + size, 1))
                end = (_MAX16, _MAX16, _MAX32, _MAX32)
            else:
                end = (count, count, size, offset)
            yield directory + tail + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, *end, 0)
        finally:
            self.discard()

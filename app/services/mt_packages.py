"""Argos Translate model packages (`.argosmodel`), installed into the instance folder.

A package is a zip with one top-level folder holding `metadata.json`, a
CTranslate2 model in `model/` and a `sentencepiece.model`. Mizan validates
every member before extracting (argostranslate's own installer extracts
blindly), installs under `<instance>/argos-packages/` — never into the
user's home — and records the archive's SHA-256 so every machine draft can
name the exact model that made it. This module reads zips and JSON only: the
web process may call it without loading argostranslate, torch or CTranslate2.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from . import ServiceError

PACKAGES_FOLDER = "argos-packages"
RECORD_FILE = "mizan-package.json"
REQUIRED_FILES = ("metadata.json", "model/model.bin", "model/config.json", "sentencepiece.model")
MAX_MEMBERS = 10_000
# Zip bombs. The Argos ar→en packages unpack to a few hundred MB and their members barely compress
# (model weights, a SentencePiece model); a package unpacking to more than 2 GiB, or a member of more
# than 1 MiB that unpacks to more than 20 times its compressed size, is refused before anything is written.
# zipfile never writes more than a member's declared size, so the checks on the declared sizes hold.
MAX_UNCOMPRESSED_BYTES = 2 * 1024**3
MAX_COMPRESSION_RATIO = 20
RATIO_CHECKED_FROM_BYTES = 1024**2
# argostranslate treats a path containing these words as a sentence-splitter
# package of that kind; an installed folder must never contain them.
_RESERVED_WORDS = ("stanza", "minisbd", "spacy")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


class PackageError(ServiceError):
    """A package file that cannot be installed, with the reason."""


@dataclass(frozen=True)
class InstalledPackage:
    path: Path
    name: str
    version: str
    from_code: str
    to_code: str
    checksum: str  # SHA-256 of the .argosmodel file as installed
    size: int  # bytes on disk
    installed_at: str
    target_prefix: str = ""

    @property
    def model_id(self) -> str:
        """Names the exact model: package name, version and archive checksum."""
        return f"{self.name}@{self.version}+sha256:{self.checksum[:16]}"

    @property
    def model_dir(self) -> Path:
        return self.path / "model"

    @property
    def sentencepiece_model(self) -> Path:
        return self.path / "sentencepiece.model"


def packages_dir(instance_path: str | Path) -> Path:
    return Path(instance_path) / PACKAGES_FOLDER


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _checked_members(archive: zipfile.ZipFile) -> str:
    """Refuse unsafe or malformed archives; return the single top-level folder name."""
    infos = archive.infolist()
    if not infos:
        raise PackageError("the archive is empty")
    if len(infos) > MAX_MEMBERS:
        raise PackageError(f"the archive has more than {MAX_MEMBERS:,} files")
    if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
        raise PackageError(f"the archive would unpack to more than {MAX_UNCOMPRESSED_BYTES / 1024**3:g} GiB")
    for info in infos:
        if (info.file_size > RATIO_CHECKED_FROM_BYTES
                and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)):
            raise PackageError(
                f"{info.filename!r} would unpack from {info.compress_size:,} to {info.file_size:,} bytes, "
                f"more than {MAX_COMPRESSION_RATIO} times: a model does not compress like that (a zip bomb?)")
    tops = set()
    for info in infos:
        name = info.filename
        parts = PurePosixPath(name).parts
        if (
            name.startswith(("/", "\\")) or "\\" in name or ".." in parts or ":" in name
            or any(part in ("", ".") for part in name.rstrip("/").split("/"))
        ):
            raise PackageError(f"unsafe path in the archive: {name!r}")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise PackageError(f"the archive contains a symbolic link: {name!r}")
        tops.add(parts[0])
        if len(parts) == 1 and not info.is_dir():
            raise PackageError(f"file {name!r} is outside the package folder")
    if len(tops) != 1:
        raise PackageError(f"the archive must hold exactly one package folder, found {len(tops)}")
    return tops.pop()


def _read_metadata(archive: zipfile.ZipFile, top: str) -> dict:
    names = set(archive.namelist())
    missing = [f for f in REQUIRED_FILES if f"{top}/{f}" not in names]
    if "metadata.json" in missing:
        raise PackageError("no metadata.json in the package: not an Argos package")
    try:
        metadata = json.loads(archive.read(f"{top}/metadata.json").decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PackageError(f"metadata.json is not valid JSON: {error}") from None
    if not isinstance(metadata, dict):
        raise PackageError("metadata.json must hold a JSON object")
    from_code, to_code = metadata.get("from_code"), metadata.get("to_code")
    if (from_code, to_code) != ("ar", "en"):
        raise PackageError(f"wrong languages: the package translates {from_code!r} → {to_code!r}; Mizan needs 'ar' → 'en'")
    if metadata.get("type", "translate") != "translate":
        raise PackageError(f"package type is {metadata.get('type')!r}, not a translation model")
    if "model/model.bin" in missing or "model/config.json" in missing:
        raise PackageError("no CTranslate2 model in the package (model/model.bin and model/config.json)")
    if "sentencepiece.model" in missing:
        raise PackageError("no sentencepiece.model in the package (only SentencePiece models are supported)")
    return metadata


def _folder_name(metadata: dict, top: str) -> str:
    base = _SAFE_NAME.sub("-", f"{metadata.get('name') or top}-{metadata.get('package_version') or metadata.get('version') or '0'}")
    for word in _RESERVED_WORDS:
        base = re.sub(word, word[0] + "_" + word[1:], base, flags=re.IGNORECASE)
    return base.strip("-.") or "package"


def install_package(package_file: Path, instance_path: str | Path) -> InstalledPackage:
    """Validate and install one package; on any refusal nothing is left behind."""
    package_file = Path(package_file)
    if not package_file.is_file():
        raise PackageError(f"{package_file} is not a file")
    if not zipfile.is_zipfile(package_file):
        raise PackageError("not a zip archive: an .argosmodel file is a zip")
    checksum = _sha256(package_file)
    target_root = packages_dir(instance_path)
    target_root.mkdir(parents=True, exist_ok=True)
    for installed in list_packages(instance_path):
        if installed.checksum == checksum:
            raise PackageError(f"this file is already installed as {installed.model_id}")

    try:
        with zipfile.ZipFile(package_file) as archive:
            top = _checked_members(archive)
            metadata = _read_metadata(archive, top)
            folder = target_root / _folder_name(metadata, top)
            if folder.exists():
                raise PackageError(f"a package named {folder.name!r} is installed already; remove it first")
            staging = Path(tempfile.mkdtemp(prefix=".installing-", dir=target_root))
            try:
                archive.extractall(staging)
                unpacked = staging / top
                record = {
                    "checksum": checksum,
                    "original_filename": package_file.name,
                    "installed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                }
                (unpacked / RECORD_FILE).write_text(json.dumps(record, indent=2))
                unpacked.rename(folder)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    except zipfile.BadZipFile as error:
        raise PackageError(f"the zip archive is damaged: {error}") from None
    package = read_installed_package(folder)
    if package is None:
        shutil.rmtree(folder, ignore_errors=True)
        raise PackageError("the installed package could not be read back")
    return package


def read_installed_package(folder: Path) -> InstalledPackage | None:
    try:
        metadata = json.loads((folder / "metadata.json").read_text("utf-8"))
        record = json.loads((folder / RECORD_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    return InstalledPackage(
        path=folder,
        name=str(metadata.get("name") or folder.name),
        version=str(metadata.get("package_version") or metadata.get("version") or "0"),
        from_code=metadata.get("from_code", ""),
        to_code=metadata.get("to_code", ""),
        checksum=record["checksum"],
        size=size,
        installed_at=record.get("installed_at", ""),
        target_prefix=str(metadata.get("target_prefix") or ""),
    )


def list_packages(instance_path: str | Path) -> list[InstalledPackage]:
    """Installed ar→en packages, newest first."""
    root = packages_dir(instance_path)
    if not root.is_dir():
        return []
    packages = [
        p for p in (read_installed_package(folder) for folder in root.iterdir()
                    if folder.is_dir() and not folder.name.startswith("."))
        if p is not None
    ]
    return sorted(packages, key=lambda p: (p.installed_at, p.name), reverse=True)


def find_package(instance_path: str | Path, name_or_id: str | None = None) -> InstalledPackage | None:
    """The package named (by name, folder or model id), or the newest one."""
    packages = list_packages(instance_path)
    if name_or_id is None:
        return packages[0] if packages else None
    for package in packages:
        if name_or_id in (package.name, package.path.name, package.model_id):
            return package
    return None


def remove_package(instance_path: str | Path, name_or_id: str) -> InstalledPackage:
    package = find_package(instance_path, name_or_id)
    if package is None:
        raise PackageError(f"no installed package {name_or_id!r}")
    shutil.rmtree(package.path)
    return package

"""Validate TMX and XLIFF against their official schemas, and read them back the
way another tool would (translate-toolkit).

The schemas are not vendored: `make test` (or `make xml-schemas`) takes them once
into .cache/xml-schemas/ from Debian packages, without installing anything:
- tmx14.dtd, the LISA TMX 1.4 DTD, from the OmegaT.jar in `omegat`;
- xliff-core-1.2-strict.xsd, xliff-core-2.0.xsd and W3C's xml.xsd (which both
  import) from `php-symfony-translation`.
The XSDs import xml.xsd from a URL (1.2) or a relative path the package lacks
(2.0); a resolver maps both to the local copy, so the files stay as downloaded
and validation never touches the network.

Every validator takes a path, bytes, or a str holding the document itself, and
raises AssertionError listing lxml's errors with line numbers. The readers use
translate-toolkit's own storage classes and return (source, target) texts in
document order; target is None when a unit has none.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Union

from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = ROOT / ".cache" / "xml-schemas"  # the Makefile's $(SCHEMAS)

TMX14_DTD = "tmx14.dtd"
XLIFF12_XSD = "xliff-core-1.2-strict.xsd"
XLIFF20_XSD = "xliff-core-2.0.xsd"
XML_XSD = "xml.xsd"

XLIFF12_NS = "urn:oasis:names:tc:xliff:document:1.2"
XLIFF20_NS = "urn:oasis:names:tc:xliff:document:2.0"

# How the two XSDs name xml.xsd in their <xs:import schemaLocation=...>.
_XML_XSD_LOCATIONS = (
    "http://www.w3.org/2001/xml.xsd",  # xliff-core-1.2-strict.xsd
    "informativeCopiesOf3rdPartySchemas/w3c/xml.xsd",  # xliff-core-2.0.xsd, relative
)

Source = Union[str, bytes, os.PathLike]


def schema_path(name: str) -> Path:
    """The cached schema file, or an AssertionError saying how to fetch it."""
    path = SCHEMA_DIR / name
    if not path.is_file():
        raise AssertionError(
            f"XML schema {name} is missing from {SCHEMA_DIR}: run `make test` "
            "(or just `make xml-schemas`) to fetch the TMX/XLIFF schemas from Debian packages"
        )
    return path


class _LocalXmlXsd(etree.Resolver):
    """Serves W3C's xml.xsd from the cache whatever location an XSD gives it."""

    def resolve(self, url, pubid, context):
        if url and url.endswith(_XML_XSD_LOCATIONS):
            return self.resolve_filename(str(schema_path(XML_XSD)), context)
        return None


@functools.lru_cache(maxsize=None)
def _xml_schema(name: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_LocalXmlXsd())
    schema_path(XML_XSD)  # fail with the `make test` hint, not an import error
    return etree.XMLSchema(etree.parse(str(schema_path(name)), parser))


@functools.lru_cache(maxsize=None)
def _tmx_dtd() -> etree.DTD:
    return etree.DTD(str(schema_path(TMX14_DTD)))


def _parse(source: Source) -> tuple[etree._ElementTree, str]:
    """Parse without loading any DTD or entity the document names."""
    parser = etree.XMLParser(
        no_network=True, load_dtd=False, resolve_entities=False, remove_blank_text=False
    )
    if isinstance(source, str) and source.lstrip().startswith("<"):
        source = source.encode("utf-8")
    try:
        if isinstance(source, bytes):
            return etree.ElementTree(etree.fromstring(source, parser)), "<document>"
        return etree.parse(os.fspath(source), parser), os.fspath(source)
    except etree.XMLSyntaxError as error:
        raise AssertionError(f"not well-formed XML: {error}") from error


def _fail(kind: str, label: str, error_log) -> None:
    lines = [
        f"  line {entry.line}"
        + (f", column {entry.column}" if entry.column else "")
        + f": {entry.message}"
        + (f" (at {entry.path})" if getattr(entry, "path", None) else "")
        for entry in error_log
    ]
    raise AssertionError(f"{label} is not valid {kind}:\n" + "\n".join(lines or ["  (no details)"]))


def _check_root(tree: etree._ElementTree, label: str, kind: str, tag: str, version: str) -> None:
    # A DTD or XSD also accepts a document whose root is any element it declares
    # (<body>, <unit>, ...): say which root and version the format requires.
    root = tree.getroot()
    if root.tag != tag:
        raise AssertionError(f"{label} is not {kind}: root element is {root.tag!r}, expected {tag!r}")
    if root.get("version") != version:
        raise AssertionError(
            f"{label} is not {kind}: version attribute is {root.get('version')!r}, expected {version!r}"
        )


def validate_tmx14(source: Source) -> etree._ElementTree:
    """Valid against the TMX 1.4 DTD, with a <tmx version="1.4"> root."""
    return _validated(source, _tmx_dtd(), "TMX 1.4", "tmx", "1.4", "tmx14.dtd")


def validate_xliff12(source: Source) -> etree._ElementTree:
    """Valid against the OASIS XLIFF 1.2 strict XSD, with an <xliff version="1.2"> root."""
    return _validated(source, _xml_schema(XLIFF12_XSD), "XLIFF 1.2", f"{{{XLIFF12_NS}}}xliff", "1.2",
                      "xliff-core-1.2-strict.xsd")


def validate_xliff20(source: Source) -> etree._ElementTree:
    """Valid against the OASIS XLIFF 2.0 core XSD, with an <xliff version="2.0"> root.

    Only the core schema is checked: elements of modules such as metadata (mda)
    sit at the core's lax extension points and are not validated themselves.
    """
    return _validated(source, _xml_schema(XLIFF20_XSD), "XLIFF 2.0", f"{{{XLIFF20_NS}}}xliff", "2.0",
                      "xliff-core-2.0.xsd")


def _validated(source: Source, validator, name: str, root: str, version: str, schema_file: str) -> etree._ElementTree:
    """`source` parsed, its root and version checked, and validated by `validator` (a DTD or an XSD)."""
    tree, label = _parse(source)
    _check_root(tree, label, name, root, version)
    if not validator.validate(tree):
        _fail(f"{name} ({schema_file})", label, validator.error_log)
    return tree


def _read(source: Source) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, str) and source.lstrip().startswith("<"):
        return source.encode("utf-8")
    return Path(source).read_bytes()


def _texts(units) -> list[tuple[str, str | None]]:
    return [
        (str(unit.source), None if unit.target is None else str(unit.target))
        for unit in units
    ]


def read_tmx_store(source: Source, target_lang: str | None = None):
    """translate-toolkit's tmxfile; the source language comes from the header's srclang."""
    from translate.storage.tmx import tmxfile

    return tmxfile.parsestring(_read(source), targetlanguage=target_lang)


def read_xliff12_store(source: Source):
    from translate.storage.xliff import xlifffile

    return xlifffile.parsestring(_read(source))


def read_xliff20_store(source: Source):
    # translate-toolkit's XLIFF 2.0 class; its format factory would pick the
    # XLIFF 1.x class for a .xlf file and refuse a 2.0 document.
    from translate.storage.xliff2 import Xliff2File

    return Xliff2File.parsestring(_read(source))


def read_tmx_units(source: Source, target_lang: str | None = None) -> list[tuple[str, str | None]]:
    """(source, target) of each <tu>: source is the tuv in the header's srclang,
    target the tuv in target_lang, or else the other tuv."""
    return _texts(read_tmx_store(source, target_lang).units)


def read_xliff12_units(source: Source) -> list[tuple[str, str | None]]:
    """(source, target) of each <trans-unit>, across all <file>s."""
    return _texts(read_xliff12_store(source).units)


def read_xliff20_units(source: Source) -> list[tuple[str, str | None]]:
    """(source, target) of each <segment> (one per <unit> when units have one), across all <file>s."""
    return _texts(read_xliff20_store(source).units)

"""Documents of co-design processes: the file type is read from the content, never from the
name or the type the browser sent; files are stored under generated names in the instance's
upload folder and served back as attachments with the type found at upload.

An office document is a zip: its central directory is judged before anything is inflated (members,
total size and ratio, no archive inside), and its XML is read with defusedxml, which refuses DTDs,
entities and external references — the few parts read whole, and the opening of every other XML part
(where a DTD would stand, before the root element)."""
from __future__ import annotations

import io
import logging
import re
import unicodedata
import uuid
import xml.sax
import xml.sax.handler
import zipfile
from dataclasses import dataclass
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser
from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage

from civic.core.rules import RuleError
from civic.uploads.services import format_size

log = logging.getLogger("civic.codesign.files")


@dataclass(frozen=True)
class FileType:
    key: str
    extension: str
    content_type: str
    label: str


TYPES = {t.key: t for t in (
    FileType("pdf", "pdf", "application/pdf", "PDF"),
    FileType("odt", "odt", "application/vnd.oasis.opendocument.text", "ODT"),
    FileType("ods", "ods", "application/vnd.oasis.opendocument.spreadsheet", "ODS"),
    FileType("docx", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"),
    FileType("xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    FileType("png", "png", "image/png", "PNG"),
    FileType("jpeg", "jpg", "image/jpeg", "JPEG"),
)}
ACCEPT_ATTRIBUTE = ",".join([".pdf", ".odt", ".ods", ".docx", ".xlsx", ".png", ".jpg", ".jpeg",
                             *(t.content_type for t in TYPES.values())])
# Room for the form's other fields around the file, in the request's size limit.
FORM_OVERHEAD = 256 * 1024
# The small members of a zip read to recognise it; bigger ones mean it is not what it claims.
_ZIP_MEMBER_MAX = 64 * 1024
_ODF = {"application/vnd.oasis.opendocument.text": "odt", "application/vnd.oasis.opendocument.spreadsheet": "ods"}
_OOXML = {"docx": ("word/", "wordprocessingml.document.main+xml"), "xlsx": ("xl/", "spreadsheetml.sheet.main+xml")}


class DocumentFileError(RuleError):
    """The file cannot be accepted (422, shown next to the file field)."""


def max_bytes() -> int:
    return int(current_app.config.get("DOCUMENT_MAX_BYTES") or 10 * 1024 * 1024)


def refused_message():
    return _l("This file type is not accepted: upload a PDF, ODT, DOCX, ODS or XLSX document, or a PNG or "
              "JPEG image. The type is checked from the file's content, not from its name.")


def unsafe_message():
    return _l("This document cannot be accepted: it would expand to far more than its size, or it contains "
              "other archives or XML declarations that documents do not need. Save it again from your office "
              "program and upload the new file.")


def detect(data: bytes) -> FileType | None:
    """The accepted type the content really has, or None (an unsafe archive is None too)."""
    try:
        return inspect(data)
    except UnsafeDocument:
        return None


def inspect(data: bytes) -> FileType | None:
    """The accepted type the content really has, or None; raises UnsafeDocument for a zip or XML bomb."""
    if data.startswith(b"%PDF-"):
        return TYPES["pdf"]
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return TYPES["png"]
    if data.startswith(b"\xff\xd8\xff"):
        return TYPES["jpeg"]
    if data.startswith(b"PK\x03\x04"):
        return _detect_zip(data)
    return None


class UnsafeDocument(Exception):
    """The archive or its XML would cost too much to open: a bomb, or parts no document needs."""


# Limits read from the zip's central directory before anything is inflated. An office document is mostly
# XML that compresses 5 to 30 times; images are stored about as they are.
_ZIP_ENTRIES_MAX = 2000
_ZIP_TOTAL_MAX = 100 * 1024 * 1024
_ZIP_RATIO_MAX = 100  # uncompressed / compressed, the whole archive and each large member
_ZIP_RATIO_FLOOR = 1024 * 1024  # members and archives smaller than this may compress as they like
_NESTED = (".zip", ".jar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".tar", ".cab",
           ".docx", ".docm", ".xlsx", ".xlsm", ".pptx", ".odt", ".ods", ".odp", ".odg")
# The opening of each XML member read to find a DTD before its root element (documents never have one).
_XML_PROLOG_MAX = 16 * 1024


def _check_archive(archive: zipfile.ZipFile, size: int) -> None:
    """Refuse, from the central directory alone, what would inflate too much or hide another archive."""
    members = archive.infolist()
    if len(members) > _ZIP_ENTRIES_MAX:
        raise UnsafeDocument("too many members")
    total = 0
    for info in members:
        total += info.file_size
        if info.filename.lower().endswith(_NESTED) or info.flag_bits & 0x1:  # nested, or encrypted
            raise UnsafeDocument(f"nested or encrypted member {info.filename!r}")
        if info.file_size > _ZIP_RATIO_FLOOR and info.file_size > _ZIP_RATIO_MAX * max(info.compress_size, 1):
            raise UnsafeDocument(f"member {info.filename!r} inflates too much")
    if total > _ZIP_TOTAL_MAX or (total > _ZIP_RATIO_FLOOR and total > _ZIP_RATIO_MAX * max(size, 1)):
        raise UnsafeDocument("the archive inflates too much")


def _read_member(archive: zipfile.ZipFile, name: str, limit: int = _ZIP_MEMBER_MAX) -> bytes | None:
    """A member's first `limit` bytes at most (None when missing or declared larger than `limit`)."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > limit:
        return None
    with archive.open(info) as member:
        return member.read(limit + 1)[:limit]


class _Elements(xml.sax.handler.ContentHandler):
    """The elements of an XML part, by local name, with their attributes (namespaces are not resolved:
    the parts read are small and only their local names matter)."""

    def __init__(self, stop_at_root: bool = False):
        super().__init__()
        self.stop_at_root = stop_at_root
        self.found: list[tuple[str, dict[str, str]]] = []

    def startElement(self, name, attrs):  # noqa: N802 - the SAX interface
        if self.stop_at_root:
            raise _RootReached
        self.found.append((name.rsplit(":", 1)[-1], {k.rsplit(":", 1)[-1]: v for k, v in attrs.items()}))


class _RootReached(Exception):
    pass


def _parse_xml(data: bytes, *, prolog_only: bool = False) -> list[tuple[str, dict[str, str]]]:
    """Parse with defusedxml: a DTD, an entity or an external reference refuses the document.
    `prolog_only`: stop at the root element (what comes before it is where a DTD would be)."""
    handler = _Elements(stop_at_root=prolog_only)
    parser = DefusedExpatParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    parser.setContentHandler(handler)
    try:
        parser.feed(data)
        if prolog_only:
            raise UnsafeDocument("no root element near the start of an XML member")
        parser.close()
    except _RootReached:
        pass
    except DefusedXmlException as error:
        raise UnsafeDocument(f"XML refused: {type(error).__name__}") from error
    except xml.sax.SAXException as error:
        if prolog_only:  # the opening read was cut: only its DTD matters here
            return handler.found
        raise UnsafeDocument(f"XML not readable: {error}") from error
    return handler.found


def _check_xml_members(archive: zipfile.ZipFile) -> None:
    """Every XML member's opening is read, a few kilobytes at most, for a DTD or entity before its root."""
    for info in archive.infolist():
        if info.file_size and info.filename.lower().endswith((".xml", ".rels")):
            with archive.open(info) as member:
                _parse_xml(member.read(_XML_PROLOG_MAX), prolog_only=True)


def _detect_zip(data: bytes) -> FileType | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_archive(archive, len(data))
            names = archive.namelist()
            # OpenDocument: a first member "mimetype", stored as is, naming the document's type.
            if names and names[0] == "mimetype":
                mimetype = (_read_member(archive, "mimetype", 256) or b"").decode("ascii", "replace").strip()
                key = _ODF.get(mimetype)
                manifest = _read_member(archive, "META-INF/manifest.xml")
                if key is None or manifest is None:
                    return None
                _parse_xml(manifest)
                _check_xml_members(archive)
                return TYPES[key]
            content_types = _read_member(archive, "[Content_Types].xml")
            if content_types is None:
                return None
            declared = {attrs.get("ContentType", "") for tag, attrs in _parse_xml(content_types)
                        if tag in ("Override", "Default")}
            for key, (folder, main) in _OOXML.items():
                if any(t.endswith(main) for t in declared) and any(n.startswith(folder) for n in names):
                    _check_xml_members(archive)
                    return TYPES[key]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, NotImplementedError, EOFError):
        return None
    return None


_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;\u202a-\u202e\u2066-\u2069\u200e\u200f]')


def clean_name(name: str | None, file_type: FileType, fallback: str) -> str:
    """The name offered for download: the uploader's name without any path or unsafe character,
    and always the extension of the type found in the content."""
    base = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    base = " ".join(_UNSAFE.sub(" ", base).split()).strip(". ")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem.strip(". ")[:150] or fallback
    return f"{stem}.{file_type.extension}"


@dataclass
class StoredFile:
    stored_name: str
    original_name: str
    file_type: FileType
    size: int


def folder() -> Path:
    path = Path(current_app.instance_path) / "uploads" / "documents"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(file: FileStorage | None, fallback_name: str, field: str = "file") -> StoredFile:
    """Check and save an uploaded document; refuses empty, too large and unknown files."""
    if file is None or not getattr(file, "filename", None):
        raise DocumentFileError(_l("Choose the file to upload."), field)
    limit = max_bytes()
    data = file.stream.read(limit + 1)
    if not data:
        raise DocumentFileError(_l("The file is empty."), field)
    if len(data) > limit:
        raise DocumentFileError(_l("The file is larger than %(size)s: upload a smaller one.",
                                   size=format_size(limit)), field)
    try:
        file_type = inspect(data)
    except UnsafeDocument as error:
        log.warning("unsafe document refused: %s", error)
        raise DocumentFileError(unsafe_message(), field) from None
    if file_type is None:
        raise DocumentFileError(refused_message(), field)
    stored_name = f"{uuid.uuid4().hex}.{file_type.extension}"
    (folder() / stored_name).write_bytes(data)
    return StoredFile(stored_name, clean_name(file.filename, file_type, fallback_name), file_type, len(data))


def discard(stored_name: str) -> None:
    """Remove a file written by a request whose transaction did not commit."""
    (folder() / stored_name).unlink(missing_ok=True)

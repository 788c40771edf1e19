"""Documents of co-design processes: the file type is read from the content, never from the
name or the type the browser sent; files are stored under generated names in the instance's
upload folder and served back as attachments with the type found at upload."""
from __future__ import annotations

import io
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage

from civic.core.rules import RuleError
from civic.uploads.services import format_size


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


def detect(data: bytes) -> FileType | None:
    """The accepted type the content really has, or None."""
    if data.startswith(b"%PDF-"):
        return TYPES["pdf"]
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return TYPES["png"]
    if data.startswith(b"\xff\xd8\xff"):
        return TYPES["jpeg"]
    if data.startswith(b"PK\x03\x04"):
        return _detect_zip(data)
    return None


def _read_member(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _ZIP_MEMBER_MAX:
        return None
    with archive.open(info) as member:
        return member.read(_ZIP_MEMBER_MAX + 1)


def _detect_zip(data: bytes) -> FileType | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            # OpenDocument: a first member "mimetype", stored as is, naming the document's type.
            if names and names[0] == "mimetype":
                mimetype = (_read_member(archive, "mimetype") or b"").decode("ascii", "replace").strip()
                key = _ODF.get(mimetype)
                return TYPES[key] if key else None
            content_types = _read_member(archive, "[Content_Types].xml")
            if content_types is None:
                return None
            declared = content_types.decode("utf-8", "replace")
            for key, (folder, main) in _OOXML.items():
                if main in declared and any(n.startswith(folder) for n in names):
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
    file_type = detect(data)
    if file_type is None:
        raise DocumentFileError(refused_message(), field)
    stored_name = f"{uuid.uuid4().hex}.{file_type.extension}"
    (folder() / stored_name).write_bytes(data)
    return StoredFile(stored_name, clean_name(file.filename, file_type, fallback_name), file_type, len(data))


def discard(stored_name: str) -> None:
    """Remove a file written by a request whose transaction did not commit."""
    (folder() / stored_name).unlink(missing_ok=True)

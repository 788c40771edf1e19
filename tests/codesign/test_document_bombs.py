"""Documents that would cost the server (or whoever opens them) far more than their size: XML entity bombs,
external entities, an archive with a gigabyte member, archives inside archives. Each is refused from the
zip's central directory and the opening of its XML parts, quickly, with a message next to the file field,
and nothing is stored."""
from __future__ import annotations

import io
import time
import zipfile

import pytest

from civic.codesign import files
from tests.codesign.conftest import MODERATOR, VALID_FILES, odf_bytes, ooxml_bytes
from tests.codesign.test_views import as_, process_folder
from tests.conftest import table_counts

LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
          + "".join(f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">\n'
                    for i in range(1, 10))
          + ']>\n')
ODF_TEXT = "application/vnd.oasis.opendocument.text"
OOXML_MAIN = "application/vnd.openxmlformats-officedocument."


def _zip(members: list[tuple[str | zipfile.ZipInfo, bytes | str]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def _mimetype(value: str) -> tuple[zipfile.ZipInfo, str]:
    info = zipfile.ZipInfo("mimetype")
    info.compress_type = zipfile.ZIP_STORED
    return info, value


def _content_types(kind: str, before_root: str = "") -> str:
    folder, part, main = {"docx": ("word", "document.xml", "wordprocessingml.document.main+xml"),
                          "xlsx": ("xl", "workbook.xml", "spreadsheetml.sheet.main+xml")}[kind]
    return (before_root + f'<Types><Override PartName="/{folder}/{part}" ContentType="{OOXML_MAIN}{main}"/>'
            + ("&lol9;" if "lol9" in before_root else "") + "</Types>")


def docx_with_laughs_in_content_types() -> bytes:
    return _zip([("[Content_Types].xml", _content_types("docx", LAUGHS)), ("_rels/.rels", "<Relationships/>"),
                 ("word/document.xml", "<document/>")])


def odt_with_laughs_in_manifest() -> bytes:
    return _zip([_mimetype(ODF_TEXT), ("content.xml", "<office:document-content/>"),
                 ("META-INF/manifest.xml", LAUGHS + "<manifest:manifest>&lol9;</manifest:manifest>")])


def odt_with_laughs_in_content() -> bytes:
    return _zip([_mimetype(ODF_TEXT), ("content.xml", LAUGHS + "<office:document-content>&lol9;</office:document-content>"),
                 ("META-INF/manifest.xml", "<manifest:manifest/>")])


def xlsx_with_external_entity() -> bytes:
    external = '<?xml version="1.0"?>\n<!DOCTYPE Types [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
    return _zip([("[Content_Types].xml", _content_types("xlsx", external)), ("_rels/.rels", "<Relationships/>"),
                 ("xl/workbook.xml", '<!DOCTYPE w [<!ENTITY x SYSTEM "http://example.com/x">]><workbook>&x;</workbook>')])


def ods_with_a_gigabyte_member() -> bytes:
    """A few megabytes on disk whose central directory declares a 1 GB member: never inflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(*_mimetype("application/vnd.oasis.opendocument.spreadsheet"))
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
        with archive.open("content.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(1024):
                member.write(chunk)
    return buffer.getvalue()


def docx_with_an_archive_inside() -> bytes:
    return _zip([("[Content_Types].xml", _content_types("docx")), ("word/document.xml", "<document/>"),
                 ("word/embeddings/altro.zip", ooxml_bytes("xlsx"))])


BOMBS = {
    "docx-billion-laughs": (docx_with_laughs_in_content_types, "progetto.docx"),
    "odt-billion-laughs-manifest": (odt_with_laughs_in_manifest, "verbale.odt"),
    "odt-billion-laughs-content": (odt_with_laughs_in_content, "verbale.odt"),
    "xlsx-external-entity": (xlsx_with_external_entity, "piano.xlsx"),
    "ods-gigabyte-member": (ods_with_a_gigabyte_member, "budget.ods"),
    "docx-nested-archive": (docx_with_an_archive_inside, "progetto.docx"),
}


@pytest.fixture(scope="module")
def built_bombs() -> dict[str, bytes]:
    return {key: build() for key, (build, _name) in BOMBS.items()}


@pytest.mark.parametrize("key", sorted(BOMBS))
def test_a_bomb_is_recognised_quickly_without_inflating_it(built_bombs, key):
    data = built_bombs[key]
    began = time.monotonic()
    with pytest.raises(files.UnsafeDocument):
        files.inspect(data)
    assert files.detect(data) is None
    assert time.monotonic() - began < 1


@pytest.mark.parametrize("key", sorted(BOMBS))
def test_a_bomb_uploaded_is_refused_with_a_message_and_nothing_is_stored(app, client, process, built_bombs, key):
    app.config["DOCUMENT_MAX_BYTES"] = 20 * 1024 * 1024  # the gigabyte member's archive fits the size limit
    as_(client, MODERATOR)
    before = table_counts()
    began = time.monotonic()
    response = client.submit(f"/codesign/{process.id}/documents/new",
                             {"title": "Documento", "role": "other", "file": (io.BytesIO(built_bombs[key]), BOMBS[key][1])},
                             content_type="multipart/form-data")
    elapsed = time.monotonic() - began
    assert response.status_code == 422
    assert "This document cannot be accepted" in response.get_data(as_text=True)
    assert elapsed < 3  # the request, with its login checks and page; the check itself is under 1 s above
    assert table_counts() == before
    assert not list(process_folder(client).glob("*"))


@pytest.mark.parametrize("kind", ["odt", "ods", "docx", "xlsx"])
def test_ordinary_office_documents_are_still_recognised(kind):
    build, name, content_type = VALID_FILES[kind]
    assert files.inspect(build()).content_type == content_type


def test_a_real_looking_odt_with_namespaces_and_declaration_is_recognised():
    data = _zip([_mimetype(ODF_TEXT),
                 ("content.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<!-- LibreOffice -->\n'
                                 '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>'),
                 ("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?>\n'
                                           '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                                           '<manifest:file-entry manifest:full-path="/" manifest:media-type="'
                                           + ODF_TEXT + '"/></manifest:manifest>')])
    assert files.inspect(data).key == "odt"
    assert files.detect(odf_bytes()).key == "odt"

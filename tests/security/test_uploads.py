"""Hostile files: a zip bomb dressed as a Word document, a PDF that is also a web page with a path in its
name. (Images — HTML, SVG with script, polyglots, decompression bombs — are in tests/posts/test_uploads.py;
documents of other types in tests/codesign.)"""
from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from civic.accounts.models import User
from civic.codesign import files
from civic.codesign import services as codesign
from civic.codesign.models import CodesignProcess
from civic.core import content_version
from civic.demo.content import load_demo_content
from civic.extensions import db


def _docx_bomb() -> bytes:
    """A few hundred kilobytes that inflate to 300 MB: the member the type detection must read."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("[Content_Types].xml", "w", force_zip64=True) as member:
            chunk = b" " * (1024 * 1024)
            for _ in range(300):
                member.write(chunk)
        archive.writestr("word/document.xml", b"<w:document/>")
    return buffer.getvalue()


def test_a_zip_bomb_dressed_as_a_document_is_refused_quickly():
    bomb = _docx_bomb()
    assert len(bomb) < 2 * 1024 * 1024
    began = time.monotonic()
    assert files.detect(bomb) is None
    assert time.monotonic() - began < 5  # the member is never inflated


def test_a_pdf_that_is_also_a_page_is_only_ever_downloaded(app, client, reference_data, make_user):
    content_version.create_rows()
    load_demo_content()
    db.session.commit()
    process = db.session.scalar(select(CodesignProcess).order_by(CodesignProcess.id))
    moderator = db.session.scalar(select(User).where(User.email == "moderatore.torino@example.it"))
    polyglot = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF"
    document = codesign.add_document(moderator, process, "Verbale", "other",
                                     FileStorage(io.BytesIO(polyglot), filename="../../../static/js/civic.js.pdf"))
    db.session.commit()
    version = document.versions[-1]
    stored = Path(app.instance_path) / "uploads" / "documents" / version.stored_name
    assert stored.is_file() and stored.parent == files.folder()  # the name given was not a path
    assert "/" not in version.original_name and ".." not in version.original_name

    response = client.get(f"/codesign/documents/versions/{version.id}/download")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"

"""The documents' size limit, with a small limit for the test (this module's app_config)."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from civic.codesign.models import Document
from civic.extensions import db
from tests.codesign.conftest import MODERATOR, pdf_bytes
from tests.codesign.test_views import as_


@pytest.fixture
def app_config():
    return {"DOCUMENT_MAX_BYTES": 100 * 1024, "MAX_CONTENT_LENGTH": 64 * 1024}


def test_the_size_limit_is_explained(client, process):
    """Above the limit: 422 with the limit when the request is read; 413 when it is far too large."""
    as_(client, MODERATOR)
    just_over = pdf_bytes() + b"0" * (100 * 1024)
    response = client.submit(f"/codesign/{process.id}/documents/new",
                             {"title": "Grande", "role": "other", "file": (io.BytesIO(just_over), "g.pdf")},
                             content_type="multipart/form-data")
    assert response.status_code == 422 and "The file is larger than 100 KB" in response.get_data(as_text=True)
    # Between the site's request limit (64 KB) and the documents' limit (100 KB): accepted.
    fits = pdf_bytes() + b"0" * (80 * 1024)
    response = client.submit(f"/codesign/{process.id}/documents/new",
                             {"title": "Medio", "role": "other", "file": (io.BytesIO(fits), "m.pdf")},
                             content_type="multipart/form-data")
    assert response.status_code == 302
    huge = pdf_bytes() + b"0" * (600 * 1024)
    response = client.submit(f"/codesign/{process.id}/documents/new",
                             {"title": "Enorme", "role": "other", "file": (io.BytesIO(huge), "e.pdf")},
                             content_type="multipart/form-data")
    assert response.status_code == 413 and "The file is larger than 100 KB" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Document)) == 1



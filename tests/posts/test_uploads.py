"""Images attached to needs and ideas: re-encoded, stored under generated names, served safely."""
from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin
from sqlalchemy import select

from civic.extensions import db
from civic.posts.models import Idea, Need
from civic.uploads.models import Upload
from tests.conftest import table_counts
from tests.posts.helpers import english, field_error, idea_form, need_form

SECRET = "secret-metadata-gps-45.07N"


def png_bytes(size=(40, 30)) -> bytes:
    """A PNG with transparency (kept as PNG) and a text chunk (dropped by the re-encoding)."""
    image = Image.new("RGBA", size, (200, 30, 30, 128))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SECRET)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def jpeg_bytes(size=(40, 30)) -> bytes:
    image = Image.new("RGB", size, (30, 120, 200))
    exif = Image.Exif()
    exif[0x010E] = SECRET  # ImageDescription
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes(), quality=90)
    return buffer.getvalue()


def _stored_files(app) -> list[Path]:
    folder = Path(app.instance_path) / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("make, filename, content_type, extension, pil_format", [
    (png_bytes, "foto della piazza.png", "image/png", "png", "PNG"),
    (jpeg_bytes, "../../etc/passwd.jpeg", "image/jpeg", "jpg", "JPEG"),
])
def test_an_image_is_re_encoded_stored_under_a_generated_name_and_served(client, app, anna, torino, themes, make,
                                                                         filename, content_type, extension, pil_format):
    original = make()
    client.login("anna@example.it")
    response = client.submit("/cities/torino/needs/new",
                             need_form(themes[0], image=(io.BytesIO(original), filename)),
                             content_type="multipart/form-data")
    assert response.status_code == 302
    need = db.session.scalar(select(Need))
    upload = db.session.scalar(select(Upload))
    assert need.image_id == upload.id and upload.uploader_id == anna.id
    assert re.fullmatch(rf"[0-9a-f]{{32}}\.{extension}", upload.stored_name)
    assert (upload.content_type, upload.width, upload.height) == (content_type, 40, 30)

    files = _stored_files(app)
    assert [f.name for f in files] == [upload.stored_name]  # nothing under the name sent
    stored = files[0].read_bytes()
    assert stored != original and SECRET.encode() not in stored and upload.size == len(stored)
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == pil_format and image.size == (40, 30)

    served = client.get(f"/uploads/{upload.stored_name}")
    assert served.status_code == 200
    assert served.headers["Content-Type"] == content_type
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.data == stored
    page = client.get(f"/needs/{need.id}-{need.slug}").get_data(as_text=True)
    assert f'src="/uploads/{upload.stored_name}"' in page


def test_an_idea_takes_an_image_too(client, app, anna, torino, themes):
    client.login("anna@example.it")
    response = client.submit("/cities/torino/ideas/new", idea_form(themes[0], image=(io.BytesIO(png_bytes()), "x.png")),
                             content_type="multipart/form-data")
    assert response.status_code == 302
    idea = db.session.scalar(select(Idea))
    assert idea.image is not None and idea.image.content_type == "image/png"


def _bmp() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="BMP")
    return buffer.getvalue()


def _bomb() -> bytes:
    """50 megapixels (more than the 40 accepted) in a few kilobytes."""
    buffer = io.BytesIO()
    Image.new("1", (10_000, 5_000)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


BAD_FILES = {
    "html": (b"<html><body><script>alert(1)</script></body></html>", "photo.jpg", "not an image we accept"),
    "svg": (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="5"/></svg>',
            "photo.jpg", "not an image we accept"),
    "gif-header-then-script": (b"GIF89a<script>alert(1)</script>", "photo.gif", "not an image we accept"),
    "truncated-png": (png_bytes()[:60], "truncated.png", "not an image we accept"),
    "empty": (b"", "empty.jpg", "The file is empty."),
    "bmp": (_bmp(), "bitmap.jpg", "not an image we accept"),
    "decompression-bomb": (_bomb(), "bomb.png", "too many pixels"),
}


def test_files_that_are_not_accepted_images_are_refused_and_nothing_is_stored(client, app, anna, torino, themes):
    client.login("anna@example.it")
    english(client)
    before = table_counts()
    for case, (content, filename, message) in BAD_FILES.items():
        response = client.submit("/cities/torino/needs/new", need_form(themes[0], image=(io.BytesIO(content), filename)),
                                 content_type="multipart/form-data")
        assert response.status_code == 422, case
        html = response.get_data(as_text=True)
        assert message in field_error(html, "image"), case
        assert 'value="Fontanella rotta in piazza Foroni"' in html, case  # what was typed is kept
        assert table_counts() == before, case
        assert _stored_files(app) == [], case


def test_a_damaged_png_is_refused_not_a_server_error(client, app, anna, torino, themes):
    damaged = bytearray(png_bytes())
    damaged[damaged.index(b"IDAT") + 6] ^= 0xFF  # one flipped byte: the chunk's checksum no longer matches
    client.login("anna@example.it")
    before = table_counts()
    try:
        response = client.submit("/cities/torino/needs/new", need_form(themes[0], image=(io.BytesIO(bytes(damaged)), "x.png")),
                                 content_type="multipart/form-data")
    except SyntaxError as error:  # TESTING propagates the exception of the 500
        pytest.fail(f"500: {error!r}")
    assert response.status_code == 422
    field_error(response.get_data(as_text=True), "image")
    assert table_counts() == before and _stored_files(app) == []


def test_an_image_over_the_size_limit_is_refused(client, app, anna, torino, themes):
    app.config["UPLOAD_MAX_BYTES"] = 1024 * 1024
    noise = Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG", compress_level=1)
    assert buffer.tell() > 1024 * 1024
    client.login("anna@example.it")
    english(client)
    before = table_counts()
    response = client.submit("/cities/torino/needs/new", need_form(themes[0], image=(io.BytesIO(buffer.getvalue()), "big.png")),
                             content_type="multipart/form-data")
    assert response.status_code == 422
    assert "larger than 1 MB" in field_error(response.get_data(as_text=True), "image")
    assert table_counts() == before and _stored_files(app) == []

    # Beyond the whole request's limit the server refuses before reading the form.
    app.config["MAX_CONTENT_LENGTH"] = 512 * 1024
    response = client.submit("/cities/torino/needs/new", need_form(themes[0], image=(io.BytesIO(buffer.getvalue()), "big.png")),
                             content_type="multipart/form-data")
    assert response.status_code == 413
    assert table_counts() == before and _stored_files(app) == []


def test_a_refused_post_with_a_good_image_stores_no_file(client, app, anna, torino, themes):
    client.login("anna@example.it")
    before = table_counts()
    response = client.submit("/cities/torino/needs/new",
                             need_form(themes[0], title="", image=(io.BytesIO(png_bytes()), "x.png")),
                             content_type="multipart/form-data")
    assert response.status_code == 422
    assert table_counts() == before and _stored_files(app) == []


def test_unknown_upload_names_are_not_found(client, app):
    folder = Path(app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ("0" * 32 + ".png")).write_bytes(png_bytes())  # a file, but no record of it
    for name in ("not-a-real-name.jpg", "..%2Fsecret_key", "%2E%2E", "0" * 32 + ".png", "../../instance/secret_key"):
        assert client.get(f"/uploads/{name}").status_code == 404, name

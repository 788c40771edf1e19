"""Image uploads: the type is read from the content, the image is re-encoded (which drops
anything hidden in the file, metadata included) and stored under a generated name."""
from __future__ import annotations

import io
import struct
import uuid
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from werkzeug.datastructures import FileStorage

from civic.accounts.models import User
from civic.core.rules import RuleError
from civic.extensions import db
from civic.uploads.models import Upload


def format_size(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{max(1, size // 1024)} KB"

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
MAX_SIDE = 2000  # pixels: larger images are scaled down
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding them


class UploadError(RuleError):
    pass


def upload_folder() -> Path:
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_image(file: FileStorage, uploader: User, field: str = "image") -> Upload:
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    data = file.stream.read(limit + 1)
    if not data:
        raise UploadError(_l("The file is empty."), field)
    if len(data) > limit:
        raise UploadError(_l("The image is larger than %(size)s.", size=format_size(limit)), field)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
            probe.verify()
        if kind not in ACCEPTED_FORMATS:
            raise UnidentifiedImageError(kind)
        if width * height > MAX_PIXELS:
            raise UploadError(_l("The image has too many pixels: at most 40 megapixels."), field)
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            has_alpha = image.mode in ("RGBA", "LA", "P") and (
                image.mode != "P" or "transparency" in image.info
            )
            output = io.BytesIO()
            if has_alpha:
                image.convert("RGBA").save(output, format="PNG", optimize=True)
                extension, content_type = "png", "image/png"
            else:
                image.convert("RGB").save(output, format="JPEG", quality=85, optimize=True)
                extension, content_type = "jpg", "image/jpeg"
            width, height = image.size
    except UploadError:
        raise
    # Pillow reports damaged files in several ways (SyntaxError for a broken PNG chunk, struct.error...).
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, struct.error,
            Image.DecompressionBombError):
        raise UploadError(_l("The file is not an image we accept: use JPEG, PNG, WebP or GIF."), field) from None

    stored_name = f"{uuid.uuid4().hex}.{extension}"
    encoded = output.getvalue()
    (upload_folder() / stored_name).write_bytes(encoded)
    upload = Upload(uploader_id=uploader.id, stored_name=stored_name, content_type=content_type,
                    size=len(encoded), width=width, height=height)
    db.session.add(upload)
    db.session.flush()
    return upload

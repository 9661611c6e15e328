"""Uploaded images (event banners, team logos): checked, re-encoded and thumbnailed with Pillow.

Nothing an uploader sends is stored as sent:

1. the byte size is capped (settings.IMAGE_MAX_UPLOAD_BYTES) before Pillow reads anything,
2. `Image.open` reads only the header: the format must be PNG, JPEG or WebP (whatever the file's
   name says) and width x height must stay under settings.IMAGE_MAX_PIXELS, checked *before* the
   pixels are decoded, so a decompression bomb is refused without being expanded (a per-call check:
   Pillow's global `Image.MAX_IMAGE_PIXELS` is never changed, which would race between threads),
3. the image is decoded, oriented, converted to RGB(A) and re-encoded (which drops EXIF, GPS and
   any trailing payload), shrunk to at most `max_side`, plus a thumbnail.

Every refusal is a django ValidationError with a sentence the uploader understands.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}


@dataclass
class ProcessedImage:
    image: ContentFile
    thumbnail: ContentFile


def _encode(img: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        img.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif fmt == "WEBP":
        img.save(out, "WEBP", quality=85)
    else:
        img.save(out, "PNG", optimize=True)
    return out.getvalue()


def _open_checked(data: bytes, max_pixels: int) -> tuple[Image.Image, str]:
    """Open, check format and pixel count from the header, then decode. Raises ValidationError.

    The cap is this call's own comparison with `img.size` (read from the header, nothing decoded yet):
    no process-wide state is touched, so concurrent requests with different caps cannot interfere.
    Pillow's global guard (`Image.MAX_IMAGE_PIXELS`) stays at its default as a second line: its error
    (at twice that default, raised by `Image.open`) is refused too.
    """
    try:
        img = Image.open(io.BytesIO(data))
        if img.format not in ALLOWED_FORMATS:
            raise ValidationError(
                _("Upload a PNG, JPEG or WebP image (this file is %(format)s).") % {"format": img.format or "?"},
                code="image_format",
            )
        width, height = img.size
        if width * height > max_pixels:
            raise ValidationError(
                _("This image has too many pixels (%(w)d×%(h)d); the limit is %(max)s million pixels.")
                % {"w": width, "h": height, "max": f"{max_pixels / 1_000_000:g}"},
                code="image_pixels",
            )
        fmt = img.format
        img.load()
        return ImageOps.exif_transpose(img), fmt
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise ValidationError(_("This image has too many pixels."), code="image_pixels")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("This file is not an image we can read. Upload a PNG, JPEG or WebP image."), code="image_invalid"
        )


def process_image(upload, *, name: str, max_side: int = 1600, thumb_side: int = 400) -> ProcessedImage:
    """Validate and re-encode an uploaded image; returns the cleaned image and its thumbnail."""
    max_bytes = settings.IMAGE_MAX_UPLOAD_BYTES
    max_pixels = settings.IMAGE_MAX_PIXELS
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            _("This image is too large (%(size)d KB); the limit is %(max)d KB.")
            % {"size": size // 1024, "max": max_bytes // 1024},
            code="image_too_large",
        )
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(_("This image is too large; the limit is %(max)d KB.") % {"max": max_bytes // 1024})
    img, fmt = _open_checked(data, max_pixels)
    if img.mode not in ("RGB", "RGBA"):
        img = img.convert("RGBA" if "A" in img.getbands() or img.mode == "P" else "RGB")
    img.thumbnail((max_side, max_side))
    thumb = img.copy()
    thumb.thumbnail((thumb_side, thumb_side))
    ext = ALLOWED_FORMATS[fmt]
    stem = slugify(name)[:40] or "image"
    return ProcessedImage(
        image=ContentFile(_encode(img, fmt), name=f"{stem}.{ext}"),
        thumbnail=ContentFile(_encode(thumb, fmt), name=f"{stem}-thumb.{ext}"),
    )

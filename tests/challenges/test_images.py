"""The pixel cap of uploaded images is checked per call from the header, never through Pillow's global."""

from __future__ import annotations

import struct
import threading
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from challenges.images import process_image

from .conftest import png_bytes


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares width x height but carries almost no pixel data: decoding it would fail."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b"")


def test_an_oversized_header_is_refused_with_its_size_before_any_decoding(settings):
    settings.IMAGE_MAX_PIXELS = 25_000_000
    before = Image.MAX_IMAGE_PIXELS
    with pytest.raises(ValidationError) as refused:
        # 6000 x 6000 = 36 M pixels: over our cap, under Pillow's own guard, so only our check can refuse it;
        # had the pixels been decoded, the truncated data would have been "not an image we can read".
        process_image(SimpleUploadedFile("big.png", png_header_only(6000, 6000)), name="big")
    assert refused.value.code == "image_pixels"
    assert "too many pixels (6000×6000)" in refused.value.messages[0]
    assert before == Image.MAX_IMAGE_PIXELS


def test_a_header_beyond_pillows_own_guard_is_refused_too(settings):
    settings.IMAGE_MAX_PIXELS = 25_000_000
    with pytest.raises(ValidationError) as refused:
        process_image(SimpleUploadedFile("bomb.png", png_header_only(100_000, 100_000)), name="bomb")
    assert refused.value.code == "image_pixels"


def test_the_cap_follows_the_setting_of_each_call(settings):
    upload = SimpleUploadedFile("ok.png", png_bytes((200, 100)))
    settings.IMAGE_MAX_PIXELS = 19_999
    with pytest.raises(ValidationError):
        process_image(upload, name="ok")
    settings.IMAGE_MAX_PIXELS = 20_000
    assert process_image(upload, name="ok").image.name == "ok.png"


def test_processing_an_image_never_changes_pillows_global_guard_even_for_a_moment(settings):
    """Another thread reading Image.MAX_IMAGE_PIXELS while an image is processed always sees the same value
    (the old code set it to the request's cap for the duration of the call: a race between requests)."""
    settings.IMAGE_MAX_PIXELS = 20_000_000
    original = Image.MAX_IMAGE_PIXELS
    assert original != settings.IMAGE_MAX_PIXELS
    data = png_bytes((3000, 3000))
    seen: set = set()
    done = threading.Event()

    def work():
        try:
            for _ in range(3):
                process_image(SimpleUploadedFile("wide.png", data), name="wide", max_side=64, thumb_side=32)
        finally:
            done.set()

    worker = threading.Thread(target=work)
    worker.start()
    while not done.is_set():
        seen.add(Image.MAX_IMAGE_PIXELS)
    worker.join()
    assert seen <= {original}
    assert original == Image.MAX_IMAGE_PIXELS

"""Image uploads from the Markdown editor and the author form: only real images, clean, safely named."""

import io
import random
import re
import struct
import time
import tracemalloc
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from blog.models import Author, Post
from harness.web import submitted_form
from tests.editing.admin_requests import new_post_data
from tests.factories import image_bytes, make_author

pytestmark = pytest.mark.django_db

XHR = {"x-requested-with": "XMLHttpRequest"}
STORED_IMAGE_CODE = re.compile(r"!\[\]\(/media/(uploads/\d{4}/\d{2}/[0-9a-f]{32}\.(\w+))\)")


def noisy_png(size=(120, 120)):
    """A PNG that compresses badly, so its byte size is predictable from its pixel count."""
    pixels = random.Random(7).randbytes(size[0] * size[1] * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, pixels).save(buffer, "PNG")
    return buffer.getvalue()


def png_header_only(width, height):
    """A valid PNG header announcing `width` x `height` with almost no pixel data: a decompression bomb's shape."""

    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def gif_with_frames(*sizes):
    """A GIF on a 1x1 canvas whose frames have `sizes` (width, height): each holds one coded pixel, the rest is
    left to the decoder, as a GIF bomb's frames are."""
    header = b"GIF89a" + struct.pack("<HHBBB", 1, 1, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    # LZW with 2-bit codes: clear (4), pixel 0, end (5), packed least significant bit first into 0x44 0x01.
    pixel = b"\x02\x02\x44\x01\x00"
    frames = b"".join(b"," + struct.pack("<HHHHB", 0, 0, width, height, 0) + pixel for width, height in sizes)
    return header + frames + b";"


def mpo_bytes(size=(60, 40)):
    """A phone's JPEG with a second picture: Pillow writes it as MPO, and opens it as one."""
    buffer = io.BytesIO()
    photo, depth_map = Image.new("RGB", size, "navy"), Image.new("RGB", (size[0] // 2, size[1] // 2), "gray")
    photo.save(buffer, "MPO", save_all=True, append_images=[depth_map])
    return buffer.getvalue()


def upload(client, name, content, content_type="image/png"):
    return client.post(
        reverse("markdownx_upload"), {"image": SimpleUploadedFile(name, content, content_type)}, headers=XHR
    )


def stored_files(media_root):
    return sorted(path.relative_to(media_root).as_posix() for path in media_root.rglob("*") if path.is_file())


def test_anonymous_upload_is_sent_to_login_and_stores_nothing(client, media_root):
    response = upload(client, "photo.png", image_bytes())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert stored_files(media_root) == []


def test_staff_upload_of_a_real_png_is_stored_under_a_fresh_uuid_name(editor_client, media_root):
    response = upload(editor_client, "../../etc/My Photo.png", image_bytes("PNG"))

    assert response.status_code == 200
    match = STORED_IMAGE_CODE.fullmatch(response.json()["image_code"])
    assert match, response.json()
    assert stored_files(media_root) == [match[1]]
    with Image.open(media_root / match[1]) as stored:
        assert (stored.format, stored.size) == ("PNG", (40, 30))


def test_stored_extension_follows_the_detected_format_not_the_name(editor_client, media_root):
    response = upload(editor_client, "looks-like.png", image_bytes("JPEG"), content_type="image/png")

    match = STORED_IMAGE_CODE.fullmatch(response.json()["image_code"])
    assert match[2] == "jpg"
    with Image.open(media_root / match[1]) as stored:
        assert stored.format == "JPEG"


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("notes.png", b"Just some text pretending to be an image.\n" * 20, "image/png"),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>',
            "image/svg+xml",
        ),
        ("scan.png", image_bytes("TIFF"), "image/png"),
    ],
    ids=["text-renamed-png", "svg", "tiff"],
)
def test_files_that_are_not_accepted_raster_images_are_refused(editor_client, media_root, name, content, content_type):
    response = upload(editor_client, name, content, content_type)

    assert response.status_code == 400
    assert "not a JPEG, PNG, GIF or WebP image" in response.json()["error"]
    assert stored_files(media_root) == []


@pytest.mark.parametrize("name", ['"><img src=x onerror=alert(1)>.png', "`rm -rf ~`.png", ".htaccess.png"])
def test_a_real_image_with_a_hostile_name_is_refused_with_a_clear_message(editor_client, media_root, name):
    response = upload(editor_client, name, image_bytes("PNG"))

    assert response.status_code == 400
    assert "Rename the file" in response.json()["error"]
    assert "<img" not in response.json()["error"]
    assert stored_files(media_root) == []


def test_a_file_over_the_byte_limit_is_refused_with_both_sizes_named(editor_client, media_root, settings):
    settings.BUNKO_UPLOAD_MAX_BYTES = 10_000
    content = noisy_png()
    assert len(content) > 10_000

    response = upload(editor_client, "big.png", content)

    assert response.status_code == 400
    error = response.json()["error"]
    assert "an image may be at most 9.8\xa0KB" in error
    assert stored_files(media_root) == []


def test_an_image_with_more_pixels_than_allowed_is_refused(editor_client, media_root, settings):
    settings.BUNKO_UPLOAD_MAX_PIXELS = 10_000
    content = image_bytes("PNG", size=(1000, 1000))
    assert len(content) < 10_000  # tiny on disk: only the pixel count gives it away

    response = upload(editor_client, "wide.png", content)

    assert response.status_code == 400
    assert response.json()["error"] == (
        "This image has 1,000,000 pixels; at most 10,000 are allowed. Please make it smaller."
    )
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("side", "error"),
    [
        (8_000, "This image has 64,000,000 pixels; at most 40,000,000 are allowed. Please make it smaller."),
        (30_000, "This image has too many pixels; at most 40,000,000 are allowed."),
    ],
    ids=["over-our-limit", "over-pillows-own-limit"],
)
def test_a_decompression_bomb_is_refused_before_its_pixels_are_decoded(
    editor_client, media_root, settings, side, error
):
    settings.BUNKO_UPLOAD_MAX_PIXELS = 40_000_000

    response = upload(editor_client, "bomb.png", png_header_only(side, side))

    assert response.status_code == 400
    assert response.json()["error"] == error
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("side", "error"),
    [
        (10_000, "This image has 200,000,000 pixels; at most 40,000,000 are allowed. Please make it smaller."),
        (20_000, "This image has too many pixels; at most 40,000,000 are allowed."),
    ],
    ids=["over-our-limit", "over-pillows-own-limit"],
)
def test_a_gif_whose_second_frame_is_huge_is_refused_quickly_without_decoding_it(
    editor_client, media_root, settings, side, error
):
    settings.BUNKO_UPLOAD_MAX_PIXELS = 40_000_000
    bomb = gif_with_frames((1, 1), (side, side))

    tracemalloc.start()
    started = time.monotonic()
    response = upload(editor_client, "bomb.gif", bomb, "image/gif")
    elapsed = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    assert response.status_code == 400
    assert response.json()["error"] == error
    assert stored_files(media_root) == []
    # Decoding the frame would take 100 MB or more and several seconds; refusing it takes neither.
    assert elapsed < 2
    assert peak < 20_000_000


def test_a_phones_mpo_jpeg_is_stored_as_the_jpeg_of_its_first_picture(editor_client, media_root):
    response = upload(editor_client, "IMG_0001.JPG", mpo_bytes(), "image/jpeg")

    assert response.status_code == 200
    match = STORED_IMAGE_CODE.fullmatch(response.json()["image_code"])
    assert match[2] == "jpg"
    with Image.open(media_root / match[1]) as stored:
        assert (stored.format, stored.size, getattr(stored, "n_frames", 1)) == ("JPEG", (60, 40), 1)


def test_a_phones_mpo_jpeg_is_accepted_as_a_cover_image(editor_client, media_root):
    data = new_post_data(
        author=make_author("Aya"), cover_image=SimpleUploadedFile("IMG_0002.JPG", mpo_bytes(), "image/jpeg")
    )

    response = editor_client.post(reverse("admin:blog_post_add"), data)

    assert response.status_code == 302
    cover = Post.objects.get(title=data["title"]).cover_image
    assert re.fullmatch(r"covers/[0-9a-f]{32}\.jpg", cover.name)
    with Image.open(media_root / cover.name) as stored:
        assert (stored.format, stored.size) == ("JPEG", (60, 40))


def test_a_truncated_image_is_refused_as_damaged(editor_client, media_root):
    content = noisy_png()

    response = upload(editor_client, "cut.png", content[: len(content) // 2])

    assert response.status_code == 400
    assert response.json()["error"] == "This image is damaged or incomplete and cannot be read."


def test_a_request_without_a_file_gets_a_400_not_a_500(editor_client):
    response = editor_client.post(reverse("markdownx_upload"), {}, headers=XHR)

    assert response.status_code == 400
    assert response.json()["error"]


def test_gps_position_and_camera_data_are_stripped_and_rotation_applied(editor_client, media_root):
    photo = Image.new("RGB", (60, 20), "orange")
    exif = photo.getexif()
    exif[ExifTags.Base.Make] = "SecretPhoneCo"
    exif[ExifTags.Base.Orientation] = 6  # rotate 90° clockwise when displayed
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (35.0, 39.0, 29.0)
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", exif=exif)
    with Image.open(io.BytesIO(buffer.getvalue())) as original:
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test photo really carries a position

    response = upload(editor_client, "holiday.jpg", buffer.getvalue(), "image/jpeg")

    path = media_root / STORED_IMAGE_CODE.fullmatch(response.json()["image_code"])[1]
    assert b"SecretPhoneCo" not in path.read_bytes()
    with Image.open(path) as stored:
        assert stored.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
        assert "exif" not in stored.info
        assert stored.size == (20, 60)


def test_animated_gif_keeps_its_frames(editor_client, media_root):
    frames = [Image.new("RGB", (16, 16), color) for color in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=80, loop=0)

    response = upload(editor_client, "spinner.gif", buffer.getvalue(), "image/gif")

    with Image.open(media_root / STORED_IMAGE_CODE.fullmatch(response.json()["image_code"])[1]) as stored:
        assert (stored.format, stored.n_frames) == ("GIF", 3)


def test_upload_endpoint_answers_get_with_405(editor_client):
    assert editor_client.get(reverse("markdownx_upload")).status_code == 405


def test_author_avatar_is_resized_to_fit_512_and_renamed(admin_client, media_root):
    data = submitted_form(admin_client.get(reverse("admin:blog_author_add")), "author_form")
    data.update(
        name="Aya Tanaka", avatar=SimpleUploadedFile("me.jpg", image_bytes("JPEG", size=(1200, 800)), "image/jpeg")
    )

    response = admin_client.post(reverse("admin:blog_author_add"), data)

    assert response.status_code == 302
    author = Author.objects.get(name="Aya Tanaka")
    assert re.fullmatch(r"avatars/[0-9a-f]{32}\.jpg", author.avatar.name)
    with Image.open(media_root / author.avatar.name) as stored:
        assert stored.size == (512, 341)


def test_author_avatar_that_is_not_an_image_is_refused_on_the_form(admin_client, media_root):
    data = submitted_form(admin_client.get(reverse("admin:blog_author_add")), "author_form")
    data.update(name="Aya Tanaka", avatar=SimpleUploadedFile("me.png", b"<?php echo 'hi'; ?>", "image/png"))

    response = admin_client.post(reverse("admin:blog_author_add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["avatar"]
    assert not Author.objects.filter(name="Aya Tanaka").exists()
    assert stored_files(media_root) == []

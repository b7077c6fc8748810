"""Uploaded images: accept only real raster images within limits, and store clean re-encoded copies.

Nothing about an upload is trusted: not its name, not its Content-Type, not its metadata. Pillow
decides what the file is; the pixels are re-encoded so EXIF (GPS position, camera serial) never
reaches the public; the stored name is a fresh UUID with the extension of the detected format.
"""

import io
import re
import uuid
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

# Pillow format name -> stored extension. Everything else (SVG, TIFF, BMP, PSD...) is refused.
ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
# A phone's JPEG that carries a second picture (a depth map, a preview) opens as MPO; its first picture is the photo.
STORED_AS = {"MPO": "JPEG"}
SAVE_OPTIONS = {"JPEG": {"quality": 88, "optimize": True}, "PNG": {}, "GIF": {}, "WEBP": {"quality": 88}}
# Image.info keys that describe pixels, not the photographer: everything else is dropped on save.
PIXEL_INFO_KEYS = {"transparency", "duration", "loop", "background", "icc_profile", "disposal", "blend"}
# What Pillow raises for files it cannot identify or decode.
UNREADABLE = (OSError, SyntaxError, ValueError, EOFError)
AVATAR_SIZE = (512, 512)
UPLOAD_DIRECTORY = "uploads"
# Characters no honest file name needs, and that only matter to someone hoping the name is echoed into a page,
# a shell or a path: markup, quotes, slashes, control characters, or a name that starts with a dot.
HOSTILE_NAME = re.compile(r"[<>\"`/\\\x00-\x1f\x7f]|^\.")


def open_verified_image(upload):
    """Open `upload` with Pillow, raising a ValidationError an editor can act on unless it is acceptable."""
    if HOSTILE_NAME.search(upload.name or ""):
        raise ValidationError(
            _(
                "This file's name contains characters a file name does not need (<, >, quotes, slashes or control "
                "characters). Rename the file and try again."
            ),
            code="hostile_name",
        )
    if upload.size > settings.BUNKO_UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("This file is %(size)s; an image may be at most %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(settings.BUNKO_UPLOAD_MAX_BYTES)},
            code="too_large",
        )
    not_an_image = ValidationError(
        _("This file is not a JPEG, PNG, GIF or WebP image (SVG and other formats are not accepted)."),
        code="not_an_image",
    )
    upload.seek(0)
    with warnings.catch_warnings():
        # Our own pixel limit below decides; Pillow's warning threshold would only add noise.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(upload, formats=list(ACCEPTED_FORMATS))
        except Image.DecompressionBombError:
            raise _too_many_pixels(None) from None
        except UNREADABLE:  # UnidentifiedImageError is an OSError
            raise not_an_image from None
        try:
            _check_every_frame(image)
            image.load()
        except Image.DecompressionBombError:
            raise _too_many_pixels(None) from None
        except UNREADABLE:
            raise _damaged() from None
    return image


def kept_frames(image):
    """How many frames the stored copy keeps: every frame of an animation, only the photo of an MPO."""
    return 1 if image.format in STORED_AS else getattr(image, "n_frames", 1)


def _check_every_frame(image):
    """Refuse an image whose frames hold too many pixels, reading each frame's size before its pixels are decoded.

    A GIF's frame may be larger than the canvas its header announces (Pillow then grows the canvas), so a 1x1
    GIF can hide a 10,000x10,000 second frame: each frame is sized on its own, after the ones before it were
    decoded at sizes already checked.
    """
    frames = kept_frames(image)
    for frame in range(frames):
        image.seek(frame)
        pixels = image.width * image.height * frames
        if pixels > settings.BUNKO_UPLOAD_MAX_PIXELS:
            raise _too_many_pixels(pixels)
    image.seek(0)


def _damaged():
    return ValidationError(_("This image is damaged or incomplete and cannot be read."), code="damaged")


def _too_many_pixels(pixels):
    limit = f"{settings.BUNKO_UPLOAD_MAX_PIXELS:,}"
    if pixels is None:
        message = _("This image has too many pixels; at most %(limit)s are allowed.") % {"limit": limit}
    else:
        message = _("This image has %(pixels)s pixels; at most %(limit)s are allowed. Please make it smaller.") % {
            "pixels": f"{pixels:,}",
            "limit": limit,
        }
    return ValidationError(message, code="too_many_pixels")


def reencoded_image(upload, *, max_size=None):
    """A verified, metadata-free copy of `upload` named `<uuid hex>.<ext>`, shrunk to fit `max_size` if given."""
    image = open_verified_image(upload)
    image_format = STORED_AS.get(image.format, image.format)
    animated = kept_frames(image) > 1 and max_size is None
    output = io.BytesIO()
    try:
        if not animated:
            # Phones store rotation in EXIF; apply it to the pixels before the EXIF is dropped.
            image = ImageOps.exif_transpose(image)
            if max_size is not None:
                image = image.convert("RGBA") if image.mode == "P" else image
                image.thumbnail(max_size)
        if image_format == "JPEG" and image.mode not in {"RGB", "L", "CMYK"}:
            image = image.convert("RGB")
        image.info = {key: value for key, value in image.info.items() if key in PIXEL_INFO_KEYS}
        image.save(output, image_format, save_all=animated, **SAVE_OPTIONS[image_format])
    except UNREADABLE:  # a later frame of an animation may be broken
        raise _damaged() from None
    return ContentFile(output.getvalue(), name=f"{uuid.uuid4().hex}.{ACCEPTED_FORMATS[image_format]}")


def resized_avatar(upload):
    """An author's portrait: verified, at most 512x512 with its aspect kept, EXIF removed."""
    return reencoded_image(upload, max_size=AVATAR_SIZE)


def store_editor_image(image):
    """Save a re-encoded editor image under uploads/YYYY/MM/ and return its public URL."""
    path = default_storage.save(f"{UPLOAD_DIRECTORY}/{timezone.now():%Y/%m}/{image.name}", image)
    return default_storage.url(path)

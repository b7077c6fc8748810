"""Responsive renditions of images under MEDIA_URL: WebP copies at a few widths, made once and reused.

The renderer asks for them when a post is saved, so a page view never touches Pillow. Renditions
are named after the source path, so saving a post again finds the files already there.
"""

import hashlib
import io
import posixpath
import warnings
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

RENDITION_WIDTHS = (480, 960, 1600)
RENDITION_DIRECTORY = "renditions"
WEBP_QUALITY = 80
# The body column is at most about 45rem wide; narrower screens use the full width.
SIZES = "(max-width: 48rem) 100vw, 45rem"
UNREADABLE = (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError)


@dataclass(frozen=True)
class LocalImage:
    width: int
    height: int
    srcset: str  # "" when the image is too small (or animated) to need smaller copies


def local_image(src):
    """Size and WebP `srcset` for an image stored under MEDIA_URL; None for any other URL or unreadable file."""
    name = _storage_name(src)
    if name is None or not default_storage.exists(name):
        return None
    try:
        with default_storage.open(name) as file, warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(file)
            width, height = image.size
            if width * height > settings.BUNKO_UPLOAD_MAX_PIXELS:
                return None
            animated = getattr(image, "n_frames", 1) > 1
            renditions = [] if animated else _renditions(image, name)
    except UNREADABLE:
        return None
    candidates = [f"{url} {rendition_width}w" for rendition_width, url in renditions]
    srcset = ", ".join([*candidates, f"{src} {width}w"]) if candidates else ""
    return LocalImage(width=width, height=height, srcset=srcset)


def _storage_name(src):
    """The storage name behind a MEDIA_URL address, refusing anything that climbs out of it."""
    parts = urlsplit(src or "")
    if parts.scheme or parts.netloc or not parts.path.startswith(settings.MEDIA_URL):
        return None
    name = posixpath.normpath(unquote(parts.path[len(settings.MEDIA_URL) :]))
    if name.startswith(("/", "..")) or name in (".", "") or name.startswith(RENDITION_DIRECTORY + "/"):
        return None
    return name


def _renditions(image, name):
    """(width, URL) of each WebP copy narrower than the original, creating the missing ones."""
    stem = posixpath.splitext(posixpath.basename(name))[0][:60]
    digest = hashlib.sha256(name.encode()).hexdigest()[:12]
    renditions = []
    for width in RENDITION_WIDTHS:
        if width >= image.width:
            break
        rendition = f"{RENDITION_DIRECTORY}/{digest}/{stem}-{width}w.webp"
        if not default_storage.exists(rendition):
            rendition = default_storage.save(rendition, ContentFile(_webp(image, width)))
        renditions.append((width, default_storage.url(rendition)))
    return renditions


def _webp(image, width):
    copy = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    copy.thumbnail((width, image.height * width // image.width + 1))
    output = io.BytesIO()
    copy.save(output, "WEBP", quality=WEBP_QUALITY)
    return output.getvalue()

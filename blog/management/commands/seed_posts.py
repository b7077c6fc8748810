"""Fill an empty database with N deterministic posts for `make bench` and scale tests.

Essays come in Japanese, Chinese and English (some in all three, linked by a translation key), with
bylines, tags, editor-picked related posts and related links. Rows go in with bulk_create, which
skips Post.save(), so each distinct body is rendered once through blog.rendering and the stored HTML
reused. Nothing is random: the same size gives the same database.
"""

import math
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils.text import slugify

from blog import rendering
from blog.content import plain_text
from blog.models import Author, Post, PostAuthor, RelatedLink, RelatedPost, Tag

SEED_NAMESPACE = uuid.UUID("6f1d5c3e-8a53-4d0e-9f5e-2b7c1a9d4e10")
# Essays are spread over ten years ending here, whatever the size: a big site is a dense site.
LAST_PUBLISHED = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
SPAN = timedelta(days=3652)
# Which versions essay i has, by i % 5: all three, English only, ja+en, Chinese only, Japanese only.
LANGUAGE_PATTERNS = [("ja", "zh-hans", "en"), ("en",), ("ja", "en"), ("zh-hans",), ("ja",)]
DRAFT_EVERY = 25
BODY_VARIANTS = 3
BATCH = 500

TOPICS = {
    "en": ["leaving academia", "the first year of a PhD", "changing careers", "research software", "writing papers"],
    "ja": ["博士課程", "転職", "研究生活", "アカデミア", "論文執筆"],
    "zh-hans": ["读博", "求职", "科研生活", "学术界", "论文写作"],
}
BASE_TAGS = [
    "career", "academia", "machine-learning", "phd", "industry", "writing", "open-source", "statistics",
    "キャリア", "研究", "博士課程", "転職", "大学院", "エンジニア",
    "求职", "读博", "科研", "学术", "程序员", "海外",
]  # fmt: skip
AUTHOR_NAMES = ["山田 花子", "李 明", "Alice Chen", "佐藤 健", "王 芳", "Daniel Okafor", "鈴木 陽子", "Maria Rossi"]

PARAGRAPH = {
    "en": (
        "When I started the programme I believed that a good result would speak for itself. It does not: "
        "a result needs a reader, and finding readers is a skill nobody teaches. I spent the second year "
        "learning to explain my work to people outside the lab, and it changed what I chose to work on."
    ),
    "ja": (
        "研究室に入った頃、良い結果さえ出せば評価されると信じていた。しかし結果には読み手が必要で、"
        "読み手を見つける技術は誰も教えてくれない。二年目は研究室の外の人に自分の仕事を説明する練習に費やし、"
        "それが何を研究するかという選択そのものを変えた。"
    ),
    "zh-hans": (
        "刚进实验室的时候，我以为只要做出好的结果，自然会得到认可。可是结果需要读者，而寻找读者的能力没有人教。"
        "第二年我一直在练习向实验室以外的人解释自己的工作，这也改变了我选择研究方向的方式。"
    ),
}
# Words search benchmarks look for: only some bodies carry them, so a search has hits and misses.
KEYWORD_PARAGRAPH = {
    "en": "The decision to stop after the master's degree, or to go on to a doctorate, deserves numbers.",
    "ja": "博士に進むか、修士で転職するか。博士課程の三年間と、転職してからの三年間を数字で比べてみた。",
    "zh-hans": "要不要读博士？我把博士五年和直接工作五年的收入、发表和生活放在一起比较。",
}
HEADINGS = {
    "en": ["Why I wrote this", "What the numbers say", "What I would do again", "Further reading"],
    "ja": ["なぜ書いたのか", "数字で見る", "もう一度やるなら", "参考文献"],
    "zh-hans": ["为什么写这篇", "数字说了什么", "如果重来一次", "延伸阅读"],
}


def body_template(language, variant):
    """A Markdown essay of about 3 KB with what real essays hold (variant 0: the search words; 1: a video)."""
    headings = HEADINGS[language]
    sections = []
    for number, heading in enumerate(headings[:3]):
        paragraphs = [PARAGRAPH[language]] * (2 + (variant + number) % 2)
        if variant == 0 and number == 1:
            paragraphs.insert(0, KEYWORD_PARAGRAPH[language])
        sections.append(f"## {heading}\n\n" + "\n\n".join(paragraphs))
    sections.insert(
        2,
        "- arXiv: [2106.09685](https://arxiv.org/abs/2106.09685)\n- [The PhD Grind](https://pg.ucsd.edu/PhD-Grind/)\n"
        f"- `make bench` variant {variant}\n\n$$E = mc^2$$\n\n```python\nprint(sum(range(10)))\n```",
    )
    if variant == 1:
        sections.insert(1, '<iframe src="https://www.youtube.com/embed/aqz-KE-bpKQ" title="Talk"></iframe>')
    closing = f"> {PARAGRAPH[language][:80]}\n\n[Original](https://example.org/essays/{variant})"
    sections.append(f"## {headings[3]}\n\n{closing}")
    return "\n\n".join(sections)


@dataclass(frozen=True)
class SeedReport:
    posts: int
    essays: int
    authors: int
    tags: int
    bylines: int
    tag_links: int
    related_posts: int
    related_links: int


def seed(size):
    """Insert `size` posts (plus their authors and tags) into an empty database and report the counts."""
    if Post.objects.exists():
        raise CommandError(f"seed_posts fills an empty database; this one has {Post.objects.count()} posts.")
    rendered = {}
    for language in TOPICS:
        for variant in range(BODY_VARIANTS):
            body = body_template(language, variant)
            # As Post.render() does it, so the stored HTML is what saving the post would store.
            rendered[language, variant] = (body, rendering.render(body, language=language))
    # Essays evenly spaced over SPAN, so none is ever in the future and archives are equally full.
    versions_per_essay = sum(map(len, LANGUAGE_PATTERNS)) / len(LANGUAGE_PATTERNS)
    step = SPAN / max(1, math.ceil(size / versions_per_essay))
    totals = Counter()
    with transaction.atomic():
        authors = create_authors(max(3, min(500, size // 200)))
        tags = create_tags(max(len(BASE_TAGS), min(1000, size // 100)))
        previous = []  # the originals of the last two essays, which the next may recommend
        for chunk in essay_chunks(size, rendered, step):
            Post.objects.bulk_create([post for _, posts in chunk for post in posts], batch_size=BATCH)
            rows = {PostAuthor: [], Post.tags.through: [], RelatedPost: [], RelatedLink: []}
            for number, posts in chunk:
                for post in posts:
                    add_relations(rows, number, post, authors, tags, previous)
                previous = [*previous[-1:], posts[0]]
            for model, objects in rows.items():
                model.objects.bulk_create(objects, batch_size=BATCH)
            totals.update(
                posts=sum(len(posts) for _, posts in chunk),
                essays=len(chunk),
                bylines=len(rows[PostAuthor]),
                tag_links=len(rows[Post.tags.through]),
                related_posts=len(rows[RelatedPost]),
                related_links=len(rows[RelatedLink]),
            )
    if connection.vendor == "postgresql":
        # Autovacuum would analyze the new rows soon anyway; doing it now keeps query plans from
        # changing halfway through a benchmark. (SQLite has no such daemon, so it is left as users have it.)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return SeedReport(authors=len(authors), tags=len(tags), **totals)


def essay_chunks(size, rendered, step):
    """Yield lists of (essay number, its unsaved versions) of about BATCH posts, `size` posts in all."""
    essay, remaining, chunk = 0, size, []
    while remaining:
        languages = LANGUAGE_PATTERNS[essay % len(LANGUAGE_PATTERNS)][:remaining]
        chunk.append((essay, [build_post(essay, language, rendered, step) for language in languages]))
        remaining -= len(languages)
        essay += 1
        if sum(len(posts) for _, posts in chunk) >= BATCH or not remaining:
            yield chunk
            chunk = []


def add_relations(rows, number, post, authors, tags, previous):
    """Bylines and tags shared by an essay's versions; picks on every third essay, links on every fourth."""
    byline = [number % len(authors)]
    if number % 5 == 0:
        byline.append((number * 3 + 1) % len(authors))
    rows[PostAuthor] += [
        PostAuthor(post=post, author=authors[index], position=i) for i, index in enumerate(dict.fromkeys(byline))
    ]
    picked = [(number * 7) % len(tags), (number * 13 + 1) % len(tags)]
    if number % 2:
        picked.append((number * 29 + 5) % len(tags))
    rows[Post.tags.through] += [Post.tags.through(post=post, tag=tags[index]) for index in dict.fromkeys(picked)]
    if number % 3 == 0:
        rows[RelatedPost] += [RelatedPost(from_post=post, to_post=to, position=i) for i, to in enumerate(previous)]
    if number % 4 == 0:
        rows[RelatedLink] += [
            RelatedLink(
                post=post,
                position=i,
                title=f"Further reading {i + 1}",
                url=f"https://example.org/reading/{number}/{i}",
                summary="Why this is worth reading next.",
            )
            for i in range(2)
        ]


def create_authors(count):
    bio = "Researcher and engineer. Writes about careers in and out of academia."
    bio_html = rendering.render(bio).html
    authors = []
    for number in range(count):
        name = f"{AUTHOR_NAMES[number % len(AUTHOR_NAMES)]} {number + 1}"
        authors.append(Author(name=name, slug=slugify(name, allow_unicode=True), bio=bio, bio_html=bio_html))
    return Author.objects.bulk_create(authors, batch_size=BATCH)


def create_tags(count):
    names = [BASE_TAGS[n] if n < len(BASE_TAGS) else f"{BASE_TAGS[n % len(BASE_TAGS)]}-{n}" for n in range(count)]
    return Tag.objects.bulk_create(
        [Tag(name=name, slug=slugify(name, allow_unicode=True)) for name in names], batch_size=BATCH
    )


def build_post(essay, language, rendered, step):
    body, html = rendered[(language, essay % BODY_VARIANTS)]
    topic = TOPICS[language][essay % len(TOPICS[language])]
    title = {
        "en": f"Notes on {topic}, part {essay}",
        "ja": f"{topic}について（その{essay}）",
        "zh-hans": f"关于{topic}的随笔（{essay}）",
    }[language]
    draft = essay % DRAFT_EVERY == DRAFT_EVERY - 1
    # Versions of one essay appear minutes apart, the original first.
    publish_at = LAST_PUBLISHED - SPAN + step * essay + timedelta(minutes=LANGUAGE_PATTERNS[0].index(language))
    post = Post(
        title=title,
        slug=f"{slugify(topic, allow_unicode=True)}-{essay}",
        language=language,
        translation_key=uuid.uuid5(SEED_NAMESPACE, str(essay)),
        summary=f"{title}: {PARAGRAPH[language][:60]}",
        body=body,
        status=Post.Status.DRAFT if draft else Post.Status.PUBLISHED,
        publish_at=None if draft else publish_at,
        body_html=html.html,
        toc_html=html.toc,
        feed_html=html.feed_html,
        reading_minutes=html.reading_minutes,
        renderer_release=rendering.RENDERER_RELEASE,
        search_text=html.search_text,
        title_html=rendering.phrases.title_html(title, language),
    )
    post.excerpt = plain_text.excerpt(post)  # as Post.render() stores it
    post.store_traditional()
    return post


class Command(BaseCommand):
    help = "Fill an empty database with N deterministic posts in ja, zh-hans and en (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--size", type=int, default=1000, help="How many post rows to create (default 1000).")

    def handle(self, *args, size, **options):
        if size < 1:
            raise CommandError("--size must be at least 1.")
        report = seed(size)
        self.stdout.write(
            f"Seeded {report.posts} posts ({report.essays} essays), {report.authors} authors, {report.tags} tags, "
            f"{report.bylines} bylines, {report.tag_links} tag links, {report.related_posts} related posts, "
            f"{report.related_links} related links."
        )

"""`manage.py rerender_posts`: store HTML from the current renderer, so a RENDERER_RELEASE bump reaches every page."""

from django.core.management.base import BaseCommand

from blog.models import RENDERED_FIELDS, Author, Post


class Command(BaseCommand):
    help = "Re-render posts whose stored HTML came from an older renderer, and every author biography."

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            help="Re-render every post, e.g. so Liquid links to posts published since then resolve.",
        )

    def handle(self, *args, **options):
        posts = Post.objects.all() if options["all"] else Post.objects.stale()
        post_count = 0
        for post in posts.iterator(chunk_size=200):
            post.save(update_fields=RENDERED_FIELDS)  # Post.save() renders; update_fields keeps updated_at as it was
            post_count += 1
        author_count = 0
        for author in Author.objects.exclude(bio="").iterator(chunk_size=200):
            author.save(update_fields=["bio_html"])
            author_count += 1
        self.stdout.write(f"Re-rendered {post_count} post(s) and {author_count} author biography(ies).")

"""`manage.py publish_due`, run every minute by cron or a systemd timer: scheduled posts reach the edge on time.

A scheduled post appears with no write at all. Behind an edge no request may reach the origin to notice,
so this moves the content state when a post's time has come (purging what it moved, blog.caching.edge)
and sends again any purge that an edge failed to answer. It also draws the social cards that bulk writes (the
importer) left out, and drops those of posts no longer live, a batch per run.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from blog.caching import content_state, current_state, send_pending, settle
from blog.models import Post

CARDS_PER_RUN = 50


class Command(BaseCommand):
    help = "Publish scheduled posts whose time has come and send the edge purges still pending."

    def handle(self, *args, **options):
        before = current_state().value
        published = content_state().value != before
        live = Q(status=Post.Status.PUBLISHED)
        for post in Post.objects.filter((live & Q(social_card="")) | (~live & ~Q(social_card="")))[:CARDS_PER_RUN]:
            post.refresh_social_card()
        settle()  # the purge that publishing handed to the background thread
        sent = send_pending()
        if sent is None:
            raise CommandError("An edge did not answer the purge; it stays pending for the next run.")
        self.stdout.write(
            f"{'Scheduled posts published' if published else 'Nothing due'}; {sent} pending purge(s) sent."
        )

"""`manage.py publish_due`, run every minute by cron or a systemd timer: scheduled posts reach the edge on time.

A scheduled post appears with no write at all. Behind an edge no request may reach the origin to notice,
so this moves the content state when a post's time has come (purging what it moved, blog.reading.edge)
and sends again any purge that an edge failed to answer.
"""

from django.core.management.base import BaseCommand, CommandError

from blog.reading import edge
from blog.reading.conditional import content_state
from blog.reading.state import ContentGeneration


class Command(BaseCommand):
    help = "Publish scheduled posts whose time has come and send the edge purges still pending."

    def handle(self, *args, **options):
        before = ContentGeneration.objects.current().value
        published = content_state().value != before
        edge.settle()  # the purge that publishing handed to the background thread
        sent = edge.send_pending()
        if sent is None:
            raise CommandError("An edge did not answer the purge; it stays pending for the next run.")
        self.stdout.write(
            f"{'Scheduled posts published' if published else 'Nothing due'}; {sent} pending purge(s) sent."
        )

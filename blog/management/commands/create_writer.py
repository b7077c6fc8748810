"""`manage.py create_writer USERNAME --role author|editor --name "Display Name"`: a login, its role and byline.

An Author writes their own drafts and submits them for review; an Editor reviews, publishes and edits every
post (the groups blog/migrations/0002_roles.py creates). Both need staff status to sign in to the admin, and
an author profile linked to the login, or their posts would carry no byline.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from blog.models import Author

ROLES = {"author": "Author", "editor": "Editor"}


class Command(BaseCommand):
    help = "Create a staff login with the Author or Editor role and the author profile its byline shows."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=sorted(ROLES), required=True)
        parser.add_argument("--name", required=True, help="The display name on the byline.")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password", help="Set this password; without it the login has none until set with changepassword."
        )

    @transaction.atomic
    def handle(self, *args, username, role, name, email, password, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A login named {username!r} already exists; nothing was changed.")
        user = User.objects.create_user(username, email, password, is_staff=True)
        if password is None:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=ROLES[role]))
        profile = Author.objects.filter(name=name, user=None).first() or Author(name=name)
        profile.user = user
        profile.save()
        self.stdout.write(f"Created {role} {username!r} with the author profile {profile.name!r}.")

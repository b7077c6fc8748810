"""The blog app: Bunko's one Django app, whose sides (reading, editing, portability, serving) are sub-packages."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = _("Blog")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Modules Django does not look for by name (models/ and admin.py are what it imports itself): the admin
        # lives on the editing and mail sides.
        from blog import caching
        from blog.editing import admin  # noqa: F401
        from blog.mail import admin as mail_admin  # noqa: F401

        # The receivers that keep the page cache's state, connected here rather than as an import's side effect.
        caching.connect()

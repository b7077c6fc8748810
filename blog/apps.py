"""The blog app: Bunko's one Django app, whose sides (reading, editing, portability, serving) are sub-packages."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = _("Blog")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The page-cache state's models and receivers live on the reading side, the pending draft and the admin
        # on the editing side: none is a module Django looks for by name (models.py, admin.py), so they load here.
        from blog.editing import admin, pending  # noqa: F401
        from blog.mail import admin as mail_admin  # noqa: F401
        from blog.reading import state  # noqa: F401

"""The admin site under Bunko's name: Django's default says "Django administration" in every language."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class BunkoAdminSite(admin.AdminSite):
    # The index keeps Django's "Site administration", translated in every language, under this header.
    site_header = _("Bunko")
    site_title = _("Bunko")


class BunkoAdminConfig(AdminConfig):
    """django.contrib.admin with Bunko's site as `admin.site` (settings.INSTALLED_APPS names this)."""

    default_site = "blog.editing.admin_site.BunkoAdminSite"

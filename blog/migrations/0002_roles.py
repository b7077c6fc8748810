"""Create the two editorial roles: Author writes own drafts, Editor edits and publishes everything."""

from django.db import migrations

AUTHOR_PERMISSIONS = [
    "blog.add_post", "blog.change_post", "blog.view_post",
    "blog.view_author", "blog.view_tag", "blog.add_tag",
    "blog.add_relatedlink", "blog.change_relatedlink", "blog.delete_relatedlink", "blog.view_relatedlink",
]
EDITOR_MODELS = ["post", "author", "tag", "relatedlink", "postauthor", "relatedpost"]
EDITOR_PERMISSIONS = [
    f"blog.{action}_{model}" for model in EDITOR_MODELS for action in ("add", "change", "delete", "view")
] + ["blog.publish_post", "redirects.add_redirect", "redirects.change_redirect", "redirects.view_redirect"]


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; roles need them now.
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (("Author", AUTHOR_PERMISSIONS), ("Editor", EDITOR_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=name)
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Author", "Editor"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("redirects", "0002_alter_redirect_new_path_help_text"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]

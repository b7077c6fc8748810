"""The editors' routes under a language prefix (config/urls.py): the shared preview of a draft or scheduled post."""

from django.urls import path

from blog.editing import preview

app_name = "preview"
urlpatterns = [
    path("<str:token>/", preview.post_preview, name="post"),
]

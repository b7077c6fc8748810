"""The writing room's preview frame: the public page's assets in the essay's language, for the admin's eyes only."""

from django.test import Client
from django.urls import reverse

FRAME = reverse("admin:blog_post_preview_frame")


def test_the_preview_frame_is_an_essay_page_in_the_asked_language_framable_only_by_this_site(editor_client):
    response = editor_client.get(FRAME, {"language": "zh-hans"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "/static/css/site.css" in html and "/static/js/embeds.js" in html
    assert '<div class="post-body" id="preview-body">' in html
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


def test_an_unknown_language_falls_back_to_the_sites(editor_client, settings):
    html = editor_client.get(FRAME, {"language": "<script>"}).content.decode()
    assert f'<html lang="{settings.LANGUAGE_CODE}">' in html
    assert "<script>" not in html.split("<head>")[0]


def test_the_preview_frame_is_not_open_to_readers(db):
    response = Client().get(FRAME)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_post_form_may_frame_only_this_sites_pages_and_the_players(editor_client):
    policy = editor_client.get(reverse("admin:blog_post_add"))["Content-Security-Policy"]
    frames = next(part for part in policy.split(";") if part.strip().startswith("frame-src"))
    assert "'self'" in frames.split() and "https://www.youtube-nocookie.com/embed/" in frames.split()

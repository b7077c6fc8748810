"""A reader in one language: a URL in a language the essay lacks names the versions that exist, and the switcher
speaks the page's language only."""

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext

from blog.models import Post
from tests.factories import make_post, url_in

pytestmark = pytest.mark.django_db

LANGUAGES = ["ja", "zh-hans", "en"]
TITLES = {"ja": "研究室の一日", "zh-hans": "实验室的一天", "en": "A day in the lab"}
SLUGS = {"ja": "研究室の一日", "zh-hans": "实验室的一天", "en": "a-day-in-the-lab"}


def essay_without(missing, *, draft=None):
    """{language: version} of one essay published in every language but `missing` (and `draft`, kept a draft)."""
    versions, key = {}, None
    for code in LANGUAGES:
        if code == missing:
            continue
        status = Post.Status.DRAFT if code == draft else Post.Status.PUBLISHED
        fields = {"translation_key": key} if key else {}
        versions[code] = make_post(title=TITLES[code], slug=SLUGS[code], language=code, status=status, **fields)
        key = versions[code].translation_key
    return versions


def translated(interface, message, **values):
    """`message` as a page in the `interface` language prints it."""
    with translation.override(interface):
        return gettext(message) % values if values else gettext(message)


def language_name(code, language):
    """`code`'s language named in `language` (Django's own catalogue)."""
    with translation.override(language):
        return gettext(translation.get_language_info(code)["name"])


@pytest.mark.parametrize("missing", LANGUAGES)
def test_a_url_in_a_language_the_essay_lacks_is_a_404_in_that_language_linking_the_published_versions(client, missing):
    others = [code for code in LANGUAGES if code != missing]
    published, draft = others
    versions = essay_without(missing, draft=draft)

    response = client.get(url_in(missing, "blog:post-detail", slug=SLUGS[published]))

    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{missing}">' in html
    assert f"<h1>{translated(missing, 'Page not found')}</h1>" in html
    notice = translated(
        missing,
        "This essay is not available in %(language)s. It can be read in:",
        language=language_name(missing, missing),
    )
    assert notice in html
    assert (
        f'<a href="{versions[published].get_absolute_url()}" hreflang="{published}">'
        f'<span lang="{published}">{TITLES[published]}</span> ({language_name(published, missing)})</a>'
    ) in html
    assert versions[draft].get_absolute_url() not in html  # a draft is never pointed at
    assert TITLES[draft] not in html


def switcher_of(response):
    html = response.content.decode()
    start = html.index('<nav class="language-switcher"')
    return html[start : html.index("</nav>", start) + len("</nav>")]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_switcher_speaks_the_pages_language_and_shows_a_missing_version_as_a_muted_item(client, language):
    missing = LANGUAGES[(LANGUAGES.index(language) + 1) % 3]
    versions = essay_without(missing)
    switcher = switcher_of(client.get(versions[language].get_absolute_url()))

    tooltip = translated(language, "Not available in %(language)s", language=language_name(missing, language))
    autonym = translation.get_language_info(missing)["name_local"]
    assert (
        f'<span class="language-missing" title="{tooltip}"><span lang="{missing}">{autonym}</span>'
        f'<span class="visually-hidden"> ({tooltip})</span></span>'
    ) in switcher
    # Nothing in another interface language: no "go to the home page" in the missing version's language.
    assert f'hreflang="{missing}"' not in switcher
    for other in LANGUAGES:
        if other != language:
            assert translated(other, "Go to the home page") not in switcher
    # The autonyms of the existing versions link to them, each marked with its own language.
    for code, version in versions.items():
        name = translation.get_language_info(code)["name_local"]
        link = rf'<a href="{re.escape(version.get_absolute_url())}" hreflang="{code}" lang="{code}"[^>]*>{name}</a>'
        assert re.search(link, switcher)


@pytest.mark.parametrize("language", LANGUAGES)
def test_another_languages_slug_under_this_language_points_first_to_this_languages_version(client, language):
    versions = essay_without(None)
    other = LANGUAGES[(LANGUAGES.index(language) + 1) % 3]

    response = client.get(url_in(language, "blog:post-detail", slug=SLUGS[other] + "-elsewhere"))
    assert response.status_code == 404
    assert "versions-elsewhere" not in response.content.decode()  # a slug no version has: the plain 404 page

    Post.objects.filter(pk=versions[other].pk).update(slug=SLUGS[other] + "-elsewhere")
    response = client.get(url_in(language, "blog:post-detail", slug=SLUGS[other] + "-elsewhere"))
    assert response.status_code == 404
    html = response.content.decode()
    notice = translated(
        language,
        "This essay has another address in %(language)s. It can be read in:",
        language=language_name(language, language),
    )
    assert notice in html
    links = re.findall(r'<li><a href="([^"]+)" hreflang="([^"]+)">', html)
    assert links[0] == (versions[language].get_absolute_url(), language)
    assert len(links) == 3

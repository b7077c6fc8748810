"""Issue 18 in import and export: a post's DOI and version date, an author's romanised name, read and refused."""

import datetime
from pathlib import Path

import pytest

from blog.models import Author, Post
from blog.portability.importer import import_paths

pytestmark = pytest.mark.django_db

ESSAY = """\
---
title: Leaving the lab
lang: en
date: 2024-03-01 09:30:00 +0900
authors: [hanako-sato]
citation:
  doi: {doi}
  version: {version}
---
Why I left.
"""


def site_with(tmp_path, *, doi="10.5281/zenodo.1234567", version="2024-05-02"):
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "2024-03-01-leaving-the-lab.md").write_text(ESSAY.format(doi=doi, version=version))
    (tmp_path / "authors.yaml").write_text("- slug: hanako-sato\n  name: 佐藤 花子\n  romanized_name: Hanako Sato\n")
    return tmp_path


def test_a_jekyll_post_brings_its_doi_version_and_romanised_author(tmp_path):
    report = import_paths(paths=[site_with(tmp_path)])
    assert (report.created, report.failed) == (1, 0), report.failures()
    post = Post.objects.get()
    assert (post.doi, post.revised_on) == ("10.5281/zenodo.1234567", datetime.date(2024, 5, 2))
    assert post.extra_front_matter == {}
    assert Author.objects.get().romanized_name == "Hanako Sato"


def test_a_doi_written_as_a_link_is_read_as_the_doi(tmp_path):
    import_paths(paths=[site_with(tmp_path, doi="https://doi.org/10.5281/zenodo.1234567")])
    assert Post.objects.get().doi == "10.5281/zenodo.1234567"


@pytest.mark.parametrize(
    ("doi", "version", "reason"),
    [("not-a-doi", "2024-05-02", "invalid DOI 'not-a-doi'"), ("10.5281/x", "May 2nd", "invalid citation version date")],
)
def test_a_bad_doi_or_version_is_refused_with_its_reason_and_nothing_saved(tmp_path, doi, version, reason):
    report = import_paths(paths=[site_with(tmp_path, doi=doi, version=version)])
    assert report.failed == 1
    assert reason in next(result.detail for result in report.failures())
    assert Path(next(result.path for result in report.failures())).name == "2024-03-01-leaving-the-lab.md"
    assert not Post.objects.exists()

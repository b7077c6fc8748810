"""Editors and authors logged in to the admin, for every editing test."""

import pytest

from tests.factories import make_author


@pytest.fixture
def editor_client(client, editor_user):
    client.force_login(editor_user)
    return client


@pytest.fixture
def author_client(client, author_user):
    client.force_login(author_user)
    return client


@pytest.fixture
def own_author(author_user):
    return make_author("Writer Self", user=author_user)

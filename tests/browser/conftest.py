"""A real reader's browser: Debian's Chromium driven by Playwright against pytest-django's live server.

Every page a test opens is watched: a console error, an uncaught script error, or a request to any
host but the live server fails the test. Third-party requests are aborted after being recorded, so
the suite never touches the network; only a click on an embed facade may start one.
"""

import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.sites.management import create_default_site
from django.contrib.sites.models import Site
from playwright.sync_api import sync_playwright

from blog.models import Author, Post, Tag
from tests.factories import make_author, make_post, make_tag, make_translation

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# A video that readers of the essays below would watch; its ID appears in the facade and the iframe.
VIDEO_ID = "MgE-e65W5oI"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium (`make chromium` installs it).")
    # Playwright's sync API runs an event loop in this thread, so Django would refuse the ORM calls that
    # fixtures and tests make alongside it; nothing here is async code sharing a connection.
    with pytest.MonkeyPatch.context() as env, sync_playwright() as playwright:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@dataclass
class PageWatch:
    """What a page did that a reader should never see: console errors and requests to other hosts."""

    server: str
    console_errors: list = field(default_factory=list)
    third_party_before_click: list = field(default_factory=list)
    third_party_after_click: list = field(default_factory=list)
    clicked: bool = False

    def is_third_party(self, url):
        parts = urlsplit(url)
        return parts.scheme in {"http", "https", "ws", "wss"} and parts.netloc != self.server

    def click(self, locator):
        """Click as a reader does: from then on the page may contact the clicked embed's host."""
        self.clicked = True
        locator.click()

    def on_request(self, request):
        if self.is_third_party(request.url):
            (self.third_party_after_click if self.clicked else self.third_party_before_click).append(request.url)

    def on_console(self, message):
        # An aborted third-party load (the player's iframe after a click) logs nothing; anything logged is a bug.
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url')})")


@pytest.fixture
def watch(live_server):
    return PageWatch(server=urlsplit(live_server.url).netloc)


@pytest.fixture
def page(browser, live_server, transactional_db, watch):
    """A fresh browser tab on the live server (whose thread reads only committed rows, hence transactional_db).

    Fails the test if the page misbehaved (see PageWatch).
    """
    # An earlier transactional test's flush removed the site the sites app's migration made; redirects and the
    # admin's login read it.
    create_default_site(apps.get_app_config("sites"), verbosity=0)
    Site.objects.clear_cache()
    context = browser.new_context(base_url=live_server.url)
    # A missing element should fail in seconds, not after Playwright's default half minute.
    context.set_default_timeout(5_000)
    context.route(watch.is_third_party, lambda route: route.abort("blockedbyclient"))
    tab = context.new_page()
    tab.on("request", watch.on_request)
    tab.on("console", watch.on_console)
    tab.on("pageerror", lambda error: watch.console_errors.append(f"uncaught: {error}"))
    yield tab
    context.close()
    if watch.third_party_before_click:
        pytest.fail("requested another host before any click:\n" + "\n".join(watch.third_party_before_click), False)
    if watch.console_errors:
        pytest.fail("the page logged errors:\n" + "\n".join(watch.console_errors), False)


@pytest.fixture
def settled(page):
    """Let the page's requests finish before the tab closes: an aborted preview request logs an error."""
    in_flight = set()
    page.on("request", lambda request: in_flight.add(request))
    page.on("requestfinished", lambda request: in_flight.discard(request))
    page.on("requestfailed", lambda request: in_flight.discard(request))
    yield
    deadline = time.monotonic() + 10
    while in_flight and not page.is_closed() and time.monotonic() < deadline:
        page.wait_for_timeout(100)


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@dataclass
class Library:
    """The essays a reader meets: one with an English translation (outdated) and no Chinese one, one with embeds."""

    author: Author
    tag: Tag
    phd_ja: Post
    phd_en: Post
    media_ja: Post
    video_id: str = VIDEO_ID


PHD_JA_BODY = """\
## 博士課程に入るまで

修士を終えたとき、博士課程に進むかどうか一年迷いました。研究が好きだという気持ちと、
生活への不安のあいだで揺れていたのです。

## 研究室での日々

博士の三年間で学んだのは、問いを小さく切ることでした。大きな問いは美しいけれど、
手が動かない。毎週の実験ノートが、いちばんの先生でした。

- 読むこと
- 書くこと
- 休むこと
"""

PHD_EN_BODY = """\
## Before the doctorate

When I finished my master's degree I spent a year deciding whether to start a PhD.

## Days in the lab

What three years of doctoral work taught me was to cut questions small.
"""

MEDIA_JA_BODY = f"""\
講演の録画です。

https://www.youtube.com/watch?v={VIDEO_ID}

当日の感想を書いてくれた人もいました。

<blockquote class="twitter-tweet"><p lang="ja" dir="ltr">とても良い講演でした。</p>&mdash; Reader (@reader) <a href="https://twitter.com/reader/status/1234567890123456789">January 1, 2024</a></blockquote> <script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>

最後まで見てくださってありがとうございました。
"""  # noqa: E501 (the tweet's embed code as X gives it, on one line)


@pytest.fixture
def library(db):
    author = make_author("山田 花子", bio="研究者。")
    tag = make_tag("研究")
    # The Japanese original gained its closing list after the English translation was made: the translation is
    # outdated, so its page carries the notice readers get.
    phd_ja = make_post(
        title="博士課程を振り返って",
        language="ja",
        summary="博士課程の三年間で学んだこと。",
        body=PHD_JA_BODY.split("\n\n- ")[0],
        authors=[author],
        tags=[tag],
    )
    phd_en = make_translation(
        phd_ja,
        title="Looking back on my PhD",
        slug="looking-back-on-my-phd",
        language="en",
        summary="What three years of a doctorate taught me.",
        body=PHD_EN_BODY,
        tags=[tag],
    )
    phd_ja.body = PHD_JA_BODY
    phd_ja.save()
    media_ja = make_post(
        title="講演の録画",
        language="ja",
        summary="講演の動画と反応。",
        body=MEDIA_JA_BODY,
        authors=[author],
        tags=[tag],
    )
    return Library(author=author, tag=tag, phd_ja=phd_ja, phd_en=phd_en, media_ja=media_ja)

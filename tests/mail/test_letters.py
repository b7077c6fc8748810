"""The email a subscriber gets: the version in their language, notes when it is outdated or missing, and the
essay as it reads on the site, made for mail clients."""

import re

import pytest
from django.utils import timezone

from blog.mail.sender import send_newsletters
from tests.factories import make_post, make_subscriber, make_translation

pytestmark = pytest.mark.django_db
VIDEO_ID = "MgE-e65W5oI"
RICH_BODY = f"""\
The cat sat on the mat.[^mat]

![A cat on a mat](/media/uploads/cat.png)

Its energy was $$\\frac{{m}}{{2}} v^2$$ at most.

https://www.youtube.com/watch?v={VIDEO_ID}

```python
print("hello")
```

[^mat]: A woven one.
"""


def html_of(message):
    return message.get_body(("html",)).get_content()


def text_of(message):
    return message.get_body(("plain",)).get_content()


def test_an_outdated_translation_says_so_and_links_the_original(smtp_server):
    original = make_post(title="博士課程を振り返って", language="ja", body="最初の版。", publish_at=timezone.now())
    make_translation(original, language="en", title="Looking back on my PhD", body="The first version.")
    original.body = "最初の版。\n\n書き足した段落。"
    original.save()
    make_subscriber("reader@example.org", ["en", "ja"])
    send_newsletters()

    [message] = smtp_server.messages()
    assert message["Subject"] == "Looking back on my PhD"
    html = html_of(message)
    assert "This translation is out of date: the original, in Japanese, has changed" in html
    assert f'href="https://bunko.test{original.get_absolute_url()}"' in html
    assert "The first version." in html


def test_an_up_to_date_translation_carries_no_note(smtp_server):
    original = make_post(title="博士課程を振り返って", language="ja", body="本文。", publish_at=timezone.now())
    make_translation(original, language="en", title="Looking back on my PhD", body="The text.")
    make_subscriber("reader@example.org", ["en"])
    send_newsletters()
    assert "out of date" not in html_of(smtp_server.messages()[0])


def test_without_a_preferred_language_the_original_comes_with_a_line_in_the_readers_language(smtp_server):
    make_post(title="A note from Kyoto", language="en", body="Written in English.", publish_at=timezone.now())
    make_subscriber("reader@example.org", ["zh-hans", "ja"])
    send_newsletters()

    [message] = smtp_server.messages()
    assert message["Subject"] == "A note from Kyoto"
    assert message["Content-Language"] == "en"
    html = html_of(message)
    assert "这篇随笔没有您所选语言的版本，因此为您送上原文（英语）。" in html
    assert "您收到此邮件，是因为您订阅了 Bunko 的新随笔。" in html
    assert "Written in English." in html


def test_the_email_is_the_essay_made_for_mail(smtp_server):
    make_post(title="On mats", language="en", body=RICH_BODY, publish_at=timezone.now())
    make_subscriber("reader@example.org", ["en"])
    send_newsletters()
    [message] = smtp_server.messages()
    html, text = html_of(message), text_of(message)

    # Images absolute, styles inlined, nothing left for a stylesheet or a script.
    assert 'src="https://bunko.test/media/uploads/cat.png"' in html
    assert "<style" not in html and "<script" not in html
    assert re.search(r'<p[^>]* style="[^"]*margin', html)
    assert re.search(r'<span[^>]* style="[^"]*color', html), "code keeps its highlighting colours"
    # The light scheme's colours (an email has no scheme to choose by): print in green, the string in red.
    assert '<span class="nb" style="color: #008000;">print</span>' in html
    assert re.search(r'<span class="s2" style="color: #BA2121;">[^<]*hello', html)
    assert "light-dark" not in html
    # The video facade is a linked thumbnail.
    assert re.search(
        rf'<a[^>]*href="https://www.youtube.com/watch\?v={VIDEO_ID}"[^>]*><img[^>]*src="https://i.ytimg.com/vi/{VIDEO_ID}/',
        html,
    )
    assert "data-embed-src" not in html
    # Footnotes are endnotes: numbers without links into the message, the notes under a heading.
    assert 'href="#' not in html
    assert re.search(r"<h2[^>]*>Notes</h2>", html) and "A woven one." in html
    # Formulas keep their MathML, with their TeX for clients without it, and as TeX in the plain text.
    assert "<math" in html and 'alttext="\\frac{m}{2} v^2"' in html
    assert "\\frac{m}{2} v^2" in text
    # The plain-text alternative reads the essay and names its links.
    assert "The cat sat on the mat." in text and "[A cat on a mat]" in text
    assert f"[[▶ Play video (YouTube)]](https://www.youtube.com/watch?v={VIDEO_ID})" in text


def test_nothing_in_the_email_tracks_the_reader(smtp_server):
    make_post(title="On mats", language="en", body=RICH_BODY + "\n[A link](https://example.com/page)\n",
              publish_at=timezone.now())  # fmt: skip
    make_subscriber("reader@example.org", ["en"])
    send_newsletters()
    html = html_of(smtp_server.messages()[0])
    links = set(re.findall(r'href="([^"]+)"', html))
    images = set(re.findall(r'src="([^"]+)"', html))
    assert "https://example.com/page" in links, "links are the essay's own, not rewritten through a redirect"
    assert {link.split("/")[2] for link in links} <= {"bunko.test", "www.youtube.com", "example.com"}
    assert images == {"https://bunko.test/media/uploads/cat.png", f"https://i.ytimg.com/vi/{VIDEO_ID}/hqdefault.jpg"}


def test_ruby_reads_as_base_and_reading_in_both_parts(smtp_server):
    make_post(title="漢字の話", language="ja", body="|東京《とうきょう》と{漢字|かんじ}。", publish_at=timezone.now())
    make_subscriber("reader@example.org", ["ja"])
    send_newsletters()

    [message] = smtp_server.messages()
    assert "東京(とうきょう)と漢字(かんじ)。" in text_of(message)
    html = html_of(message)
    # Clients that show ruby show it; the others fall back on the parentheses.
    assert "<ruby>東京<rp" in html and "<rt" in html and "とうきょう</rt>" in html

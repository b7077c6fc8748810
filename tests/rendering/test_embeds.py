"""Embeds: provider URLs and paste-in snippets become facades and cards that load nothing from third parties."""

import re
from html.parser import HTMLParser

import pytest

from blog.rendering import render
from blog.rendering.embeds import video_from_url
from tests.paths import SHARED

POSTS = SHARED / "corpus" / "jekyll-blog" / "_posts"
# Attributes a browser fetches on page view, without the reader doing anything.
LOADING_ATTRIBUTES = {"src", "srcset", "poster", "data", "background"}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements, self.loads = [], []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        self.loads += [value for name, value in attributes.items() if name in LOADING_ATTRIBUTES and value]
        if tag == "link" and attributes.get("href"):
            self.loads.append(attributes["href"])

    handle_startendtag = handle_starttag


def page(html):
    parser = _Page()
    parser.feed(html)
    parser.close()
    return parser


def third_party_loads(html):
    return [url for url in page(html).loads if re.match(r"^(https?:)?//", url)]


def find(html, tag, css_class):
    return [attrs for name, attrs in page(html).elements if name == tag and css_class in attrs.get("class", "").split()]


PASTED_TWEET = r"<blockquote class=\"twitter-tweet\".*?</blockquote>\s*<script[^>]*></script>"


def pasted(post, pattern):
    """The snippet exactly as the author pasted it into a corpus post."""
    return re.search(pattern, (POSTS / post).read_text(), re.S).group(0)


@pytest.mark.parametrize(
    ("url", "watch_url", "player_src"),
    [
        ("https://www.youtube.com/watch?v=MgE-e65W5oI", "https://www.youtube.com/watch?v=MgE-e65W5oI",
         "https://www.youtube-nocookie.com/embed/MgE-e65W5oI?autoplay=1"),
        ("https://youtu.be/MgE-e65W5oI?si=QiCfXR3ocH3R1yUn", "https://www.youtube.com/watch?v=MgE-e65W5oI",
         "https://www.youtube-nocookie.com/embed/MgE-e65W5oI?autoplay=1"),
        ("https://www.youtube.com/shorts/nK46OGjoosQ?feature=share", "https://www.youtube.com/watch?v=nK46OGjoosQ",
         "https://www.youtube-nocookie.com/embed/nK46OGjoosQ?autoplay=1"),
        ("https://www.youtube.com/embed/MgE-e65W5oI?si=QiCfXR3ocH3R1yUn", "https://www.youtube.com/watch?v=MgE-e65W5oI",
         "https://www.youtube-nocookie.com/embed/MgE-e65W5oI?autoplay=1"),
        ("https://m.youtube.com/watch?v=MgE-e65W5oI&t=1m30s&pp=abc",
         "https://www.youtube.com/watch?v=MgE-e65W5oI&t=90s",
         "https://www.youtube-nocookie.com/embed/MgE-e65W5oI?autoplay=1&start=90"),
        ("https://vimeo.com/76979871", "https://vimeo.com/76979871",
         "https://player.vimeo.com/video/76979871?dnt=1&autoplay=1"),
        ("https://vimeo.com/76979871/abcdef1234", "https://vimeo.com/76979871/abcdef1234",
         "https://player.vimeo.com/video/76979871?dnt=1&autoplay=1&h=abcdef1234"),
        ("https://player.vimeo.com/video/76979871?h=abcdef1234&badge=0", "https://vimeo.com/76979871/abcdef1234",
         "https://player.vimeo.com/video/76979871?dnt=1&autoplay=1&h=abcdef1234"),
    ],
)  # fmt: skip
def test_video_urls_are_recognised_without_tracking_parameters(url, watch_url, player_src):
    video = video_from_url(url)
    assert (video.watch_url, video.player_src) == (watch_url, player_src)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/channel/UC1234567890",
        "https://www.youtube.com/watch?v=short",
        "https://youtube.com.evil.example/watch?v=MgE-e65W5oI",
        "javascript://www.youtube.com/watch?v=MgE-e65W5oI",
        "https://vimeo.com/channels/staffpicks",
        "https://example.com/watch?v=MgE-e65W5oI",
    ],
)
def test_other_urls_are_not_videos(url):
    assert video_from_url(url) is None


def test_youtube_iframe_pasted_in_a_corpus_post_becomes_a_click_to_load_facade():
    iframe = pasted("2024-01-29-finding-job.md", r"<iframe .*?</iframe>")
    html = render(f"Before.\n\n<p></p>\n{iframe}\n<p></p>\n\nAfter.").html

    assert third_party_loads(html) == []
    assert "<iframe" not in html and "<script" not in html
    [facade] = find(html, "a", "embed-video")
    # Without JavaScript it is a link to the video; the tracking `si` parameter is gone.
    assert facade["href"] == "https://www.youtube.com/watch?v=MgE-e65W5oI"
    assert facade["data-embed-src"] == "https://www.youtube-nocookie.com/embed/MgE-e65W5oI?autoplay=1"
    assert find(html, "figure", "embed-video")


def test_tweet_pasted_with_widgets_script_becomes_a_static_card():
    tweet = pasted("2022-09-02-phd.md", PASTED_TWEET)
    assert "platform.twitter.com/widgets.js" in tweet
    html = render(f"PhD!\n\n{tweet}\n\nDone.").html

    assert third_party_loads(html) == []
    assert "<script" not in html and "widgets.js" not in html
    assert len(find(html, "blockquote", "tweet-card")) == 1
    text = re.sub(r"<[^>]+>", "", html)
    assert "この画像がついに使える" in text
    assert "Kento Nozawa (@nzw0301)" in text
    # The status link, dated, without X's ref_src tracking; the photo stays a link, never an <img>.
    status = "https://twitter.com/nzw0301/status/1547797133729796096"
    assert f'<a href="{status}" rel="noopener noreferrer">July 15, 2022</a>' in html
    assert '<a href="https://t.co/UYtuvjvZ8e" rel="noopener noreferrer">pic.twitter.com/UYtuvjvZ8e</a>' in html
    assert not [tag for tag, attrs in page(html).elements if tag == "img"]


def test_multi_line_tweet_with_protocol_relative_script_becomes_a_card():
    tweet = pasted("2017-09-30-td_intern.md", PASTED_TWEET)
    html = render(tweet).html
    assert third_party_loads(html) == [] and "<script" not in html
    [card] = find(html, "blockquote", "tweet-card")
    assert "nzw (@nzw0301)" in html
    assert 'href="https://twitter.com/nzw0301/status/599511496545042432"' in html
    assert ">May 16, 2015</a>" in html


def test_gist_script_becomes_a_link_to_the_gist():
    script = pasted("2016-02-25-sparseLDA.md", r"<script src=\"https://gist\.github\.com/[^\"]+\"></script>")
    html = render(f"Code:\n\n{script}").html
    assert "<script" not in html and third_party_loads(html) == []
    [link] = find(html, "a", "embed-link")
    assert link["href"] == "https://gist.github.com/nzw0301/660fd011197e9c0a3443"


@pytest.mark.parametrize(
    "post", ["2024-01-29-finding-job.md", "2022-09-02-phd.md", "2021-10-06-understanding.md", "2017-12-07-DC1.md",
             "2019-12-31-nawadays.md", "2016-02-25-sparseLDA.md", "2024-03-03-path-to-pfn.md"]
)  # fmt: skip
def test_corpus_posts_with_embeds_load_nothing_from_third_parties(post):
    html = render((POSTS / post).read_text().split("---", 2)[2]).html
    assert third_party_loads(html) == []
    assert "<script" not in html and "<iframe" not in html


@pytest.mark.parametrize(
    "url",
    [
        "https://youtu.be/MgE-e65W5oI?si=tracking",
        "<https://www.youtube.com/watch?v=MgE-e65W5oI>",
        "https://vimeo.com/76979871",
    ],
)
def test_video_url_alone_in_a_paragraph_becomes_a_facade(url):
    html = render(f"Watch this:\n\n{url}\n\nGood, right?").html
    [facade] = find(html, "a", "embed-video")
    assert facade["data-embed-src"].startswith(("https://www.youtube-nocookie.com/", "https://player.vimeo.com/"))
    assert "tracking" not in html
    assert third_party_loads(html) == []


def test_video_url_inside_a_sentence_stays_a_link():
    html = render("See https://youtu.be/MgE-e65W5oI for the talk.").html
    assert not find(html, "a", "embed-video")
    assert '<a href="https://youtu.be/MgE-e65W5oI" rel="noopener noreferrer">' in html


def test_tweet_url_alone_becomes_a_card_with_its_link():
    html = render("https://x.com/nzw0301/status/1173700299732729857?s=20").html
    [card] = find(html, "blockquote", "tweet-card")
    assert '<a href="https://x.com/nzw0301/status/1173700299732729857"' in html
    assert "@nzw0301" in html


def test_gist_url_alone_becomes_a_link_card():
    html = render("https://gist.github.com/nzw0301/227c23fa5a7dc463a6bda44eee00d720").html
    [link] = find(html, "a", "embed-link")
    assert link["href"] == "https://gist.github.com/nzw0301/227c23fa5a7dc463a6bda44eee00d720"


def test_other_bare_urls_stay_plain_links():
    html = render("https://example.org/page\n\n詳しくはhttps://example.jp/x/を参照。末尾 https://example.com/a_b.").html
    assert "embed" not in html
    hrefs = [attrs["href"] for tag, attrs in page(html).elements if tag == "a"]
    assert hrefs == ["https://example.org/page", "https://example.jp/x/", "https://example.com/a_b"]


def test_vimeo_iframe_paste_becomes_a_facade_with_do_not_track():
    html = render('<iframe src="https://player.vimeo.com/video/76979871?h=abcdef1234" width="640"></iframe>').html
    [facade] = find(html, "a", "embed-video")
    assert facade["href"] == "https://vimeo.com/76979871/abcdef1234"
    assert facade["data-embed-src"] == "https://player.vimeo.com/video/76979871?dnt=1&autoplay=1&h=abcdef1234"


def test_iframe_from_an_unknown_host_becomes_a_link_that_loads_nothing():
    html = render('<iframe src="https://maps.example/embed?q=x" title="Map of Tokyo"></iframe>').html
    assert third_party_loads(html) == []
    assert '<a href="https://maps.example/embed?q=x" rel="noopener noreferrer">Map of Tokyo</a>' in html


def test_forged_facade_cannot_point_the_player_elsewhere():
    html = render('<a class="embed-video" href="#" data-embed-src="https://evil.example/">play</a>').html
    assert "evil.example" not in html


def test_facade_label_uses_the_pasted_title_when_it_says_something():
    html = render('<iframe src="https://www.youtube.com/embed/MgE-e65W5oI" title="SirSLow live"></iframe>').html
    assert '<span class="embed-title">SirSLow live</span>' in html


# Instagram's "Embed" snippet as it comes (version 14, captioned), shortened only in its inline styles.
PASTED_INSTAGRAM = (
    '<blockquote class="instagram-media" data-instgrm-captioned '
    'data-instgrm-permalink="https://www.instagram.com/p/C1a2B3c4D5e/?utm_source=ig_embed&amp;utm_campaign=loading" '
    'data-instgrm-version="14" style="background:#FFF; border:0; max-width:540px;"><div style="padding:16px;">'
    ' <a href="https://www.instagram.com/p/C1a2B3c4D5e/?utm_source=ig_embed&amp;utm_campaign=loading" '
    'style="background:#FFFFFF;" target="_blank"> <div style="display: flex;"> <div style="background-color:'
    ' #F4F4F4; border-radius: 50%;"></div></div><div style="padding: 19% 0;"></div> <div style="display:block;">'
    '<svg width="50px" height="50px" viewBox="0 0 60 60"><g stroke="none"><path d="M556.869,30.41"></path></g>'
    '</svg></div><div style="padding-top: 8px;"> <div style="color:#3897f0;">View this post on Instagram</div>'
    '</div></a><p style=" margin:8px 0 0 0;"><a href="https://www.instagram.com/p/C1a2B3c4D5e/?utm_source='
    'ig_embed&amp;utm_campaign=loading" style="color:#c9c8cd;" target="_blank">京都の 朝、鴨川にて</a></p>'
    '<p style=" color:#c9c8cd;">A post shared by <a href="https://www.instagram.com/nzw0301/" style="color:#c9c8cd;"'
    ' target="_blank"> Kei</a> (@nzw0301) on <time style=" font-family:Arial,sans-serif;" datetime="2024-01-02T'
    '03:04:05+00:00">Jan 2, 2024 at 3:04am PST</time></p></div></blockquote>\n'
    '<script async src="//www.instagram.com/embed.js"></script>'
)


@pytest.mark.parametrize(
    ("url", "post_url"),
    [
        ("https://www.instagram.com/p/C1a2B3c4D5e/", "https://www.instagram.com/p/C1a2B3c4D5e/"),
        ("https://www.instagram.com/p/C1a2B3c4D5e/?utm_source=ig_web_copy_link&igsh=MzRlODBiNWFlZA==",
         "https://www.instagram.com/p/C1a2B3c4D5e/"),
        ("https://instagram.com/reel/C9xYz-_1234/", "https://www.instagram.com/reel/C9xYz-_1234/"),
        ("https://www.instagram.com/reels/C9xYz-_1234", "https://www.instagram.com/reel/C9xYz-_1234/"),
        ("https://www.instagram.com/nzw0301/p/C1a2B3c4D5e/", "https://www.instagram.com/p/C1a2B3c4D5e/"),
        ("http://instagr.am/p/C1a2B3c4D5e", "https://www.instagram.com/p/C1a2B3c4D5e/"),
    ],
)  # fmt: skip
def test_instagram_url_alone_becomes_a_link_card_without_tracking(url, post_url):
    rendered = render(url)
    html = rendered.html
    assert "View this post" not in rendered.search_text  # the card's label is no word of the essay
    assert find(html, "figure", "embed-instagram")
    [link] = find(html, "a", "embed-link")
    assert link["href"] == post_url
    assert "View this post on Instagram" in html
    assert third_party_loads(html) == []


@pytest.mark.parametrize(
    "url",
    [
        "https://www.instagram.com/nzw0301/",  # a profile, not a post
        "https://www.instagram.com/explore/tags/kyoto/",
        "https://www.instagram.com.evil.example/p/C1a2B3c4D5e/",
        "https://evil.example/www.instagram.com/p/C1a2B3c4D5e/",
        "javascript://www.instagram.com/p/C1a2B3c4D5e/",
    ],
)
def test_other_instagram_and_lookalike_urls_stay_plain_text_or_links(url):
    html = render(url).html
    assert "embed-instagram" not in html
    assert not [attrs for _tag, attrs in page(html).elements if attrs.get("href", "").startswith("javascript")]


def test_instagram_url_inside_a_sentence_stays_a_link():
    html = render("Photos: https://www.instagram.com/p/C1a2B3c4D5e/ from the trip.").html
    assert "embed-instagram" not in html
    assert '<a href="https://www.instagram.com/p/C1a2B3c4D5e/" rel="noopener noreferrer">' in html


def test_pasted_instagram_blockquote_and_its_script_become_a_card_with_the_caption():
    rendered = render(f"Before.\n\n{PASTED_INSTAGRAM}\n\nAfter.")
    html = rendered.html
    assert "京都の 朝、鴨川にて" in rendered.search_text  # the caption is searchable
    assert len(find(html, "figure", "embed-instagram")) == 1
    [link] = find(html, "a", "embed-link")
    assert link["href"] == "https://www.instagram.com/p/C1a2B3c4D5e/"
    assert '<span class="embed-title">京都の 朝、鴨川にて — A post shared by Kei (@nzw0301) on Jan 2, 2024' in html
    assert third_party_loads(html) == []
    assert "<script" not in html and "instagram.com/embed.js" not in html and "<svg" not in html
    assert "View this post on Instagram" not in html  # the snippet's button, not its words
    assert "<p>Before.</p>" in html and "<p>After.</p>" in html


def test_pasted_instagram_iframe_becomes_the_same_card():
    html = render('<iframe src="https://www.instagram.com/p/C1a2B3c4D5e/embed/captioned/" height="600"></iframe>').html
    [link] = find(html, "a", "embed-link")
    assert link["href"] == "https://www.instagram.com/p/C1a2B3c4D5e/"
    assert third_party_loads(html) == []


@pytest.mark.parametrize(
    "snippet",
    [
        # A permalink that is not Instagram's, or not a web address: the card must not link there.
        (
            '<blockquote class="instagram-media" data-instgrm-permalink="javascript:alert(1)//www.instagram.com/p/'
            'C1a2B3c4D5e/"><p>caption</p></blockquote>'
        ),
        (
            '<blockquote class="instagram-media" data-instgrm-permalink="https://evil.example/p/C1a2B3c4D5e/">'
            "<p>caption</p></blockquote>"
        ),
        # Markup in the caption is text; handlers, styles and scripts inside the quote go.
        (
            '<blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/C1a2B3c4D5e/">'
            '<p onclick="alert(1)"><img src=x onerror=alert(1)>&lt;script&gt;alert(1)&lt;/script&gt;caption</p>'
            "<script>alert(1)</script></blockquote>"
        ),
        (
            '<blockquote class="x instagram-media" data-instgrm-permalink="https://www.instagram.com/p/C1a2B3c4D5e/'
            '&quot; onmouseover=&quot;alert(1)"><p>caption</p></blockquote>'
        ),
        # An unclosed quote must not swallow, or slowly scan, the rest of the text.
        '<blockquote class="instagram-media">' + "<p>a" * 2000,
    ],
)
def test_hostile_instagram_pastes_give_only_safe_markup(snippet):
    html = render(f"{snippet}\n\nAfter.").html
    assert "alert(1)</script>" not in html.replace("&lt;/script&gt;", "")
    assert "<script" not in html and "onclick" not in html and "onerror" not in html and "onmouseover" not in html
    assert "evil.example" not in [attrs.get("href", "") for _tag, attrs in page(html).elements]
    assert not [attrs for _tag, attrs in page(html).elements if attrs.get("href", "").startswith("javascript")]
    assert third_party_loads(html) == []
    assert "After." in html

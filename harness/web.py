"""What a browser does over plain HTTP, for the tests and the benchmark's editors and readers: one request from a
chosen loopback address, a session keeping cookies, and the data a page's form submits.

Nothing here needs Django: bench processes run without settings.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from http.client import HTTPConnection
from http.cookiejar import CookieJar
from urllib.error import HTTPError
from urllib.parse import urlencode, urlsplit
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def request(base, path, method="GET", headers=None, source="127.0.0.1", timeout=30):
    """(status, headers, body) of one request to the server at `base` from the loopback address `source`,
    redirects not followed."""
    parts = urlsplit(base)
    connection = HTTPConnection(parts.hostname, parts.port, timeout=timeout, source_address=(source, 0))
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode(errors="replace")
    finally:
        connection.close()


class _NoRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Answer:
    status_code: int
    content: bytes


class Browser:
    """A session at `base_url`: cookies kept, a Referer sent (Django's CSRF check wants one), redirects answered."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()), _NoRedirects)

    def request(self, path, data=None):
        body = urlencode(data, doseq=True).encode() if data is not None else None
        request = Request(self.base_url + path, data=body, headers={"Referer": self.base_url + path})
        try:
            with self.opener.open(request, timeout=60) as response:
                return Answer(response.status, response.read())
        except HTTPError as error:
            return Answer(error.code, error.read())

    def log_in(self, login_path, username, password):
        """Log in to the admin; whether the admin let us in (it redirects)."""
        page = self.request(login_path)
        token = CSRF_FIELD.search(page.content.decode())
        data = {"username": username, "password": password, "csrfmiddlewaretoken": token and token.group(1)}
        return self.request(login_path, data).status_code == 302


class _FormReader(HTMLParser):
    """Collects what a browser would submit from one form: inputs, checked boxes, selected options, text areas."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data = {}
        self.select = self.textarea = None

    def add(self, name, value):
        if name and "__prefix__" not in name:
            self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        elif not self.inside:
            return
        elif tag == "input" and attrs.get("type", "text") not in {"submit", "button", "file", "image", "reset"}:
            if attrs.get("type") not in {"checkbox", "radio"} or "checked" in attrs:
                self.add(attrs.get("name"), attrs.get("value", "on" if attrs.get("type") == "checkbox" else ""))
        elif tag == "textarea":
            self.textarea = [attrs.get("name"), ""]
        elif tag == "select":
            self.select = {"name": attrs.get("name"), "multiple": "multiple" in attrs, "first": None, "chosen": []}
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            self.select["first"] = value if self.select["first"] is None else self.select["first"]
            if "selected" in attrs:
                self.select["chosen"].append(value)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.add(name, text.removeprefix("\n"))  # browsers drop the newline after <textarea>
            self.textarea = None
        elif tag == "select" and self.select is not None:
            select = self.select
            chosen = select["chosen"] or ([] if select["multiple"] or select["first"] is None else [select["first"]])
            for value in chosen:
                self.add(select["name"], value)
            self.select = None


def submitted_form(response, form_id="post_form"):
    """The POST data a browser would send back from the admin form as `response` rendered it."""
    assert response.status_code == 200, response
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    return {name: values[0] if len(values) == 1 else values for name, values in reader.data.items()}

"""Error pages that must not fail themselves."""

from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string


def bad_request(request, exception):
    """handler400 without Django's CSRF check, which reads the request body again.

    A form body Django refuses (`charset=utf-16` on a urlencoded POST raises BadRequest) would be read a second
    time by the default handler's CSRF check, and the same error inside the error handler is a 500.
    """
    return HttpResponseBadRequest(render_to_string("400.html"))

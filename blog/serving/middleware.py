"""Response headers and outage handling that every page shares."""

from django.conf import settings
from django.utils.cache import patch_cache_control

from blog.serving.health import OUTAGE_ERRORS, service_unavailable


class PermissionsPolicyMiddleware:
    """Send settings.PERMISSIONS_POLICY, which Django's SecurityMiddleware does not know about."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            "{}=({})".format(feature, " ".join(source if source == "self" else f'"{source}"' for source in sources))
            for feature, sources in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


class PrivateUnlessSharedMiddleware:
    """Whatever a view did not mark as shared (blog.caching.edge) says `private`, so no edge or proxy keeps it.

    Public pages, feeds and sitemaps say `s-maxage`; static files say `public`. Everything else (the admin,
    previews, the Accept-Language redirect at `/`, 404s, the 503 page) is one visitor's.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        cache_control = response.get("Cache-Control", "")
        if "s-maxage" not in cache_control and "public" not in cache_control:
            patch_cache_control(response, private=True)
        return response


class ServiceUnavailableMiddleware:
    """A view or template that finds the database or Redis down answers the 503 page, not a traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OUTAGE_ERRORS):
            return service_unavailable(request)
        return None


def client_address(request):
    """The address a login attempt came from, for django-axes (AXES_CLIENT_IP_CALLABLE).

    Behind BUNKO_TRUSTED_PROXIES reverse proxies, the address the outermost of them saw: each proxy appends
    the address it was called from to X-Forwarded-For, so anything left of that entry may be forged.
    """
    proxies = settings.BUNKO_TRUSTED_PROXIES
    if proxies:
        hops = [address.strip() for address in request.headers.get("X-Forwarded-For", "").split(",")]
        if len(hops) >= proxies and hops[-proxies]:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")

"""Bunko's one settings file: everything that differs between machines comes from the environment.

Production is the default: DEBUG is off unless set, and without a SECRET_KEY the process refuses
to start. For local development `make run` writes .env (DEBUG=1 and a generated key), which
manage.py names in BUNKO_ENV_FILE; gunicorn and the tests name no file, so they never read it.
"""

import base64
import hashlib
import json
import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


ENV_LINE = re.compile(r"(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)")


def read_env_file(path):
    """{name: value} from a file of NAME=value lines, as `make local-env` writes and python-dotenv reads them.

    Blank lines and # comments are skipped; `export ` and one pair of matching quotes around a value are
    dropped. Nothing is interpolated.
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ImproperlyConfigured(f"BUNKO_ENV_FILE names {path}, which cannot be read: {error}") from None
    values = {}
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = ENV_LINE.fullmatch(line)
        if not match:
            raise ImproperlyConfigured(f"{path}, line {number}: expected NAME=value")
        name, value = match.groups()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name] = value
    return values


# Local development settings: manage.py names .env here when there is one (`make local-env` writes it).
# Variables set in the environment win over the file; BUNKO_ENV_FILE= (empty) reads none.
if ENV_FILE := os.environ.get("BUNKO_ENV_FILE", ""):
    for name, value in read_env_file(ENV_FILE).items():
        os.environ.setdefault(name, value)

DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY")
if not SECRET_KEY:
    # DEBUG=1 no longer makes one up: a key that appears by itself could end up serving production.
    raise ImproperlyConfigured(
        "SECRET_KEY must be set. For local development, `make local-env` writes one to .env, which manage.py reads."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "blog.editing.admin_site.BunkoAdminConfig",  # django.contrib.admin under Bunko's name
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    "django.contrib.redirects",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "markdownx",
    "reversion",
    "csp",
    "axes",
    "blog",
]

MIDDLEWARE = [
    # Outermost, so it sees every answer, static files included: anything not marked shared is private.
    "blog.serving.middleware.PrivateUnlessSharedMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "blog.serving.middleware.PermissionsPolicyMiddleware",
    "blog.serving.middleware.ServiceUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.redirects.middleware.RedirectFallbackMiddleware",
    # Last, as django-axes requires: it turns a lockout flagged during authentication into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        # The public site (templates/): Jinja2 renders its pages several times faster than Django's engine.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "environment": "blog.reading.jinja2.environment",
            "context_processors": ["django.template.context_processors.i18n"],
        },
    },
    {
        # The admin, with Bunko's overrides in blog/templates/admin/. Only admin/base_site.html has the name of a
        # template that django.contrib.admin ships: DIRS are searched first, so it wins and extends Django's own.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "blog" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        # A kept connection that broke (database restarted, network cut) is replaced before use, not failed on.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The same backend, with a health check that polls the socket rather than sending SELECT 1
    # (blog.serving.postgresql).
    DATABASES["default"]["ENGINE"] = "blog.serving.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Two editors saving at once: each write transaction BEGINs IMMEDIATE and so waits its turn (up to
    # `timeout` seconds) instead of failing at commit with "database is locked"; WAL keeps readers reading.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: the UI speaks these, and a post is written in one of them.
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en")
LANGUAGES = [
    ("ja", _("Japanese")),
    ("zh-hans", _("Simplified Chinese")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "blog" / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Where the social cards' fonts are (Debian's fonts-noto-cjk, `make fonts`); without them no card is drawn.
SOCIAL_CARD_FONT_DIR = Path(os.environ.get("SOCIAL_CARD_FONT_DIR", "/usr/share/fonts/opentype/noto"))
# Uploads with several app instances: one MEDIA_ROOT that all of them mount (NFS, a shared volume), or object
# storage named by MEDIA_STORAGE (e.g. django-storages' storages.backends.s3.S3Storage, installed beside Bunko)
# with MEDIA_STORAGE_OPTIONS as JSON (bucket_name, endpoint_url, custom_domain...). README.md, Scaling out.
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(os.environ.get("MEDIA_STORAGE_OPTIONS") or "{}"),
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The admin lives where the operator says, so password-guessing bots do not find it at /admin/.
ADMIN_URL_PATH = os.environ.get("ADMIN_URL_PATH", "admin/").strip("/") + "/"

# Uploads: Pillow-verified raster images only, bounded in bytes and pixels.
BUNKO_UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", 5 * 1024 * 1024))
BUNKO_UPLOAD_MAX_PIXELS = int(os.environ.get("UPLOAD_MAX_PIXELS", 40_000_000))
BUNKO_FEED_ITEMS = int(os.environ.get("FEED_ITEMS", "20"))
BUNKO_POSTS_PER_PAGE = int(os.environ.get("POSTS_PER_PAGE", "10"))
# Public pages and feeds are kept whole in the cache (Redis with REDIS_URL) under a key that changes with the
# content (blog.caching.pages); 0 turns the page cache off. RELEASE names the deployed code: a new one
# expires cached pages and ETags that older templates made.
BUNKO_PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", 24 * 3600))
BUNKO_RELEASE = os.environ.get("RELEASE", "")
# A shared cache at the edge (Varnish, a CDN; blog.caching.edge): public pages tell it to keep them for up to
# EDGE_MAX_AGE seconds, labelled with what they show, and every write purges what it moved at EDGE_PURGE_URLS
# (comma-separated; empty: no edge), each with EDGE_PURGE_TIMEOUT seconds to answer, sending EDGE_PURGE_SECRET
# (the edge refuses a purge without it). EDGE_PURGER names the purger class (blog.caching.edge.purgers.Purger) for
# another kind of edge.
BUNKO_EDGE_MAX_AGE = int(os.environ.get("EDGE_MAX_AGE", 24 * 3600))
BUNKO_EDGE_PURGE_URLS = env_list("EDGE_PURGE_URLS")
BUNKO_EDGE_PURGE_TIMEOUT = float(os.environ.get("EDGE_PURGE_TIMEOUT", "2"))
BUNKO_EDGE_PURGE_SECRET = os.environ.get("EDGE_PURGE_SECRET", "")
# Seconds after a purge that it is sent again, for pages that were being rendered from before the write (0: never).
BUNKO_EDGE_PURGE_REPEAT = float(os.environ.get("EDGE_PURGE_REPEAT", "5"))
BUNKO_EDGE_PURGER = os.environ.get("EDGE_PURGER", "blog.caching.edge.purgers.VarnishPurger")

MARKDOWNX_MARKDOWNIFY_FUNCTION = "blog.rendering.markdownify"
MARKDOWNX_UPLOAD_MAX_SIZE = BUNKO_UPLOAD_MAX_BYTES
MARKDOWNX_UPLOAD_CONTENT_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"]
MARKDOWNX_MEDIA_PATH = "uploads/"
MARKDOWNX_IMAGE_MAX_SIZE = {"size": (2400, 2400), "quality": 85}
# The writing room sizes the body editor to the window (static/admin-writing-room/), so markdownx must not grow it.
MARKDOWNX_EDITOR_RESIZABLE = False

# ---- Security: `manage.py check --deploy` passes without warnings when DEBUG is off (tests/serving/test_security.py).
# Production is served over HTTPS: HTTP is redirected, HSTS is sent, cookies are Secure. PLAIN_HTTP=1 turns
# all of that off for a production-like server on plain http://127.0.0.1 (`make serve`, the benchmark).
HTTPS = not (DEBUG or env_bool("PLAIN_HTTP"))
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
# Load balancers probe the backend over plain HTTP; the health check answers them instead of redirecting.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0))
# Set these to 0 if a sibling subdomain still serves plain HTTP, or before the domain should be preloaded.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
# Behind a proxy that terminates TLS, Django sees http:// and would redirect forever. Set this only when the
# proxy overwrites X-Forwarded-Proto on every request, or a client could claim HTTPS.
if env_bool("TRUST_X_FORWARDED_PROTO"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # markdownx's script reads the token from the form, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = os.environ.get("SECURE_REFERRER_POLICY", "same-origin")
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp) on every response, the admin included: scripts and styles only from
# this site's static files, no inline script but the one named by its hash (the reader's colour scheme, set before
# the first paint: static/js/theme.js, inlined by templates/includes/theme_script.html), frames only from the
# video players that the sanitiser lets through (blog.rendering.embeds.PLAYER_SRC). Essays may show images from
# any https host, and the data: images the sanitiser allows.
BUNKO_THEME_SCRIPT = (BASE_DIR / "static" / "js" / "theme.js").read_text(encoding="utf-8")
THEME_SCRIPT_HASH = base64.b64encode(hashlib.sha256(BUNKO_THEME_SCRIPT.encode()).digest()).decode()
EMBED_PLAYERS = {
    "https://www.youtube-nocookie.com": "/embed/",
    "https://www.youtube.com": "/embed/",
    "https://player.vimeo.com": "/video/",
}
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", f"'sha256-{THEME_SCRIPT_HASH}'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "https:"],
        "frame-src": [origin + path for origin, path in EMBED_PLAYERS.items()],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features the site never uses are off (blog.serving.middleware sends this); players may still play full screen.
PERMISSIONS_POLICY = {
    "camera": [],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
    "browsing-topics": [],
    **dict.fromkeys(["autoplay", "encrypted-media", "fullscreen", "picture-in-picture"], ["self", *EMBED_PLAYERS]),
}

# Admin login throttling (django-axes): after LOGIN_FAILURE_LIMIT failed logins from one address, logins from
# it are refused for LOGIN_LOCKOUT_MINUTES; a successful login clears the count. Behind reverse proxies every
# request comes from the nearest proxy: TRUSTED_PROXIES=N (their number) counts by the address they saw.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_CLIENT_IP_CALLABLE = "blog.serving.middleware.client_address"
BUNKO_TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"

# Drafts: an editor shares a signed preview link; it opens the draft for anyone who has it, for this long.
# The public pages' hot reads run as SQL compiled once per process through Django's private compiler API
# (blog.compiled_sql); off, or when a Django release lacks that API, they run through the public ORM.
BUNKO_COMPILED_SQL = env_bool("COMPILED_SQL", True)
BUNKO_PREVIEW_MAX_AGE = timedelta(days=int(os.environ.get("PREVIEW_LINK_DAYS", "7")))
# Imports: a post whose file names no author is credited to this author (a slug or name; created if missing).
BUNKO_DEFAULT_AUTHOR = os.environ.get("DEFAULT_AUTHOR", "").strip() or "The Editors"

# ---- Subscriptions (blog.mail): mail goes through Django's email backend, SMTP unless EMAIL_BACKEND names another
# (e.g. django-anymail's, for a hosted service). `manage.py send_newsletters` builds links on SITE_URL (scheme://host),
# sends at most MAIL_RATE_PER_MINUTE emails a minute (0: no limit), and names MAIL_UNSUBSCRIBE_ADDRESS, when set, as
# the mailto: of List-Unsubscribe. README.md, Subscriptions.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")
BUNKO_SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
BUNKO_MAIL_RATE_PER_MINUTE = int(os.environ.get("MAIL_RATE_PER_MINUTE", "0"))
BUNKO_MAIL_UNSUBSCRIBE_ADDRESS = os.environ.get("MAIL_UNSUBSCRIBE_ADDRESS", "")
# SMTP connections send_newsletters uses at once on PostgreSQL (on SQLite, one).
BUNKO_MAIL_CONNECTIONS = int(os.environ.get("MAIL_CONNECTIONS", "4"))
# Floods: subscriptions asked for from one client address, and attempts for one email address, per hour.
BUNKO_SUBSCRIBE_PER_IP_HOUR = int(os.environ.get("SUBSCRIBE_PER_IP_HOUR", "20"))
BUNKO_SUBSCRIBE_PER_ADDRESS_HOUR = int(os.environ.get("SUBSCRIBE_PER_ADDRESS_HOUR", "5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

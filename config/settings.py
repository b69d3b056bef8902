"""Settings for Planbeteiligung, read from the environment.

Development defaults are safe to run locally; with ``DJANGO_ENV=production`` the
site refuses to start without ``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``DATABASE_URL``.
See README.md for the full list of variables.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from operations.logging import logging_config
from operations.metrics import metrics_database_engine, with_metrics_middleware

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

PRODUCTION = env.str("DJANGO_ENV", default="development") == "production"

if PRODUCTION:
    missing = [name for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL") if not env.str(name, default="")]
    if missing:
        raise ImproperlyConfigured("Production mode needs these environment variables: " + ", ".join(missing))
    if not env.str("REDIS_URL", default=""):
        raise ImproperlyConfigured(
            "Production mode needs REDIS_URL (e.g. redis://127.0.0.1:6379/0): the cache, the rate limits and the "
            "import progress must be shared by every web and worker process, which a per-process cache is not."
        )

SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Publication record (records app, docs/publication-record.md): the availability check fetches the plan pages and
# documents through this public address every PUBLICATION_CHECK_INTERVAL_MINUTES (the systemd timer's interval).
PUBLICATION_CHECK_BASE_URL = env.str("PUBLICATION_CHECK_BASE_URL", default=SITE_URL)
PUBLICATION_CHECK_INTERVAL_MINUTES = env.int("PUBLICATION_CHECK_INTERVAL_MINUTES", default=10)
PUBLICATION_CHECK_TIMEOUT = env.float("PUBLICATION_CHECK_TIMEOUT", default=15.0)

INSTALLED_APPS = [
    "accounts.apps.OperatorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.gis",
    "django.contrib.humanize",
    "django.contrib.syndication",
    "leaflet",
    "django_comments_xtd",
    "django_comments",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "health_check",
    "simple_history",
    "accounts",
    "plans",
    "operations",
    "geodata",
    "participation",
    "participation.announcements",
    "participation.authorities",
    "participation.workbench",
    "records",
    "council",
    "portal",
    # Last: the widget templates for FORM_RENDERER; the project's templates/forms/ come first.
    "django.forms",
]

MIDDLEWARE = [
    # First: every log record of the request, and the response, carry the request id.
    "operations.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a locked-out login attempt into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# A municipality's own domain (Municipality.domain) shows only its plans; ALLOWED_HOSTS must list the domain.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.common.CommonMiddleware") + 1, "portal.middleware.MunicipalityDomainMiddleware"
)

if PRODUCTION or Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))).exists():
    # WhiteNoise serves collected static files (after collectstatic); runserver serves them in development.
    MIDDLEWARE.insert(2, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
                "plans.context_processors.site",
            ],
        },
    },
]

# Every form and field renders through templates/forms/ (field.html: label, input, help, errors with
# the ids aria-describedby points at).
FORM_RENDERER = "config.forms.FormRenderer"

# Databases: SpatiaLite file by default, PostGIS via DATABASE_URL=postgis://...
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"spatialite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.contrib.gis.db.backends.spatialite":
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test_db.sqlite3")}
    SPATIALITE_LIBRARY_PATH = env.str("SPATIALITE_LIBRARY_PATH", default="mod_spatialite")
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://planbeteiligung")}
if env.str("REDIS_URL", default=""):
    CACHES["default"] = {"BACKEND": "operations.cache.RedisCache", "LOCATION": env.str("REDIS_URL")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# --- Staff login (accounts/): the site's own login page, lockout, password reset, optional TOTP ---
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "plans:staff_dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out attempts before the password is checked
    "django.contrib.auth.backends.ModelBackend",
    "accounts.oidc.StaffOIDCBackend",  # answers only the SSO callback, and only with OIDC_ENABLED
]
# Lockout after AXES_FAILURE_LIMIT wrong passwords for the same user name from the same client address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
# The client address (rate limits, lockout) is plans.client.client_address: REMOTE_ADDR, unless the
# request came from a trusted proxy (TRUSTED_PROXIES: addresses or CIDR networks) or through
# PROXY_COUNT proxies; only then X-Forwarded-For is read, from the right. With neither set, a client
# cannot spoof its address with X-Forwarded-For.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "accounts.security.client_ip"
AXES_VERBOSE = False
# Password-reset links stay valid this long (seconds).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 24)
# Name shown in authenticator apps for TOTP entries.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Planbeteiligung")

# --- Staff single sign-on with OpenID Connect (accounts/oidc.py, docs/login.md) ---
OIDC_ENABLED = env.bool("OIDC_ENABLED", default=False)
# Expected `iss` of the ID tokens, e.g. https://login.example.de/realms/kommunen (empty: not checked).
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_OP_LOGOUT_ENDPOINT = env.str("OIDC_OP_LOGOUT_ENDPOINT", default="")
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
OIDC_USE_PKCE = env.bool("OIDC_USE_PKCE", default=True)
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=10.0)
OIDC_CREATE_USER = env.bool("OIDC_CREATE_USER", default=True)
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
# The claim with the user's groups, and which group grants which role where: {"group": ["slug", "planner"]}.
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
OIDC_ROLE_MAP = env.json("OIDC_ROLE_MAP", default={})
# SSO sessions count as second-factor verified only if the ID token's amr/acr names one of these methods.
OIDC_MFA_AMR_VALUES = env.list("OIDC_MFA_AMR_VALUES", default=[])
OIDC_MFA_ACR_VALUES = env.list("OIDC_MFA_ACR_VALUES", default=[])

# --- BundID for citizens (SAML 2.0, accounts/bundid.py, docs/login.md): off unless configured ---
BUNDID_ENABLED = env.bool("BUNDID_ENABLED", default=False)
# The IdP's metadata: a file path or an https URL.
BUNDID_IDP_METADATA = env.str("BUNDID_IDP_METADATA", default="")
# Our SP's entity id (default: SITE_URL + /bundid/metadata/), key and certificate (PEM files, never in the repo).
BUNDID_SP_ENTITY_ID = env.str("BUNDID_SP_ENTITY_ID", default="")
BUNDID_SP_KEY_FILE = env.str("BUNDID_SP_KEY_FILE", default="")
BUNDID_SP_CERT_FILE = env.str("BUNDID_SP_CERT_FILE", default="")
BUNDID_XMLSEC_BINARY = env.str("BUNDID_XMLSEC_BINARY", default="/usr/bin/xmlsec1")
# A BundID login stays valid in the browser session for this long (seconds).
BUNDID_SESSION_SECONDS = env.int("BUNDID_SESSION_SECONDS", default=2 * 60 * 60)

# Internationalisation: German first, English second.
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("Englisch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Statement attachments: never public, served only through a staff view (S3: the bucket's attachments/).
    "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env.str("ATTACHMENTS_DIR", default=str(BASE_DIR / "var" / "attachments")),
            "base_url": None,
        },
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Object storage (docs/deployment.md, "Object storage (S3)"): with S3_BUCKET set, media (documents, layer
# files, tile archives, exports) and staged uploads go to an S3-compatible bucket through django-storages;
# every object is private and served through the application. Without it, local disk (MEDIA_ROOT and
# IMPORT_STAGING_DIR) as in development.
S3_BUCKET = env.str("S3_BUCKET", default="")
if S3_BUCKET:
    _S3_OPTIONS = {
        "bucket_name": S3_BUCKET,
        "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
        "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
        "region_name": env.str("S3_REGION", default="") or None,
        "addressing_style": env.str("S3_ADDRESSING_STYLE", default="") or None,  # "path" for MinIO and the like
        "default_acl": None,  # objects inherit the bucket's (private) policy
        "querystring_auth": True,  # any URL handed out is signed and expires
        "querystring_expire": env.int("S3_URL_EXPIRE", default=3600),
        "file_overwrite": False,  # a document's new version never replaces the old version's file
    }
    _S3_PREFIX = env.str("S3_PREFIX", default="").strip("/")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_S3_OPTIONS, "location": f"{_S3_PREFIX}/media" if _S3_PREFIX else "media"},
    }
    STORAGES["attachments"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_S3_OPTIONS, "location": f"{_S3_PREFIX}/attachments" if _S3_PREFIX else "attachments"},
    }
    STORAGES["staging"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_S3_OPTIONS, "location": f"{_S3_PREFIX}/staging" if _S3_PREFIX else "staging"},
    }
# Third-party browser assets installed from npm (see package.json / package-lock.json).
STATICFILES_DIRS = []
if (BASE_DIR / "node_modules").exists():
    STATICFILES_DIRS.append(("vendor", BASE_DIR / "node_modules"))

# Uploads
MAX_DOCUMENT_SIZE_MB = env.int("MAX_DOCUMENT_SIZE_MB", default=50)
MAX_UPLOAD_SIZE_MB = env.int("MAX_UPLOAD_SIZE_MB", default=200)
# Raster plan drawings in XPlanGML archives: largest image (pixels) and file that are warped into a layer.
XPLAN_RASTER_MAX_PIXELS = env.int("XPLAN_RASTER_MAX_PIXELS", default=60_000_000)
XPLAN_RASTER_MAX_MB = env.int("XPLAN_RASTER_MAX_MB", default=100)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Attachments to statements (citizens, authorities, paper statements): per file and per statement.
ATTACHMENT_MAX_SIZE_MB = env.int("ATTACHMENT_MAX_SIZE_MB", default=20)
ATTACHMENT_MAX_COUNT = env.int("ATTACHMENT_MAX_COUNT", default=5)
# § 4 rounds: remind invited authorities that have not answered this many days before their deadline.
AUTHORITY_REMINDER_DAYS = env.int("AUTHORITY_REMINDER_DAYS", default=7)
# Workbench assignments: remind the assignee this many days before the due date (and once when overdue).
ASSIGNMENT_REMINDER_DAYS = env.int("ASSIGNMENT_REMINDER_DAYS", default=2)
# Address search: optional external geocoder (Photon/Nominatim API) asked only when the local gazetteer has no match.
GEOCODER_URL = env.str("GEOCODER_URL", default="")
# Public address search API: searches per client address per minute (0: no limit).
ADDRESS_SEARCH_RATE_LIMIT = env.int("ADDRESS_SEARCH_RATE_LIMIT", default=120)

# Base map (development default: OpenStreetMap; production: basemap.de, see docs/deployment.md)
BASEMAP_URL = env.str("BASEMAP_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
BASEMAP_ATTRIBUTION = env.str(
    "BASEMAP_ATTRIBUTION",
    default='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>-Mitwirkende',
)
BASEMAP_MAX_ZOOM = env.int("BASEMAP_MAX_ZOOM", default=19)

LEAFLET_CONFIG: dict[str, Any] = {
    "TILES": [("Basiskarte", BASEMAP_URL, {"attribution": BASEMAP_ATTRIBUTION, "maxZoom": BASEMAP_MAX_ZOOM})],
    "DEFAULT_CENTER": (50.29, 8.53),
    "DEFAULT_ZOOM": 12,
    "RESET_VIEW": False,
}

# Content Security Policy (django-csp 4): nonces for our scripts, no inline code.
_tile_origin = "/".join(BASEMAP_URL.split("/")[:3]) if BASEMAP_URL.startswith("http") else ""
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", "blob:"] + ([_tile_origin] if _tile_origin else []),
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "worker-src": [SELF, "blob:"],
    }
}

# Comments (django-comments-xtd)
SITE_ID = 1
COMMENTS_APP = "django_comments_xtd"
COMMENTS_XTD_MAX_THREAD_LEVEL = 2
COMMENTS_XTD_THREADED_EMAILS = False
COMMENTS_TIMEOUT = 24 * 60 * 60

# Background tasks: the database backend by default, or Redis (django-tasks-rq); `manage.py run_worker` runs
# them on either (docs/adr/0009-task-queue.md). Transient failures are retried with exponential backoff.
TASKS_BACKEND = env.str("TASKS_BACKEND", default="operations.task_backend.DatabaseBackend")
TASKS = {"default": {"BACKEND": TASKS_BACKEND}}
TASKS_MAX_ATTEMPTS = env.int("TASKS_MAX_ATTEMPTS", default=5)
TASKS_BACKOFF_BASE = env.float("TASKS_BACKOFF_BASE", default=30.0)  # seconds; attempt n waits base * 2**(n-1)
TASKS_BACKOFF_MAX = env.float("TASKS_BACKOFF_MAX", default=3600.0)
TASKS_VISIBILITY_TIMEOUT = env.int("TASKS_VISIBILITY_TIMEOUT", default=900)  # a RUNNING task unrenewed this long
if TASKS_BACKEND == "django_tasks_rq.RQBackend":
    INSTALLED_APPS.insert(INSTALLED_APPS.index("django_tasks_db") + 1, "django_rq")
# Behind PgBouncer in transaction pooling mode server-side cursors (QuerySet.iterator()) break: switch them off.
if env.bool("DATABASE_DISABLE_SERVER_SIDE_CURSORS", default=False):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
RQ_QUEUES = {
    "default": {"URL": env.str("TASKS_REDIS_URL", default=env.str("REDIS_URL", default="redis://127.0.0.1:6379/0"))}
}

# E-mail
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Planbeteiligung <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]  # load balancers and Prometheus use plain HTTP
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

SILENCED_SYSTEM_CHECKS = ["gis.W001"]  # user files are read with pyogrio's newer GDAL, not the system one
FORMS_URLFIELD_ASSUME_HTTPS = True
# WhiteNoise serves collected files in production; in development runserver serves app static files.
WHITENOISE_AUTOREFRESH = DEBUG

# --- geodata import (geodata/importers, docs/import.md) ---
# Unpacked size limit for ZIP/KMZ archives (ZIP-bomb guard); features written per INSERT batch.
MAX_UNPACKED_SIZE_MB = env.int("MAX_UNPACKED_SIZE_MB", default=4 * MAX_UPLOAD_SIZE_MB)
IMPORT_BATCH_SIZE = env.int("IMPORT_BATCH_SIZE", default=2000)
# ZIP/KMZ archives packed more tightly than this (unpacked:packed, above 1 MB unpacked) are refused unopened.
IMPORT_MAX_COMPRESSION_RATIO = env.int("IMPORT_MAX_COMPRESSION_RATIO", default=200)
# Private directory for uploads waiting for confirmation (not served; one subdirectory per user) when no
# STORAGES["staging"] is configured (S3_BUCKET set: the bucket's staging/ prefix instead).
IMPORT_STAGING_DIR = env.str("IMPORT_STAGING_DIR", default=str(BASE_DIR / "var" / "import-staging"))

# --- Announcements, social channels and alerts (participation.announcements) ---
# Default accounts used by every municipality that has not stored its own (see docs/announcements.md).
SOCIAL_X_CONSUMER_KEY = env.str("SOCIAL_X_CONSUMER_KEY", default="")
SOCIAL_X_CONSUMER_SECRET = env.str("SOCIAL_X_CONSUMER_SECRET", default="")
SOCIAL_X_ACCESS_TOKEN = env.str("SOCIAL_X_ACCESS_TOKEN", default="")
SOCIAL_X_ACCESS_TOKEN_SECRET = env.str("SOCIAL_X_ACCESS_TOKEN_SECRET", default="")
SOCIAL_X_USERNAME = env.str("SOCIAL_X_USERNAME", default="")
SOCIAL_MASTODON_API_BASE_URL = env.str("SOCIAL_MASTODON_API_BASE_URL", default="")
SOCIAL_MASTODON_ACCESS_TOKEN = env.str("SOCIAL_MASTODON_ACCESS_TOKEN", default="")
SOCIAL_BLUESKY_HANDLE = env.str("SOCIAL_BLUESKY_HANDLE", default="")
SOCIAL_BLUESKY_APP_PASSWORD = env.str("SOCIAL_BLUESKY_APP_PASSWORD", default="")
SOCIAL_BLUESKY_PDS_URL = env.str("SOCIAL_BLUESKY_PDS_URL", default="https://bsky.social")
# Where stored post links point (the DID in the record URI keeps them valid when the handle changes).
SOCIAL_BLUESKY_APPVIEW_URL = env.str("SOCIAL_BLUESKY_APPVIEW_URL", default="https://bsky.app")
SOCIAL_REQUEST_TIMEOUT = env.float("SOCIAL_REQUEST_TIMEOUT", default=15.0)
# Encrypts stored channel credentials; falls back to SECRET_KEY.
# Outbound requests to servers named by staff (Mastodon/Bluesky) go only to public https hosts;
# hosts listed here are admitted although they resolve to internal addresses, and may use http (plans/outbound.py).
OUTBOUND_ALLOWED_HOSTS = env.list("OUTBOUND_ALLOWED_HOSTS", default=[])

# OParl client (council/oparl.py): seconds per request, pages per list and sync, retries on 5xx/timeouts and their
# backoff base (seconds, doubled per retry); the overlap subtracted from a sync's start for the next modified_since.
OPARL_TIMEOUT = env.float("OPARL_TIMEOUT", default=20.0)
OPARL_MAX_PAGES = env.int("OPARL_MAX_PAGES", default=1000)
OPARL_RETRIES = env.int("OPARL_RETRIES", default=3)
OPARL_BACKOFF = env.float("OPARL_BACKOFF", default=2.0)
OPARL_OVERLAP_MINUTES = env.int("OPARL_OVERLAP_MINUTES", default=10)

ANNOUNCEMENTS_SECRET_KEY = env.str("ANNOUNCEMENTS_SECRET_KEY", default="")
# Outbox: give up after this many attempts; a 'sending' row older than the claim timeout belongs to a dead worker.
ANNOUNCEMENTS_MAX_ATTEMPTS = env.int("ANNOUNCEMENTS_MAX_ATTEMPTS", default=8)
ANNOUNCEMENTS_CLAIM_TIMEOUT = env.int("ANNOUNCEMENTS_CLAIM_TIMEOUT", default=300)
ANNOUNCEMENTS_BACKOFF_BASE = env.int("ANNOUNCEMENTS_BACKOFF_BASE", default=60)
ANNOUNCEMENTS_BACKOFF_MAX = env.int("ANNOUNCEMENTS_BACKOFF_MAX", default=6 * 60 * 60)

# --- Participation: statements (django-comments-xtd subclass), rate limits, confirmation ---
COMMENTS_XTD_MODEL = "participation.models.Statement"
COMMENTS_XTD_FORM_CLASS = "participation.forms.StatementForm"
COMMENTS_XTD_CONFIRM_EMAIL = True
# Maximum statement length (our form enforces it; django_comments' own COMMENT_MAX_LENGTH stays untouched
# because changing it would alter that third-party app's migration state).
PARTICIPATION_MAX_TEXT_LENGTH = env.int("PARTICIPATION_MAX_TEXT_LENGTH", default=10_000)
# Submissions per IP address and per e-mail address within the window (cache based).
PARTICIPATION_RATE_LIMIT = env.int("PARTICIPATION_RATE_LIMIT", default=10)
PARTICIPATION_RATE_WINDOW = env.int("PARTICIPATION_RATE_WINDOW", default=600)
PARTICIPATION_RATE_LIMIT_ENABLED = env.bool("PARTICIPATION_RATE_LIMIT_ENABLED", default=True)
# How long a guest's e-mail confirmation link stays valid (seconds).
PARTICIPATION_CONFIRM_MAX_AGE = env.int("PARTICIPATION_CONFIRM_MAX_AGE", default=7 * 24 * 60 * 60)
# Tolerance in metres for "the point lies inside the Geltungsbereich".
PARTICIPATION_AREA_TOLERANCE_M = env.float("PARTICIPATION_AREA_TOLERANCE_M", default=5.0)
# The plan page's rendered statement list is cached under a key made from the shown content (so a
# change is visible at once); this only bounds how long an unused rendering stays in the cache.
PARTICIPATION_STATEMENT_LIST_CACHE_SECONDS = env.int("PARTICIPATION_STATEMENT_LIST_CACHE_SECONDS", default=600)

# --- Page cache (plans/page_cache.py, docs/adr/0010-page-cache.md): rendered public plan pages for
# anonymous visitors, stored under an explicit per-plan version that every change bumps. "auto" caches
# only with a cache shared by all processes (Redis), "on" also with the local-memory cache (one process).
PLAN_PAGE_CACHE = env.str("PLAN_PAGE_CACHE", default="auto")
# Upper bound for keeping a rendering; a period that starts or ends earlier shortens it.
PLAN_PAGE_CACHE_SECONDS = env.int("PLAN_PAGE_CACHE_SECONDS", default=600)

# --- Geodata serving (geodata/serving/): GeoJSON for small layers, vector tiles above the threshold.
GEODATA_TILE_THRESHOLD = env.int("GEODATA_TILE_THRESHOLD", default=5000)
GEODATA_TILE_MIN_ZOOM = env.int("GEODATA_TILE_MIN_ZOOM", default=12)
GEODATA_TILE_MAX_ZOOM = env.int("GEODATA_TILE_MAX_ZOOM", default=16)
# Browsers may keep a versioned layer URL (?v=<version>) for this long.
GEODATA_CACHE_MAX_AGE = env.int("GEODATA_CACHE_MAX_AGE", default=365 * 24 * 3600)
# How long a layer's public status/version is cached for the tile and GeoJSON endpoints.
GEODATA_LAYER_CACHE_SECONDS = env.int("GEODATA_LAYER_CACHE_SECONDS", default=10)

# --- Operations (operations/, docs/deployment.md): health check, logs, error reports, metrics ---
# /healthz: the worker heartbeat counts as stale after this many seconds. HEALTH_CHECK_WORKER=false leaves
# the worker out; unset, it is checked whenever the cache is shared (a per-process cache cannot see it).
HEALTH_WORKER_MAX_AGE = env.int("HEALTH_WORKER_MAX_AGE", default=300)
HEALTH_CHECK_WORKER = env.bool("HEALTH_CHECK_WORKER", default=None)
# Clients (addresses or networks) that see which health check failed; superusers always do.
HEALTH_DETAIL_ALLOWED_IPS = env.list("HEALTH_DETAIL_ALLOWED_IPS", default=[])
# Logs: one line per record on stderr, JSON (production default) or text, each with the request id.
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "text")
LOGGING = logging_config(
    log_format=LOG_FORMAT,
    level=env.str("LOG_LEVEL", default="WARNING"),
    log_requests=env.bool("LOG_REQUESTS", default=False),
)
# Prometheus: request, database and cache metrics at /metrics, only for METRICS_ALLOWED_IPS.
PROMETHEUS_METRICS = env.bool("PROMETHEUS_METRICS", default=False)
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
if PROMETHEUS_METRICS:
    INSTALLED_APPS.append("django_prometheus")
    MIDDLEWARE = with_metrics_middleware(MIDDLEWARE)
    DATABASES["default"]["ENGINE"] = metrics_database_engine(DATABASES["default"]["ENGINE"])
# Sentry: error reports without personal data (operations/sentry.py), only when SENTRY_DSN is set.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from operations.sentry import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production" if PRODUCTION else "development"),
        release=env.str("SENTRY_RELEASE", default=""),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

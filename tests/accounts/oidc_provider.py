"""A real OpenID Connect provider for the SSO tests: django-oauth-toolkit in its own process, over HTTP.

Run as ``python oidc_provider.py CONFIG.json``; the config names the port, a working directory, the
client and the users with their groups (and `amr`). A fresh RSA key signs the ID tokens (RS256, JWKS).
Prints ``READY`` once it serves. Users log in at /login/ (a plain form with a CSRF token).
"""

import json
import socketserver
import sys
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import django
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

CONFIG = json.loads(Path(sys.argv[1]).read_text()) if __name__ == "__main__" else {}
USERS = {user["username"]: user for user in CONFIG.get("users", [])}


def _private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def configure() -> None:
    workdir = Path(CONFIG["workdir"])
    settings.configure(
        DEBUG=False,
        SECRET_KEY="provider-" + _private_key_pem()[-40:],
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "oauth2_provider",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(workdir / "provider.sqlite3")}},
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        LOGIN_URL="/login/",
        USE_TZ=True,
        OAUTH2_PROVIDER={
            "OIDC_ENABLED": True,
            "OIDC_RSA_PRIVATE_KEY": _private_key_pem(),
            "PKCE_REQUIRED": True,
            "SCOPES": {"openid": "OpenID Connect", "email": "E-Mail", "profile": "Profil"},
            "OAUTH2_VALIDATOR_CLASS": "__main__.Validator",
        },
    )
    django.setup()


def urls():
    from django.contrib.auth import login
    from django.contrib.auth.forms import AuthenticationForm
    from django.http import HttpResponse, HttpResponseRedirect
    from django.middleware.csrf import get_token
    from django.urls import include, path
    from django.utils.html import escape

    def login_view(request):
        form = AuthenticationForm(request, data=request.POST or None)
        if request.method == "POST" and form.is_valid():
            login(request, form.get_user())
            return HttpResponseRedirect(request.POST.get("next") or "/")
        return HttpResponse(
            '<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<input type="hidden" name="next" value="{}"><input name="username"><input name="password">'
            "</form>".format(get_token(request), escape(request.GET.get("next", request.POST.get("next", ""))))
        )

    return [path("login/", login_view), path("o/", include("oauth2_provider.urls", namespace="oauth2_provider"))]


def make_validator():
    from oauth2_provider.oauth2_validators import OAuth2Validator

    class Validator(OAuth2Validator):
        oidc_claim_scope = None  # every claim below goes into the ID token and the userinfo answer

        def get_additional_claims(self, request):
            user = USERS[request.user.username]
            claims = {
                "preferred_username": user["username"],
                "email": user.get("email", ""),
                "given_name": user.get("given_name", ""),
                "family_name": user.get("family_name", ""),
                "groups": user.get("groups", []),
            }
            if user.get("amr"):
                claims["amr"] = user["amr"]
            return claims

    return Validator


def setup_data() -> None:
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    for user in USERS.values():
        User.objects.create_user(user["username"], password=user["password"])
    Application.objects.create(
        name="Planbeteiligung",
        client_id=CONFIG["client_id"],
        client_secret=CONFIG["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=CONFIG["redirect_uri"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )


class ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002  # the signature is WSGIRequestHandler's
        pass


if __name__ == "__main__":
    configure()
    Validator = make_validator()  # importable as __main__.Validator once Django is set up
    urlpatterns = urls()
    setup_data()
    from django.core.wsgi import get_wsgi_application

    server = make_server(
        "127.0.0.1", CONFIG["port"], get_wsgi_application(), server_class=ThreadingServer, handler_class=QuietHandler
    )
    print("READY", flush=True)
    server.serve_forever()

"""Identity providers the login tests start: an OIDC provider (django-oauth-toolkit) and a SAML IdP (pysaml2)."""

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).parent
CLIENT_ID = "planbeteiligung"
CLIENT_SECRET = "test-secret-" + "x" * 20
PASSWORD = "anbieter-passwort-2026"
CALLBACK = "http://testserver/verwaltung/anmelden/sso/rueckkehr/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """Run the OIDC provider in its own process; return its base URL, issuer and users."""
    workdir = tmp_path_factory.mktemp("oidc")
    port = free_port()
    users = [
        {"username": "p.planer", "password": PASSWORD, "email": "p.planer@usingen.example", "given_name": "Paula",
         "family_name": "Planer", "groups": ["usingen-planung", "andere-gruppe"]},
        {"username": "o.ohne", "password": PASSWORD, "email": "o.ohne@usingen.example", "groups": ["kantine"]},
        {"username": "m.mfa", "password": PASSWORD, "email": "m.mfa@usingen.example",
         "groups": ["/usingen-planung"], "amr": ["pwd", "otp"]},
    ]  # fmt: skip
    config = {
        "port": port,
        "workdir": str(workdir),
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": CALLBACK,
        "users": users,
    }
    (workdir / "config.json").write_text(json.dumps(config))
    process = subprocess.Popen(
        [sys.executable, str(HERE / "oidc_provider.py"), str(workdir / "config.json")],
        stdout=subprocess.PIPE,
        stderr=open(workdir / "provider.log", "wb"),  # noqa: SIM115  # closed with the process
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        line = process.stdout.readline()
        if line.strip() != "READY" or time.monotonic() > deadline:
            raise RuntimeError("OIDC provider did not start: " + (workdir / "provider.log").read_text())
        base = f"http://127.0.0.1:{port}"
        yield {"base": base, "issuer": f"{base}/o", "users": {u["username"]: u for u in users}}
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def bundid_site_url():
    """Our public address as BundID knows it (the test client's host; browser tests use the live server's)."""
    return "http://testserver"


@pytest.fixture
def bundid_idp(tmp_path, settings, bundid_site_url):
    """Start the BundID-like IdP, configure our SP for it (keys made now) and register the SP's metadata there."""
    from django.test import Client

    from tests.accounts.saml_idp import IdentityProvider, write_keypair

    idp = IdentityProvider(tmp_path)
    key_file, cert_file = write_keypair(tmp_path, "sp")
    settings.SITE_URL = bundid_site_url
    settings.BUNDID_ENABLED = True
    settings.BUNDID_IDP_METADATA = idp.metadata_path
    settings.BUNDID_SP_KEY_FILE = key_file
    settings.BUNDID_SP_CERT_FILE = cert_file
    metadata = Client().get("/bundid/metadata/")
    assert metadata.status_code == 200
    idp.trust(metadata.content)
    yield idp
    idp.stop()

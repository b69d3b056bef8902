"""A BundID-like SAML 2.0 identity provider for the tests: pysaml2's Server behind a small WSGI app, over HTTP.

Keys and certificates are made at test time (cryptography). The IdP answers an AuthnRequest (HTTP-Redirect)
for the citizen set in `IdentityProvider.citizen` with a signed response and assertion (HTTP-POST form),
with attribute names from BundID's profile (OIDs, NAME_FORMAT_URI).
"""

import datetime as dt
import threading
from pathlib import Path
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT
from saml2.server import Server


def write_keypair(directory: Path, name: str) -> tuple[str, str]:
    """Write a fresh RSA key and a self-signed certificate as PEM files; return their paths (key, cert)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = directory / f"{name}.key", directory / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_path), str(cert_path)


class _Quiet(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002  # the signature is WSGIRequestHandler's
        pass


class IdentityProvider:
    """The test IdP: `metadata_path` for our SP, `trust(sp_metadata)` before the first login, `stop()` at the end."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.key_file, self.cert_file = write_keypair(directory, "idp")
        self.httpd = make_server("127.0.0.1", 0, self.app, handler_class=_Quiet)
        self.base = f"http://127.0.0.1:{self.httpd.server_port}"
        self.entity_id = f"{self.base}/idp/metadata"
        self.citizen: dict[str, list[str]] = {}
        self.name_id = ""
        self.requests: list[str] = []
        self.metadata_path = str(directory / "idp-metadata.xml")
        Path(self.metadata_path).write_bytes(create_metadata_string(None, config=self._config(None), valid=None))
        self.server: Server | None = None
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def _config(self, sp_metadata_path: str | None) -> IdPConfig:
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "xmlsec_binary": "/usr/bin/xmlsec1",
                "key_file": self.key_file,
                "cert_file": self.cert_file,
                "allow_unknown_attributes": True,
                "metadata": {"local": [sp_metadata_path]} if sp_metadata_path else {},
                "service": {
                    "idp": {
                        "name": "BundID (Test)",
                        "endpoints": {"single_sign_on_service": [(f"{self.base}/sso/redirect", BINDING_HTTP_REDIRECT)]},
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                        "policy": {"default": {"lifetime": {"minutes": 15}, "name_form": NAME_FORMAT_URI}},
                    }
                },
            }
        )
        return config

    def trust(self, sp_metadata: bytes) -> None:
        """Register our SP from its metadata (as the BundID registration would)."""
        path = self.directory / "sp-metadata.xml"
        path.write_bytes(sp_metadata)
        self.server = Server(config=self._config(str(path)))

    def app(self, environ, start_response):
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if environ["PATH_INFO"] != "/sso/redirect" or "SAMLRequest" not in query or self.server is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        parsed = self.server.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
        request = parsed.message
        self.requests.append(request.id)
        sp_entity_id = request.issuer.text
        destination = request.assertion_consumer_service_url
        response = self.server.create_authn_response(
            identity=self.citizen,
            in_response_to=request.id,
            destination=destination,
            sp_entity_id=sp_entity_id,
            name_id_policy=request.name_id_policy,
            userid=self.name_id,
            authn={"class_ref": "STORK-QAA-Level-3", "authn_auth": self.entity_id},
            sign_assertion=True,
            sign_response=True,
        )
        http_args = self.server.apply_binding(BINDING_HTTP_POST, str(response), destination, "", response=True)
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [http_args["data"].encode()]

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

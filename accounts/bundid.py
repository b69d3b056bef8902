"""BundID for citizens: a SAML 2.0 service provider (pysaml2) and the session-only citizen identity it yields.

Off unless `BUNDID_ENABLED` (docs/login.md). A citizen who logs in with BundID gets no account: the
session holds a `CitizenIdentity` (name, address, e-mail if offered, and a pseudonymous subject, the
keyed hash of the IdP's bPK2 or persistent NameID) for `BUNDID_SESSION_SECONDS`. Statements they submit
carry that subject, so "Meine Stellungnahmen" can list them; nothing else about them is stored.
"""

import dataclasses
import hashlib
import hmac
import time
from collections.abc import Iterator, Mapping

from django.conf import settings
from django.core.cache import cache
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_TRANSIENT

from plans.links import base_url

SESSION_KEY = "pb_bundid"
REQUEST_SECONDS = 10 * 60

# BundID's attribute profile (names are OIDs, NAME_FORMAT_URI): what we request and what we use it for.
BPK2 = "urn:oid:1.3.6.1.4.1.25484.494450.3"  # sector-specific pseudonym: the stable subject (hashed again by us)
GIVEN_NAME = "urn:oid:2.5.4.42"
SURNAME = "urn:oid:2.5.4.4"
POSTAL_ADDRESS = "urn:oid:2.5.4.16"  # street and house number
POSTAL_CODE = "urn:oid:2.5.4.17"
LOCALITY = "urn:oid:2.5.4.7"
MAIL = "urn:oid:0.9.2342.19200300.100.1.3"
TRUST_LEVEL = "urn:oid:1.2.40.0.10.2.1.1.261.94"  # Vertrauensniveau: STORK-QAA-Level-1 … 4
REQUESTED_ATTRIBUTES = [
    (BPK2, "bPK2", True),
    (GIVEN_NAME, "givenName", True),
    (SURNAME, "surname", True),
    (POSTAL_ADDRESS, "postalAddress", False),
    (POSTAL_CODE, "postalCode", False),
    (LOCALITY, "localityName", False),
    (MAIL, "mail", False),
    (TRUST_LEVEL, "trustLevel", False),
]


class BundIdError(Exception):
    """A BundID login that cannot be completed; `code` says why."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.code = code


@dataclasses.dataclass(frozen=True)
class CitizenIdentity:
    """A citizen identified by BundID for this browser session (no account, nothing stored besides statements)."""

    subject: str
    name: str
    address: str
    email: str
    trust_level: str
    expires: float

    def as_session(self) -> dict:
        return dataclasses.asdict(self)


def bundid_enabled() -> bool:
    """Return whether citizens may log in with BundID."""
    return bool(settings.BUNDID_ENABLED and settings.BUNDID_IDP_METADATA)


def sp_entity_id() -> str:
    return settings.BUNDID_SP_ENTITY_ID or base_url() + "/bundid/metadata/"


def sp_config() -> SPConfig:
    """Return the service provider's pysaml2 configuration from the BUNDID_* settings."""
    source = settings.BUNDID_IDP_METADATA
    metadata = {"remote": [{"url": source}]} if source.startswith(("https://", "http://")) else {"local": [source]}
    keypair = {"key_file": settings.BUNDID_SP_KEY_FILE, "cert_file": settings.BUNDID_SP_CERT_FILE}
    config = SPConfig()
    config.load(
        {
            "entityid": sp_entity_id(),
            "xmlsec_binary": settings.BUNDID_XMLSEC_BINARY,
            "metadata": metadata,
            **keypair,
            "encryption_keypairs": [keypair],  # BundID may encrypt its assertions to our certificate
            "allow_unknown_attributes": True,  # the bPK2 OID is in no pysaml2 attribute map
            "service": {
                "sp": {
                    "name": "Planbeteiligung",
                    "endpoints": {
                        "assertion_consumer_service": [(base_url() + "/bundid/acs/", BINDING_HTTP_POST)],
                    },
                    "authn_requests_signed": True,
                    "want_assertions_signed": True,
                    "want_response_signed": False,
                    "allow_unsolicited": False,
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_TRANSIENT],
                    # In the metadata's AttributeConsumingService, by OID (NAME_FORMAT_URI).
                    "requested_attribute_name_format": NAME_FORMAT_URI,
                    "required_attributes": [name for name, _friendly, required in REQUESTED_ATTRIBUTES if required],
                    "optional_attributes": [name for name, _friendly, required in REQUESTED_ATTRIBUTES if not required],
                }
            },
        }
    )
    return config


def sp_metadata() -> bytes:
    """Return our SP metadata (entity id, ACS, signing/encryption certificate, requested attributes)."""
    return create_metadata_string(None, config=sp_config(), valid=None)


def login_redirect(*, next_path: str) -> str:
    """Start a login at the IdP: remember the request for REQUEST_SECONDS and return the redirect address."""
    config = sp_config()
    client = Saml2Client(config=config)
    idps = list(config.metadata.identity_providers())
    if len(idps) != 1:
        raise BundIdError("BUNDID_IDP_METADATA must describe exactly one identity provider", code="idp_metadata")
    request_id, info = client.prepare_for_authenticate(
        entityid=idps[0], binding=BINDING_HTTP_REDIRECT, sign=True, relay_state=""
    )
    cache.set(_request_key(request_id), next_path, REQUEST_SECONDS)
    return dict(info["headers"])["Location"]


class _OutstandingRequests(Mapping):
    """Our AuthnRequests still waiting for an answer, kept in the cache (the IdP's POST brings no session cookie)."""

    def __contains__(self, request_id) -> bool:
        return cache.get(_request_key(request_id)) is not None

    def __getitem__(self, request_id):
        value = cache.get(_request_key(request_id))
        if value is None:
            raise KeyError(request_id)
        return value

    def __iter__(self) -> Iterator:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __bool__(self) -> bool:
        return True  # pysaml2 replaces a falsy mapping with {}: every response would be unsolicited


def _request_key(request_id: str) -> str:
    return f"pb:bundid:request:{request_id}"


def identity_from_response(saml_response: str) -> tuple[CitizenIdentity, str]:
    """Validate the IdP's POSTed response (signature, audience, InResponseTo, time); return identity and next path."""
    client = Saml2Client(config=sp_config())
    try:
        response = client.parse_authn_request_response(saml_response, BINDING_HTTP_POST, _OutstandingRequests())
    except Exception as error:  # pysaml2 raises a dozen unrelated types for a bad response
        raise BundIdError(
            f"invalid SAML response: {error.__class__.__name__}: {error}", code="invalid_response"
        ) from error
    if response is None:
        raise BundIdError("empty SAML response", code="invalid_response")
    # One use per request: a replayed response finds no outstanding request.
    next_path = cache.get(_request_key(response.in_response_to)) or "/"
    cache.delete(_request_key(response.in_response_to))
    attributes = {key: [str(v) for v in values] for key, values in (response.ava or {}).items()}
    raw = _first(attributes, BPK2, "bPK2")
    if not raw:
        name_id = response.get_subject()
        if name_id is None or name_id.format == NAMEID_FORMAT_TRANSIENT:
            raise BundIdError("no bPK2 and no persistent NameID", code="no_subject")
        raw = name_id.text
    issuer = response.issuer() or ""
    name = " ".join(filter(None, [_first(attributes, GIVEN_NAME, "givenName"), _first(attributes, SURNAME, "sn")]))
    town = " ".join(filter(None, [_first(attributes, POSTAL_CODE, "postalCode"), _first(attributes, LOCALITY, "l")]))
    address = ", ".join(filter(None, [_first(attributes, POSTAL_ADDRESS, "postalAddress"), town]))
    identity = CitizenIdentity(
        subject=subject_hash(issuer=issuer, value=raw),
        name=name,
        address=address,
        email=_first(attributes, MAIL, "mail"),
        trust_level=_first(attributes, TRUST_LEVEL, "trustLevel"),
        expires=time.time() + settings.BUNDID_SESSION_SECONDS,
    )
    if not identity.name:
        raise BundIdError("the assertion carries no name", code="no_name")
    return identity, next_path


def _first(attributes: dict[str, list[str]], *names: str) -> str:
    for name in names:
        values = attributes.get(name)
        if values:
            return values[0].strip()
    return ""


def subject_hash(*, issuer: str, value: str) -> str:
    """Return the pseudonymous subject: HMAC-SHA256 of the IdP's identifier, keyed with SECRET_KEY."""
    message = f"bundid|{issuer}|{value}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def citizen_login(request, identity: CitizenIdentity) -> None:
    """Keep `identity` in a fresh session (new session key: no fixation)."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = identity.as_session()


def citizen_logout(request) -> None:
    """Forget the BundID identity of this session."""
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()


def citizen_identity(request) -> CitizenIdentity | None:
    """Return the BundID identity of this browser session, or None (also when expired or BundID is off)."""
    session = getattr(request, "session", None)
    if session is None or not settings.BUNDID_ENABLED:
        return None
    data = session.get(SESSION_KEY)
    if not data:
        return None
    try:
        identity = CitizenIdentity(**data)
    except TypeError:
        return None
    if identity.expires < time.time():
        return None
    return identity

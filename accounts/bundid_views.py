"""BundID (SAML 2.0) endpoints for citizens: our SP metadata, the login redirect, the ACS, and logging out."""

import logging

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from .bundid import BundIdError, bundid_enabled, citizen_login, citizen_logout, identity_from_response, login_redirect
from .bundid import sp_metadata as build_sp_metadata

logger = logging.getLogger(__name__)


def own_path(request, value: str) -> str:
    """Return `value` if it is a path on this site, else "/" (no open redirects)."""
    if value.startswith("/") and url_has_allowed_host_and_scheme(value, allowed_hosts=None):
        return value
    return "/"


class _BundIdView(View):
    def dispatch(self, request, *args, **kwargs):
        if not bundid_enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class MetadataView(_BundIdView):
    """Serve our SP metadata for the registration with BundID."""

    def get(self, request):
        return HttpResponse(build_sp_metadata(), content_type="application/samlmetadata+xml")


class BundIdLoginView(_BundIdView):
    """Send the citizen to BundID; come back to `next` (a path on this site) afterwards."""

    def get(self, request):
        next_path = own_path(request, request.GET.get("next", ""))
        try:
            return HttpResponseRedirect(login_redirect(next_path=next_path))
        except BundIdError:
            logger.exception("BundID login could not start")
            return self.failed(request, status=503)

    @staticmethod
    def failed(request, status):
        return render(
            request,
            "accounts/bundid_failed.html",
            {"message": _("Die Anmeldung mit BundID ist gerade nicht möglich. Sie können ohne BundID fortfahren.")},
            status=status,
        )


@method_decorator(csrf_exempt, name="dispatch")  # a cross-site POST from the IdP; the signed response protects it
class AssertionConsumerView(_BundIdView):
    """Receive BundID's signed answer, keep the citizen's identity in the session and return to where they were."""

    http_method_names = ["post"]

    def post(self, request):
        try:
            identity, next_path = identity_from_response(request.POST.get("SAMLResponse", ""))
        except BundIdError as error:
            logger.warning("BundID response refused (%s): %s", error.code, error)
            return BundIdLoginView.failed(request, status=400)
        citizen_login(request, identity)
        messages.success(
            request,
            _("Sie sind mit BundID angemeldet als %(name)s. Ihre Stellungnahmen brauchen keine Bestätigung per E-Mail.")
            % {"name": identity.name},
        )
        return HttpResponseRedirect(own_path(request, next_path))


class BundIdLogoutView(_BundIdView):
    """Forget the BundID identity of this browser (POST only)."""

    http_method_names = ["post"]

    def post(self, request):
        citizen_logout(request)
        messages.success(request, _("Sie haben sich von BundID abgemeldet."))
        return HttpResponseRedirect(own_path(request, request.POST.get("next", "")))

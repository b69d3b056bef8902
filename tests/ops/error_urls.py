"""The site's URLs plus one view that fails, for the error-report tests."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def failing_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(f"Stellungnahme von {request.POST['email']} konnte nicht gespeichert werden")


urlpatterns = [path("kaputt/", failing_view), *site_urlpatterns]

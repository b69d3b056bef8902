"""A municipality's own domain (`plaene.usingen.de`): its start page and its plans only."""

from django.shortcuts import redirect

from plans.links import absolute_url, municipality_for_host


class MunicipalityDomainMiddleware:
    """Set `request.municipality` to the municipality whose own domain was requested (else None).

    On such a host, pages of another municipality (URLs with a `municipality` argument) redirect to that
    municipality's canonical address (its own domain or SITE_URL). ALLOWED_HOSTS is checked before, by Django.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.municipality = municipality_for_host(request.get_host())
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        own = request.municipality
        slug = view_kwargs.get("municipality")
        if own is None or not isinstance(slug, str) or slug == own.slug:
            return None
        return redirect(absolute_url(request.get_full_path()))

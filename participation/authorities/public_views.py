"""Public pages of invited authorities (built by the public-page work; this is its placeholder)."""

from django.http import Http404
from django.views import View


class AccessView(View):
    """The personal access link of an invited authority (placeholder: not found)."""

    def get(self, request, *args, **kwargs):
        raise Http404

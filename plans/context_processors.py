"""Template context shared by all pages."""

from django.conf import settings
from django.utils.translation import gettext as _


def site(request):
    """Return the base-map configuration for the map scripts."""
    return {
        "basemap": {
            "url": settings.BASEMAP_URL,
            "attribution": settings.BASEMAP_ATTRIBUTION,
            "maxZoom": settings.BASEMAP_MAX_ZOOM,
            "failureNotice": _(
                "Die Hintergrundkarte ist nicht erreichbar. Planbereiche werden ohne Hintergrund angezeigt."
            ),
            "noticeClose": _("Hinweis ausblenden"),
        },
    }

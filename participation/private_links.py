"""Responses behind a link whose token is the credential (an authority's access link, "Meine Stellungnahme")."""

from django.utils.cache import patch_cache_control

# "same-origin", not "no-referrer": under no-referrer browsers send `Origin: null` with the page's POST forms,
# which Django's CSRF check refuses. same-origin keeps the token from every other site (tiles, linked pages).
REFERRER_POLICY = "same-origin"


def mark_private(response):
    """Mark a response behind a private link: no Referer to other sites, no index, no stored copies."""
    response["Referrer-Policy"] = REFERRER_POLICY
    response["X-Robots-Tag"] = "noindex, nofollow"
    patch_cache_control(response, private=True, no_store=True)
    return response

"""Template helpers for sharing and feed links."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def plan_share_meta(plan) -> dict:
    """Return absolute URLs and texts for a plan's Open Graph and Twitter-card tags."""
    base = settings.SITE_URL.rstrip("/")
    version = int(plan.updated_at.timestamp()) if plan.updated_at else 0
    image = reverse("announcements:plan_preview", kwargs={"municipality": plan.municipality.slug, "plan": plan.slug})
    return {
        "url": base + plan.get_absolute_url(),
        "title": f"{plan} – {plan.municipality.name}",
        "description": Truncator(plan.summary or plan.title).chars(200),
        "image": f"{base}{image}?v={version}",
        "image_alt": _("Karte des Geltungsbereichs von %(plan)s") % {"plan": plan},
        "site_name": _("Planbeteiligung"),
    }

"""Colours of the start page map by plan kind and the legend that explains them.

The palette follows Okabe and Ito (distinguishable with the common colour-vision deficiencies), darkened
where needed so that every colour has at least 3:1 contrast against white, the base map's light land
colour and the plain background shown when the base map cannot be reached (tests/portal/test_legend.py).
A running participation is marked by shape as well as colour: a thick dark ring and a solid outline.
"""

from django.utils.translation import gettext as _

from plans.models import Plan

# Plan kinds that share one colour, in legend order.
KIND_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("#0068A5", (Plan.Kind.BPLAN, Plan.Kind.VBPLAN)),
    ("#00775A", (Plan.Kind.FNP,)),
    ("#C45200", (Plan.Kind.FNP_CHANGE,)),
    ("#A8458A", (Plan.Kind.PUBLIC_PROJECT,)),
    ("#5C5C5C", (Plan.Kind.STATUTE,)),
)
OPEN_RING = "#1A1A1A"
CLUSTER_COLOUR = "#8A1C1C"
# Backgrounds the colours must stand out from: white, OpenStreetMap land, the plain map background.
BACKGROUNDS = ("#FFFFFF", "#F2EFE9", "#E8ECEF")


def kind_colours() -> dict[str, str]:
    """Return the colour of every plan kind."""
    return {kind: colour for colour, kinds in KIND_GROUPS for kind in kinds}


def legend_entries() -> list[dict]:
    """Return the legend's kind entries (colour and translated label) in order."""
    labels = dict(Plan.Kind.choices)
    return [
        {"colour": colour, "label": " / ".join(str(labels[kind]) for kind in kinds)} for colour, kinds in KIND_GROUPS
    ]


def map_styles() -> dict:
    """Return what home_map.js needs to colour plans: colours by kind, the open ring, the cluster colour."""
    return {
        "kinds": kind_colours(),
        "openRing": OPEN_RING,
        "cluster": CLUSTER_COLOUR,
        "fallback": "#5C5C5C",
        "openLabel": _("Beteiligung läuft"),
    }


def legend_context() -> dict:
    """Return the template context of portal/_map_legend.html."""
    return {
        "kinds": legend_entries(),
        "open_ring": OPEN_RING,
        "cluster": CLUSTER_COLOUR,
    }

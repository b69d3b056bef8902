"""Start page map colours and legend: colour-blind-safe palette with enough contrast, legend as HTML text."""

import json
import re

import pytest

from plans.models import Plan
from portal.map_legend import BACKGROUNDS, CLUSTER_COLOUR, KIND_GROUPS, OPEN_RING, kind_colours


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("colour", [c for c, _kinds in KIND_GROUPS] + [OPEN_RING, CLUSTER_COLOUR])
@pytest.mark.parametrize("background", BACKGROUNDS)
def test_map_colours_have_3_to_1_contrast_against_every_background(colour, background):
    assert contrast(colour, background) >= 3


def test_every_plan_kind_has_a_colour_and_the_groups_differ():
    assert set(kind_colours()) == set(Plan.Kind.values)
    colours = [c for c, _kinds in KIND_GROUPS]
    assert len(set(colours)) == len(colours)


@pytest.mark.django_db
def test_start_page_has_a_text_legend_and_passes_colours_to_the_map(client):
    html = client.get("/").content.decode()
    legend = html.split("data-map-legend>")[1].split("</section>")[0]
    text = re.sub(r"<[^>]+>", " ", legend)
    for label in (
        "Bebauungsplan / Vorhabenbezogener Bebauungsplan",
        "Flächennutzungsplan",
        "Änderung des Flächennutzungsplans",
        "Öffentliches Bauvorhaben",
        "Satzung",
        "Laufende Beteiligung (dicker dunkler Rand)",
    ):
        assert label in text
    assert "<img" not in legend
    config = json.loads(re.search(r'id="map-config" type="application/json">(.*?)</script>', html).group(1))
    assert config["styles"]["kinds"]["fnp_change"] == "#C45200"
    assert config["styles"]["openLabel"] == "Beteiligung läuft"

"""The start page: a paginated list that works without JavaScript, and a map that starts on the data."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from plans.models import Plan
from tests.factories import MunicipalityFactory, PlanFactory, square

pytestmark = pytest.mark.django_db


def test_plan_list_is_paginated_without_javascript(client):
    municipality = MunicipalityFactory(name="Usingen")
    plans = [PlanFactory(municipality=municipality, title=f"Plan {i:02d}") for i in range(23)]
    url = reverse("plans:municipality", args=[municipality.slug])
    page = client.get(url).content.decode()
    assert "23 Pläne gefunden" in page and "Seite 1 von 2" in page
    assert "Plan 19" in page and "Plan 20" not in page
    assert 'href="?seite=2" rel="next"' in page
    second = client.get(url, {"seite": 2}).content.decode()
    assert "Plan 20" in second and "Plan 22" in second and "Plan 19" not in second
    assert 'href="?seite=1" rel="prev"' in second
    assert '<span aria-current="page">2</span>' in second
    assert plans[22].get_absolute_url() in second
    # out of range or garbage: the nearest page, never an error
    assert client.get(url, {"seite": "99"}).status_code == 200
    assert "Plan 00" in client.get(url, {"seite": "x"}).content.decode()


def test_all_municipalities_list_shows_the_newest_plans_first(client):
    old = PlanFactory(title="Alter Plan", published_at=timezone.now() - dt.timedelta(days=400))
    PlanFactory.create_batch(20, municipality=old.municipality)
    new = PlanFactory(title="Neuer Plan", published_at=timezone.now() - dt.timedelta(minutes=1))
    page = client.get(reverse("plans:map")).content.decode()
    assert "22 Pläne gefunden" in page
    assert "Neuer Plan" in page and "Alter Plan" not in page
    assert page.index("Neuer Plan") < page.index('class="plan-card"', page.index('class="plan-card"') + 1)
    assert new.title in page
    assert "Alter Plan" in client.get(reverse("plans:map"), {"seite": 2}).content.decode()


def test_pagination_keeps_the_filters(client):
    municipality = MunicipalityFactory()
    PlanFactory.create_batch(21, municipality=municipality, kind=Plan.Kind.BPLAN)
    PlanFactory(municipality=municipality, kind=Plan.Kind.FNP, title="Nordfeld FNP")
    page = client.get(reverse("plans:map"), {"art": "bplan"}).content.decode()
    assert "21 Pläne gefunden" in page
    assert 'href="?art=bplan&amp;seite=2" rel="next"' in page
    second = client.get(reverse("plans:map"), {"art": "bplan", "seite": 2}).content.decode()
    assert "Nordfeld FNP" not in second


def test_map_starts_on_the_extent_of_the_listed_plans(client):
    west = PlanFactory(municipality=MunicipalityFactory(), area=square(8.1, 50.1, 0.01))
    PlanFactory(municipality=MunicipalityFactory(), area=square(9.2, 50.6, 0.02))
    PlanFactory(municipality=west.municipality, status=Plan.Status.DRAFT, area=square(7.0, 49.0, 0.01))
    config = client.get(reverse("plans:map")).context["map_config"]
    assert config["bounds"] == [[50.1, 8.1], [pytest.approx(50.62), pytest.approx(9.22)]]
    assert config["api"] == reverse("plans:api_list")
    assert config["outlineMinZoom"] == 12
    filtered = client.get(reverse("plans:map"), {"gemeinde": west.municipality.slug}).context["map_config"]
    minx, miny, maxx, maxy = west.municipality.boundary.extent
    assert filtered["bounds"] == [[miny, minx], [maxy, maxx]]
    assert filtered["params"] == {"gemeinde": west.municipality.slug}


def test_map_of_a_municipality_without_boundary_starts_on_its_plans(client):
    municipality = MunicipalityFactory(boundary=None)
    PlanFactory(municipality=municipality, area=square(8.3, 50.2, 0.01))
    config = client.get(reverse("plans:municipality", args=[municipality.slug])).context["map_config"]
    assert config["bounds"] == [[50.2, 8.3], [pytest.approx(50.21), pytest.approx(8.31)]]


def test_map_without_data_falls_back_to_the_configured_centre(client, settings):
    config = client.get(reverse("plans:map")).context["map_config"]
    assert "bounds" not in config
    assert config["center"] == list(settings.LEAFLET_CONFIG["DEFAULT_CENTER"])


def test_start_page_queries_do_not_grow_with_the_number_of_plans(client, django_assert_max_num_queries):
    for _index in range(30):
        municipality = MunicipalityFactory()
        PlanFactory.create_batch(2, municipality=municipality)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("plans:map"))
    assert "60 Pläne gefunden" in response.content.decode()
    assert response.content.decode().count('class="plan-card"') == 20


def test_start_page_scripts_and_styles_come_from_files(client):
    page = client.get(reverse("plans:map")).content.decode()
    assert "portal/home_map.js" in page and "portal/home.css" in page
    assert 'data-cluster-label="%(count)s Pläne – vergrößern"' in page
    assert "<style" not in page and " style=" not in page

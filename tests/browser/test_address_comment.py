"""Find an address and comment there: a citizen types an address with the keyboard, chooses it, and
the new statement's point is set there (inside the Geltungsbereich) with words, not coordinates; an
address outside is refused with a clear message. At 1366×768 and 390×844, axe-core clean."""

import pytest

from geodata.services import address_import
from participation.models import Statement
from plans.demo import load_demo as load_plans_demo
from plans.rules import SYSTEM

from .conftest import run_axe
from .test_address_search import type_and_choose

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = [pytest.param((1366, 768), id="desktop"), pytest.param((390, 844), id="mobile")]


@pytest.fixture
def demo(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from django.core.cache import cache

    from participation.demo import load_demo as load_participation

    cache.clear()
    demo = load_plans_demo()
    load_participation(demo)
    plan = demo["plans"]["am-riedborn"]
    inside = plan.area.point_on_surface
    xmin, ymin, xmax, ymax = plan.area.extent
    rows = [
        f"Riedbornweg;7;61250;Usingen;{inside.x:.7f};{inside.y:.7f}",
        f"Feldstraße;40;61250;Usingen;{xmax + 0.003:.7f};{(ymin + ymax) / 2:.7f}",
    ]
    path = tmp_path / "usingen.csv"
    path.write_text("street;housenumber;postcode;place;lon;lat\n" + "\n".join(rows) + "\n", encoding="utf-8")
    address_import(municipality=demo["municipalities"]["usingen"], path=path, by=SYSTEM)
    demo["inside"] = (inside.y, inside.x)
    return demo


def _open(page, plan, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(plan.get_absolute_url())
    page.wait_for_selector("#plan-map[data-statements-ready]")
    page.wait_for_selector("#statement-tools:not([hidden])")


@pytest.mark.parametrize("size", SIZES)
def test_citizen_finds_an_address_and_comments_there(page, demo, size):
    plan = demo["plans"]["am-riedborn"]
    _open(page, plan, size)
    label = type_and_choose(page, "Riedbornweg 7")
    assert label == "Riedbornweg 7, 61250 Usingen"
    page.wait_for_selector("#plan-map[data-statement-place='1']")
    place = page.locator("#statement-place").inner_text()
    assert place.startswith("Ort gewählt: Adresse „Riedbornweg 7, 61250 Usingen“, im Geltungsbereich")
    lat, lon = demo["inside"]
    assert float(page.input_value("input[name=lat]")) == pytest.approx(lat, abs=1e-6)
    assert float(page.input_value("input[name=lon]")) == pytest.approx(lon, abs=1e-6)
    assert run_axe(page) == []
    page.fill("#id_comment", f"Adress-Test {size[0]}: Vor diesem Haus fehlt ein Gehweg.")
    page.fill("#id_name", "Anna Adresse")
    page.fill("#id_email", "anna@example.org")
    page.check("#id_privacy_consent")
    page.click("#statement-form button[type=submit]")
    page.wait_for_selector(".message--success")
    statement = Statement.objects.get(comment__startswith=f"Adress-Test {size[0]}")
    assert statement.location is not None
    assert (statement.location.y, statement.location.x) == pytest.approx((lat, lon), abs=1e-6)
    assert run_axe(page) == []
    assert page.csp_violations == []


@pytest.mark.parametrize("size", SIZES)
def test_address_outside_the_area_is_not_used_and_says_why(page, demo, size):
    plan = demo["plans"]["am-riedborn"]
    _open(page, plan, size)
    type_and_choose(page, "Feldstrasse 40")
    page.wait_for_selector("#plan-map[data-address-outside='1']")
    message = (
        "Die Adresse „Feldstraße 40, 61250 Usingen“ liegt außerhalb des Geltungsbereichs. Ihre Stellungnahme wird "
        "dort nicht verortet"
    )
    assert page.locator("#statement-place").inner_text().startswith(message)
    assert page.locator("#statement-tools-hint").inner_text().startswith(message)
    assert page.input_value("input[name=lat]") == "" and page.input_value("input[name=lon]") == ""
    assert run_axe(page) == []
    assert page.csp_violations == []

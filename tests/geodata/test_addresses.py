"""Local gazetteer: import_addresses (CSV and GIS files), typo-tolerant search, the JSON API, the geocoder fallback.

The search tests run on the database of the run: SpatiaLite by default, PostGIS (pg_trgm) with
DATABASE_URL=postgis://…; the expectations are the same on both.
"""

from io import StringIO

import geopandas as gpd
import pytest
import responses
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse
from shapely.geometry import Point, box

from geodata.address_text import normalise, parse_query
from geodata.errors import ImportRejected
from geodata.models import Address, AddressStreet
from geodata.services import address_import
from plans import rules
from tests.factories import MembershipFactory, MunicipalityFactory

X0, Y0 = 470000.0, 5576000.0  # EPSG:25832, west of Usingen (about 8.58° E, 50.33° N)
HEADER = "street;housenumber;postcode;place;x;y\n"


def csv_rows(rows) -> str:
    return HEADER + "".join(f"{street};{number};61250;Usingen;{x};{y}\n" for street, number, x, y in rows)


def town_rows():
    """Hauptstraße 1–12 and 5a, Mühlweg 1–3, Frankfurter Straße 1–3, Am Riedborn 1–2."""
    rows = [("Hauptstraße", str(n), X0 + n * 10, Y0) for n in range(1, 13)]
    rows.append(("Hauptstraße", "5a", X0 + 55, Y0))
    rows += [("Mühlweg", str(n), X0 + n * 10, Y0 + 300) for n in range(1, 4)]
    rows += [("Frankfurter Straße", str(n), X0 + n * 10, Y0 + 600) for n in range(1, 4)]
    rows += [("Am Riedborn", str(n), X0 + n * 10, Y0 + 900) for n in range(1, 3)]
    return rows


@pytest.fixture
def town(db):
    return MunicipalityFactory(name="Stadt Usingen", slug="usingen", boundary=None)


@pytest.fixture
def town_file(tmp_path):
    path = tmp_path / "adressen.csv"
    path.write_text(csv_rows(town_rows()), encoding="utf-8")
    return path


@pytest.fixture
def addresses(town, town_file):
    call_command("import_addresses", str(town_file), municipality="usingen", stdout=StringIO())
    return town


def run_import(path, **options) -> str:
    out = StringIO()
    call_command("import_addresses", str(path), stdout=out, **options)
    return out.getvalue()


# --- normalisation -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hauptstraße 5a", "hauptstrasse 5a"),
        ("Hauptstr. 5 A", "hauptstrasse 5a"),
        ("HAUPTSTRASSE", "hauptstrasse"),
        ("Mühlweg", "muehlweg"),
        ("Muehlweg", "muehlweg"),
        ("Frankfurter Str.", "frankfurter strasse"),
    ],
)
def test_normalise_spells_out_umlauts_sharp_s_and_street_abbreviations(text, expected):
    assert normalise(text) == expected


def test_query_takes_the_last_short_number_as_house_number_and_five_digits_as_postcode():
    query = parse_query("Straße des 17. Juni 3, 61250 Usingen")
    assert (query.words, query.number, query.postcode) == ("strasse des 17 juni usingen", "3", "61250")


# --- import -------------------------------------------------------------------------------------------------------


def test_import_csv_in_25832_reports_counts_and_stores_wgs84_points(town, town_file):
    out = run_import(town_file, municipality="usingen")
    assert "read: 21  imported: 21  skipped: 0" in out
    assert "EPSG:25832" in out
    address = Address.objects.get(street="Hauptstraße", housenumber="5a")
    assert address.municipality == town
    assert address.point.srid == 4326
    assert 8.5 < address.point.x < 8.7 and 50.2 < address.point.y < 50.4
    assert address.search_text == "hauptstrasse 5a 61250 usingen"
    assert address.label == "Hauptstraße 5a, 61250 Usingen"


def test_import_lonlat_csv_defaults_to_wgs84(town, tmp_path):
    path = tmp_path / "lonlat.csv"
    path.write_text("strasse;hausnummer;plz;ort;lon;lat\nSchulweg;3;61250;Usingen;8,5371;50,3353\n", encoding="utf-8")
    out = run_import(path, municipality="usingen")
    assert "imported: 1" in out
    point = Address.objects.get().point
    assert (round(point.x, 4), round(point.y, 4)) == (8.5371, 50.3353)


def test_import_official_hk_de_file_without_header(town, tmp_path):
    """HK-DE: 18 fields, no header, x/y in EPSG:25832 with a decimal comma, '#' comments."""
    path = tmp_path / "hk_de.csv"
    path.write_text(
        "# Hauskoordinaten Deutschland\n"
        "N;DEHE000000000001;A;06;4;34;011;0001;01234;5;a;470050,000;5576000,000;Hauptstraße;61250;Usingen;;\n"
        "N;DEHE000000000002;A;06;4;34;011;0001;01235;12;;470120,500;5576010,250;Mühlweg;61250;Usingen;;\n",
        encoding="utf-8",
    )
    out = run_import(path, municipality="usingen")
    assert "read: 2  imported: 2  skipped: 0" in out
    assert sorted(str(a) for a in Address.objects.all()) == [
        "Hauptstraße 5a, 61250 Usingen",
        "Mühlweg 12, 61250 Usingen",
    ]
    assert 8.5 < Address.objects.get(street="Mühlweg").point.x < 8.7


def test_import_counts_skipped_rows_by_reason(town, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text(
        HEADER
        + f"Hauptstraße;1;61250;Usingen;{X0};{Y0}\n"
        + f";2;61250;Usingen;{X0};{Y0}\n"
        + "Hauptstraße;3;61250;Usingen;abc;\n"
        + f"Hauptstraße;1;61250;Usingen;{X0};{Y0}\n",
        encoding="utf-8",
    )
    out = run_import(path, municipality="usingen")
    assert "read: 4  imported: 1  skipped: 3" in out
    assert "skipped 1: ohne Straße (no_street)" in out
    assert "skipped 1: Koordinaten fehlen oder sind keine Zahlen (bad_coordinates)" in out
    assert "skipped 1: doppelt (duplicate)" in out
    assert Address.objects.count() == 1


def test_import_skips_points_outside_the_municipality(db, tmp_path):
    MunicipalityFactory(slug="usingen", boundary=None)
    town = MunicipalityFactory(slug="grenzort")
    west, south, east, north = town.boundary.extent
    path = tmp_path / "grenze.csv"
    path.write_text(
        "street;housenumber;postcode;place;lon;lat\n"
        f"Innen;1;;Grenzort;{(west + east) / 2};{(south + north) / 2}\n"
        f"Weit weg;1;;Anderswo;{east + 1};{north + 1}\n",
        encoding="utf-8",
    )
    out = run_import(path, municipality="grenzort")
    assert "imported: 1  skipped: 1" in out and "(outside)" in out
    assert list(Address.objects.values_list("street", flat=True)) == ["Innen"]


def test_import_replaces_only_this_municipalitys_addresses(addresses, tmp_path):
    other = MunicipalityFactory(slug="nachbarort", boundary=None)
    Address.objects.create(
        municipality=other, street="Feldweg", point="SRID=4326;POINT(8.5 50.3)", search_text="feldweg", street_key="x"
    )
    path = tmp_path / "neu.csv"
    path.write_text(csv_rows([("Neue Straße", "1", X0, Y0)]), encoding="utf-8")
    out = run_import(path, municipality="usingen")
    assert "replaced: 21" in out
    assert sorted(Address.objects.values_list("street", flat=True)) == ["Feldweg", "Neue Straße"]
    assert list(AddressStreet.objects.filter(municipality=addresses).values_list("search_text", flat=True)) == [
        "neue strasse 61250 usingen"
    ]


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson"])
def test_import_gis_file_with_osm_column_names(town, tmp_path, suffix):
    frame = gpd.GeoDataFrame(
        {
            "addr:street": ["Hauptstraße", "Hauptstraße", "Mühlweg"],
            "addr:housenumber": ["1", "2", "7"],
            "addr:postcode": ["61250"] * 3,
            "addr:city": ["Usingen"] * 3,
        },
        geometry=[Point(X0, Y0), Point(X0 + 10, Y0), box(X0, Y0 + 300, X0 + 20, Y0 + 320)],
        crs="EPSG:25832",
    )
    path = tmp_path / f"osm{suffix}"
    frame.to_file(path)
    out = run_import(path, municipality="usingen")
    assert "read: 3  imported: 3  skipped: 0" in out
    building = Address.objects.get(street="Mühlweg")
    assert building.housenumber == "7" and 8.5 < building.point.x < 8.7


def test_bad_file_is_refused_in_german_and_keeps_the_old_addresses(addresses, tmp_path):
    path = tmp_path / "falsch.csv"
    path.write_text("name;wert\nA;1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Der Datei fehlen Spalten"):
        run_import(path, municipality="usingen")
    assert Address.objects.count() == 21


def test_file_without_usable_address_is_refused(addresses, tmp_path):
    path = tmp_path / "leer.csv"
    path.write_text(HEADER + ";1;;;x;y\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        address_import(municipality=addresses, path=path, by=rules.SYSTEM)
    assert info.value.code == "no_addresses"
    assert "keine verwendbare Adresse" in str(info.value)
    assert Address.objects.count() == 21


def test_broken_gis_file_is_refused(addresses, tmp_path):
    path = tmp_path / "kaputt.gpkg"
    path.write_bytes(b"not a geopackage")
    with pytest.raises(CommandError, match="kann nicht gelesen werden"):
        run_import(path, municipality="usingen")
    assert Address.objects.count() == 21


def test_unknown_municipality_and_missing_file_are_command_errors(town, town_file):
    with pytest.raises(CommandError, match="does not exist"):
        run_import(town_file, municipality="nirgendwo")
    with pytest.raises(CommandError, match="File not found"):
        run_import(town_file.with_name("fehlt.csv"), municipality="usingen")


def test_import_needs_the_planner_role(town, town_file):
    moderator = MembershipFactory(municipality=town, role="moderator").user
    with pytest.raises(PermissionDenied):
        address_import(municipality=town, path=town_file, by=moderator)
    with pytest.raises(CommandError, match="keine Berechtigung"):
        run_import(town_file, municipality="usingen", user=moderator.username)
    planner = MembershipFactory(municipality=town, role="planner").user
    assert address_import(municipality=town, path=town_file, by=planner).imported == 21
    assert Address.objects.count() == 21


# --- search -------------------------------------------------------------------------------------------------------


def search(client, q, **params):
    response = client.get(reverse("geodata:address_search"), {"q": q, **params})
    assert response.status_code == 200, response.content
    return response.json()


def labels(client, q, **params):
    return [hit["label"] for hit in search(client, q, **params)["results"]]


@pytest.mark.parametrize("q", ["Hauptstr 5", "Hauptstraße 5", "hauptstrasse 5", "HAUPTSTR. 5", "Hauptsrasse 5"])
def test_search_finds_the_house_number_first_despite_spelling_and_typos(client, addresses, q):
    assert labels(client, q, gemeinde="usingen")[:2] == [
        "Hauptstraße 5, 61250 Usingen",
        "Hauptstraße 5a, 61250 Usingen",
    ]


def test_search_tolerates_swapped_letters_in_a_short_street_name(client, addresses):
    """Below pg_trgm's default threshold (0.55): PostGIS asks once more with 0.5."""
    assert labels(client, "Riedbron 1", gemeinde="usingen")[0] == "Am Riedborn 1, 61250 Usingen"


def test_search_house_number_with_letter(client, addresses):
    assert labels(client, "Hauptstraße 5a")[0] == "Hauptstraße 5a, 61250 Usingen"


@pytest.mark.parametrize("q", ["Mühlweg 2", "Muehlweg 2", "muehlweg 2"])
def test_search_treats_umlaut_and_spelt_out_umlaut_alike(client, addresses, q):
    assert labels(client, q)[0] == "Mühlweg 2, 61250 Usingen"


def test_search_street_without_number_and_abbreviation(client, addresses):
    hits = labels(client, "Frankfurter Str")
    assert hits[0] == "Frankfurter Straße 1, 61250 Usingen"
    assert all(hit.startswith("Frankfurter Straße") for hit in hits)


def test_search_returns_at_most_ten_results_with_coordinates(client, addresses):
    data = search(client, "hauptstrasse")
    assert data["count"] == len(data["results"]) == 10
    first = data["results"][0]
    assert first["street"] == "Hauptstraße" and first["housenumber"] == "1"
    assert 50.2 < first["lat"] < 50.4 and 8.5 < first["lon"] < 8.7


def test_search_is_limited_to_the_requested_municipality(client, addresses, tmp_path):
    MunicipalityFactory(slug="nachbarort", boundary=None)
    path = tmp_path / "weilrod.csv"
    path.write_text(HEADER + f"Hauptstraße;5;61276;Weilrod;{X0 - 5000};{Y0}\n", encoding="utf-8")
    run_import(path, municipality="nachbarort")
    assert "Hauptstraße 5, 61276 Weilrod" not in labels(client, "Hauptstr 5", gemeinde="usingen")
    assert labels(client, "Hauptstr 5", gemeinde="nachbarort") == ["Hauptstraße 5, 61276 Weilrod"]
    assert {"Hauptstraße 5, 61276 Weilrod", "Hauptstraße 5, 61250 Usingen"} <= set(labels(client, "Hauptstr 5"))


def test_search_by_postcode_alone_and_with_a_house_number(client, addresses):
    assert labels(client, "61250")[:2] == ["Am Riedborn 1, 61250 Usingen", "Am Riedborn 2, 61250 Usingen"]
    assert labels(client, "61250 5")[0] == "Hauptstraße 5, 61250 Usingen"
    assert labels(client, "99999") == []


def test_search_for_an_unknown_street_finds_nothing(client, addresses):
    assert search(client, "Zyxwvu 3", gemeinde="usingen") == {
        "query": "Zyxwvu 3",
        "municipality": "usingen",
        "source": "local",
        "count": 0,
        "results": [],
    }


def test_search_while_typing_matches_the_beginning_of_a_street(client, addresses):
    assert labels(client, "Riedb")[0] == "Am Riedborn 1, 61250 Usingen"


# --- API details --------------------------------------------------------------------------------------------------


def test_api_sends_cache_headers_and_cors(client, addresses):
    response = client.get(reverse("geodata:address_search"), {"q": "Mühlweg"})
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Type"] == "application/json"


def test_api_short_query_answers_empty_and_long_query_is_refused(client, addresses):
    assert search(client, "H")["results"] == []
    response = client.get(reverse("geodata:address_search"), {"q": "x" * 101})
    assert response.status_code == 400
    assert response.json()["error"] == "Die Suche darf höchstens 100 Zeichen lang sein."


def test_api_unknown_municipality_is_404(client, addresses):
    response = client.get(reverse("geodata:address_search"), {"q": "Hauptstr", "gemeinde": "nirgendwo"})
    assert response.status_code == 404
    assert response.json()["error"] == "Die Kommune „nirgendwo“ gibt es nicht."


def test_api_rate_limit_answers_429(client, addresses, settings):
    settings.ADDRESS_SEARCH_RATE_LIMIT = 2
    url = reverse("geodata:address_search")
    assert [client.get(url, {"q": f"Hauptstr {n}"}).status_code for n in range(3)] == [200, 200, 429]
    refused = client.get(url, {"q": "Mühlweg"})
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert refused.json()["error"] == "Zu viele Suchanfragen. Bitte warten Sie einen Moment."


# --- external geocoder --------------------------------------------------------------------------------------------

PHOTON_URL = "https://photon.example/api"
NOMINATIM_URL = "https://nominatim.example/search"


@pytest.fixture
def photon(settings):
    settings.GEOCODER_URL = PHOTON_URL
    settings.OUTBOUND_ALLOWED_HOSTS = ["photon.example", "nominatim.example"]
    with responses.RequestsMock() as mock:
        yield mock


def photon_answer():
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [8.541, 50.336]},
                "properties": {
                    "street": "Weilburger Straße",
                    "housenumber": "9",
                    "postcode": "61250",
                    "city": "Usingen",
                },
            }
        ],
    }


def test_geocoder_is_asked_only_when_local_search_finds_nothing(client, addresses, photon):
    photon.get(PHOTON_URL, json=photon_answer())
    assert labels(client, "Hauptstr 5")[0] == "Hauptstraße 5, 61250 Usingen"
    assert labels(client, "Wei") == []  # too short for the external service
    assert len(photon.calls) == 0
    data = search(client, "Weilburger Str 9", gemeinde="usingen")
    assert data["source"] == "geocoder"
    assert data["results"] == [
        {
            "label": "Weilburger Straße 9, 61250 Usingen",
            "street": "Weilburger Straße",
            "housenumber": "9",
            "postcode": "61250",
            "place": "Usingen",
            "lat": 50.336,
            "lon": 8.541,
        }
    ]
    assert len(photon.calls) == 1


def test_geocoder_request_carries_no_visitor_data(client, addresses, photon, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    photon.get(PHOTON_URL, json=photon_answer())
    client.cookies["sessionid"] = "geheim"
    client.get(
        reverse("geodata:address_search"),
        {"q": "Weilburger Str 9"},
        HTTP_X_FORWARDED_FOR="203.0.113.7",
        HTTP_REFERER="https://planbeteiligung.example/usingen/",
    )
    request = photon.calls[0].request
    assert request.url.startswith(PHOTON_URL + "?")
    assert "q=Weilburger+Str+9" in request.url
    sent = {name.lower(): value for name, value in request.headers.items()}
    assert "x-forwarded-for" not in sent and "referer" not in sent and "cookie" not in sent
    assert "203.0.113.7" not in str(sent) and "geheim" not in str(sent)
    assert sent["user-agent"] == "Planbeteiligung address search"


def test_geocoder_answers_are_cached(client, addresses, photon):
    photon.get(PHOTON_URL, json=photon_answer())
    search(client, "Weilburger Str 9")
    search(client, "weilburger str 9")
    assert len(photon.calls) == 1


def test_nominatim_answer_is_understood_and_bounded_to_the_municipality(client, db, photon, settings):
    settings.GEOCODER_URL = NOMINATIM_URL
    town = MunicipalityFactory(slug="usingen")
    photon.get(
        NOMINATIM_URL,
        json=[
            {
                "lat": "50.3353",
                "lon": "8.5371",
                "name": "Schlossplatz",
                "address": {"road": "Schlossplatz", "house_number": "3", "postcode": "61250", "town": "Usingen"},
            }
        ],
    )
    data = search(client, "Schlossplatz 3", gemeinde="usingen")
    assert [hit["label"] for hit in data["results"]] == ["Schlossplatz 3, 61250 Usingen"]
    url = photon.calls[0].request.url
    assert "format=jsonv2" in url and "bounded=1" in url
    assert f"viewbox={town.boundary.extent[0]:.5f}" in url


@pytest.mark.parametrize("failure", [responses.ConnectionError("down"), "timeout", 500, "not json"])
def test_geocoder_failure_means_no_results(client, addresses, photon, failure):
    import requests

    if failure == "timeout":
        photon.get(PHOTON_URL, body=requests.Timeout("slow"))
    elif failure == 500:
        photon.get(PHOTON_URL, status=500)
    elif failure == "not json":
        photon.get(PHOTON_URL, body="<html>")
    else:
        photon.get(PHOTON_URL, body=failure)
    data = search(client, "Weilburger Str 9")
    assert data["count"] == 0 and data["results"] == []


def test_geocoder_on_an_internal_host_is_never_asked(client, addresses, settings):
    settings.GEOCODER_URL = "http://127.0.0.1:2322/api"
    settings.OUTBOUND_ALLOWED_HOSTS = []
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get("http://127.0.0.1:2322/api", json=photon_answer())
        assert search(client, "Weilburger Str 9")["results"] == []
        assert len(mock.calls) == 0


def test_without_geocoder_url_nothing_is_requested(client, addresses, settings):
    settings.GEOCODER_URL = ""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        assert search(client, "Weilburger Str 9")["results"] == []
        assert len(mock.calls) == 0

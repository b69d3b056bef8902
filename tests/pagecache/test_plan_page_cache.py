"""The full-page cache of the public plan page over HTTP: cached for anonymous visitors, never stale."""

import datetime as dt
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from plans.page_cache import marker

from ..factories import ConsultationFactory, DocumentFactory, LayerFactory, StatementFactory, minimal_pdf

pytestmark = pytest.mark.django_db

HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')


def cached_get(client, url):
    """GET `url` until the page cache answers (at most three times: learn the plan id, store, hit)."""
    for _ in range(3):
        response = client.get(url)
        if response.get("X-Page-Cache") == "hit":
            break
    assert response.status_code == 200 and response["X-Page-Cache"] == "hit"
    return response


def statement_form_fields(html: str) -> dict[str, str]:
    form = html[html.index('id="statement-form"') :]
    form = form[: form.index("</form>")]
    return dict(HIDDEN.findall(form))


def test_second_anonymous_request_is_served_from_the_cache(client, consultation):
    url = consultation.plan.get_absolute_url()
    first = client.get(url)
    assert first["X-Page-Cache"] == "miss"  # the first rendering only learns the plan's id
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
    assert client.get(url + "?utm_source=newsletter")["X-Page-Cache"] == "hit"  # unknown parameters: same page
    assert client.get(url + "?thema=traffic")["X-Page-Cache"] == "miss"  # a filter is its own rendering


def test_hidden_statement_disappears_from_the_cached_page_at_once(client, consultation, staff):
    statement = StatementFactory(consultation=consultation, comment="Der Spielplatz fehlt im Entwurf.")
    url = consultation.plan.get_absolute_url()
    assert "Der Spielplatz fehlt im Entwurf." in cached_get(client, url).content.decode()
    response = staff.post(
        reverse("participation:staff_moderate", args=[statement.pk]), {"action": "hide", "reason": "Beleidigung"}
    )
    assert response.status_code == 302
    page = client.get(url)
    assert page["X-Page-Cache"] == "miss"
    assert "Der Spielplatz fehlt im Entwurf." not in page.content.decode()


def test_form_from_a_cached_page_submits_and_the_confirmed_statement_appears_at_once(
    client, consultation, mailoutbox, django_capture_on_commit_callbacks
):
    url = consultation.plan.get_absolute_url()
    html = cached_get(client, url).content.decode()
    fields = statement_form_fields(html)
    point = consultation.plan.area.point_on_surface
    data = {
        **fields,
        "comment": "Bitte einen Radweg zum Bahnhof vorsehen.",
        "topic": "traffic",
        "name": "Erika Mustermann",
        "email": "erika@example.org",
        "privacy_consent": "on",
        "public_opt_in": "on",
        "honeypot": "",
        "lat": f"{point.y:.7f}",
        "lon": f"{point.x:.7f}",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("participation:statement_create", args=[consultation.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    # The redirect target is the cached page; the message is this visitor's, filled in per request.
    page = client.get(response["Location"])
    assert page["X-Page-Cache"] == "hit"
    assert "Bitte bestätigen Sie Ihre Stellungnahme" in page.content.decode()
    assert "Bitte bestätigen Sie Ihre Stellungnahme" not in client.get(url).content.decode()  # shown once
    assert "Bitte einen Radweg zum Bahnhof vorsehen." not in page.content.decode()  # not yet confirmed

    link = re.search(r"http://testserver(/beteiligung/bestaetigen/\S+/)", mailoutbox[0].body).group(1)
    assert client.post(link).status_code == 302
    page = client.get(url).content.decode()
    assert "Bitte einen Radweg zum Bahnhof vorsehen." in page and "Erika M." in page


def test_reused_token_of_a_cached_page_is_not_reused_by_the_next_visitor(client, consultation):
    url = consultation.plan.get_absolute_url()
    first = statement_form_fields(cached_get(client, url).content.decode())
    second = statement_form_fields(client.get(url).content.decode())
    assert first["form_token"] != second["form_token"]
    uuid.UUID(first["form_token"])
    assert int(first["timestamp"]) <= int(second["timestamp"]) <= int(timezone.now().timestamp())
    assert first["object_pk"] == str(consultation.pk)


def test_two_anonymous_requests_get_their_own_csrf_token_and_nonce(client, consultation):
    from django.test import Client

    url = consultation.plan.get_absolute_url()
    cached_get(client, url)
    responses = [Client().get(url), Client().get(url)]
    tokens, nonces = [], []
    for response in responses:
        html = response.content.decode()
        assert response["X-Page-Cache"] == "hit"
        assert "__pb_" not in html  # every marker was filled
        page_tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
        page_nonces = set(re.findall(r'nonce="([^"]+)"', html))
        assert len(page_tokens) == 1 and len(page_nonces) == 1
        nonce = page_nonces.pop()
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
        tokens.append(page_tokens.pop())
        nonces.append(nonce)
        assert "csrftoken" in response.cookies
        assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
        assert "Cookie" in response["Vary"] and "Accept-Language" in response["Vary"]
    assert tokens[0] != tokens[1] and nonces[0] != nonces[1]


def test_csrf_token_from_a_cached_page_passes_the_csrf_check(consultation):
    from django.test import Client

    url = consultation.plan.get_absolute_url()
    Client().get(url)
    Client().get(url)
    browser = Client(enforce_csrf_checks=True)
    response = browser.get(url)
    assert response["X-Page-Cache"] == "hit"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)
    switched = browser.post(reverse("set_language"), {"language": "en", "next": url, "csrfmiddlewaretoken": token})
    assert switched.status_code == 302
    english = browser.get(url)
    assert english["X-Page-Cache"] == "miss" and 'lang="en"' in english.content.decode()


def test_language_switch_returns_to_the_requested_address(client, consultation):
    url = consultation.plan.get_absolute_url()
    cached_get(client, url)
    html = client.get(url + "?utm_source=a&x=%22%3E").content.decode()
    assert f'name="next" value="{url}?utm_source=a&amp;x=%22%3E"' in html


def test_staff_bypass_the_cache(client, consultation, staff):
    url = consultation.plan.get_absolute_url()
    cached_get(client, url)
    response = staff.get(url)
    assert response["X-Page-Cache"] == "bypass"
    assert 'name="official"' in response.content.decode()  # staff may answer officially: their own form


def test_document_upload_and_withdrawal_show_at_once(client, consultation, staff):
    plan = consultation.plan
    url = plan.get_absolute_url()
    assert "Zu diesem Plan sind noch keine Dokumente veröffentlicht." in cached_get(client, url).content.decode()
    pdf = SimpleUploadedFile("laerm.pdf", minimal_pdf(), content_type="application/pdf")
    staff.post(
        reverse("plans:staff_document_upload", args=[plan.pk]), {"title": "Lärmgutachten", "kind": "other", "file": pdf}
    )
    document = plan.documents.get()
    link = reverse("plans:document", args=[plan.municipality.slug, plan.slug, document.pk])
    assert f'href="{link}"' in client.get(url).content.decode()
    cached_get(client, url)
    staff.post(
        reverse("plans:staff_document_withdraw", args=[plan.pk, document.pk]),
        {"reason": "Falsche Fassung", "confirm": "on"},
    )
    page = client.get(url).content.decode()
    assert f'href="{link}"' not in page and "Falsche Fassung" in page


def test_period_opening_at_midnight_flips_the_cached_page(client):
    berlin_midnight = timezone.make_aware(dt.datetime(2031, 3, 3))
    with freeze_time(berlin_midnight - dt.timedelta(minutes=1)) as frozen:
        consultation = ConsultationFactory(
            start_date=dt.date(2031, 3, 3), end_date=dt.date(2031, 4, 3), bekanntmachung_date=dt.date(2031, 2, 20)
        )
        url = consultation.plan.get_absolute_url()
        before = cached_get(client, url).content.decode()
        assert "beginnt am 03.03.2031" in before and 'id="statement-form"' not in before
        frozen.move_to(berlin_midnight + dt.timedelta(seconds=1))
        after = client.get(url)
        assert after["X-Page-Cache"] == "miss"
        assert 'id="statement-form"' in after.content.decode()
        assert "Beteiligung läuft bis 03.04.2031" in after.content.decode()


def test_status_line_counts_down_at_midnight(client, consultation):
    url = consultation.plan.get_absolute_url()
    tomorrow = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(0, 0, 5)))
    days = (consultation.end_date - timezone.localdate()).days
    assert f"noch {days} Tage" in cached_get(client, url).content.decode()
    with freeze_time(tomorrow):
        assert f"noch {days - 1} Tage" in client.get(url).content.decode()


def test_imported_layer_shows_at_once(client, consultation, staff):
    from geodata.services import layer_after_import

    url = consultation.plan.get_absolute_url()
    assert "Ebenen und Legende" not in cached_get(client, url).content.decode()
    layer = LayerFactory(plan=consultation.plan, name="Baufenster")
    from ..factories import FeatureFactory

    FeatureFactory(layer=layer)
    cached_get(client, url)  # the layer has no counted features yet: not listed
    layer_after_import(layer=layer, by=staff.user)
    assert "Baufenster" in client.get(url).content.decode()


def test_personal_data_purge_shows_at_once(client):
    from django.core.management import call_command

    statement = StatementFactory(
        consultation__start_date=timezone.localdate() - dt.timedelta(days=60),
        consultation__end_date=timezone.localdate() - dt.timedelta(days=31),
        user_name="Erika Mustermann",
    )
    plan = statement.consultation.plan
    plan.stage_changes.create(stage="in_force", date=timezone.localdate() - dt.timedelta(days=400))
    plan.stage = "in_force"
    plan.save()
    url = statement.consultation.plan.get_absolute_url()
    assert "Erika M." in cached_get(client, url).content.decode()
    call_command("purge_personal_data", "--older-than", "30", stdout=open("/dev/null", "w"))
    assert "Erika M." not in client.get(url).content.decode()


def test_no_stored_text_can_fake_a_marker(client, consultation):
    StatementFactory(consultation=consultation, comment="__pb_csrf__ und __pb_nonce__")
    html = cached_get(client, consultation.plan.get_absolute_url()).content.decode()
    assert "__pb_csrf__ und __pb_nonce__" in html
    assert marker("csrf").startswith("__pb_csrf_") and len(marker("csrf")) > 25


def test_document_of_another_plan_leaves_this_page_cached(client, consultation):
    url = consultation.plan.get_absolute_url()
    cached_get(client, url)
    DocumentFactory(title="Anderer Plan")
    assert client.get(url)["X-Page-Cache"] == "hit"

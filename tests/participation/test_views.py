"""The public statement form over HTTP: valid and bad input, period checks, confirmation, escaping."""

import datetime as dt
import re
import uuid

import pytest
from django.db import connection
from django.urls import reverse

from participation.forms import StatementForm
from participation.models import Statement

from ..factories import ConsultationFactory, MembershipFactory, PlanFactory, StatementFactory, UserFactory

pytestmark = pytest.mark.django_db


def form_data(consultation, **overrides):
    """Return the POST data the plan page's form would send, with fresh security fields."""
    form = StatementForm(consultation, feature_choices=[])
    point = consultation.plan.area.point_on_surface
    data = {
        **{name: form.initial[name] for name in ("content_type", "object_pk", "timestamp", "security_hash")},
        "comment": "Die Zufahrt über den Riedweg ist zu eng.",
        "topic": "traffic",
        "name": "Erika Mustermann",
        "email": "erika@example.org",
        "privacy_consent": "on",
        "public_opt_in": "on",
        "honeypot": "",
        "reply_to": "0",
        "lat": f"{point.y:.7f}",
        "lon": f"{point.x:.7f}",
        "form_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def post(client, consultation, **overrides):
    return client.post(
        reverse("participation:statement_create", args=[consultation.pk]), form_data(consultation, **overrides)
    )


@pytest.fixture
def consultation():
    return ConsultationFactory(moderation="post")


def test_plan_page_shows_form_and_guest_confirms_by_mail(
    client, consultation, mailoutbox, django_capture_on_commit_callbacks
):
    page = client.get(consultation.plan.get_absolute_url())
    assert b'id="statement-form"' in page.content and "Datenschutzhinweis" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, consultation)
    assert response.status_code == 302
    statement = Statement.objects.get()
    assert statement.confirmed_at is None and not statement.is_public and statement.location is not None
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["erika@example.org"]
    link = re.search(r"http://testserver(/beteiligung/bestaetigen/\S+/)", mailoutbox[0].body).group(1)
    assert len(link) < 120
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302
    statement.refresh_from_db()
    assert statement.confirmed_at and statement.is_public
    page = client.get(consultation.plan.get_absolute_url()).content.decode()
    assert "Die Zufahrt über den Riedweg ist zu eng." in page and "Erika M." in page
    assert "erika@example.org" not in page and "Mustermann" not in page


def test_tampered_confirmation_link_is_refused(client, consultation):
    response = client.post(reverse("participation:confirm", args=["12:abc:def"]))
    assert response.status_code == 400 and "ungültig" in response.content.decode()


def test_logged_in_user_statement_is_confirmed_directly(client, consultation, mailoutbox):
    user = UserFactory(first_name="Max", last_name="Beispiel")
    client.force_login(user)
    data = form_data(consultation)
    del data["name"], data["email"]
    response = client.post(reverse("participation:statement_create", args=[consultation.pk]), data)
    assert response.status_code == 302
    statement = Statement.objects.get()
    assert statement.user == user and statement.confirmed_at and statement.is_public and mailoutbox == []


def test_pre_moderation_holds_statement_back(client):
    consultation = ConsultationFactory(moderation="pre")
    client.force_login(UserFactory())
    data = form_data(consultation)
    client.post(reverse("participation:statement_create", args=[consultation.pk]), data)
    assert Statement.objects.awaiting_moderation().count() == 1 and not Statement.objects.published().exists()


@pytest.mark.parametrize(
    ("lat", "lon", "message"),
    [
        ("10.0", "10.0", "außerhalb des Geltungsbereichs"),
        ("abc", "8.5", "keine Zahlen"),
        ("95", "8.5", "außerhalb des gültigen Bereichs"),
        ("nan", "8.5", "außerhalb des gültigen Bereichs"),
    ],
)
def test_bad_location_is_refused_with_clear_message(client, consultation, lat, lon, message):
    response = post(client, consultation, lat=lat, lon=lon)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Statement.objects.exists()


def test_point_just_outside_edge_within_tolerance_is_accepted(client, consultation):
    lon0, lat0, lon1, lat1 = consultation.plan.area.extent
    # ~1 m west of the western edge (1e-5 degrees of longitude ≈ 0.7 m at 50° N).
    response = post(client, consultation, lat=f"{(lat0 + lat1) / 2:.7f}", lon=f"{lon0 - 0.00001:.7f}")
    assert response.status_code == 302 and Statement.objects.count() == 1


def test_statement_without_location_is_accepted(client, consultation):
    assert post(client, consultation, lat="", lon="").status_code == 302
    assert Statement.objects.get().location is None


def test_closed_and_scheduled_consultations_refuse_posts(client):
    closed = ConsultationFactory(start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 2, 15))
    scheduled = ConsultationFactory(
        start_date=dt.date.today() + dt.timedelta(days=5), end_date=dt.date.today() + dt.timedelta(days=40)
    )
    for consultation in (closed, scheduled):
        response = post(client, consultation)
        assert response.status_code == 403 and "nicht geöffnet" in response.content.decode()
        page = client.get(consultation.plan.get_absolute_url()).content.decode()
        assert 'id="statement-form"' not in page and "Derzeit können keine Stellungnahmen" in page
    assert not Statement.objects.exists()


def test_forged_consultation_id_is_refused(client, consultation):
    other = ConsultationFactory()
    data = form_data(consultation, object_pk=str(other.pk))
    response = client.post(reverse("participation:statement_create", args=[consultation.pk]), data)
    assert response.status_code == 400 and "verändert" in response.content.decode()
    response = client.post(reverse("participation:statement_create", args=[other.pk]), form_data(consultation))
    assert response.status_code == 400
    assert (
        client.post(reverse("participation:statement_create", args=[999999]), form_data(consultation)).status_code
        == 404
    )
    assert not Statement.objects.exists()


def test_reply_to_other_consultation_and_too_deep_reply_are_refused_not_500(client, consultation):
    foreign = StatementFactory()
    response = post(client, consultation, reply_to=str(foreign.pk))
    assert response.status_code == 400 and "anderen Beteiligung" in response.content.decode()
    root = StatementFactory(consultation=consultation)
    level1 = StatementFactory(consultation=consultation, parent_id=root.pk)
    level2 = StatementFactory(consultation=consultation, parent_id=level1.pk)
    assert level2.level == 2
    response = post(client, consultation, reply_to=str(level2.pk))
    assert response.status_code == 400 and "maximale Tiefe" in response.content.decode()
    assert post(client, consultation, reply_to=str(level1.pk), email="x@example.org").status_code == 302
    assert post(client, consultation, reply_to="999999", email="y@example.org").status_code == 400


def test_official_reply_by_staff_is_marked(client, consultation):
    root = StatementFactory(consultation=consultation)
    staff = MembershipFactory(municipality=consultation.plan.municipality, role="moderator").user
    client.force_login(staff)
    data = form_data(consultation, reply_to=str(root.pk), official="on", comment="Die Gemeinde prüft das.")
    client.post(reverse("participation:statement_create", args=[consultation.pk]), data)
    reply = Statement.objects.get(parent_id=root.pk, level=1)
    assert reply.is_official
    page = client.get(consultation.plan.get_absolute_url()).content.decode()
    assert "Offizielle Antwort" in page


def test_citizen_cannot_mark_reply_official(client, consultation):
    client.force_login(UserFactory())
    client.post(
        reverse("participation:statement_create", args=[consultation.pk]), form_data(consultation, official="on")
    )
    assert not Statement.objects.get().is_official


def test_script_in_text_and_name_is_escaped(client, consultation):
    StatementFactory(
        consultation=consultation,
        user_name="<script>alert(1)</script> Böse",
        comment="<b>fett</b><script>alert(2)</script>",
    )
    page = client.get(consultation.plan.get_absolute_url()).content.decode()
    assert "<script>alert" not in page and "&lt;b&gt;fett&lt;/b&gt;" in page
    assert "\\u003Cscript\\u003Ealert(2)" in page  # map data via json_script is escaped too


def test_too_long_text_gives_clear_error(client, consultation, settings):
    response = post(client, consultation, comment="x" * 10_001)
    assert (
        response.status_code == 400 and "zu lang" in response.content.decode() and "10000" in response.content.decode()
    )
    assert not Statement.objects.exists()


def test_honeypot_refuses(client, consultation):
    response = post(client, consultation, honeypot="http://spam")
    assert response.status_code == 400 and not Statement.objects.exists()


def test_missing_consent_refused(client, consultation):
    data = form_data(consultation)
    del data["privacy_consent"]
    response = client.post(reverse("participation:statement_create", args=[consultation.pk]), data)
    assert response.status_code == 400 and "Datenschutzhinweis" in response.content.decode()


def test_double_clicked_submit_stores_one_statement(
    client, consultation, mailoutbox, django_capture_on_commit_callbacks
):
    data = form_data(consultation)
    url = reverse("participation:statement_create", args=[consultation.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
        assert client.post(url, data).status_code == 302
    assert Statement.objects.count() == 1 and len(mailoutbox) == 1


def test_back_button_resend_with_new_text_is_refused_text_kept_and_fresh_form_works(
    client, consultation, mailoutbox, django_capture_on_commit_callbacks
):
    url = reverse("participation:statement_create", args=[consultation.pk])
    data = form_data(consultation)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
        assert client.post(url, data).status_code == 302  # double-click: the same statement
    assert Statement.objects.count() == 1 and len(mailoutbox) == 1
    new_text = "Nachtrag: Auch der Fußweg am Bach fehlt <im Plan>."
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**data, "comment": new_text})  # Back button: old hidden token, new text
    page = response.content.decode()
    assert (
        response.status_code == 400
        and "Formular bereits abgeschickt – bitte prüfen Sie Ihren Text und senden Sie ihn erneut ab." in page
    )
    textarea = re.search(r'<textarea name="comment"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert textarea.strip() == "Nachtrag: Auch der Fußweg am Bach fehlt &lt;im Plan&gt;."
    assert Statement.objects.count() == 1 and Statement.objects.get().comment == data["comment"]
    assert len(mailoutbox) == 1
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    assert hidden["form_token"] != data["form_token"]
    resend = {**data, **hidden, "comment": new_text}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, resend).status_code == 302
    assert sorted(Statement.objects.values_list("comment", flat=True)) == sorted([data["comment"], new_text])
    assert len(mailoutbox) == 2


def test_rate_limit_answers_429(client, consultation, settings):
    settings.PARTICIPATION_RATE_LIMIT = 2
    for i in range(2):
        assert post(client, consultation, email=f"p{i}@example.org").status_code == 302
    response = post(client, consultation, email="p9@example.org")
    assert response.status_code == 429 and "Zu viele" in response.content.decode()


def test_feature_of_the_plan_can_be_chosen_and_foreign_one_refused(client, consultation):
    from geodata.models import Feature, Layer

    layer = Layer.objects.create(plan=consultation.plan, name="Baugebiete", kind="building_areas")
    feature = Feature.objects.create(layer=layer, geometry=consultation.plan.area, properties={"name": "WA 1"})
    other_layer = Layer.objects.create(plan=PlanFactory(), name="Fremd")
    foreign = Feature.objects.create(layer=other_layer, geometry=other_layer.plan.area)
    page = client.get(consultation.plan.get_absolute_url()).content.decode()
    assert "Baugebiete: WA 1" in page
    data = form_data(consultation, feature=str(feature.pk), lat="", lon="")
    url = reverse("participation:statement_create", args=[consultation.pk])
    assert client.post(url, data).status_code == 302
    assert Statement.objects.get().feature == feature
    assert client.post(url, form_data(consultation, feature=str(foreign.pk), email="z@example.org")).status_code == 400


def test_list_filters_by_topic_and_order(client, consultation):
    StatementFactory(consultation=consultation, topic="noise", comment="Lärm vom Gewerbe")
    StatementFactory(consultation=consultation, topic="traffic", comment="Zu viele Autos")
    page = client.get(consultation.plan.get_absolute_url(), {"thema": "noise"}).content.decode()
    assert "Lärm vom Gewerbe" in page and "Zu viele Autos" not in page
    page = client.get(consultation.plan.get_absolute_url(), {"sortierung": "aelteste"}).content.decode()
    assert page.index("Lärm vom Gewerbe") < page.index("Zu viele Autos")
    page = client.get(consultation.plan.get_absolute_url()).content.decode()
    assert page.index("Zu viele Autos") < page.index("Lärm vom Gewerbe")


def test_flagging_a_statement(client, consultation):
    statement = StatementFactory(consultation=consultation)
    response = client.post(reverse("participation:statement_flag", args=[statement.pk]), {"reason": "Beleidigend"})
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.flag_count == 1 and statement.moderation_actions.get().reason == "Beleidigend"


def test_reply_link_without_js_prefills_reply_to(client, consultation):
    root = StatementFactory(consultation=consultation, user_name="Erika Mustermann")
    page = client.get(consultation.plan.get_absolute_url(), {"antwort": root.pk}).content.decode()
    assert "Sie antworten auf den Beitrag von Erika M." in page
    assert f'name="reply_to" value="{root.pk}"' in page


def test_plan_page_with_statements_stays_within_query_budget(client, consultation, django_assert_max_num_queries):
    for i in range(30):
        parent = StatementFactory(consultation=consultation)
        if i % 5 == 0:
            StatementFactory(consultation=consultation, parent_id=parent.pk, is_official=True)
    with django_assert_max_num_queries(15):
        response = client.get(consultation.plan.get_absolute_url())
    assert listed_on_all_pages(client, consultation, response) == 36


def listed_on_all_pages(client, consultation, first_page) -> int:
    """Return the statements and official replies listed on all pages of the statement list (20 threads a page)."""
    count = 0
    for number in range(1, 4):
        response = first_page if number == 1 else client.get(consultation.plan.get_absolute_url() + f"?seite={number}")
        page = response.content.decode()
        count += page.count('class="statement"') + page.count('class="statement statement--reply statement--official"')
        if 'rel="next"' not in page:
            return count
    return count


@pytest.mark.parametrize(
    ("end_date", "local_end"),
    [
        (dt.date(2027, 3, 27), dt.datetime(2027, 3, 28, 0, 0)),  # clocks go forward on 28 March
        (dt.date(2027, 10, 30), dt.datetime(2027, 10, 31, 0, 0)),  # clocks go back on 31 October
    ],
)
def test_post_one_second_before_and_after_end_over_http(client, monkeypatch, settings, end_date, local_end):
    from participation.periods import BERLIN

    settings.COMMENTS_TIMEOUT = 10**9  # the form's timestamp is real time, the clock below is patched
    consultation = ConsultationFactory(start_date=end_date - dt.timedelta(days=40), end_date=end_date)
    end = local_end.replace(tzinfo=BERLIN)
    url = reverse("participation:statement_create", args=[consultation.pk])
    monkeypatch.setattr("django.utils.timezone.now", lambda: end - dt.timedelta(seconds=1))
    assert client.post(url, form_data(consultation)).status_code == 302
    monkeypatch.setattr("django.utils.timezone.now", lambda: end + dt.timedelta(seconds=1))
    response = client.post(url, form_data(consultation, email="late@example.org"))
    assert response.status_code == 403 and "nicht geöffnet" in response.content.decode()
    statement = Statement.objects.get()
    assert statement.submit_date == end - dt.timedelta(seconds=1) and not statement.is_late


def test_guest_post_stays_within_query_budget(client, consultation, django_assert_max_num_queries):
    """One guest statement: consultation lookup, the inserts (thread ids included), mail task, transaction.

    On PostgreSQL the three tables of the statement take one INSERT (participation.inserts), elsewhere three.
    """
    post(client, consultation, email="warm@example.org")  # per-process caches (content type, prepared area)
    with django_assert_max_num_queries(5 if connection.vendor == "postgresql" else 7):
        response = post(client, consultation)
    assert response.status_code == 302
    statement = Statement.objects.get(user_email="erika@example.org")
    assert statement.thread_id == statement.parent_id == statement.pk and statement.level == 0


def test_plan_page_with_fifty_statements_stays_within_query_budget(client, consultation, django_assert_max_num_queries):
    for i in range(42):
        parent = StatementFactory(consultation=consultation)
        if i % 5 == 0:
            StatementFactory(consultation=consultation, parent_id=parent.pk, is_official=True)
    assert Statement.objects.count() == 51
    with django_assert_max_num_queries(15):
        response = client.get(consultation.plan.get_absolute_url())
    assert listed_on_all_pages(client, consultation, response) == 51


def test_cached_statement_list_follows_changes_and_keeps_csrf_per_request(consultation):
    """The rendered list is cached by content: edits and moderation show at once; the CSRF field is per visitor."""
    from django.test import Client

    from participation.services import statement_moderate
    from plans.rules import SYSTEM

    first = StatementFactory(consultation=consultation, comment="Erste Fassung des Textes")
    second = StatementFactory(consultation=consultation, comment="Zweiter Beitrag")
    url = consultation.plan.get_absolute_url()
    browser = Client(enforce_csrf_checks=True)
    assert "Erste Fassung des Textes" in browser.get(url).content.decode()
    Statement.objects.filter(pk=first.pk).update(comment="Geänderte <b>Fassung</b>")
    page = browser.get(url).content.decode()
    assert "Erste Fassung" not in page and "Geänderte &lt;b&gt;Fassung&lt;/b&gt;" in page
    statement_moderate(statement=second, by=SYSTEM, action="hide", reason="Beleidigend")
    assert "Zweiter Beitrag" not in browser.get(url).content.decode()
    other = Client(enforce_csrf_checks=True)
    page = other.get(url).content.decode()
    token = re.search(
        r'action="/beteiligung/stellungnahmen/\d+/melden/">\s*'
        r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"',
        page,
    )
    assert token is not None
    flag_url = reverse("participation:statement_flag", args=[first.pk])
    assert other.post(flag_url, {"reason": "Spam", "csrfmiddlewaretoken": token.group(1)}).status_code == 302
    assert browser.post(flag_url, {"reason": "Spam", "csrfmiddlewaretoken": token.group(1)}).status_code == 403

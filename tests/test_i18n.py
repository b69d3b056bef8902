import datetime as dt
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from participation.models import Statement
from plans.models import Membership
from tests.factories import ConsultationActionFactory, ConsultationFactory, MembershipFactory, StatementFactory

PO_FILE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"

# %(name)s / %(count)d / %(size).1f, bare %s / %d, {{ var }} (blocktranslate) and {var} (str.format).
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|%[sdif]|\{\{\s*[\w.]+\s*\}\}|\{\w*\}")


def _entries():
    return [entry for entry in polib.pofile(str(PO_FILE)) if not entry.obsolete]


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text.replace("%%", "")))


def test_english_catalogue_is_complete_and_not_fuzzy():
    entries = _entries()
    assert len(entries) > 800
    untranslated = [e.msgid for e in entries if not e.translated()]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []
    assert not polib.pofile(str(PO_FILE)).metadata_is_fuzzy


def test_placeholders_match_between_german_and_english():
    mismatches = []
    for entry in _entries():
        if entry.msgid_plural:
            # The singular form may spell out "one" instead of the count; the plural must keep them all.
            pairs = [(entry.msgid, entry.msgstr_plural[0], True), (entry.msgid_plural, entry.msgstr_plural[1], False)]
        else:
            pairs = [(entry.msgid, entry.msgstr, False)]
        for source, target, may_drop in pairs:
            want, got = _placeholders(source), _placeholders(target)
            if got != want and not (may_drop and set(got) <= set(want)):
                mismatches.append((source, target))
    assert mismatches == []


def test_placeholder_check_catches_a_lost_variable():
    assert _placeholders("Seite %(page)s von {{ total }}") != _placeholders("Page %(page)s of")


@pytest.fixture
def open_consultation(db):
    today = timezone.localdate()
    consultation = ConsultationFactory(start_date=today - dt.timedelta(days=3), end_date=today + dt.timedelta(days=30))
    ConsultationActionFactory(consultation=consultation)
    StatementFactory(consultation=consultation, comment="Bitte mehr Bäume pflanzen.")
    return consultation


def test_start_page_in_english(client, open_consultation):
    html = client.get(reverse("plans:map"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in html
    assert "All plans" in html
    assert "Alle Pläne" not in html


def test_plan_page_in_english(client, open_consultation):
    plan = open_consultation.plan
    html = client.get(plan.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Submit your statement" in html
    assert "Consultation open until" in html
    assert "midnight" in html
    assert "Publication on the internet (§ 3 (2) BauGB)" in html
    assert "Ihre Stellungnahme abgeben" not in html
    assert " Uhr" not in html


def test_staff_page_in_english(client, open_consultation):
    planner = MembershipFactory(municipality=open_consultation.plan.municipality, role=Membership.Role.PLANNER).user
    StatementFactory(consultation=open_consultation, channel=Statement.Channel.POST)
    client.force_login(planner)
    html = client.get(
        reverse("workbench:table", args=[open_consultation.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Statements with weighing of interests" in html
    assert "<td>Post</td>" in html
    html = client.get(
        reverse("participation:staff_detail", args=[open_consultation.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "<strong>Status:</strong>" in html
    assert "midnight" in html
    assert "Stellungnahme auf Papier erfassen" not in html


def test_channel_post_label_is_post_in_german(client, open_consultation):
    with translation.override("de"):
        assert str(Statement.Channel.POST.label) == "Post"
        assert dict(Statement.Channel.choices)["post"] == "Post"
    planner = MembershipFactory(municipality=open_consultation.plan.municipality, role=Membership.Role.PLANNER).user
    client.force_login(planner)
    html = client.get(
        reverse("participation:staff_paper", args=[open_consultation.pk]), HTTP_ACCEPT_LANGUAGE="de"
    ).content.decode()
    assert '<option value="post">Post</option>' in html
    assert "Abschicken" not in html


def test_language_switcher_sets_english_and_returns_to_page(client, open_consultation):
    plan_url = open_consultation.plan.get_absolute_url()
    html = client.get(plan_url).content.decode()
    assert f'<input type="hidden" name="next" value="{plan_url}">' in html
    assert f'action="{reverse("set_language")}"' in html
    # Each language is offered in its own name, marked with its language (WCAG 3.1.2).
    assert '<option value="de" lang="de" selected>Deutsch</option>' in html
    assert '<option value="en" lang="en">English</option>' in html
    response = client.post(reverse("set_language"), {"language": "en", "next": plan_url})
    assert response.status_code == 302
    assert response["Location"] == plan_url
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get(plan_url).content.decode()
    assert 'lang="en"' in html
    assert "Submit your statement" in html
    response = client.post(reverse("set_language"), {"language": "de", "next": plan_url})
    assert "Ihre Stellungnahme abgeben" in client.get(plan_url).content.decode()


def test_language_switcher_ignores_foreign_next(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]

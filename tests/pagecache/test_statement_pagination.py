"""The public statement list in pages of 20, each page its own full-page cache entry."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from participation.plan_page import MAX_CACHED_PAGE, STATEMENTS_PER_PAGE

from ..factories import StatementFactory
from .test_plan_page_cache import cached_get

pytestmark = pytest.mark.django_db

LISTED = re.compile(r'<li class="statement" id="stellungnahme-(\d+)"')


def statement_list(html: str) -> str:
    """Return the statement list of a plan page (without the map markers, which hold every statement)."""
    return html[html.index('class="statement-list"') : html.index('id="statement-markers"')]


@pytest.fixture
def statements(consultation):
    start = timezone.now() - dt.timedelta(hours=30)
    return [
        StatementFactory(
            consultation=consultation, comment=f"Beitrag {n:02d}", submit_date=start + dt.timedelta(hours=n)
        )
        for n in range(25)
    ]


def test_statement_list_is_paginated_with_an_accessible_nav(client, consultation, statements):
    url = consultation.plan.get_absolute_url()
    html = client.get(url).content.decode()
    assert "25 veröffentlichte Stellungnahmen" in html
    first = statement_list(html)
    assert STATEMENTS_PER_PAGE == 20 and len(LISTED.findall(first)) == 20
    assert "Beitrag 24" in first and "Beitrag 04" not in first  # newest first
    assert 'aria-label="Seiten der Stellungnahmen"' in first and '<span aria-current="page">1</span>' in first
    assert 'href="?seite=2#stellungnahmen" rel="next"' in first
    second = statement_list(client.get(url + "?seite=2").content.decode())
    assert len(LISTED.findall(second)) == 5 and "Beitrag 04" in second and "Beitrag 24" not in second
    assert '<span aria-current="page">2</span>' in second and 'href="?#stellungnahmen" rel="prev"' in second


def test_page_links_keep_the_filter(client, consultation, statements):
    page = statement_list(
        client.get(consultation.plan.get_absolute_url() + "?thema=traffic&sortierung=aelteste").content.decode()
    )
    assert "Beitrag 00" in page and 'href="?thema=traffic&amp;sortierung=aelteste&amp;seite=2#stellungnahmen"' in page


def test_markers_of_statements_on_other_pages_link_to_their_page(client, consultation, statements):
    page = client.get(consultation.plan.get_absolute_url()).content.decode()
    markers = re.search(r'<script id="statement-markers" type="application/json">(.*?)</script>', page).group(1)
    assert f'"href": "?seite=2#stellungnahme-{statements[0].pk}"' in markers
    assert f'"href": "?#stellungnahme-{statements[24].pk}"' in markers


def test_each_page_is_cached_under_its_own_key(client, consultation, statements):
    url = consultation.plan.get_absolute_url()
    first = statement_list(cached_get(client, url).content.decode())
    second = statement_list(cached_get(client, url + "?seite=2").content.decode())
    assert "Beitrag 24" in first and "Beitrag 24" not in second and "Beitrag 04" in second
    assert client.get(url + "?seite=1")["X-Page-Cache"] == "hit"  # page 1 by number is the same rendering
    assert client.get(url + "?seite=abc")["X-Page-Cache"] == "hit"  # not a number: page 1
    # A new statement moves every page: no page is served stale.
    StatementFactory(consultation=consultation, comment="Beitrag neu")
    assert "Beitrag 05" in statement_list(client.get(url + "?seite=2").content.decode())


def test_far_page_numbers_bypass_the_cache(client, consultation, statements):
    url = consultation.plan.get_absolute_url()
    response = client.get(url + f"?seite={MAX_CACHED_PAGE + 1}")
    assert response.status_code == 200 and response["X-Page-Cache"] == "bypass"
    assert len(LISTED.findall(statement_list(response.content.decode()))) == 5  # beyond the end: the last page

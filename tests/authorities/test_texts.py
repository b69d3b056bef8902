"""German wording of the authority's access page (issue 13, part 9)."""

import pytest

from .access_setup import _immediate_tasks, access_url, invitation, round_  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.django_db]


def test_access_page_names_the_plan_with_article_and_the_town_without_gemeinde(client, invitation):  # noqa: F811
    plan = invitation.consultation.plan
    plan.municipality.name = "Stadt Usingen"
    plan.municipality.save()
    plan.number, plan.title = "Nr. 64", "Wohngebiet „Am Riedborn“"
    plan.save()
    page = client.get(access_url(invitation)).content.decode()
    assert "Stellungnahme zum Bebauungsplan Nr. 64 Wohngebiet „Am Riedborn“" in page
    assert "Verantwortlich: Stadt Usingen. Die Kommune verarbeitet" in page
    assert "Gemeinde Stadt" not in page and "„Nr." not in page
